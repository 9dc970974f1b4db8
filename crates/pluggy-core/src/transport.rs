//! The seam between the sans-IO core and the network: drivers send a [`PreparedRequest`] through
//! a transport and hand the [`RawResponse`] back to the core.

use crate::error::TransportError;
use crate::http::{PreparedRequest, RawResponse};

/// An asynchronous transport. Object-safe and `Send`, so a driver can hold a
/// `Box<dyn AsyncTransport>` and any runtime can implement it.
#[async_trait::async_trait]
pub trait AsyncTransport: Send + Sync {
    /// Sends one request and returns the complete answer. Must not follow redirects, must not
    /// treat error statuses as failures, and must not put secrets in its errors.
    async fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError>;
}

/// A blocking transport. Any `Fn(PreparedRequest) -> Result<RawResponse, TransportError>` that
/// is `Send + Sync` is one.
pub trait BlockingTransport: Send + Sync {
    /// Sends one request and returns the complete answer. Must not follow redirects, must not
    /// treat error statuses as failures, and must not put secrets in its errors.
    fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError>;
}

impl<F> BlockingTransport for F
where
    F: Fn(PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync,
{
    fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
        self(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_object_safe(_: &dyn AsyncTransport) {}

    struct Echo;

    #[async_trait::async_trait]
    impl AsyncTransport for Echo {
        async fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
            Ok(RawResponse::new(
                200,
                Vec::new(),
                request.url().as_bytes().to_vec(),
            ))
        }
    }

    #[test]
    fn closures_are_blocking_transports() {
        let t = |req: PreparedRequest| {
            Ok(RawResponse::new(
                204,
                Vec::new(),
                req.url().as_bytes().to_vec(),
            ))
        };
        let boxed: Box<dyn BlockingTransport> = Box::new(t);
        let req = crate::http::test_request();
        let res = boxed.send(req).unwrap();
        assert_eq!(res.status(), 204);
        assert_object_safe(&Echo);
    }
}
