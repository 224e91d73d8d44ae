//! The smallest fsa application: an open route, an authenticated one, a
//! group and an object permission, users held in memory. The README's "Use
//! fsa in your application" shows this file as it is (a test checks it).

use fsa_runtime::prelude::*;

/// Anyone may call it.
#[get("/hello", authz = "OPEN")]
async fn hello(#[default("world")] who: String) -> String {
    format!("hello {who}!")
}

/// Any authenticated user.
#[get("/me", authz = "AUTH")]
async fn me(user: CurrentUser) -> String {
    format!("you are {user}")
}

/// Members of group `kid` only.
#[get("/games", authz = "kid")]
async fn games() -> Json<Vec<&'static str>> {
    Json(vec!["calvinball", "snowmen"])
}

/// Only the owner of the stuffed animal, which must exist (else 404).
#[get("/stuffed/<name>", authz = ("stuffed", "name"))]
async fn stuffed(name: String, greeting: Option<String>) -> String {
    format!("{} {name}", greeting.unwrap_or_else(|| "hello".into()))
}

/// A user's stored password hash: bcrypt, as `htpasswd -nbB login password`
/// makes them (here of `hobbes-rules` and `tiger-power`).
fn get_user_pass(login: &str) -> Option<String> {
    let hash = match login {
        "calvin" => "$2b$04$AN1D0/mTO.So4FZsaGAMJO1UF72u76B21YTDhh8zgrwP9ZgDPDd6e",
        "hobbes" => "$2b$04$kaPabOSpssAuTsm6djAvz.l6c7CqFKNkkDCa8XfQ3220lafFC/FmS",
        _ => return None,
    };
    Some(hash.to_string())
}

/// Whether `login` owns stuffed animal `name`: `None` if there is no such animal.
fn owns(login: &str, name: String, _mode: Option<&str>) -> Option<bool> {
    let owner = match name.as_str() {
        "hobbes" => "calvin",
        "bun" => "susie",
        _ => return None,
    };
    Some(owner == login)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    // hello.toml, or the file named by HELLO_CONFIG; FSA_* variables override it.
    let fsa = Fsa::from_env_or("HELLO_CONFIG", "hello.toml")?
        .get_user_pass(get_user_pass)
        .group_check("kid", |login: &str| login == "calvin")
        .object_perms("stuffed", owns)
        .routes(routes![hello, me, games, stuffed])
        .build()?;
    let bind = std::env::var("HELLO_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let server = HttpServer::new(move || fsa.app()).bind(bind)?;
    for addr in server.addrs() {
        println!("hello listens on http://{addr}");
    }
    server.run().await
}
