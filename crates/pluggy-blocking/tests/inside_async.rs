//! The blocking client inside an async program: called from a blocking section of a tokio
//! runtime it runs no runtime of its own, so nothing nests and nothing panics.

use pluggy_blocking::Client;
use pluggy_core::ClientSecret;
use pluggy_scenarios::Emulator;
use pluggy_scenarios::sandbox::{CONNECTOR, fast_retry};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callable_from_spawn_blocking_and_block_in_place() {
    let emu = Emulator::start();
    let client = Client::builder()
        .base_url(emu.base_url())
        .credentials(emu.client_id(), ClientSecret::new(emu.client_secret()))
        .retry_policy(fast_retry())
        .build()
        .unwrap();
    let c = client.clone();
    let connector = tokio::task::spawn_blocking(move || c.get_connector(CONNECTOR))
        .await
        .expect("no panic")
        .unwrap();
    assert_eq!(connector.id, CONNECTOR);
    let connector = tokio::task::block_in_place(|| client.get_connector(CONNECTOR)).unwrap();
    assert_eq!(connector.id, CONNECTOR);
    assert_eq!(emu.stats().auth_calls(), 1);
}
