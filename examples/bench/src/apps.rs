//! The benchmarked applications: fsa's acme-like routes, and the bare
//! actix-web handlers doing the same work by hand. Shared (by `#[path]`)
//! with fsa-runtime's criterion benchmark `benches/pipeline.rs`, so that
//! the in-process and the load numbers measure the same code.
//!
//! | route | fsa | bare actix |
//! |-------|-----|------------|
//! | hello | `GET /hello`, OPEN | `GET /hello` |
//! | open | `GET /open?a=17&b=2.5`, OPEN, `a: i64, b: f64` | `web::Query` of a serde struct |
//! | group | `GET /group`, group `employee`, fsa token (cached) | token checked by hand, group function called |
//! | basic | `GET /basic`, AUTH, basic (bcrypt cost 4, hash lookup cached) | header decoded, hash looked up, bcrypt off the worker |
//! | perm | `POST /store/<sid>/product`, `("store", "sid", "manager")`, form | token by hand, `web::Form`, permission function called |

#![allow(dead_code)]

use actix_web::{
    http::header::AUTHORIZATION,
    web::{self, Data},
    App, HttpRequest, HttpResponse,
};
use base64::Engine;
use fsa_runtime::prelude::*;
use serde::Deserialize;
use std::{collections::HashMap, sync::OnceLock};

/// The token secret of both applications.
pub const SECRET: &str = "fsa bench secret, 256 bits or thereabouts!";
/// The application's name, the realm of its tokens.
pub const REALM: &str = "bench";
/// The users' passwords; every user's bcrypt hash (cost 4) is computed once.
pub const USERS: [(&str, &str); 3] = [
    ("calvin", "hobbes-rules"),
    ("hobbes", "tiger-power"),
    ("susie", "derkins-123"),
];

/// The configuration of the fsa application, acme's with fsa tokens.
pub fn config() -> String {
    format!(
        "FSA_AUTH = [\"token\", \"basic\", \"none\"]\n\
         FSA_TOKEN_SECRET = \"{SECRET}\"\n\
         FSA_LOGGING_LEVEL = \"warn\"\n"
    )
}

/// The stored hashes, as a database would give them.
pub fn hashes() -> &'static HashMap<&'static str, String> {
    static HASHES: OnceLock<HashMap<&'static str, String>> = OnceLock::new();
    HASHES.get_or_init(|| {
        USERS
            .iter()
            .map(|(login, pass)| (*login, bcrypt::hash(pass, 4).expect("bcrypt")))
            .collect()
    })
}

/// The application's hooks: `get_user_pass`, the `employee` group, the
/// `store` permission; the bare handlers call the same functions.
pub fn user_pass(login: &str) -> Option<String> {
    hashes().get(login).cloned()
}

pub fn is_employee(login: &str) -> bool {
    matches!(login, "calvin" | "hobbes")
}

pub fn store_perm(login: &str, sid: i64, _mode: Option<&str>) -> Option<bool> {
    match sid {
        1 | 2 => Some(login == "calvin" || (login == "hobbes" && sid == 2)),
        _ => None,
    }
}

// ---------------------------------------------------------------- fsa

#[get("/hello", authz = "OPEN")]
async fn fsa_hello() -> &'static str {
    "hello world!"
}

#[get("/open", authz = "OPEN")]
async fn fsa_open(a: i64, b: f64) -> String {
    format!("{}", a as f64 * b)
}

#[get("/group", authz = "employee")]
async fn fsa_group(user: CurrentUser) -> String {
    format!("employee {user}")
}

#[get("/basic", authz = "AUTH", authn = "basic")]
async fn fsa_basic(user: CurrentUser) -> String {
    format!("hello {user}")
}

#[post("/store/<sid>/product", authz = ("store", "sid", "manager"))]
async fn fsa_product(sid: i64, product: String, quantity: i64) -> HttpResponse {
    HttpResponse::Created().body(format!("{sid} {product} {quantity}"))
}

/// The fsa application, built and checked.
pub fn fsa() -> Fsa {
    Fsa::from_toml_str(REALM, &config())
        .expect("configuration")
        .get_user_pass(user_pass)
        .group_check("employee", is_employee)
        .object_perms("store", store_perm)
        .routes(routes![
            fsa_hello,
            fsa_open,
            fsa_group,
            fsa_basic,
            fsa_product
        ])
        .build()
        .expect("fsa application")
}

// ---------------------------------------------------------------- bare

/// What the bare handlers share: the token secret, the hash lookup.
pub struct Bare {
    realm: String,
}

fn unauthorized(why: &'static str) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header(("WWW-Authenticate", "Bearer realm=\"bench\""))
        .body(why)
}

