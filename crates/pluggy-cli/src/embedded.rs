//! The emulator inside this process: a tokio runtime on a background thread serving the API on
//! an ephemeral port of 127.0.0.1, stopped when dropped.

use std::sync::mpsc;
use std::thread::JoinHandle;

use pluggy_emulator::{Config, Emulator};
use tokio::sync::oneshot;

use crate::fail::Failure;

/// A running in-process emulator.
pub struct Embedded {
    base_url: String,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Embedded {
    /// Starts an emulator with `config` and waits until it listens.
    pub fn start(config: Config) -> Result<Self, Failure> {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<String, String>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("pluggy-emulator".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("cannot start a runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match Emulator::start(config).await {
                        Ok(emulator) => {
                            let _ = ready_tx.send(Ok(emulator.base_url().to_owned()));
                            // Runs until told to stop, or until the owner is gone.
                            let _ = stop_rx.await;
                            emulator.shutdown().await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                        }
                    }
                });
            })
            .map_err(|e| Failure::other(format!("cannot start the emulator's thread: {e}")))?;
        let base_url = match ready_rx.recv() {
            Ok(Ok(url)) => url,
            Ok(Err(why)) => {
                let _ = thread.join();
                return Err(Failure::other(format!("the emulator did not start: {why}")));
            }
            Err(_) => {
                let _ = thread.join();
                return Err(Failure::other("the emulator stopped while starting"));
            }
        };
        Ok(Self {
            base_url,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// Its base URL (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
