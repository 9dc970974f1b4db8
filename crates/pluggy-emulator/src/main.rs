//! `pluggy-emulator`: runs the Pluggy API emulator until interrupted.

use std::net::IpAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use pluggy_emulator::{ClientCredentials, Config, Emulator};

/// A local, offline emulator of the Pluggy API.
#[derive(Debug, Parser)]
#[command(name = "pluggy-emulator", version, about)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one (the real one is printed).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Client id accepted by `POST /auth` (with --client-secret).
    #[arg(long, requires = "client_secret")]
    client_id: Option<String>,
    /// Client secret accepted by `POST /auth` (with --client-id).
    #[arg(long, requires = "client_id")]
    client_secret: Option<String>,
    /// Lifetime of API keys, in seconds.
    #[arg(long, default_value_t = 7200)]
    api_key_ttl_secs: u64,
    /// Lifetime of connect tokens, in seconds.
    #[arg(long, default_value_t = 1800)]
    connect_token_ttl_secs: u64,
    /// Delay between two steps of an item's sync, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    sync_delay_ms: u64,
    /// Seed of every generated id and record (not of the key signing API keys, which is
    /// random unless --deterministic-keys is given).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Sign API keys and connect tokens with a key derived from --seed, so that emulators with
    /// the same seed issue and accept the same keys. Anyone who knows the seed can then forge
    /// keys: for reproducible fixtures only.
    #[arg(long)]
    deterministic_keys: bool,
    /// Whether the documented rate limits are enforced.
    #[arg(long, value_enum, default_value_t = Switch::On)]
    rate_limits: Switch,
    /// Allow webhooks to plain http://, IP-literal and localhost URLs.
    #[arg(long)]
    allow_insecure_webhooks: bool,
    /// Do not serve the /__emulator/ routes.
    #[arg(long)]
    no_admin: bool,
    /// Most connections served at once; further ones get 503 with Retry-After: 1.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
    /// How long a client may take to send a request's head or body, and how long an idle
    /// kept-alive connection stays open, in milliseconds.
    #[arg(long, default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    read_timeout_ms: u64,
    /// Answer the deprecated `GET /transactions` with 410 ENDPOINT_DEPRECATED, as the API
    /// does for some keys (clients must use `GET /v2/transactions`).
    #[arg(long)]
    retire_v1_transactions: bool,
    /// zoid's child script (`dist/zoid.frame.js` of the `zoid` npm package), served at
    /// /connect/zoid.frame.js so that the official pluggy-connect-sdk can render /connect.
    #[arg(long, value_name = "PATH")]
    connect_zoid: Option<std::path::PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Switch {
    On,
    Off,
}

fn config(args: &Args) -> Config {
    let mut config = Config {
        host: args.host,
        port: args.port,
        api_key_ttl: Duration::from_secs(args.api_key_ttl_secs),
        connect_token_ttl: Duration::from_secs(args.connect_token_ttl_secs),
        sync_step_delay: Duration::from_millis(args.sync_delay_ms),
        seed: args.seed,
        deterministic_keys: args.deterministic_keys,
        rate_limits: args.rate_limits == Switch::On,
        allow_insecure_webhooks: args.allow_insecure_webhooks,
        admin: !args.no_admin,
        max_connections: usize::try_from(args.max_connections).unwrap_or(usize::MAX),
        read_timeout: Duration::from_millis(args.read_timeout_ms),
        retire_v1_transactions: args.retire_v1_transactions,
        connect_zoid: args.connect_zoid.clone(),
        ..Config::default()
    };
    if let (Some(id), Some(secret)) = (&args.client_id, &args.client_secret) {
        config.clients = vec![ClientCredentials::new(id.clone(), secret.clone())];
    }
    config
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("pluggy-emulator: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let emulator = match Emulator::start(config(&args)).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("pluggy-emulator: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("listening on {}", emulator.base_url());
        if args.client_id.is_none() {
            println!("client id: {}", pluggy_emulator::DEFAULT_CLIENT_ID);
            println!("client secret: {}", pluggy_emulator::DEFAULT_CLIENT_SECRET);
        }
        // Flushing stdout matters when a parent process waits for the first line.
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("pluggy-emulator: cannot wait for Ctrl-C ({e}); stopping");
        }
        emulator.shutdown().await;
        ExitCode::SUCCESS
    })
}
