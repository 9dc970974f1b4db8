//! What the client hands its transport: a closure is a transport, the base URL's path prefix
//! is kept, the `User-Agent` names the SDK and the application.

use std::sync::{Arc, Mutex};

use pluggy_blocking::Client;
use pluggy_core::{ApiKey, ConnectorId, PreparedRequest, RawResponse, TransportError, calls};

#[test]
fn a_closure_sees_the_prefixed_url_and_the_user_agent() {
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let log = seen.clone();
    let transport = move |request: PreparedRequest| -> Result<RawResponse, TransportError> {
        let agent = request
            .headers()
            .iter()
            .find(|h| h.name() == "user-agent")
            .map(|h| h.value().to_owned())
            .unwrap_or_default();
        log.lock().unwrap().push((request.url().to_owned(), agent));
        Ok(RawResponse::new(200, vec![], b"{}".to_vec()))
    };
    let client = Client::builder()
        .base_url("https://proxy.example/pluggy")
        .api_key(ApiKey::new("static-key"))
        .user_agent_suffix("my-app/1.2")
        .transport(transport)
        .build()
        .unwrap();
    let answer = client
        .raw(calls::get_connector(ConnectorId::new(0)))
        .unwrap();
    assert_eq!(answer.status(), 200);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "https://proxy.example/pluggy/connectors/0");
    assert!(seen[0].1.starts_with("pluggy-rs/"), "{}", seen[0].1);
    assert!(seen[0].1.contains("(blocking)"), "{}", seen[0].1);
    assert!(seen[0].1.ends_with(" my-app/1.2"), "{}", seen[0].1);
}
