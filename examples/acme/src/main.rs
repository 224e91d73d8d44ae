//! acme: the seed's store application (its `app.py`), with fsa and SQLite.
//!
//! ```text
//! cargo run --release -p acme
//! curl -u calvin:hobbes-rules http://127.0.0.1:8080/store
//! ```
//!
//! Environment: `ACME_CONFIG` (configuration file, default: the bundled
//! `acme.toml`), `ACME_SECRET` (token secret, default: random per process),
//! `ACME_BIND` (default `127.0.0.1:8080`), `ACME_DB` (SQLite file, default
//! `acme.db`, created and seeded on first start).
//!
//! `acme --routes` prints who may call what (the security listing) and
//! exits.

use acme::db;
use fsa_runtime::prelude::*;

/// Blocking threads per worker, for the database reads and the password
/// hashes: a few busy threads cost less than many waking up.
const BLOCKING_THREADS: usize = 2;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let path = std::env::var("ACME_DB").unwrap_or_else(|_| "acme.db".into());
    let db = db::open(&path).map_err(|e| std::io::Error::other(format!("{path}: {e}")))?;

    // ACME_CONFIG names the configuration file; by default, the bundled one.
    let fsa = acme::app(Fsa::from_env_or("ACME_CONFIG", acme::DEFAULT_CONFIG)?, &db)?;
    if std::env::args().any(|a| a == "--routes") {
        print!("{}", fsa.security_listing());
        return Ok(());
    }

    let bind = std::env::var("ACME_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let db = Data::new(db);
    let server = HttpServer::new(move || fsa.app().app_data(db.clone()))
        .worker_max_blocking_threads(BLOCKING_THREADS)
        .bind(&bind)?;
    let url = match server.addrs().first() {
        Some(addr) => format!("http://{addr}"),
        None => format!("http://{bind}"),
    };
    println!("acme listens on {url} (database {path})");
    println!("try:");
    println!("  curl -u calvin:hobbes-rules {url}/store");
    println!("  curl -u calvin:hobbes-rules -d product=pen -d quantity=3 {url}/store/1/product");
    println!("  curl -u calvin:hobbes-rules {url}/store/1/product");
    println!("  TOKEN=$(curl -s -u hobbes:tiger-power {url}/login | tr -d '\"')");
    println!("  curl -H \"Authorization: Bearer $TOKEN\" {url}/store?pattern=Up%25");
    println!("  curl -i -u susie:derkins-123 {url}/store    # 403: not an employee");
    server.run().await
}
