//! The shared scenarios (see `pluggy-scenarios`), driven by the blocking client against the
//! emulator over 127.0.0.1.

pluggy_scenarios::scenario_suite!(blocking #[test]);

/// What the suite needs that the blocking driver does its own way: threads, iterators, plain
/// values.
mod kit {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    use std::time::Duration;

    use pluggy_core::{
        BlockingTransport, Error, PreparedRequest, RawResponse, TransportError, endpoints,
    };
    use pluggy_scenarios::Emulator;
    use pluggy_scenarios::sandbox::CONNECTOR;

    use pluggy_blocking::UreqTransport;
    pub use pluggy_blocking::clock::{Clock, ManualClock};
    pub use pluggy_blocking::{Client, ClientBuilder};

    /// Callers released together by the single-flight scenarios.
    pub const CALLERS: usize = 64;

    /// Runs `call` on `n` threads, each on a clone of `client`, released together by a
    /// barrier; returns every answer. A thread that panics fails the test.
    pub fn concurrently<T, F>(n: usize, client: &Client, call: F) -> Vec<Result<T, Error>>
    where
        F: Fn(Client) -> Result<T, Error> + Copy + Send + 'static,
        T: Send + 'static,
    {
        let barrier = Arc::new(Barrier::new(n));
        let threads: Vec<_> = (0..n)
            .map(|_| {
                let client = client.clone();
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    call(client)
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .collect()
    }

    /// Reads an iterator of pages' items to its end, stopping at the first error.
    pub fn collect<T>(pages: impl IntoIterator<Item = Result<T, Error>>) -> Result<Vec<T>, Error> {
        pages.into_iter().collect()
    }

    /// What an MFA hook returns to answer with `answer`: the answer itself.
    pub fn reply<T>(answer: T) -> T {
        answer
    }

    /// `call` on `client` on a thread of its own, or `None` if it has not answered within
    /// `limit` (the thread is then left to finish alone).
    pub fn within<T, F>(limit: Duration, client: Client, call: F) -> Option<T>
    where
        F: FnOnce(Client) -> T + Send + 'static,
        T: Send + 'static,
    {
        let (answer, answered) = std::sync::mpsc::channel();
        std::thread::spawn(move || answer.send(call(client)));
        answered.recv_timeout(limit).ok()
    }

    /// A transport that panics on the first `POST /auth` it is given, as a thread killed in
    /// the middle of a refresh would.
    struct PanicOnFirstAuth {
        inner: UreqTransport,
        armed: AtomicBool,
    }

    impl BlockingTransport for PanicOnFirstAuth {
        fn send(&self, request: PreparedRequest) -> Result<RawResponse, TransportError> {
            if request.endpoint().name == endpoints::AUTH_CREATE.name
                && self.armed.swap(false, Ordering::SeqCst)
            {
                panic!("the refreshing thread dies");
            }
            self.inner.send(request)
        }
    }

    /// The client of `builder` on a transport whose first `POST /auth` panics: the thread
    /// refreshing the key dies in the middle of the refresh. The emulator is not needed here
    /// (the async kit injects a fault there).
    pub fn abandon_a_refresh(_emu: &Emulator, builder: ClientBuilder) -> Client {
        let c = builder
            .transport(PanicOnFirstAuth {
                inner: UreqTransport::new(),
                armed: AtomicBool::new(true),
            })
            .build()
            .unwrap();
        let dying = c.clone();
        let died = std::thread::spawn(move || dying.get_connector(CONNECTOR)).join();
        assert!(died.is_err(), "the first refresh panicked");
        c
    }
}
