//! Parameters over real HTTP (SPEC 4): sources and precedence, every
//! supported type, special parameters, uploads, and the one 400 that lists
//! every problem of a request.

use actix_web::{dev::ConnectionInfo, http::Method, web::Data};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use fsa_runtime::{
    params::{Input, SpecialParam},
    prelude::*,
};
use fsa_tests::{build, get_user_pass, send_body, send_json, serve, status_body};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::{collections::HashMap, str::FromStr, time::Duration};
use uuid::Uuid;

// ---------------------------------------------------------------- routes

#[route("/echo", method = "GET", method = "POST", authz = "OPEN")]
async fn echo(blup: String, #[default(0)] n: i64) -> String {
    format!("{blup} {n}")
}

#[route("/shadow/<stuff>", method = "GET", method = "POST", authz = "OPEN")]
async fn shadow(stuff: String, #[default("Yukon")] blup: String) -> String {
    format!("{stuff} {blup}")
}

#[get("/nothing", authz = "OPEN")]
async fn nothing() -> &'static str {
    "nothing"
}

#[get("/path/<path:p>", authz = "OPEN")]
async fn path_var(p: String) -> String {
    p
}

#[get("/superid/<id>", authz = "OPEN")]
async fn superid(id: Uuid) -> String {
    id.to_string()
}

#[route("/types", method = "GET", method = "POST", authz = "OPEN")]
async fn types(
    u: Option<Uuid>,
    d: Option<NaiveDate>,
    t: Option<NaiveTime>,
    dt: Option<NaiveDateTime>,
    tz: Option<DateTime<FixedOffset>>,
    price: Option<Decimal>,
    ids: Option<Vec<Uuid>>,
) -> Json<Value> {
    Json(json!({
        "u": u.map(|u| u.to_string()),
        "d": d.map(|d| d.to_string()),
        "t": t.map(|t| t.to_string()),
        "dt": dt.map(|d| d.to_string()),
        "tz": tz.map(|d| d.to_rfc3339()),
        "price": price.map(|p| p.to_string()),
        "ids": ids.map(|ids| ids.len()),
    }))
}

