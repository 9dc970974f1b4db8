//! The CPU time a set of threads has used, read from Linux's per-thread
//! `/proc/self/task/<tid>/schedstat`, whose first field is the thread's time on a CPU in
//! nanoseconds, user and kernel together. The client runtime's threads join the set when they
//! start, so a block of calls can be charged with the CPU time its client side took, whatever
//! the wall clock spent waiting for a sleeping core to wake.

use std::sync::Mutex;
use std::time::Duration;

/// Threads whose CPU time is summed.
#[derive(Debug, Default)]
pub struct Threads {
    /// The `schedstat` file of each thread that joined.
    files: Mutex<Vec<String>>,
}

impl Threads {
    /// Adds the calling thread (a runtime's `on_thread_start` hook calls it on each of its
    /// threads). Without `/proc`, nothing is added and [`Threads::used`] reads `None`.
    pub fn join_current(&self) {
        let Ok(link) = std::fs::read_link("/proc/thread-self") else {
            return;
        };
        // The link reads `<pid>/task/<tid>`.
        let Some(tid) = link.file_name().and_then(|t| t.to_str()) else {
            return;
        };
        let file = format!("/proc/self/task/{tid}/schedstat");
        if let Ok(mut files) = self.files.lock() {
            files.push(file);
        }
    }

    /// The CPU time used so far by the joined threads that still run; `None` when no thread
    /// joined or none can be read (not Linux).
    pub fn used(&self) -> Option<Duration> {
        let files = self.files.lock().ok()?;
        let mut total = 0u64;
        let mut read = 0usize;
        for file in files.iter() {
            if let Some(ns) = std::fs::read_to_string(file)
                .ok()
                .as_deref()
                .and_then(first_field)
            {
                total = total.saturating_add(ns);
                read += 1;
            }
        }
        (read > 0).then(|| Duration::from_nanos(total))
    }
}

/// The first number of a `schedstat` line: `<on-cpu ns> <waiting ns> <timeslices>`.
fn first_field(line: &str) -> Option<u64> {
    line.split_ascii_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_time_on_cpu_field() {
        assert_eq!(first_field("123456789 42 7\n"), Some(123_456_789));
        assert_eq!(first_field(""), None);
        assert_eq!(first_field("x 1 2"), None);
    }

    #[test]
    fn the_reading_grows_with_the_joined_threads_work() {
        let threads = Threads::default();
        assert_eq!(threads.used(), None, "no thread joined yet");
        threads.join_current();
        let Some(before) = threads.used() else {
            // Without /proc there is nothing to read; the bench then leaves its CPU rows out.
            return;
        };
        // Work until the reading has moved by a millisecond; the cap only keeps a broken
        // reading from hanging the test.
        let cap = std::time::Instant::now() + Duration::from_secs(20);
        let mut x = 0u64;
        let grew = loop {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_add(1));
            }
            let used = threads.used().expect("still readable") - before;
            if used >= Duration::from_millis(1) {
                break true;
            }
            if std::time::Instant::now() > cap {
                break false;
            }
        };
        assert!(grew, "20 s of work left the reading where it was");
    }
}
