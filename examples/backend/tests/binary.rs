//! The example backend's binary: where it listens, and how it refuses bad settings.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};

fn backend(base_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pluggy-backend-example"));
    command
        .env_clear()
        .env("PLUGGY_CLIENT_ID", DEFAULT_CLIENT_ID)
        .env("PLUGGY_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        .env("PLUGGY_BASE_URL", base_url)
        .env("PUBLIC_URL", "http://127.0.0.1:1")
        .env("WEBHOOK_SECRET", "hook-secret")
        .env("PORT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Kills the child when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs a command that must fail at once; its exit code and stderr.
fn refused(mut command: Command) -> (Option<i32>, String) {
    let child = command.spawn().expect("spawn");
    let mut child = Running(child);
    for _ in 0..100 {
        if let Some(status) = child.0.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut stderr) = child.0.stderr.take() {
                std::io::Read::read_to_string(&mut stderr, &mut err).expect("stderr");
            }
            return (status.code(), err);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the backend did not stop on bad settings");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_listens_on_loopback_unless_told_otherwise() {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let base = emulator.base_url().to_owned();
    let first_line = tokio::task::spawn_blocking(move || {
        let mut child = Running(backend(&base).spawn().expect("spawn"));
        let stdout = child.0.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("line");
        line
    })
    .await
    .expect("join");
    let addr = first_line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first_line:?}"));
    let addr: std::net::SocketAddr = addr.parse().expect("an address");
    assert!(addr.ip().is_loopback(), "{addr}");
    assert_ne!(addr.port(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_settings_are_refused_by_name() {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let base = emulator.base_url().to_owned();
    tokio::task::spawn_blocking(move || {
        let mut newline = backend(&base);
        newline.env("WEBHOOK_SECRET", "s3cr3t-value\n");
        let (code, err) = refused(newline);
        assert_eq!(code, Some(1), "{err}");
        assert!(
            err.contains("x-webhook-secret") && err.contains("line break"),
            "{err}"
        );
        assert!(
            !err.contains("hook-secret\n"),
            "the secret was printed: {err}"
        );

        let mut host = backend(&base);
        host.env("HOST", "everywhere");
        let (code, err) = refused(host);
        assert_eq!(code, Some(1), "{err}");
        assert!(err.contains("HOST is not an IP address"), "{err}");

        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let mut secret = backend(&base);
            secret.env(
                "PLUGGY_CLIENT_SECRET",
                std::ffi::OsStr::from_bytes(b"s\xffcret"),
            );
            let (code, err) = refused(secret);
            assert_eq!(code, Some(1), "{err}");
            assert!(
                err.contains("PLUGGY_CLIENT_SECRET is not valid UTF-8"),
                "{err}"
            );
        }
    })
    .await
    .expect("join");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_local_emulator_only_its_address_is_needed() {
    let emulator = Emulator::start(Config::for_tests())
        .await
        .expect("emulator");
    let base = emulator.base_url().to_owned();
    let page = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pluggy-backend-example"));
        command
            .env_clear()
            .env("PLUGGY_BASE_URL", &base)
            .env("PORT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = Running(command.spawn().expect("spawn"));
        let mut stdout = BufReader::new(child.0.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("line");
        let mut second = String::new();
        stdout.read_line(&mut second).expect("line");
        assert!(first.starts_with("listening on 127.0.0.1:"), "{first:?}");
        let url = second
            .trim()
            .strip_prefix("the quickstart page: ")
            .unwrap_or_else(|| panic!("second line: {second:?}"))
            .to_owned();
        // The page, over a plain socket.
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        std::io::Write::write_all(
            &mut stream,
            format!("GET / HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n").as_bytes(),
        )
        .expect("send");
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).expect("read");
        answer
    })
    .await
    .expect("join");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.to_ascii_lowercase()
            .contains("content-security-policy:"),
        "{page}"
    );
    assert!(page.contains("Pluggy quickstart"), "{page}");
}