/// FlaskSimpleAuth's token, checked by hand: `realm:login:limit:signature`,
/// the signature the hex of 16 bytes of blake2s(`realm:login:limit:secret`).
/// The login, or why the token is refused (answered by [`unauthorized`]).
fn bare_token_login<'r>(bare: &Bare, request: &'r HttpRequest) -> Result<&'r str, &'static str> {
    use blake2::{Blake2s256, Digest};
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or("missing token")?;
    let mut parts = token.split(':');
    let (Some(realm), Some(login), Some(limit), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Err("invalid token");
    };
    if realm != bare.realm {
        return Err("unexpected realm");
    }
    let mut hasher = Blake2s256::new();
    for part in [realm, ":", login, ":", limit, ":", SECRET] {
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut expected = [0u8; 32];
    for (i, b) in digest.iter().take(16).enumerate() {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        expected[2 * i] = HEX[usize::from(b >> 4)];
        expected[2 * i + 1] = HEX[usize::from(b & 15)];
    }
    let same = expected.len() == signature.len()
        && expected
            .iter()
            .zip(signature.as_bytes())
            .fold(0, |acc, (x, y)| acc | (x ^ y))
            == 0;
    if !same {
        return Err("invalid signature");
    }
    if limit.len() != 14 || limit < now_limit().as_str() {
        return Err("expired token");
    }
    Ok(login)
}

/// `YYYYMMDDHHmmSS` of now, UTC (limits compare as text).
fn now_limit() -> String {
    let t = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

async fn bare_hello() -> &'static str {
    "hello world!"
}

#[derive(Deserialize)]
struct OpenQuery {
    a: i64,
    b: f64,
}

async fn bare_open(query: web::Query<OpenQuery>) -> String {
    format!("{}", query.a as f64 * query.b)
}

async fn bare_group(bare: Data<Bare>, request: HttpRequest) -> HttpResponse {
    let login = match bare_token_login(&bare, &request) {
        Ok(login) => login,
        Err(why) => return unauthorized(why),
    };
    if !is_employee(login) {
        return HttpResponse::Forbidden().body("not in group \"employee\"");
    }
    HttpResponse::Ok().body(format!("employee {login}"))
}

async fn bare_basic(request: HttpRequest) -> HttpResponse {
    let denied = || {
        HttpResponse::Unauthorized()
            .insert_header(("WWW-Authenticate", "Basic realm=\"bench\""))
            .body("invalid login or password")
    };
    let Some(encoded) = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Basic "))
    else {
        return denied();
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return denied();
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return denied();
    };
    let Some((login, password)) = text.split_once(':') else {
        return denied();
    };
    let Some(hash) = user_pass(login) else {
        return denied();
    };
    let password = password.to_string();
    let verified = web::block(move || bcrypt::verify(password, &hash).unwrap_or(false)).await;
    if !matches!(verified, Ok(true)) {
        return denied();
    }
    HttpResponse::Ok().body(format!("hello {login}"))
}

#[derive(Deserialize)]
struct ProductForm {
    product: String,
    quantity: i64,
}

async fn bare_product(
    bare: Data<Bare>,
    request: HttpRequest,
    sid: web::Path<i64>,
    form: web::Form<ProductForm>,
) -> HttpResponse {
    let login = match bare_token_login(&bare, &request) {
        Ok(login) => login,
        Err(why) => return unauthorized(why),
    };
    let sid = sid.into_inner();
    match store_perm(login, sid, Some("manager")) {
        Some(true) => {}
        Some(false) => return HttpResponse::Forbidden().body("no \"store\" permission"),
        None => return HttpResponse::NotFound().body("object not found"),
    }
    let ProductForm { product, quantity } = form.into_inner();
    HttpResponse::Created().body(format!("{sid} {product} {quantity}"))
}

/// The bare routes, on an actix `App` or scope.
pub fn bare_configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(Data::new(Bare {
        realm: REALM.to_string(),
    }))
    .route("/hello", web::get().to(bare_hello))
    .route("/open", web::get().to(bare_open))
    .route("/group", web::get().to(bare_group))
    .route("/basic", web::get().to(bare_basic))
    .route("/store/{sid:[0-9]+}/product", web::post().to(bare_product));
}

/// The bare application.
pub fn bare() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().configure(bare_configure)
}

/// A request of each benchmarked kind: method, path (with query), headers,
/// body; `token` is a valid fsa token of calvin's.
pub fn requests(token: &str) -> Vec<(&'static str, Request)> {
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("calvin:hobbes-rules")
    );
    let bearer = format!("Bearer {token}");
    vec![
        ("hello", Request::get("/hello", None)),
        ("open", Request::get("/open?a=17&b=2.5", None)),
        ("group", Request::get("/group", Some(bearer.clone()))),
        ("basic", Request::get("/basic", Some(basic))),
        (
            "perm",
            Request {
                method: "POST",
                path: "/store/1/product".into(),
                authorization: Some(bearer),
                form: Some("product=pen&quantity=3"),
            },
        ),
    ]
}

/// One request to send, to either application.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub authorization: Option<String>,
    pub form: Option<&'static str>,
}

impl Request {
    fn get(path: &str, authorization: Option<String>) -> Self {
        Request {
            method: "GET",
            path: path.into(),
            authorization,
            form: None,
        }
    }
}

/// The expected answer of each request, the same for both applications.
pub fn expected(name: &str) -> (u16, &'static str) {
    match name {
        "hello" => (200, "hello world!"),
        "open" => (200, "42.5"),
        "group" => (200, "employee calvin"),
        "basic" => (200, "hello calvin"),
        "perm" => (201, "1 pen 3"),
        _ => (0, ""),
    }
}
