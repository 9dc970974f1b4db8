//! What the client hands its transport: the base URL's path prefix is kept and the
//! `User-Agent` names the SDK and the application. Runs without the `hyper` feature.

#[path = "../examples/custom_executor.rs"]
#[allow(dead_code)] // the example's flow and `main`
mod example;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pluggy_async::Client;
use pluggy_async::runtime::BoxFuture;
use pluggy_core::{
    ApiKey, AsyncTransport, ConnectorId, PreparedRequest, RawResponse, TransportError, calls,
};

/// Records each request's URL and `User-Agent`, and answers 200.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(String, String)>>>);

#[async_trait::async_trait]
impl AsyncTransport for Recorder {
    async fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
        let agent = request
            .headers()
            .iter()
            .find(|h| h.name() == "user-agent")
            .map(|h| h.value().to_owned())
            .unwrap_or_default();
        self.0
            .lock()
            .unwrap()
            .push((request.url().to_owned(), agent));
        Ok(RawResponse::new(200, vec![], b"{}".to_vec()))
    }
}

#[test]
fn the_transport_sees_the_prefixed_url_and_the_user_agent() {
    let recorder = Recorder::default();
    let client = Client::builder()
        .base_url("https://proxy.example/pluggy")
        .api_key(ApiKey::new("static-key"))
        .user_agent_suffix("my-app/1.2")
        .transport(recorder.clone())
        .sleeper(|_: Duration| -> BoxFuture<'static, ()> { Box::pin(std::future::ready(())) })
        .build()
        .unwrap();
    let answer = example::block_on(client.raw(calls::get_connector(ConnectorId::new(0)))).unwrap();
    assert_eq!(answer.status(), 200);
    let seen = recorder.0.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "https://proxy.example/pluggy/connectors/0");
    assert!(seen[0].1.starts_with("pluggy-rs/"), "{}", seen[0].1);
    assert!(seen[0].1.contains("(async)"), "{}", seen[0].1);
    assert!(seen[0].1.ends_with(" my-app/1.2"), "{}", seen[0].1);
}
