//! FlaskSimpleAuth's own test application (its `app.py` and blueprint
//! `/b1`), written with fsa: the routes, and [`app`], which registers the
//! hooks. Values are printed as the Python application prints them
//! (`python.rs`); the users live in memory (`users.rs`).

pub mod python;
pub mod users;

use fsa_runtime::{
    params::{Input, SpecialParam},
    prelude::*,
    RouteGroup,
};
use python::Complex;
use std::{collections::HashMap, fmt, str::FromStr, sync::Arc};
use users::Users;

/// The bundled configuration, used when `CONFORMANCE_CONFIG` is unset.
pub const DEFAULT_CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance.toml");

// ---- the application's own parameter types -------------------------------

/// An address: a string with an `@`.
#[derive(Debug, Clone)]
pub struct Mail(String);

impl Mail {
    fn new(address: &str) -> Self {
        Mail(address.to_string())
    }
}

impl FromStr for Mail {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        if text.contains('@') {
            Ok(Mail(text.to_string()))
        } else {
            Err(format!("not an address: {text:?}"))
        }
    }
}

impl fmt::Display for Mail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A string, whose value is its length in characters.
#[derive(Debug)]
pub struct Len(usize);

impl FromStr for Len {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        Ok(Len(text.chars().count()))
    }
}

/// `my_int`: a decimal integer, read with a cast.
fn my_int(text: &str) -> Result<i64, std::num::ParseIntError> {
    text.parse()
}

/// Special parameters, computed by the application.
pub struct Foo;
pub struct Bla;

impl SpecialParam for Foo {
    async fn build(_: Input<'_>) -> Result<Self, ErrorResponse> {
        Ok(Foo)
    }
}

impl SpecialParam for Bla {
    async fn build(_: Input<'_>) -> Result<Self, ErrorResponse> {
        Ok(Bla)
    }
}

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

// ---- the main application ------------------------------------------------

#[get("/login", authz = "AUTH")]
async fn login(user: CurrentUser, fsa: Fsa) -> fsa_runtime::Result<Json<String>> {
    Ok(Json(fsa.create_token(&user)?))
}

#[get("/admin", authz = 0)]
async fn admin() -> &'static str {
    "admin-only"
}

#[get("/write", authz = 1)]
async fn write() -> &'static str {
    "write-only"
}

#[get("/read", authz = 2)]
async fn read() -> &'static str {
    "read-only"
}

#[get("/any", authz = "OPEN")]
async fn any() -> &'static str {
    "no-auth"
}

