//! FlaskSimpleAuth's test application on fsa, as
//! `CONTRACT.md` (beside this crate) describes it:
//!
//! ```text
//! cargo run -p conformance      # http://127.0.0.1:5000, or CONFORMANCE_BIND
//! ```
//!
//! `CONFORMANCE_CONFIG` names the configuration file (default: the bundled
//! `conformance.toml`); `FSA_*` variables override its directives. Once
//! listening, it prints `conformance listens on http://HOST:PORT`.

use fsa_runtime::prelude::*;
use std::io::Write;
use std::sync::Arc;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let users = Arc::new(conformance::users::Users::seeded());
    let config = Fsa::from_env_or("CONFORMANCE_CONFIG", conformance::DEFAULT_CONFIG)?;
    let fsa = conformance::app(config, &users)?;
    let bind = std::env::var("CONFORMANCE_BIND").unwrap_or_else(|_| "127.0.0.1:5000".into());
    // Anyone may register and the fake scheme trusts a LOGIN parameter:
    // this test application listens on loopback only.
    let host = bind
        .rsplit_once(':')
        .map_or(bind.as_str(), |(host, _)| host);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(std::io::Error::other(format!(
            "CONFORMANCE_BIND={bind}: a test application listens on loopback only (127.0.0.1:PORT)"
        )));
    }
    let users = Data::new(users);
    let server = HttpServer::new(move || fsa.app().app_data(users.clone())).bind(&bind)?;
    let url = match server.addrs().first() {
        Some(addr) => format!("http://{addr}"),
        None => format!("http://{bind}"),
    };
    let mut stdout = std::io::stdout();
    writeln!(stdout, "conformance listens on {url}")?;
    stdout.flush()?;
    server.run().await
}
