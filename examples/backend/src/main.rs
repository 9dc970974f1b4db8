//! Runs the example backend.
//!
//! Environment: `PLUGGY_CLIENT_ID`, `PLUGGY_CLIENT_SECRET`, `PLUGGY_BASE_URL` (optional: an
//! emulator), `PUBLIC_URL` (where Pluggy reaches this backend), `WEBHOOK_SECRET` (the value of
//! the custom header Pluggy sends with each delivery), `HOST` (the address to listen on,
//! default `127.0.0.1`; `0.0.0.0` for every interface), `PORT` (default 3000), `REDIS_URL`
//! (optional, `redis://[user:password@]host[:port][/db]`: the processes of this backend share
//! one API key, one rate budget and the webhook `eventId`s there; never printed).
//!
//! When `PLUGGY_BASE_URL` is on this machine (an emulator), the rest may be left unset: the
//! emulator's own client id and secret, `PUBLIC_URL` the address listened on, and a
//! `WEBHOOK_SECRET` made up at start. So, with `pluggy emulator` running,
//! `PLUGGY_BASE_URL=http://127.0.0.1:8080 cargo run -p pluggy-backend-example` serves the
//! whole quickstart at `http://127.0.0.1:3000/`, offline.

use std::net::IpAddr;
use std::process::ExitCode;

use pluggy_async::Client;
use pluggy_backend_example::{App, AppOptions, Limits};
use pluggy_core::{BaseUrl, ClientSecret};
use pluggy_redis::RedisFleet;

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

/// The emulator's default client (`pluggy emulator` without `--client-id`): public values.
const EMULATOR_CLIENT_ID: &str = "6f2c9a4e-1b3d-4e5f-8a7b-0c1d2e3f4a5b";
const EMULATOR_CLIENT_SECRET: &str = "emulator-client-secret";

/// Whether a base URL points at this machine (where an emulator would run).
fn is_local(base_url: &str) -> bool {
    let Some((_, rest)) = base_url.split_once("://") else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map_or(host_port, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `name`, or against a local emulator `fallback` when unset.
fn var_or(name: &str, local: bool, fallback: impl FnOnce() -> String) -> Result<String, String> {
    match optional_var(name)? {
        Some(v) => Ok(v),
        None if local => Ok(fallback()),
        None => Err(format!("{name} is not set")),
    }
}

/// A webhook secret for this run only (local emulator): unguessable enough for a laptop.
fn made_up_secret() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.write_u32(std::process::id());
    let a = hasher.finish();
    hasher.write_u64(a);
    format!("dev-{a:016x}{:016x}", hasher.finish())
}

async fn run() -> Result<(), String> {
    let base = optional_var("PLUGGY_BASE_URL")?.unwrap_or_else(|| BaseUrl::DEFAULT.to_owned());
    let local = is_local(&base);
    let client_id = var_or("PLUGGY_CLIENT_ID", local, || EMULATOR_CLIENT_ID.to_owned())?;
    let client_secret = var_or("PLUGGY_CLIENT_SECRET", local, || {
        EMULATOR_CLIENT_SECRET.to_owned()
    })?;
    let mut options = AppOptions::default();
    let mut builder = Client::builder();
    if let Some(url) = optional_var("REDIS_URL")? {
        // The error shows the URL with its password redacted.
        let fleet = RedisFleet::new(&url).map_err(|e| format!("REDIS_URL: {e}"))?;
        options = options.seen_events(fleet.events(&client_id));
        builder = builder.fleet(fleet);
    }
    let builder = builder
        .credentials(client_id, ClientSecret::new(client_secret))
        .base_url(base.clone());
    let pluggy = builder.build().map_err(|e| e.to_string())?;
    let shared = options.seen_events.is_some();
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
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| format!("cannot listen on {host}:{port}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    let public_url = var_or("PUBLIC_URL", local, || format!("http://{bound}"))?;
    let webhook_secret = var_or("WEBHOOK_SECRET", local, made_up_secret)?;
    let app = App::start_with(pluggy, &base, &public_url, webhook_secret, options)
        .await
        .map_err(|e| format!("cannot register the webhook: {e}"))?;
    println!("listening on {bound}");
    if shared {
        println!("sharing the API key, the rate budget and webhook eventIds through REDIS_URL");
    }
    println!("the quickstart page: http://{bound}/");
    tokio::select! {
        () = app.serve(listener, Limits::default()) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