#[route("/user/<user>", method = "PATCH", method = "PUT", authz = 2)]
async fn patch_user(
    user: String,
    oldpass: String,
    newpass: String,
    me: CurrentUser,
    fsa: Fsa,
    users: Data<Arc<Users>>,
) -> fsa_runtime::Result<HttpResponse> {
    if me.0 != user {
        return Err(err("self care only", 403));
    }
    let hash = users.hash(&user).unwrap_or_default();
    if !fsa.check_password(&oldpass, &hash).await {
        return Err(err("bad old password", 422));
    }
    let hash = fsa.hash_password(&newpass).await?;
    users.set_hash(&user, hash);
    fsa.password_uncache(&user).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[delete("/user/<user>", authz = "AUTH")]
async fn delete_user(
    user: String,
    me: CurrentUser,
    fsa: Fsa,
    users: Data<Arc<Users>>,
) -> fsa_runtime::Result<HttpResponse> {
    let admin = users.in_group(&me, &users::ADMIN.to_string());
    if me.0 != user && !admin {
        return Err(err("self care or admin only", 403));
    }
    if !users.remove(&user) {
        return Err(err(format!("no such user: {user}"), 404));
    }
    fsa.auth_uncache(&user).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[post("/register", authz = "OPEN")]
async fn register(
    user: String,
    upass: String,
    fsa: Fsa,
    users: Data<Arc<Users>>,
) -> fsa_runtime::Result<HttpResponse> {
    if users.exists(&user) {
        return Err(err("cannot register existing user", 403));
    }
    let hash = fsa.hash_password(&upass).await?;
    if !users.add(&user, hash) {
        return Err(err("cannot register existing user", 403));
    }
    // A look-up cached before the user existed is forgotten.
    fsa.auth_uncache(&user).await?;
    Ok(HttpResponse::Created().finish())
}

#[get("/add/<i>", authz = "OPEN")]
async fn add(i: i64, a: f64, b: f64) -> String {
    python::float(i as f64 * (a + b))
}

/// An integer result (exact from 64-bit operands in 128 bits), or a 400
/// when even that does not fit (Python's integers are unbounded).
fn int(value: Option<i128>) -> fsa_runtime::Result<String> {
    value
        .map(|v| v.to_string())
        .ok_or_else(|| err("integer overflow: beyond 128 bits", 400))
}

#[get("/mul/<i>", authz = "OPEN")]
async fn mul(i: i64, j: i64, k: i64) -> fsa_runtime::Result<String> {
    let (i, j, k) = (i128::from(i), i128::from(j), i128::from(k));
    int(i.checked_mul(j).and_then(|ij| ij.checked_mul(k)))
}

#[get("/div", authz = "OPEN")]
async fn div(i: Option<i64>, j: Option<i64>) -> fsa_runtime::Result<String> {
    let (Some(i), Some(j)) = (i, j) else {
        return Ok("0".into());
    };
    if j == 0 {
        return Err(err("division by zero", 400));
    }
    // Python's //: rounded toward minus infinity.
    let (i, j) = (i128::from(i), i128::from(j));
    let quotient = i.checked_div(j).map(|q| {
        if i % j != 0 && (i < 0) != (j < 0) {
            q - 1
        } else {
            q
        }
    });
    int(quotient)
}

#[get("/sub", authz = "OPEN")]
async fn sub(i: i64, #[default(0)] j: i64) -> fsa_runtime::Result<String> {
    int(i128::from(i).checked_sub(i128::from(j)))
}

#[get("/type", authz = "OPEN")]
async fn type_(f: Option<f64>, i: Option<i64>, b: Option<bool>, s: Option<String>) -> String {
    match (f, i, b, s) {
        (Some(f), ..) => format!("float {}", python::float(f)),
        (_, Some(i), ..) => format!("int {i}"),
        (_, _, Some(b), _) => format!("bool {}", py_bool(b)),
        (_, _, _, Some(s)) => format!("str {s}"),
        _ => String::new(),
    }
}

#[get("/params", authz = "OPEN")]
async fn params(all: HashMap<String, serde_json::Value>) -> String {
    let mut names: Vec<&String> = all.keys().collect();
    names.sort();
    names
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

// FSA's routes without an authz, and authz=[]: closed.
#[get("/nogo", authz = "CLOSE")]
async fn nogo() -> &'static str {
    "never"
}

#[get("/mis1", authz = "CLOSE")]
async fn mis1() -> &'static str {
    "never"
}

#[get("/mis2", authz = "CLOSE")]
async fn mis2() -> &'static str {
    "never"
}

#[get("/two", authz = "CLOSE")]
async fn two() -> &'static str {
    "never"
}

#[get("/403", authz = "CLOSE")]
async fn closed_403() -> &'static str {
    "never"
}

#[get("/empty", authz = "CLOSE")]
async fn empty() -> &'static str {
    "never"
}

#[get("/one/<i>", authz = "OPEN")]
async fn one(i: i64, msg: String, #[default("!")] punct: String) -> String {
    format!("{i}: {msg} {punct}")
}

#[get("/infer/<id>", authz = "OPEN")]
async fn infer(id: f64, #[default(2)] i: i64, #[default("hi")] s: String) -> String {
    let times = i128::from(i) * s.chars().count() as i128;
    format!("{} {times}", python::float(id))
}

/// Today, in UTC.
fn today() -> chrono::NaiveDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400);
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(days)))
        .unwrap_or_default()
}

#[get("/when", authz = "AUTH")]
async fn when(
    d: chrono::NaiveDate,
    #[default(chrono::NaiveTime::from_hms_opt(23, 34, 45).unwrap_or_default())]
    t: chrono::NaiveTime,
) -> String {
    let days = (d - today()).num_days();
    format!("in {} {}", python::days(days), t.format("%H:%M:%S"))
}

#[get("/superid/<uid>", authz = "OPEN")]
async fn superid(uid: uuid::Uuid, u: Option<uuid::Uuid>) -> String {
    match u {
        Some(u) => format!("uid = {uid}/{u}"),
        None => format!("uid = {uid}/None"),
    }
}

#[get("/cplx", authz = "OPEN")]
async fn cplx(c1: Complex, #[default(Complex::new(1.0, 1.0))] c2: Complex) -> String {
    (c1 + c2).to_string()
}

#[get("/cplx/<c>", authz = "OPEN")]
async fn cplx_path(c: Complex) -> String {
    (c + Complex::new(0.0, 1.0)).to_string()
}

#[get("/bool/<b>", authz = "OPEN")]
async fn bool_path(b: bool) -> &'static str {
    py_bool(b)
}

#[get("/mail/<ad1>", authz = "OPEN")]
async fn mail(ad1: Mail, #[default(Mail::new("calvin@comics.net"))] ad2: Mail) -> String {
    format!("{ad1} {ad2}")
}