#[route("/scalars", method = "GET", method = "POST", authz = "OPEN")]
async fn scalars(
    i: Option<i64>,
    f: Option<f64>,
    b: Option<bool>,
    s: Option<String>,
    #[default(7)] small: u8,
) -> Json<Value> {
    Json(json!({"i": i, "f": f, "b": b, "s": s, "small": small}))
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[route("/jsondata", method = "GET", method = "POST", authz = "OPEN")]
async fn jsondata(j: Value, o: Option<Value>) -> String {
    format!("{} {}", json_type(&j), o.is_some())
}

#[route("/kwargs", method = "GET", method = "POST", authz = "OPEN")]
async fn kwargs(a: i64, rest: HashMap<String, String>) -> String {
    let mut pairs: Vec<_> = rest.iter().map(|(k, v)| format!("{k}={v}")).collect();
    pairs.sort();
    format!("{a} {}", pairs.join(" "))
}

#[post("/lists", authz = "OPEN")]
async fn lists(ints: Vec<i64>, strs: Vec<String>) -> String {
    format!("{ints:?} {strs:?}")
}

#[post("/kwjson", authz = "OPEN")]
async fn kwjson(rest: HashMap<String, Value>) -> Json<HashMap<String, Value>> {
    Json(rest)
}

#[derive(Debug, Deserialize, Serialize)]
struct Model {
    a: i64,
    b: String,
}

#[route("/model", method = "GET", method = "POST", authz = "OPEN")]
async fn model(model: Model, extra: Option<Model>) -> Json<Value> {
    Json(json!({"model": model, "extra": extra}))
}

#[post("/models", authz = "OPEN")]
async fn models(models: Vec<Model>) -> String {
    models
        .iter()
        .map(|f| f.b.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// A user type read from its text: needs an `@`.
#[derive(Debug)]
struct Mail(String);

impl FromStr for Mail {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.contains('@') {
            Ok(Mail(s.to_string()))
        } else {
            Err("not an email address".to_string())
        }
    }
}

#[route("/mail/<ad1>", method = "GET", method = "POST", authz = "OPEN")]
async fn mail(
    ad1: Mail,
    ad2: Option<Mail>,
    #[default(Vec::<Mail>::new())] cc: Vec<Mail>,
) -> String {
    format!("{} {:?} {}", ad1.0, ad2.map(|m| m.0), cc.len())
}

/// A cast for a type of another crate.
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text.parse().map_err(|_| "not a number".to_string())?;
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

#[route("/sleep", method = "GET", method = "POST", authz = "OPEN")]
async fn sleep(
    #[cast(seconds)] delay: Duration,
    #[cast(seconds)] extra: Option<Duration>,
    #[cast(seconds)]
    #[default(Vec::new())]
    laps: Vec<Duration>,
) -> String {
    format!(
        "{} {:?} {}",
        delay.as_millis(),
        extra.map(|e| e.as_millis()),
        laps.iter().map(|l| l.as_millis()).sum::<u128>()
    )
}

#[get("/double/<n>", authz = "OPEN")]
async fn double(#[cast(|s: &str| s.parse::<i64>().map(|n| n * 2))] n: i64) -> String {
    n.to_string()
}

#[post("/names", authz = "OPEN")]
async fn underscores(_pass: String, r#type: String, #[name("x-id")] id: i64) -> String {
    format!("{_pass} {} {id}", r#type)
}

#[get("/headers", authz = "OPEN")]
async fn headers(user_agent: Header, hello: Header, x_count: Option<Header<u32>>) -> Json<Value> {
    Json(json!({"agent": user_agent.0, "hello": hello.0, "count": x_count.map(|c| c.0)}))
}

#[get("/cookies", authz = "OPEN")]
async fn cookies(
    flavor: Cookie,
    bla: Option<Cookie>,
    #[default(Cookie("foobla".to_string()))] bar: Cookie,
) -> String {
    format!("{} {:?} {}", *flavor, bla.map(|c| c.0), *bar)
}

#[post("/upload", authz = "OPEN")]
async fn upload(file: Upload, comment: Option<String>) -> HttpResponse {
    HttpResponse::Created().body(format!(
        "{} {} {} {} {:?}",
        file.name,
        file.filename,
        file.content_type.as_deref().unwrap_or("-"),
        String::from_utf8_lossy(&file.data),
        comment
    ))
}

#[post("/mix", authz = "OPEN")]
async fn mix(data: i64, file: Upload) -> HttpResponse {
    HttpResponse::Created().body(format!("{data} {}", file.filename))
}

#[post("/optfile", authz = "OPEN")]
async fn optfile(file: Option<Upload>, files: Option<Vec<Upload>>) -> String {
    match file {
        Some(f) => format!("{} {}", f.filename, files.map_or(0, |f| f.len())),
        None => "no file".to_string(),
    }
}

#[post("/kwfiles", authz = "OPEN")]
async fn kwfiles(rest: HashMap<String, Upload>) -> String {
    let mut keys: Vec<_> = rest.keys().cloned().collect();
    keys.sort();
    keys.join(" ")
}

struct Hits(std::sync::atomic::AtomicUsize);

#[get("/extractors", authz = "OPEN")]
async fn extractors(hits: Data<Hits>, method: Method, info: ConnectionInfo) -> String {
    let n = hits.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    format!("{n} {method} {}", info.scheme())
}

/// A user object built from the current user (FlaskSimpleAuth's
/// `special_parameter`): 404 for logins without a profile.
struct Profile {
    login: String,
    admin: bool,
}

impl SpecialParam for Profile {
    async fn build(input: Input<'_>) -> Result<Self, ErrorResponse> {
        let login = input.get::<CurrentUser>()?;
        match &*login {
            "calvin" => Ok(Profile {
                login: login.0,
                admin: true,
            }),
            "hobbes" => Ok(Profile {
                login: login.0,
                admin: false,
            }),
            _ => Err(err(format!("no profile for {login}"), 404)),
        }
    }
}

#[get("/profile", authz = "AUTH")]
async fn profile(me: Profile) -> String {
    format!("{} {}", me.login, me.admin)
}

/// A special parameter whose 400 joins the other problems.
struct Picky(String);

impl SpecialParam for Picky {
    async fn build(input: Input<'_>) -> Result<Self, ErrorResponse> {
        match input.request.headers().get("x-picky") {
            Some(v) => Ok(Picky(v.to_str().unwrap_or_default().to_string())),
            None => Err(err("picky wants an X-Picky header", 400)),
        }
    }
}

#[post("/multi", authz = "OPEN")]
async fn multi(i: i64, j: i64, f: Upload, p: Picky) -> String {
    format!("{i} {j} {} {}", f.filename, p.0)
}

fn app_with(config: &str) -> Fsa {
    build(
        fsa_tests::from_toml("acme", config)
            .get_user_pass(get_user_pass)
            .routes(routes![
                lists,
                echo,
                shadow,
                nothing,
                path_var,
                superid,
                types,
                scalars,
                jsondata,
                kwargs,
                kwjson,
                model,
                models,
                mail,
                sleep,
                double,
                underscores,
                headers,
                cookies,
                upload,
                mix,
                optfile,
                kwfiles,
                extractors,
                profile,
                multi
            ]),
    )
}

fn app() -> Fsa {
    app_with("FSA_AUTH = [\"fake\", \"basic\", \"none\"]\nFSA_MODE = \"dev\"")
}

// --------------------------------------------------------------- helpers

/// Status and body of a response: for the chunked requests of
/// `multipart_bodies_of_empty_fields_or_huge_headers_are_limited_too`.
async fn text<S>(mut response: awc::ClientResponse<S>) -> (u16, String)
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let body = response.body().await.unwrap();
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn get(srv: &actix_test::TestServer, path: &str) -> (u16, String) {
    status_body(srv.get(path)).await
}

async fn form(srv: &actix_test::TestServer, path: &str, body: &str) -> (u16, String) {
    let request = srv
        .post(path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"));
    send_body(request, body.to_string()).await.status_body()
}

async fn json(srv: &actix_test::TestServer, path: &str, body: Value) -> (u16, String) {
    send_json(srv.post(path), &body).await.status_body()
}

const BOUNDARY: &str = "fsa-test-boundary";

/// One part of a multipart body: a text field, or a file when it has a
/// file name.
struct Part<'a> {
    name: &'a str,
    filename: Option<&'a str>,
    data: &'a str,
}

fn field<'a>(name: &'a str, data: &'a str) -> Part<'a> {
    Part {
        name,
        filename: None,
        data,
    }
}

fn file<'a>(name: &'a str, filename: &'a str, data: &'a str) -> Part<'a> {
    Part {
        name,
        filename: Some(filename),
        data,
    }
}

async fn multipart(srv: &actix_test::TestServer, path: &str, parts: &[Part<'_>]) -> (u16, String) {
    let mut body = String::new();
    for part in parts {
        body.push_str(&format!("--{BOUNDARY}\r\n"));
        match part.filename {
            Some(filename) => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{}\"; filename=\"{filename}\"\r\nContent-Type: text/plain\r\n\r\n",
                part.name
            )),
            None => body.push_str(&format!(
                "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                part.name
            )),
        }
        body.push_str(part.data);
        body.push_str("\r\n");
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    let request = srv.post(path).insert_header((
        "content-type",
        format!("multipart/form-data; boundary={BOUNDARY}"),
    ));
    send_body(request, body).await.status_body()
}

// ----------------------------------------------------------------- tests

#[actix_web::test]
async fn the_query_beats_the_form_and_the_first_of_repeated_values_wins() {
    let srv = serve(app());
    assert_eq!(
        form(&srv, "/echo?blup=Manitoba", "blup=Quebec").await,
        (200, "Manitoba 0".into())
    );
    assert_eq!(
        get(&srv, "/echo?blup=Manitoba&blup=Quebec").await,
        (200, "Manitoba 0".into())
    );
    assert_eq!(
        form(&srv, "/echo", "blup=Quebec&n=3").await,
        (200, "Quebec 3".into())
    );
}

#[actix_web::test]
async fn a_json_body_is_overlaid_on_the_query_string() {
    let srv = serve(app());
    assert_eq!(
        json(&srv, "/echo?blup=Manitoba", json!({"blup": "Quebec"})).await,
        (200, "Quebec 0".into())
    );
    assert_eq!(
        json(&srv, "/echo?n=35", json!({"blup": "Yukon"})).await,
        (200, "Yukon 35".into())
    );
    // A JSON request ignores its form: a JSON value must have its JSON type.
    let (status, body) = json(&srv, "/echo", json!({"blup": "x", "n": "35"})).await;
    assert_eq!(status, 400);
    assert!(body.contains("parameter \"n\""), "{body}");
}

#[actix_web::test]
async fn a_path_variable_sent_as_a_request_parameter_is_a_400() {
    let srv = serve(app());
    assert_eq!(get(&srv, "/shadow/foo").await, (200, "foo Yukon".into()));
    assert_eq!(
        get(&srv, "/shadow/foo?blup=Quebec").await,
        (200, "foo Quebec".into())
    );
    for (status, body) in [
        get(&srv, "/shadow/foo?stuff=bar").await,
        form(&srv, "/shadow/foo", "stuff=bar").await,
        json(&srv, "/shadow/foo", json!({"stuff": "bar"})).await,
    ] {
        assert_eq!(status, 400);
        assert_eq!(body, "parameter \"stuff\" both from path and request");
    }
}

#[actix_web::test]
async fn unexpected_parameters_are_a_400_except_authentication_ones() {
    let srv = serve(app());
    assert_eq!(
        get(&srv, "/echo?blup=x&j=1").await,
        (400, "unexpected http parameter \"j\"".into())
    );
    assert_eq!(
        json(&srv, "/echo", json!({"blup": "x", "h": 1})).await,
        (400, "unexpected json parameter \"h\"".into())
    );
    // In a JSON request, a problem names the source of its value.
    assert_eq!(
        json(&srv, "/echo?q=1", json!({"blup": "x", "h": 1})).await,
        (
            400,
            "unexpected http parameter \"q\"\nunexpected json parameter \"h\"".into()
        )
    );
    let (status, body) = json(&srv, "/echo?n=ten", json!({"blup": "x"})).await;
    assert_eq!(status, 400);
    assert_eq!(body, "parameter \"n\": expected an integer, got \"ten\"");
    assert_eq!(
        get(&srv, "/nothing?a=1&b=2").await,
        (
            400,
            "unexpected http parameter \"a\"\nunexpected http parameter \"b\"".into()
        )
    );
    // LOGIN is the fake scheme's parameter: never unexpected.
    assert_eq!(
        get(&srv, "/echo?blup=x&LOGIN=calvin").await,
        (200, "x 0".into())
    );
    // Without the fake scheme it is an ordinary parameter.
    let strict = serve(app_with("FSA_AUTH = [\"basic\", \"none\"]"));
    assert_eq!(get(&strict, "/echo?blup=x&LOGIN=calvin").await.0, 400);
    // FSA_REJECT_UNEXPECTED_PARAM = false lets them through.
    let lax = serve(app_with(
        "FSA_AUTH = [\"basic\", \"none\"]\nFSA_REJECT_UNEXPECTED_PARAM = false",
    ));
    assert_eq!(
        get(&lax, "/echo?blup=x&j=1&LOGIN=calvin").await,
        (200, "x 0".into())
    );
}

#[actix_web::test]
async fn path_variables_of_the_path_converter_keep_their_slashes() {
    let srv = serve(app());
    assert_eq!(get(&srv, "/path/foo").await, (200, "foo".into()));
    assert_eq!(get(&srv, "/path/foo/bla").await, (200, "foo/bla".into()));
    assert_eq!(
        get(&srv, "/path/a/b/c.txt").await,
        (200, "a/b/c.txt".into())
    );
}

#[actix_web::test]
async fn uuids_in_the_path_are_404_when_invalid_and_400_elsewhere() {
    let srv = serve(app());
    let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
    assert_eq!(get(&srv, &format!("/superid/{id}")).await, (200, id.into()));
    assert_eq!(get(&srv, "/superid/not-a-uuid").await.0, 404);
    let (status, body) = get(&srv, &format!("/types?u={id}")).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["u"], id);
    let (status, body) = get(&srv, "/types?u=67e55044").await;
    assert_eq!(status, 400);
    assert!(body.contains("expected a UUID"), "{body}");
    assert_eq!(json(&srv, "/types", json!({"u": id})).await.0, 200);
    assert_eq!(json(&srv, "/types", json!({"u": 12})).await.0, 400);
    let (status, body) = get(&srv, &format!("/types?ids={id}&ids={id}")).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["ids"], 2);
}

