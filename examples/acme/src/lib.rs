//! acme: the seed's store application (its `app.py`), with fsa and SQLite:
//! its routes and [`app`], which registers its hooks; `main.rs` serves it,
//! `tests/` test it with fsa's test kit.
//!
//! Nothing here says how users authenticate (the configuration does) nor
//! how authorizations are checked (`auth.rs` does): each route only says
//! who may call it.

mod auth;
pub mod db;

use db::Db;
use fsa_runtime::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// The bundled configuration file, used when `ACME_CONFIG` is unset.
pub const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/acme.toml");

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
    quantity: i32,
    db: Data<Db>,
) -> fsa_runtime::Result<HttpResponse> {
    let quantity = i64::from(quantity);
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
    request: HttpRequest,
) -> fsa_runtime::Result<HttpResponse> {
    // A wrong old password is a 403 (the user is authenticated); another
    // error (a failing hook, 429 past FSA_THROTTLE) is the answer.
    match fsa
        .check_user_password_from(&request, &login, &oldpass)
        .await
    {
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

/// acme on a configuration (its file, with the test's changes in tests)
/// and a database: the seed's `acme.conf` hooks registered by name,
/// checked by `build()`; async, so that their queries run off the async
/// workers. Serve it with the database as `app_data`:
/// `fsa.app().app_data(Data::new(db))`.
pub fn app(config: FsaBuilder, db: &Db) -> Result<Fsa, fsa_runtime::ConfigError> {
    let (pass_db, group_db, perms_db) = (db.clone(), db.clone(), db.clone());
    config
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
        .build()
}