#[get("/myint/<i>", authz = "OPEN")]
async fn myint(#[cast(my_int)] i: i64) -> String {
    format!("my_int: {i}")
}

#[get("/something", authz = "OPEN")]
async fn something() -> &'static str {
    "App"
}

#[get("/path/<path:p>", authz = "OPEN")]
async fn path(p: String) -> String {
    p
}

#[get("/string/<s>", authz = "OPEN")]
async fn string(s: String) -> String {
    s
}

#[get("/auth/token", authz = "AUTH", authn = "token")]
async fn auth_token(user: CurrentUser) -> String {
    format!("token auth: {user}")
}

#[get("/auth/basic", authz = "AUTH", authn = "basic")]
async fn auth_basic(user: CurrentUser) -> String {
    format!("basic auth: {user}")
}

#[get("/auth/param", authz = "AUTH", authn = "param")]
async fn auth_param(user: CurrentUser) -> String {
    format!("param auth: {user}")
}

#[get("/auth/fake", authz = "AUTH", authn = "fake")]
async fn auth_fake(user: CurrentUser) -> String {
    format!("fake auth: {user}")
}

#[get("/auth/password", authz = "AUTH", authn = "password")]
async fn auth_password(user: CurrentUser) -> String {
    format!("password auth: {user}")
}

#[get("/auth/ftp", authz = "AUTH", authn = ["fake", "token", "param"])]
async fn auth_ftp(user: CurrentUser) -> String {
    format!("ftp auth: {user}")
}

#[get("/required/true", authz = "OPEN")]
async fn required_true(s1: String, s2: String) -> String {
    format!("{s1} {s2}")
}

#[get("/required/false", authz = "OPEN")]
async fn required_false(#[default("hello")] s1: String, #[default("world")] s2: String) -> String {
    format!("{s1} {s2}")
}

#[get("/f2/get", authz = "OPEN")]
async fn f2_get() -> &'static str {
    "get ok"
}

#[post("/f2/post", authz = "OPEN")]
async fn f2_post() -> &'static str {
    "post ok"
}

#[put("/f2/put", authz = "OPEN")]
async fn f2_put() -> &'static str {
    "put ok"
}

#[delete("/f2/delete", authz = "OPEN")]
async fn f2_delete() -> &'static str {
    "delete ok"
}

#[patch("/f2/patch", authz = "OPEN")]
async fn f2_patch() -> &'static str {
    "patch ok"
}

/// FSA's `_def`, `_int`, `_`, `_pass`: a leading underscore is dropped from
/// the HTTP name, and `_` alone stays `_`.
#[get("/_/<def>", authz = "OPEN")]
async fn underscores(
    _def: String,
    _int: i64,
    #[name("_")] length: Len,
    #[default(true)] _pass: bool,
) -> String {
    format!("{_def}/{_int}/{}/{}", length.0, py_bool(_pass))
}

#[get("/my/<login>", authz = ("users", "login"))]
async fn my(login: String, me: CurrentUser) -> String {
    format!("login is {login} for {me}")
}

#[get("/oops", authz = "OPEN")]
async fn oops() -> fsa_runtime::Result<String> {
    Err(err("Ooops!", 518))
}

#[get("/json", authz = "OPEN")]
async fn json(j: serde_json::Value) -> String {
    format!("{}: {}", python::type_name(&j), python::dumps(&j))
}

/// The URL from the request itself: its `Host` (forwarding headers are
/// believed only from trusted proxies, which this application has none of).
#[get("/request", authz = "OPEN")]
async fn request(req: HttpRequest) -> String {
    let scheme = if req.app_config().secure() {
        "https"
    } else {
        "http"
    };
    let host = req
        .headers()
        .get(actix_web::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_else(|| req.app_config().host());
    format!("{scheme}://{host}{}", req.path())
}

#[get("/special", authz = "OPEN")]
async fn special(_foo: Foo, _bla: Bla) -> &'static str {
    "foo-bla"
}

#[get("/perm/basic", authz = "AUTH", authn = "basic")]
async fn perm_basic() -> &'static str {
    "basic"
}

#[get("/perm/token", authz = "AUTH", authn = "token")]
async fn perm_token() -> &'static str {
    "token"
}

#[get("/perm/token-basic", authz = "AUTH", authn = ["token", "basic"])]
async fn perm_token_basic() -> &'static str {
    "token-basic"
}

#[get("/perm/basic-token", authz = "AUTH", authn = ["basic", "token"])]
async fn perm_basic_token() -> &'static str {
    "basic-token"
}

#[get("/perm/fun/<i>/<j>", authz = ("fun", "i:j"), authn = "fake")]
async fn perm_fun(i: i64, j: i64, user: CurrentUser) -> String {
    let _ = (i, j);
    format!("{user} i==j")
}

