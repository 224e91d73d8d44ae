//! Serves one of the benchmarked applications for `load.sh`:
//!
//! ```text
//! fsa-bench fsa  127.0.0.1:8081     # fsa's routes
//! fsa-bench bare 127.0.0.1:8082     # the bare actix-web equivalents
//! fsa-bench token                   # prints a token of calvin's
//! ```
//!
//! Port 0 lets the system pick a free port; the first line, `fsa listens
//! on http://127.0.0.1:PORT` (or `bare listens on ...`), tells which
//! (tests/servers.rs).
//!
//! One worker: the load test pins each server to one CPU. Only 127.0.0.1.

mod apps;

use actix_web::HttpServer;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let which = args.get(1).map(String::as_str).unwrap_or("fsa");
    let bind = args.get(2).map(String::as_str).unwrap_or("127.0.0.1:8081");
    if !bind.starts_with("127.0.0.1:") {
        return Err(std::io::Error::other(
            "the benchmark listens on 127.0.0.1 only",
        ));
    }
    let fsa = apps::fsa();
    if which == "token" {
        println!(
            "{}",
            fsa.create_token("calvin").map_err(std::io::Error::other)?
        );
        return Ok(());
    }
    // The hashes are computed before the first request.
    apps::hashes();
    // port 0: the system picks a free one, printed below
    let listener = std::net::TcpListener::bind(bind)?;
    let address = listener.local_addr()?;
    actix_web::rt::System::new().block_on(async move {
        let server = match which {
            "fsa" => HttpServer::new(move || fsa.app())
                .workers(1)
                .listen(listener)?
                .run(),
            "bare" => HttpServer::new(apps::bare)
                .workers(1)
                .listen(listener)?
                .run(),
            other => {
                return Err(std::io::Error::other(format!(
                    "unknown application {other}: fsa, bare or token"
                )))
            }
        };
        println!("{which} listens on http://{address}");
        server.await
    })
}
