//! An emulator on its own thread, driven from plain blocking code.

use std::io::{Read, Write};
use std::net::TcpStream;

use pluggy_emulator::{Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator};

fn get(addr: std::net::SocketAddr, path: &str, key: &str) -> std::io::Result<String> {
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-API-KEY: {key}\r\n\r\n"
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

fn api_key(answer: &str) -> String {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v["apiKey"].as_str().unwrap().to_owned()
}

fn post_auth(addr: std::net::SocketAddr) -> std::io::Result<String> {
    let body =
        format!(r#"{{"clientId":"{DEFAULT_CLIENT_ID}","clientSecret":"{DEFAULT_CLIENT_SECRET}"}}"#);
    let mut s = TcpStream::connect(addr)?;
    write!(
        s,
        "POST /auth HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut out = String::new();
    s.read_to_string(&mut out)?;
    Ok(out)
}

#[test]
fn runs_without_a_runtime_and_stops_on_shutdown() {
    let emu = Emulator::start_in_background(Config::for_tests()).unwrap();
    assert!(emu.base_url().starts_with("http://127.0.0.1:"));
    let answer = post_auth(emu.addr()).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"apiKey\""));
    let addr = emu.addr();
    emu.shutdown();
    assert!(TcpStream::connect(addr).is_err());
}

#[test]
fn a_taken_port_fails_to_start() {
    let first = Emulator::start_in_background(Config::for_tests()).unwrap();
    let err = Emulator::start_in_background(Config {
        port: first.addr().port(),
        ..Config::for_tests()
    })
    .unwrap_err();
    assert!(err.to_string().contains("could not listen on"), "{err}");
    drop(first);
}

#[test]
fn the_handle_advances_the_clock_reads_stats_and_resets() {
    let emu = Emulator::start_in_background(Config::for_tests()).unwrap();
    let key = api_key(&post_auth(emu.addr()).unwrap());
    assert!(
        get(emu.addr(), "/connectors", &key)
            .unwrap()
            .starts_with("HTTP/1.1 200")
    );
    emu.advance_clock(std::time::Duration::from_secs(7201));
    assert!(
        get(emu.addr(), "/connectors", &key)
            .unwrap()
            .starts_with("HTTP/1.1 403")
    );
    let stats = emu.stats();
    assert_eq!(stats["auth_calls"], 1);
    assert_eq!(stats["requests"]["GET /connectors"]["403"], 1);
    emu.reset();
    assert_eq!(emu.stats()["auth_calls"], 0);
}