#[get("/early-return/<code>", authz = "OPEN")]
async fn early_return(code: i64) -> fsa_runtime::Result<String> {
    let _ = code;
    Err(err("should not get there", 500))
}

#[get("/shadow/<stuff>", authz = "OPEN")]
async fn shadow(stuff: String, lapp: Fsa, #[default("Yukon")] blup: String) -> String {
    format!("{}: {stuff} {blup}", lapp.realm())
}

/// The contract names its cookies `foo`, `bla` and `bar`.
#[allow(clippy::disallowed_names)]
#[get("/cookie/foo", authz = "OPEN")]
async fn cookie_foo(
    foo: Cookie<String>,
    bla: Option<Cookie<String>>,
    bar: Option<Cookie<String>>,
) -> String {
    let bla = bla.map_or_else(|| "None".to_string(), |c| c.0);
    let bar = bar.map_or_else(|| "foobla".to_string(), |c| c.0);
    format!("cookie foo: {}, bla: {bla}, bar: {bar}", foo.0)
}

#[get("/headers", authz = "OPEN")]
async fn headers(user_agent: Header<String>, hello: Header<String>) -> Json<serde_json::Value> {
    Json(serde_json::json!({"User-Agent": user_agent.0, "Hello": hello.0}))
}

// ---- the blueprint, mounted at /b1 (a route group) ------------------------

/// The longest answer of `/b1/words` (a client chooses `n`).
const MAX_WORDS: usize = 1 << 20;

#[get("/words/<word>", authz = "AUTH")]
async fn b1_words(word: String, #[default(1)] n: i64) -> fsa_runtime::Result<String> {
    let n = usize::try_from(n).unwrap_or(0);
    if n.saturating_mul(word.len() + 1) > MAX_WORDS {
        return Err(err(format!("n: at most {MAX_WORDS} bytes of words"), 400));
    }
    let mut words = String::with_capacity(n * (word.len() + 1));
    for i in 0..n {
        if i > 0 {
            words.push('_');
        }
        words.push_str(&word);
    }
    Ok(words)
}

#[get("/something", authz = "AUTH")]
async fn b1_something() -> &'static str {
    "App"
}

#[get("/blue", authz = "CLOSE")]
async fn b1_blue() -> &'static str {
    "never"
}

/// The application on a configuration and its users: the hooks of FSA's
/// test application. Serve it with the users as `app_data`
/// (`Data::new(users)`).
pub fn app(config: FsaBuilder, users: &Arc<Users>) -> Result<Fsa, fsa_runtime::ConfigError> {
    let (pass, groups, perms) = (users.clone(), users.clone(), users.clone());
    config
        .get_user_pass(move |login: &str| pass.hash(login))
        .user_in_group(move |login: &str, group: &str| groups.in_group(login, group))
        .add_group(users::ADMIN)
        .add_group(users::WRITE)
        .add_group(users::READ)
        .object_perms("users", move |login: &str, val: String, _: Option<&str>| {
            perms.exists(&val).then(|| login == val || login == "dad")
        })
        .object_perms("fun", |_: &str, i: i64, j: i64, _: Option<&str>| {
            Some(i == j)
        })
        .before_request(|request: &HttpRequest| {
            let code = request.path().strip_prefix("/early-return/")?;
            // A final status only: a 1xx would leave the client waiting.
            let code: u16 = code.parse().ok().filter(|c| (200..=599).contains(c))?;
            let status = actix_web::http::StatusCode::from_u16(code).ok()?;
            Some(HttpResponse::build(status).body("early return"))
        })
        .routes(routes![
            login,
            admin,
            write,
            read,
            any,
            patch_user,
            delete_user,
            register,
            add,
            mul,
            div,
            sub,
            type_,
            params,
            nogo,
            mis1,
            mis2,
            two,
            closed_403,
            empty,
            one,
            infer,
            when,
            superid,
            cplx,
            cplx_path,
            bool_path,
            mail,
            myint,
            something,
            path,
            string,
            auth_token,
            auth_basic,
            auth_param,
            auth_fake,
            auth_password,
            auth_ftp,
            required_true,
            required_false,
            f2_get,
            f2_post,
            f2_put,
            f2_delete,
            f2_patch,
            underscores,
            my,
            oops,
            json,
            request,
            special,
            perm_basic,
            perm_token,
            perm_token_basic,
            perm_basic_token,
            perm_fun,
            early_return,
            shadow,
            cookie_foo,
            headers
        ])
        .group(RouteGroup::new("/b1").routes(routes![b1_words, b1_something, b1_blue]))
        .build()
}
