//! Runs the example backend.
//!
//! Environment: `PLUGGY_CLIENT_ID`, `PLUGGY_CLIENT_SECRET`, `PLUGGY_BASE_URL` (optional: an
//! emulator), `PUBLIC_URL` (where Pluggy reaches this backend), `WEBHOOK_SECRET` (the value of
//! the custom header Pluggy sends with each delivery), `HOST` (the address to listen on,
//! default `127.0.0.1`; `0.0.0.0` for every interface), `PORT` (default 3000).

use std::net::IpAddr;
use std::process::ExitCode;

use pluggy_async::Client;
use pluggy_backend_example::{App, Limits};
use pluggy_core::{BaseUrl, ClientSecret};

/// A variable that must be set, to valid UTF-8 and not only whitespace.
fn var(name: &str) -> Result<String, String> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => Ok(v),
        Ok(_) | Err(std::env::VarError::NotPresent) => Err(format!("{name} is not set")),
        Err(std::env::VarError::NotUnicode(_)) => Err(format!("{name} is not valid UTF-8")),
    }
}

/// A variable that may be unset; set, it must be valid.
fn optional_var(name: &str) -> Result<Option<String>, String> {
    match var(name) {
        Ok(v) => Ok(Some(v)),
        Err(_) if std::env::var_os(name).is_none_or(|v| v.is_empty()) => Ok(None),
        Err(e) => Err(e),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pluggy-backend-example: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut builder = Client::builder().credentials(
        var("PLUGGY_CLIENT_ID")?,
        ClientSecret::new(var("PLUGGY_CLIENT_SECRET")?),
    );
    let base = optional_var("PLUGGY_BASE_URL")?.unwrap_or_else(|| BaseUrl::DEFAULT.to_owned());
    builder = builder.base_url(base.clone());
    let pluggy = builder.build().map_err(|e| e.to_string())?;
    let host: IpAddr = match optional_var("HOST")? {
        Some(h) => h
            .parse()
            .map_err(|_| format!("HOST is not an IP address: {h:?}"))?,
        None => IpAddr::from([127, 0, 0, 1]),
    };
    let port: u16 = match optional_var("PORT")? {
        Some(p) => p
            .parse()
            .map_err(|_| format!("PORT is not a port: {p:?}"))?,
        None => 3000,
    };
    let app = App::start_at(pluggy, &base, &var("PUBLIC_URL")?, var("WEBHOOK_SECRET")?)
        .await
        .map_err(|e| format!("cannot register the webhook: {e}"))?;
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    println!("listening on {bound}");
    println!("the quickstart page: http://{bound}/");
    tokio::select! {
        () = app.serve(listener, Limits::default()) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
