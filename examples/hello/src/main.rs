//! A small fsa application: an open route, an authenticated one, a group
//! and an object permission, with users held in memory.
//!
//! ```text
//! cargo run -p hello
//! curl http://127.0.0.1:8080/hello
//! curl -u calvin:hobbes-rules http://127.0.0.1:8080/me
//! curl -u calvin:hobbes-rules http://127.0.0.1:8080/stuffed/hobbes?greeting=hi
//! ```

use fsa_runtime::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

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

/// Only the owner of the stuffed animal, which must exist.
#[get("/stuffed/<name>", authz = ("stuffed", "name", "owner"))]
async fn stuffed(name: String, greeting: Option<String>) -> String {
    format!("{} {name}", greeting.unwrap_or_else(|| "hello".into()))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt().with_env_filter("info").init();
    if std::env::var_os("HELLO_CONFIG").is_none() {
        std::env::set_var(
            "HELLO_CONFIG",
            concat!(env!("CARGO_MANIFEST_DIR"), "/hello.toml"),
        );
    }
    let users: Arc<HashMap<&str, String>> = Arc::new(HashMap::from([
        ("calvin", bcrypt_hash("hobbes-rules")),
        ("hobbes", bcrypt_hash("tiger-power")),
    ]));
    let owners = HashMap::from([("hobbes", "calvin"), ("bun", "susie")]);
    let fsa = Fsa::from_env("HELLO_CONFIG")?
        .get_user_pass(move |login: &str| users.get(login).cloned())
        .group_check("kid", |login: &str| login == "calvin")
        .object_perms(
            "stuffed",
            move |login: &str, name: String, _mode: Option<&str>| {
                owners.get(name.as_str()).map(|owner| *owner == login)
            },
        )
        .routes(routes![hello, me, games, stuffed])
        .build()?;
    let bind = std::env::var("HELLO_BIND").unwrap_or_else(|_| "127.0.0.1:8080".into());
    println!("hello listens on http://{bind}");
    println!("  curl http://{bind}/hello");
    println!("  curl -u calvin:hobbes-rules http://{bind}/me");
    HttpServer::new(move || fsa.app()).bind(bind)?.run().await
}

/// A bcrypt hash of cost 4, FlaskSimpleAuth's default.
fn bcrypt_hash(password: &str) -> String {
    bcrypt::hash(password, 4).expect("bcrypt")
}