#[actix_web::test]
async fn dates_and_times_are_iso_8601() {
    let srv = serve(app());
    let (status, body) = get(
        &srv,
        "/types?d=1970-03-20&t=23:34:45&dt=1970-03-20T23:34:45&tz=1970-03-20T23:34:45%2B01:00",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["d"], "1970-03-20");
    assert_eq!(value["t"], "23:34:45");
    assert_eq!(value["dt"], "1970-03-20 23:34:45");
    assert_eq!(value["tz"], "1970-03-20T23:34:45+01:00");
    let (status, body) = json(
        &srv,
        "/types",
        json!({"d": "1970-03-20", "dt": "1970-03-20 23:34:45"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for bad in [
        "d=1970-13-20",
        "t=25:00:00",
        "dt=yesterday",
        "tz=1970-03-20T23:34:45",
    ] {
        let (status, body) = get(&srv, &format!("/types?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body.contains("expected an ISO 8601"), "{body}");
    }
    assert_eq!(json(&srv, "/types", json!({"d": 19700320})).await.0, 400);
}

#[actix_web::test]
async fn decimals_keep_their_digits() {
    let srv = serve(app());
    let price = |body: String| serde_json::from_str::<Value>(&body).unwrap()["price"].clone();
    let (status, body) = get(&srv, "/types?price=12.50").await;
    assert_eq!((status, price(body)), (200, json!("12.50")));
    let (status, body) = json(&srv, "/types", json!({"price": 0.1})).await;
    assert_eq!((status, price(body)), (200, json!("0.1")));
    let (status, body) = json(&srv, "/types", json!({"price": "12.345678901234567890"})).await;
    assert_eq!((status, price(body)), (200, json!("12.345678901234567890")));
    assert_eq!(get(&srv, "/types?price=twelve").await.0, 400);
}

#[actix_web::test]
async fn optional_parameters_are_none_when_missing_or_null() {
    let srv = serve(app());
    let (status, body) = get(&srv, "/scalars?i=null&s=null&b=TRUE").await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"i": null, "f": null, "b": true, "s": null, "small": 7})
    );
    let (status, body) = json(&srv, "/scalars", json!({"i": null, "f": 1.5, "small": 3})).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"i": null, "f": 1.5, "b": null, "s": null, "small": 3})
    );
    assert_eq!(get(&srv, "/scalars?small=256").await.0, 400);
    assert_eq!(get(&srv, "/scalars?b=1").await.0, 400);
    assert_eq!(json(&srv, "/scalars", json!({"f": 1})).await.0, 400);
}

