//! The child processes of the peers part: killed on every path, every wait bounded.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::error::{BenchError, Context, Result};

/// A running child process, killed and reaped when dropped.
#[derive(Debug)]
pub struct Guard {
    child: Child,
    name: String,
}

impl Guard {
    /// Starts `command` with standard input closed and standard output and error appended to
    /// `log`.
    pub fn spawn(command: &mut Command, name: &str, log: &Path) -> Result<Self> {
        let out = File::create(log).context(format_args!("creating {}", log.display()))?;
        let err = out
            .try_clone()
            .context(format_args!("opening {} twice", log.display()))?;
        let child = command
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .context(format_args!("starting {name}"))?;
        Ok(Self {
            child,
            name: name.to_owned(),
        })
    }

    /// The child's process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Whether the child has ended; its status if so.
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        self.child
            .try_wait()
            .context(format_args!("waiting for {}", self.name))
    }

    /// Waits at most `timeout` for the child to end; past it, fails (the guard kills it when
    /// dropped).
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                return Err(BenchError::new(format!(
                    "{} did not end within {:.0} s",
                    self.name,
                    timeout.as_secs_f64()
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Runs `command` to its end within `timeout`, its output in `log`; fails, quoting the end of
/// the log, unless it exits with 0.
pub fn run_to_end(command: &mut Command, name: &str, log: &Path, timeout: Duration) -> Result<()> {
    let mut guard = Guard::spawn(command, name, log)?;
    let status = guard.wait(timeout)?;
    if status.success() {
        Ok(())
    } else {
        Err(BenchError::new(format!(
            "{name} failed ({status}): {}",
            log_tail(log)
        )))
    }
}

/// The last lines of a log, on one line, for an error message.
pub fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(5)..].join(" | ");
    if tail.is_empty() {
        format!("nothing in {}", log.display())
    } else {
        let cut: String = tail.chars().take(600).collect();
        format!("{cut} (log: {})", log.display())
    }
}

/// The `VmHWM` (peak resident set) of a `/proc/<pid>/status` text, in KiB.
pub fn vm_hwm_kib(status: &str) -> Option<u64> {
    let rest = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let mut words = rest.split_whitespace();
    let value = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") | None => Some(value),
        Some(_) => None,
    }
}

/// This process's `VmHWM` in KiB, where `/proc` has it.
pub fn own_vm_hwm_kib() -> Option<u64> {
    vm_hwm_kib(&std::fs::read_to_string("/proc/self/status").ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_peak_resident_set_of_a_status_file() {
        let status = "Name:\tnode\nVmPeak:\t 1024000 kB\nVmSize:\t  990000 kB\n\
                      VmHWM:\t   51234 kB\nVmRSS:\t   50000 kB\n";
        assert_eq!(vm_hwm_kib(status), Some(51234));
        assert_eq!(vm_hwm_kib("VmHWM:\t12"), Some(12));
        assert_eq!(vm_hwm_kib("Name:\tzombie\nState:\tZ (zombie)\n"), None);
        assert_eq!(vm_hwm_kib("VmHWM:\t lots kB"), None);
        assert_eq!(vm_hwm_kib("VmHWM:\t 12 MB"), None);
        assert_eq!(vm_hwm_kib("VmHWM:"), None);
    }

    #[test]
    fn this_process_has_a_peak_where_there_is_proc() {
        if Path::new("/proc/self/status").is_file() {
            assert!(own_vm_hwm_kib().is_some_and(|kib| kib > 0));
        }
    }
}
