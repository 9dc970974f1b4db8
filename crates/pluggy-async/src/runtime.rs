//! What the client needs from its environment besides a transport: a clock and a timer.
//! Both are traits so the client runs on any executor; with the `hyper` feature the defaults
//! are the system clock and tokio's timer.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pluggy_core::Now;
pub use pluggy_core::clock::{Clock, ManualClock};

/// The system clocks: `Instant` for the monotonic reading, `SystemTime` for the wall clock.
#[derive(Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Now {
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Now::new(
            self.origin.elapsed(),
            i64::try_from(unix.as_secs()).unwrap_or(i64::MAX),
        )
    }
}

/// A boxed, sendable future, as timers return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A timer: waits for a duration on the caller's executor.
pub trait Sleeper: Send + Sync {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

impl<F> Sleeper for F
where
    F: Fn(Duration) -> BoxFuture<'static, ()> + Send + Sync,
{
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self(duration)
    }
}

/// tokio's timer.
#[cfg(feature = "hyper")]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

#[cfg(feature = "hyper")]
impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Polls two futures and returns the output of whichever finishes first.
pub(crate) async fn first<A, B, T>(a: A, b: B) -> T
where
    A: Future<Output = T>,
    B: Future<Output = T>,
{
    let mut a = std::pin::pin!(a);
    let mut b = std::pin::pin!(b);
    std::future::poll_fn(move |cx: &mut Context<'_>| {
        if let Poll::Ready(v) = a.as_mut().poll(cx) {
            return Poll::Ready(v);
        }
        b.as_mut().poll(cx)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_returns_the_ready_future() {
        let mut fut = std::pin::pin!(first(std::future::pending::<u8>(), async { 7u8 }));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(7));
    }
}