#[actix_web::test]
async fn json_values_parse_http_text_and_keep_json_as_is() {
    let srv = serve(app());
    for (text, kind) in [
        ("null", "null"),
        ("5432", "int"),
        ("false", "bool"),
        ("54.3200", "float"),
        ("[1, 2]", "list"),
        ("{\"n\": 1}", "dict"),
        ("\"hi!\"", "str"),
    ] {
        let body = serde_urlencoded::to_string([("j", text)]).unwrap();
        assert_eq!(
            form(&srv, "/jsondata", &body).await,
            (200, format!("{kind} false")),
            "{text}"
        );
        let value: Value = serde_json::from_str(text).unwrap();
        assert_eq!(
            json(&srv, "/jsondata", json!({"j": value})).await,
            (200, format!("{kind} false"))
        );
    }
    for text in ["null", "true", "9876", "32.10", "[3, 4]"] {
        assert_eq!(
            json(&srv, "/jsondata", json!({"j": text})).await,
            (200, "str false".into())
        );
    }
    let (status, body) = get(&srv, "/jsondata?j=not%20json").await;
    assert_eq!(status, 400);
    assert!(
        body.starts_with("parameter \"j\": cast error on \"not json\""),
        "{body}"
    );
    assert_eq!(get(&srv, "/jsondata").await.0, 400);
    assert_eq!(
        json(&srv, "/jsondata", json!({"j": 1, "o": null})).await,
        (200, "int false".into())
    );
    assert_eq!(
        get(&srv, "/jsondata?j=1&o=%5B%5D").await,
        (200, "int true".into())
    );
}

