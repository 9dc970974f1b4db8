//! The `custom_executor` example, run against the emulator: the async client works on a
//! hand-written executor with a user-written transport and timer, with no tokio runtime in
//! sight (this test passes with and without the `hyper` feature).

#[path = "../examples/custom_executor.rs"]
#[allow(dead_code)] // the example's `main`
mod example;

use pluggy_core::ItemStatus;
use pluggy_scenarios::Emulator;

#[test]
fn the_documented_flow_runs_without_tokio() {
    let emu = Emulator::start();
    let summary = example::block_on(async {
        // No tokio runtime drives this future: a call into tokio's timer or I/O would panic.
        assert!(tokio::runtime::Handle::try_current().is_err());
        example::run(emu.base_url(), emu.client_id(), emu.client_secret()).await
    })
    .expect("the flow succeeds");
    assert_eq!(summary.item_status, ItemStatus::Updated);
    assert_eq!(summary.client_user_id, "user-42");
    assert!(summary.accounts > 0);
    assert!(summary.transactions > 0);
    let stats = emu.stats();
    assert_eq!(stats.auth_calls(), 1);
    assert_eq!(stats.requests("POST /items", 200), 1);
    // Every account's transactions were read through the cursor.
    assert_eq!(
        stats.requests("GET /v2/transactions", 200),
        summary.accounts as u64
    );
}
