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
//! Nothing here says how users authenticate (the configuration does) nor
//! how authorizations are checked (`auth.rs` does): each route only says
//! who may call it.

mod auth;
mod db;

use db::Db;
use fsa_runtime::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Blocking threads per worker, for the database reads and the password
/// hashes: a few busy threads cost less than many waking up.
const BLOCKING_THREADS: usize = 2;

/// The configuration file when `ACME_CONFIG` is unset.
const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/acme.toml");

/// The stores whose name matches `pattern` (SQL `LIKE`), for employees.
#[get("/store", authz = "employee")]
async fn get_store(
    #[default("%")] pattern: String,
    db: Data<Db>,
) -> fsa_runtime::Result<Json<Vec<db::Store>>> {
    let stores = db.read(move |conn| db::stores(conn, &pattern)).await?;
    Ok(Json(stores))
}

/// The answer of `POST /store/<sid>/product`.
#[derive(Serialize)]
struct Held {
    sid: i64,
    product: String,
    /// The new total of that product in that store.
    quantity: i64,
}

/// Adds `quantity` of `product` to store `sid`, for its managers.
#[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn post_store_sid_product(
    sid: i64,
    product: String,
    quantity: i64,
    db: Data<Db>,
) -> fsa_runtime::Result<HttpResponse> {
    let name = product.clone();
    let total = db
        .write(move |conn| db::add_product(conn, sid, &name, quantity))
        .await?;
    let Some(quantity) = total else {
        return Err(err("quantity: the total would not fit in 64 bits", 400));
    };
    Ok(HttpResponse::Created().json(Held {
        sid,
        product,
        quantity,
    }))
}

/// What store `sid` holds, product -> quantity, for its managers.
#[get("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn get_store_sid_product(
    sid: i64,
    db: Data<Db>,
) -> fsa_runtime::Result<Json<BTreeMap<String, i64>>> {
    let products = db.read(move |conn| db::products(conn, sid)).await?;
    Ok(Json(products))
}

/// A token for the current user, who authenticates with a password.
#[get("/login", authz = "AUTH", authn = "basic")]
async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    Ok(Json(fsa.create_token(&user)?))
}

/// Changes a user's password, for that user only (the `user` permission),
/// who gives the old one; the new one passes the password rules
/// (`FSA_PASSWORD_LENGTH`). Every instance refuses the old password once
/// this answers: the cached hash is forgotten on every instance (with
/// `FSA_CACHE = "redis"`). A 503 after the change means that Redis could
/// not be reached: the password did change, and the other instances
/// refuse the old one once Redis answers again.
#[patch("/user/<login>/password", authz = ("user", "login"))]
async fn patch_user_password(
    login: String,
    oldpass: String,
    newpass: String,
    fsa: Fsa,
    db: Data<Db>,
) -> fsa_runtime::Result<HttpResponse> {
    // A wrong old password is a 403 (the user is authenticated); another
    // error (a failing hook, 429 past FSA_THROTTLE) is the answer.
    match fsa.check_user_password(&login, &oldpass).await {
        Ok(_) => {}
        Err(e) if e.status() == 401 => {
            return Err(err("oldpass: this is not the current password", 403))
        }
        Err(e) => return Err(e),
    }
    let hash = fsa.hash_password(&newpass).await?;
    let user = login.clone();
    let changed = db
        .write(move |conn| db::set_password(conn, &user, &hash))
        .await?;
    if !changed {
        return Err(err(format!("no user {login}"), 404));
    }
    fsa.password_uncache(&login).await?;
    Ok(HttpResponse::NoContent().finish())
}

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

    // the seed's acme.conf: hooks registered by name, checked by build();
    // async, so that their queries run off the async workers
    let (pass_db, group_db, perms_db) = (db.clone(), db.clone(), db.clone());
    // ACME_CONFIG names the configuration file; by default, the bundled one.
    let fsa = Fsa::from_env_or("ACME_CONFIG", DEFAULT_CONFIG)?
        .get_user_pass(move |login: String| {
            let db = pass_db.clone();
            async move { db.read(move |c| auth::get_user_pass(c, &login)).await }
        })
        .group_check("employee", move |login: String| {
            let db = group_db.clone();
            async move { db.read(move |c| auth::user_is_employee(c, &login)).await }
        })
        .object_perms(
            "store",
            move |login: String, sid: i64, role: Option<String>| {
                let db = perms_db.clone();
                async move {
                    db.read(move |c| auth::store_perms(c, &login, sid, role.as_deref()))
                        .await
                }
            },
        )
        .object_perms("user", |login: &str, target: String, _: Option<&str>| {
            auth::user_perms(login, &target)
        })
        .routes(routes![
            get_store,
            post_store_sid_product,
            get_store_sid_product,
            login,
            patch_user_password
        ])
        .build()?;

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