#[actix_web::test]
async fn a_hash_map_takes_every_other_parameter() {
    let srv = serve(app());
    assert_eq!(
        get(&srv, "/kwargs?a=1&b=2&c=3&b=4").await,
        (200, "1 b=2 c=3".into())
    );
    // Authentication parameters are not collected.
    assert_eq!(
        get(&srv, "/kwargs?a=1&LOGIN=calvin&rest=x").await,
        (200, "1 rest=x".into())
    );
    assert_eq!(get(&srv, "/kwargs?b=2").await.0, 400);
    assert_eq!(json(&srv, "/kwargs", json!({"a": 1, "b": 2})).await.0, 400);
    let (status, body) = json(&srv, "/kwjson?q=x", json!({"n": [1, 2], "s": "t"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"n": [1, 2], "s": "t", "q": "x"})
    );
}

#[actix_web::test]
async fn serde_types_come_from_json_objects_or_their_text() {
    let srv = serve(app());
    let (status, body) = json(&srv, "/model", json!({"model": {"a": 1, "b": "x"}})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"model": {"a": 1, "b": "x"}, "extra": null})
    );
    let (status, body) = json(&srv, "/model", json!({"model": {"a": 1}})).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("cast error") && body.contains("missing field `b`"),
        "{body}"
    );
    assert_eq!(json(&srv, "/model", json!({"model": 5432})).await.0, 400);
    let text = serde_urlencoded::to_string([("model", r#"{"a": 2, "b": "y"}"#), ("extra", "null")])
        .unwrap();
    let (status, body) = form(&srv, "/model", &text).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"model": {"a": 2, "b": "y"}, "extra": null})
    );
    let (status, body) = form(&srv, "/model", "model=1234").await;
    assert_eq!(status, 400);
    assert!(body.contains("cast error on \"1234\""), "{body}");
    assert_eq!(
        json(
            &srv,
            "/models",
            json!({"models": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]})
        )
        .await,
        (200, "x,y".into())
    );
    let text = serde_urlencoded::to_string([
        ("models", r#"{"a": 1, "b": "x"}"#),
        ("models", r#"{"a": 2, "b": "z"}"#),
    ])
    .unwrap();
    assert_eq!(form(&srv, "/models", &text).await, (200, "x,z".into()));
    assert_eq!(
        json(&srv, "/models", json!({"models": {"a": 1, "b": "x"}}))
            .await
            .0,
        400
    );
}

#[actix_web::test]
async fn from_str_types_are_read_from_their_text() {
    let srv = serve(app());
    assert_eq!(
        get(&srv, "/mail/calvin@comics.net").await,
        (200, "calvin@comics.net None 0".into())
    );
    assert_eq!(
        get(
            &srv,
            "/mail/calvin@comics.net?ad2=hobbes@comics.net&cc=a@b&cc=c@d"
        )
        .await,
        (
            200,
            "calvin@comics.net Some(\"hobbes@comics.net\") 2".into()
        )
    );
    let (status, body) = get(&srv, "/mail/calvin").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        "parameter \"ad1\": cast error on \"calvin\": not an email address"
    );
    assert_eq!(get(&srv, "/mail/a@b?ad2=hobbes").await.0, 400);
    assert_eq!(
        json(&srv, "/mail/a@b", json!({"ad2": "c@d", "cc": ["e@f"]})).await,
        (200, "a@b Some(\"c@d\") 1".into())
    );
    assert_eq!(json(&srv, "/mail/a@b", json!({"ad2": 12})).await.0, 400);
}

