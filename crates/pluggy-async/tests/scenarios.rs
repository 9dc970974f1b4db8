//! The shared scenarios (see `pluggy-scenarios`), driven by the async client (hyper transport,
//! tokio) against the emulator over 127.0.0.1.

pluggy_scenarios::scenario_suite!(
    async #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
);

/// What the suite needs that the async driver does its own way: tokio tasks, streams, futures.
mod kit {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::time::Duration;

    use futures_core::Stream;
    use pluggy_core::Error;
    use pluggy_scenarios::sandbox::CONNECTOR;
    use pluggy_scenarios::{Emulator, Fault};

    pub use pluggy_async::runtime::{Clock, ManualClock};
    pub use pluggy_async::{Client, ClientBuilder};

    /// Callers released together by the single-flight scenarios.
    pub const CALLERS: usize = 1000;

    /// Runs `call` in `n` tokio tasks, each on a clone of `client`, released together by a
    /// barrier; returns every answer. A task that panics fails the test.
    pub async fn concurrently<T, F, Fut>(
        n: usize,
        client: &Client,
        call: F,
    ) -> Vec<Result<T, Error>>
    where
        F: Fn(Client) -> Fut + Copy + Send + 'static,
        Fut: Future<Output = Result<T, Error>> + Send,
        T: Send + 'static,
    {
        let barrier = Arc::new(tokio::sync::Barrier::new(n));
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let client = client.clone();
                let barrier = barrier.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    call(client).await
                })
            })
            .collect();
        let mut answers = Vec::with_capacity(n);
        for task in tasks {
            answers.push(task.await.expect("no panic"));
        }
        answers
    }

    /// Reads a stream of pages' items to its end, stopping at the first error.
    pub async fn collect<T, S>(mut pages: S) -> Result<Vec<T>, Error>
    where
        S: Stream<Item = Result<T, Error>> + Unpin,
    {
        let mut all = Vec::new();
        while let Some(next) = std::future::poll_fn(|cx| Pin::new(&mut pages).poll_next(cx)).await {
            all.push(next?);
        }
        Ok(all)
    }

    /// What an MFA hook returns to answer with `answer`: a future of it.
    pub fn reply<T>(answer: T) -> std::future::Ready<T> {
        std::future::ready(answer)
    }

    /// `call` on `client`, or `None` if it has not answered within `limit`.
    pub async fn within<T, F, Fut>(limit: Duration, client: Client, call: F) -> Option<T>
    where
        F: FnOnce(Client) -> Fut,
        Fut: Future<Output = T>,
    {
        tokio::time::timeout(limit, call(client)).await.ok()
    }

    /// The client of `builder`, whose first refresh hangs (`POST /auth` delayed 10 s) until its
    /// caller gives up: the caller's future is dropped in the middle of the refresh.
    pub async fn abandon_a_refresh(emu: &Emulator, builder: ClientBuilder) -> Client {
        let c = builder.build().expect("client");
        emu.fault(
            Fault::on("POST", "/auth")
                .delay(Duration::from_secs(10))
                .times(1),
        );
        let gave_up =
            tokio::time::timeout(Duration::from_secs(1), c.get_connector(CONNECTOR)).await;
        assert!(gave_up.is_err(), "the first call was still refreshing");
        c
    }
}
