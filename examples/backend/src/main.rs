//! Runs the example backend.
//!
//! Environment: `PLUGGY_CLIENT_ID`, `PLUGGY_CLIENT_SECRET`, `PLUGGY_BASE_URL` (optional: an
//! emulator), `PUBLIC_URL` (where Pluggy reaches this backend), `WEBHOOK_SECRET` (the value of
//! the custom header Pluggy sends with each delivery), `PORT` (default 3000).

use std::process::ExitCode;

use pluggy_async::Client;
use pluggy_backend_example::App;
use pluggy_core::ClientSecret;

fn var(name: &str) -> Result<String, String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| format!("{name} is not set"))
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
    if let Ok(base) = var("PLUGGY_BASE_URL") {
        builder = builder.base_url(base);
    }
    let pluggy = builder.build().map_err(|e| e.to_string())?;
    let port: u16 = match var("PORT") {
        Ok(p) => p.parse().map_err(|_| format!("PORT is not a port: {p}"))?,
        Err(_) => 3000,
    };
    let app = App::start(pluggy, &var("PUBLIC_URL")?, var("WEBHOOK_SECRET")?)
        .await
        .map_err(|e| format!("cannot register the webhook: {e}"))?;
    let listener = tokio::net::TcpListener::bind(("0.0.0.0", port))
        .await
        .map_err(|e| format!("cannot listen on port {port}: {e}"))?;
    println!("listening on port {port}");
    tokio::select! {
        () = app.serve(listener) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}