#[actix_web::test]
async fn cast_functions_read_types_of_other_crates() {
    let srv = serve(app());
    assert_eq!(
        get(&srv, "/sleep?delay=1.5&laps=1&laps=2").await,
        (200, "1500 None 3000".into())
    );
    assert_eq!(
        json(
            &srv,
            "/sleep",
            json!({"delay": 0.25, "extra": "2", "laps": [1, "0.5"]})
        )
        .await,
        (200, "250 Some(2000) 1500".into())
    );
    let (status, body) = get(&srv, "/sleep?delay=soon").await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        "parameter \"delay\": cast error on \"soon\": not a number"
    );
    assert_eq!(get(&srv, "/double/21").await, (200, "42".into()));
}

#[actix_web::test]
async fn names_drop_a_leading_underscore_and_raw_prefixes_or_are_given() {
    let srv = serve(app());
    assert_eq!(
        form(&srv, "/names", "pass=secret&type=cat&x-id=7").await,
        (200, "secret cat 7".into())
    );
    let (status, body) = form(&srv, "/names", "_pass=secret&r%23type=cat&id=7").await;
    assert_eq!(status, 400);
    for name in ["pass", "type", "x-id"] {
        assert!(
            body.contains(&format!("parameter \"{name}\" is missing")),
            "{body}"
        );
    }
}

#[actix_web::test]
async fn headers_are_read_by_parameter_name() {
    let srv = serve(app());
    let request = srv
        .get("/headers")
        .insert_header(("HELLO", "World!"))
        .insert_header(("User-Agent", "fsa-test"))
        .insert_header(("X-Count", "3"));
    let (status, body) = status_body(request).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"agent": "fsa-test", "hello": "World!", "count": 3})
    );
    let request = srv
        .get("/headers")
        .insert_header(("User-Agent", "fsa-test"))
        .insert_header(("X-Count", "three"));
    let (status, body) = status_body(request).await;
    assert_eq!(status, 400);
    assert!(body.contains("header \"hello\" is missing"), "{body}");
    assert!(
        body.contains("parameter \"x_count\": header \"x-count\""),
        "{body}"
    );
    // A request parameter of a header's name is refused.
    let request = srv
        .get("/headers?hello=x")
        .insert_header(("HELLO", "World!"));
    let (status, body) = status_body(request).await;
    assert_eq!(status, 400);
    assert!(
        body.contains("unexpected request parameter \"hello\""),
        "{body}"
    );
}

#[actix_web::test]
async fn cookies_are_read_by_parameter_name() {
    let srv = serve(app());
    let with = |cookie: &str| status_body(srv.get("/cookies").insert_header(("Cookie", cookie)));
    assert_eq!(with("flavor=bla").await, (200, "bla None foobla".into()));
    assert_eq!(
        with("flavor=bla; bla=foo; bar=42").await,
        (200, "bla Some(\"foo\") 42".into())
    );
    assert_eq!(
        with("bla=foo").await,
        (400, "cookie \"flavor\" is missing".into())
    );
}

#[actix_web::test]
async fn files_are_uploaded_with_multipart_forms() {
    let srv = serve(app());
    assert_eq!(
        multipart(
            &srv,
            "/upload",
            &[file("file", "foo.txt", "hello"), field("comment", "hi")]
        )
        .await,
        (201, "file foo.txt text/plain hello Some(\"hi\")".into())
    );
    assert_eq!(
        multipart(&srv, "/upload", &[file("other", "foo.txt", "hello")]).await,
        (
            400,
            "parameter \"file\" is missing\nunexpected http parameter \"other\"".into()
        )
    );
    assert_eq!(
        multipart(
            &srv,
            "/upload",
            &[file("file", "a.txt", "x"), file("stuff", "b.txt", "y")]
        )
        .await,
        (400, "unexpected http parameter \"stuff\"".into())
    );
    let (status, body) = multipart(&srv, "/upload", &[field("file", "not a file")]).await;
    assert_eq!(status, 400);
    assert!(body.starts_with("parameter \"file\": type error"), "{body}");
    assert_eq!(
        multipart(
            &srv,
            "/mix",
            &[field("data", "42"), file("file", "f.txt", "x")]
        )
        .await,
        (201, "42 f.txt".into())
    );
    let (status, body) = multipart(
        &srv,
        "/mix",
        &[file("data", "d.txt", "42"), file("file", "f.txt", "x")],
    )
    .await;
    assert_eq!(status, 400);
    assert!(body.starts_with("parameter \"data\": type error"), "{body}");
    // The query comes before the multipart fields.
    assert_eq!(
        multipart(
            &srv,
            "/mix?data=7",
            &[field("data", "42"), file("file", "f.txt", "x")]
        )
        .await,
        (201, "7 f.txt".into())
    );
    assert_eq!(
        multipart(
            &srv,
            "/optfile",
            &[
                file("file", "a.txt", "x"),
                file("files", "b", "y"),
                file("files", "c", "z")
            ]
        )
        .await,
        (200, "a.txt 2".into())
    );
    assert_eq!(
        multipart(&srv, "/optfile", &[]).await,
        (200, "no file".into())
    );
    assert_eq!(
        multipart(
            &srv,
            "/kwfiles",
            &[file("foo", "a", "x"), file("bla", "b", "y")]
        )
        .await,
        (200, "bla foo".into())
    );
    // A JSON request has no files.
    assert_eq!(
        json(&srv, "/optfile", json!({})).await,
        (200, "no file".into())
    );
    let (status, _) = multipart(
        &srv,
        "/upload",
        &[file("file", "a.txt", "x"), field("bad\0", "y")],
    )
    .await;
    assert_eq!(status, 400);
}

#[actix_web::test]
async fn uploads_are_limited_by_the_maximum_body_size() {
    let srv = serve(app_with("FSA_AUTH = [\"none\"]\nFSA_MAX_BODY = 1000"));
    let big = "x".repeat(2000);
    assert_eq!(
        multipart(&srv, "/upload", &[file("file", "big.txt", &big)])
            .await
            .0,
        413
    );
    assert_eq!(
        multipart(&srv, "/upload", &[file("file", "small.txt", "x")])
            .await
            .0,
        201
    );
    let request = srv
        .post("/upload")
        .insert_header(("content-type", "multipart/form-data; boundary=nope"));
    assert_eq!(send_body(request, "garbage").await.status, 400);
}

/// `FSA_MAX_BODY` counts the raw bytes of a multipart body as they are
/// read, boundaries and part headers included: a chunked body (no
/// Content-Length to refuse up front) of endless empty fields, or of one
/// huge part header, is a 413 rather than memory without limit.
#[actix_web::test]
async fn multipart_bodies_of_empty_fields_or_huge_headers_are_limited_too() {
    let srv = serve(app_with("FSA_AUTH = [\"none\"]\nFSA_MAX_BODY = 1000"));
    let chunked = |chunks: Vec<String>| {
        let chunks = chunks
            .into_iter()
            .map(|chunk| Ok::<_, std::io::Error>(actix_web::web::Bytes::from(chunk)));
        srv.post("/upload")
            .insert_header((
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            ))
            .send_stream(futures_util::stream::iter(chunks))
    };
    let empty = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"e\"\r\n\r\n\r\n");
    let file = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nx\r\n"
    );
    let end = format!("--{BOUNDARY}--\r\n");
    // Well under the limit, chunked: fine.
    let small = vec![file.clone(), empty.clone(), end.clone()];
    let (status, body) = text(chunked(small).await.unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body, "unexpected http parameter \"e\"");
    let small = vec![file.clone(), end.clone()];
    assert_eq!(text(chunked(small).await.unwrap()).await.0, 201);
    // 300 empty fields, a few per chunk, no part data at all.
    let mut chunks = vec![file.clone()];
    chunks.extend((0..100).map(|_| empty.repeat(3)));
    chunks.push(end.clone());
    assert!(chunks.iter().map(String::len).sum::<usize>() > 10_000);
    let (status, body) = text(chunked(chunks).await.unwrap()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body, "request body too large: at most 1000 bytes");
    // One part header far bigger than the limit.
    let huge = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nX-Padding: {}\r\n\r\nx\r\n",
        "p".repeat(5000)
    );
    let (status, _) = text(chunked(vec![huge, end]).await.unwrap()).await;
    assert_eq!(status, 413);
}

#[actix_web::test]
async fn app_data_and_actix_extractors_are_parameters() {
    let fsa = app();
    let hits = Data::new(Hits(std::sync::atomic::AtomicUsize::new(0)));
    let srv = actix_test::start(move || fsa.app().app_data(hits.clone()));
    assert_eq!(get(&srv, "/extractors").await, (200, "1 GET http".into()));
    assert_eq!(get(&srv, "/extractors").await, (200, "2 GET http".into()));
    let (status, body) = get(&srv, "/extractors?hits=3").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("unexpected request parameter \"hits\""),
        "{body}"
    );
    // Data the application does not provide is a server error.
    let srv = serve(app());
    let (status, body) = get(&srv, "/extractors").await;
    assert_eq!(status, 500);
    assert!(body.contains("parameter \"hits\""), "{body}");
}

#[actix_web::test]
async fn special_parameters_are_built_from_other_special_parameters() {
    let srv = serve(app());
    assert_eq!(
        get(&srv, "/profile?LOGIN=calvin").await,
        (200, "calvin true".into())
    );
    let hobbes = srv.get("/profile").basic_auth("hobbes", "short");
    assert_eq!(status_body(hobbes).await, (200, "hobbes false".into()));
    assert_eq!(
        get(&srv, "/profile?LOGIN=susie").await,
        (404, "no profile for susie".into())
    );
    assert_eq!(get(&srv, "/profile").await.0, 401);
}

#[actix_web::test]
async fn every_problem_of_a_request_is_in_one_400() {
    let srv = serve(app());
    let (status, body) = json(&srv, "/multi", json!({"i": "one", "k": 42})).await;
    assert_eq!(status, 400);
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines,
        [
            "parameter \"i\": expected a JSON integer, got a string",
            "parameter \"j\" is missing",
            "parameter \"f\" is missing",
            "error on parameter \"p\": picky wants an X-Picky header",
            "unexpected json parameter \"k\"",
        ]
    );
    // Through the configured error format.
    let srv = serve(app_with(
        "FSA_AUTH = [\"none\"]\nFSA_ERROR_RESPONSE = \"json:error\"",
    ));
    let (status, body) = json(&srv, "/multi", json!({"i": "one"})).await;
    assert_eq!(status, 400);
    let value: Value = serde_json::from_str(&body).unwrap();
    assert!(value["error"]
        .as_str()
        .unwrap()
        .contains("parameter \"j\" is missing"));
}

#[actix_web::test]
async fn json_list_items_are_cast_as_flask_simple_auth_36_does() {
    let srv = serve(app());
    assert_eq!(
        json(
            &srv,
            "/lists",
            json!({"ints": ["0x11", "2", 3], "strs": [2, "two"]})
        )
        .await,
        (200, r#"[17, 2, 3] ["2", "two"]"#.into())
    );
    let (status, body) = json(&srv, "/lists", json!({"ints": [true, 2], "strs": []})).await;
    assert_eq!(status, 400);
    assert!(body.contains("parameter \"ints\": item 0"), "{body}");
}
