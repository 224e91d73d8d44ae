//! The OpenAPI document (`Fsa::openapi`, `FSA_OPENAPI`) and the security
//! listing, generated from the routes' declarations and the configuration.

use actix_web::HttpResponse;
use fsa_runtime::prelude::*;
use fsa_runtime::testing::{TestApp, ANONYMOUS};
use fsa_tests::{build, from_toml, get_user_pass};
use serde_json::{json, Value};
use std::collections::HashMap;

#[get("/hello", authz = "OPEN")]
async fn hello(#[default("world")] who: String) -> String {
    format!("hello {who}")
}

#[get("/store/<int:sid>", authz = ["kid", ("store", "sid")])]
async fn store(
    sid: i64,
    limit: Option<u8>,
    tags: Vec<String>,
    user_agent: Header<String>,
    session: Option<Cookie<String>>,
) -> Json<Vec<String>> {
    let _ = (user_agent, session);
    Json(vec![format!("{sid} {limit:?} {tags:?}")])
}

#[post("/store/<sid>/product", authz = ("store", "sid"))]
async fn add(sid: i64, product: String, quantity: i32, note: Option<String>) -> HttpResponse {
    let _ = (sid, product, quantity, note);
    HttpResponse::Created().finish()
}

#[post("/upload", authz = "AUTH")]
async fn upload(file: Upload, title: String) -> String {
    format!("{title} {}", file.data.len())
}

#[patch("/free", authz = "AUTH")]
async fn free(rest: HashMap<String, i64>) -> String {
    rest.len().to_string()
}

fn app(config: &str) -> Fsa {
    build(
        from_toml("docs", config)
            .get_user_pass(get_user_pass)
            .group_check("kid", |login: &str| login == "calvin")
            .object_perms("store", |login: &str, sid: i64, _: Option<&str>| {
                (sid < 10).then_some(login == "calvin")
            })
            .routes(routes![hello, store, add, upload, free]),
    )
}

const AUTH: &str = "FSA_AUTH = [\"token\", \"basic\", \"param\", \"none\"]";

fn document(fsa: &Fsa) -> Value {
    serde_json::to_value(fsa.openapi()).unwrap()
}

#[test]
fn describe_each_parameter_where_it_is_read_with_its_schema() {
    let doc = document(&app(AUTH));
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["info"]["title"], "docs");
    let hello = &doc["paths"]["/hello"]["get"];
    assert_eq!(
        hello["parameters"][0],
        json!({"name": "who", "in": "query", "required": false,
               "schema": {"type": "string", "pattern": "^[^\\u0000]*$"}})
    );
    let store = &doc["paths"]["/store/{sid}"]["get"];
    let params = store["parameters"].as_array().unwrap();
    let by_name = |name: &str| params.iter().find(|p| p["name"] == name).unwrap().clone();
    assert_eq!(by_name("sid")["in"], "path");
    assert_eq!(by_name("sid")["required"], true);
    assert_eq!(by_name("sid")["schema"]["format"], "int64");
    assert_eq!(by_name("limit")["required"], false);
    assert_eq!(by_name("limit")["schema"]["maximum"], 255);
    assert_eq!(by_name("tags")["schema"]["type"], "array");
    assert_eq!(by_name("tags")["schema"]["items"]["type"], "string");
    assert_eq!(by_name("user-agent")["in"], "header");
    assert_eq!(by_name("session")["in"], "cookie");
    assert_eq!(by_name("session")["required"], false);
    // A body method's parameters are a form or a JSON object.
    let add = &doc["paths"]["/store/{sid}/product"]["post"];
    assert_eq!(add["parameters"][0]["name"], "sid");
    for content in ["application/json", "application/x-www-form-urlencoded"] {
        let body = &add["requestBody"]["content"][content]["schema"];
        assert_eq!(
            body["required"],
            json!(["product", "quantity"]),
            "{content}"
        );
        assert_eq!(body["properties"]["quantity"]["format"], "int32");
        assert_eq!(body["additionalProperties"], false);
    }
    let upload = &doc["paths"]["/upload"]["post"]["requestBody"]["content"];
    assert_eq!(
        upload["multipart/form-data"]["schema"]["properties"]["file"]["format"],
        "binary"
    );
    assert!(upload["application/json"].is_null());
    // `HashMap<String, i64>` takes any name.
    let free = &doc["paths"]["/free"]["patch"]["requestBody"]["content"]["application/json"];
    assert_eq!(free["schema"]["additionalProperties"]["type"], "integer");
}

#[test]
fn give_each_operation_its_security_authz_and_answers() {
    let doc = document(&app(AUTH));
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["basic"], json!({"type": "http", "scheme": "basic"}));
    assert_eq!(
        schemes["token"],
        json!({"type": "http", "scheme": "bearer", "bearerFormat": "fsa"})
    );
    assert_eq!(schemes["param_user"]["in"], "query");
    assert_eq!(schemes["param_user"]["name"], "USER");
    assert_eq!(schemes["param_pass"]["name"], "PASS");
    let hello = &doc["paths"]["/hello"]["get"];
    assert_eq!(hello["security"], json!([{}]));
    assert_eq!(hello["x-fsa-authz"], "OPEN");
    let codes = |op: &Value| -> Vec<String> {
        op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(codes(hello), ["200", "400", "413", "default"]);
    assert_eq!(
        hello["responses"]["200"]["content"]["text/plain"]["schema"]["type"],
        "string"
    );
    let store = &doc["paths"]["/store/{sid}"]["get"];
    assert_eq!(
        store["security"],
        json!([{"token": []}, {"basic": []}, {"param_pass": [], "param_user": []}])
    );
    assert_eq!(store["x-fsa-authz"], r#"["kid", ("store", "sid")]"#);
    assert!(store["description"]
        .as_str()
        .unwrap()
        .contains("authentication: token, basic, param"));
    assert_eq!(
        codes(store),
        ["200", "400", "401", "403", "404", "413", "429", "503", "default"]
    );
    assert_eq!(
        store["responses"]["200"]["content"]["application/json"]["schema"]["type"],
        "array"
    );
    // An HttpResponse tells no status: any success.
    let add = &doc["paths"]["/store/{sid}/product"]["post"];
    assert!(add["responses"]["2XX"].is_object());
    assert!(add["responses"]["401"]["content"]["text/plain"].is_object());
}

#[test]
fn follow_the_configuration_error_format_carriers_and_oauth() {
    let json_errors = document(&app(&format!(
        "{AUTH}\nFSA_ERROR_RESPONSE = \"json:error\"\nFSA_TOKEN_CARRIER = \"cookie\"\nFSA_THROTTLE = false"
    )));
    let store = &json_errors["paths"]["/store/{sid}"]["get"];
    assert_eq!(
        store["responses"]["403"]["content"]["application/json"]["schema"],
        json!({"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]})
    );
    assert!(store["responses"]["429"].is_null(), "no throttling, no 429");
    assert_eq!(
        json_errors["components"]["securitySchemes"]["token"],
        json!({"type": "apiKey", "in": "cookie", "name": "auth",
               "description": "an fsa token (FSA_TOKEN_CARRIER)"})
    );
}

#[get("/scoped", authz = "read", authn = "oauth")]
async fn scoped() -> &'static str {
    "read"
}

#[test]
fn require_the_scopes_of_oauth_routes() {
    let fsa = build(
        from_toml(
            "docs",
            "FSA_AUTH = [\"oauth\"]\nFSA_TOKEN_TYPE = \"jwt\"\nFSA_TOKEN_ISSUER = \"https://auth.example\"\nFSA_AUTHZ_SCOPES = [\"read\", \"write\"]",
        )
        .routes(routes![scoped]),
    );
    let doc = document(&fsa);
    let oauth = &doc["components"]["securitySchemes"]["oauth"];
    assert_eq!(oauth["type"], "oauth2");
    assert_eq!(
        oauth["flows"]["clientCredentials"]["tokenUrl"],
        "https://auth.example"
    );
    assert_eq!(
        oauth["flows"]["clientCredentials"]["scopes"]["write"],
        "write"
    );
    assert_eq!(
        doc["paths"]["/scoped"]["get"]["security"],
        json!([{"oauth": ["read"]}])
    );
}

#[actix_web::test]
async fn serve_the_document_on_a_declared_route() {
    let open = app(&format!(
        "{AUTH}\nFSA_OPENAPI = {{ authz = \"OPEN\", version = \"2.1\" }}"
    ));
    let expected = document(&open);
    assert_eq!(expected["info"]["version"], "2.1");
    assert_eq!(
        expected["paths"]["/openapi.json"]["get"]["security"],
        json!([{}])
    );
    let served = TestApp::start(open);
    let answer = served.anonymous().get("/openapi.json").send().await;
    answer
        .assert_status(200)
        .assert_header("content-type", Some("application/json"));
    assert_eq!(answer.json::<Value>(), expected);
    served
        .anonymous()
        .get("/openapi.json?x=1")
        .send()
        .await
        .assert_status(400);
    served
        .anonymous()
        .request(actix_web::http::Method::HEAD, "/openapi.json")
        .send()
        .await
        .assert_status(200);
    // By default for authenticated users; here for the group kid only.
    for (config, statuses) in [
        ("FSA_OPENAPI = true", [200, 200, 401]),
        (
            "FSA_OPENAPI = { path = \"/api/doc\", authz = \"kid\" }",
            [200, 403, 401],
        ),
    ] {
        let fsa = app(&format!("{AUTH}\n{config}"));
        let path = match &fsa.config().openapi {
            Some(options) => options.path.clone(),
            None => panic!("{config}"),
        };
        let served = TestApp::start(fsa);
        for (who, status) in ["calvin", "hobbes", ANONYMOUS].into_iter().zip(statuses) {
            let client = if who == ANONYMOUS {
                served.anonymous()
            } else {
                served.as_user(who)
            };
            client.get(&path).send().await.assert_status(status);
        }
    }
}

#[test]
fn refuse_openapi_options_that_make_no_sense() {
    for (config, expected) in [
        (
            "FSA_OPENAPI = { path = \"doc\" }",
            "FSA_OPENAPI.path: expected a plain path",
        ),
        (
            "FSA_OPENAPI = { path = \"/d/<x>\" }",
            "FSA_OPENAPI.path: expected a plain path",
        ),
        (
            "FSA_OPENAPI = { path = \"/doc*\" }",
            "FSA_OPENAPI.path: expected a plain path",
        ),
        (
            "FSA_OPENAPI = { paths = \"/d\" }",
            "unexpected option \"paths\"",
        ),
        (
            "FSA_OPENAPI = \"/doc\"",
            "FSA_OPENAPI: expected a boolean or a table",
        ),
    ] {
        let Err(error) = Fsa::from_toml_str("docs", &format!("{AUTH}\n{config}")) else {
            panic!("{config} accepted");
        };
        assert!(error.to_string().contains(expected), "{config}: {error}");
    }
    // A group nobody declared is refused as on any route.
    let error = from_toml(
        "docs",
        &format!("{AUTH}\nFSA_OPENAPI = {{ authz = \"admins\" }}"),
    )
    .get_user_pass(get_user_pass)
    .build()
    .unwrap_err();
    assert!(error.to_string().contains("admins"), "{error}");
}

#[test]
fn list_who_may_call_what() {
    let listing = app(AUTH).security_listing().to_string();
    let lines: Vec<&str> = listing.lines().collect();
    assert!(lines[0].starts_with("METHOD  PATH"), "{listing}");
    assert_eq!(lines.len(), 6, "{listing}");
    let store = lines
        .iter()
        .find(|l| l.starts_with("GET     /store/<int:sid>"))
        .unwrap();
    for part in [
        r#"["kid", ("store", "sid")]"#,
        "token, basic, param ",
        "sid, limit?, tags, header user-agent, cookie session?",
        "openapi::store",
    ] {
        assert!(store.contains(part), "{part} in {store}");
    }
    let hello = lines
        .iter()
        .find(|l| l.starts_with("GET     /hello"))
        .unwrap();
    assert!(
        hello.contains("OPEN") && hello.contains(" - ") && hello.contains("who?"),
        "{hello}"
    );
}

#[get("/kinds/<name>", authz = "OPEN")]
async fn kinds(
    name: String,
    day: Option<chrono::NaiveDate>,
    at: Option<chrono::NaiveTime>,
    price: Option<rust_decimal::Decimal>,
    id: Option<uuid::Uuid>,
    x_count: Option<Header<u32>>,
    rest: HashMap<String, String>,
) -> Option<String> {
    let _ = (day, at, price, id, x_count, rest);
    (name != "none").then_some(name)
}

#[get("/closed", authz = "CLOSE")]
async fn closed() -> &'static str {
    "never"
}

#[post("/maybe", authz = "OPEN")]
async fn maybe(note: Option<String>) -> String {
    note.unwrap_or_default()
}

#[test]
fn describe_formats_paths_headers_rest_and_optional_answers() {
    let fsa = build(
        from_toml(
            "docs",
            "FSA_AUTH = [\"basic\", \"none\"]\nFSA_REALM = \"Documented\"",
        )
        .get_user_pass(get_user_pass)
        .routes(routes![kinds, closed, maybe]),
    );
    let doc = document(&fsa);
    assert_eq!(doc["info"]["title"], "Documented", "the realm by default");
    let kinds = &doc["paths"]["/kinds/{name}"]["get"];
    let params = kinds["parameters"].as_array().unwrap();
    let schema = |name: &str| params.iter().find(|p| p["name"] == name).unwrap()["schema"].clone();
    // One path segment: no slash, not empty.
    assert_eq!(
        schema("name")["pattern"],
        "^[^/\\u0000-\\u001f\\u007f-\\u009f]+$"
    );
    assert_eq!(schema("name")["minLength"], 1);
    assert_eq!(schema("day")["format"], "date");
    assert_eq!(schema("at")["format"], "partial-time");
    assert_eq!(schema("price")["format"], "decimal");
    assert_eq!(schema("id")["format"], "uuid");
    assert_eq!(schema("x-count")["type"], "integer");
    assert_eq!(schema("x-count")["maximum"], u32::MAX);
    let rest = params.iter().find(|p| p["name"] == "rest").unwrap();
    assert_eq!(rest["style"], "form");
    assert_eq!(rest["explode"], true);
    assert_eq!(rest["schema"]["additionalProperties"]["type"], "string");
    // Option<T>: None is a 404; any other error is the default answer.
    assert!(kinds["responses"]["404"].is_object());
    assert!(kinds["responses"]["default"].is_object());
    assert_eq!(
        kinds["responses"]["200"]["content"]["text/plain"]["schema"]["type"],
        "string"
    );
    // A closed route answers 403 before reading anything.
    let closed = &doc["paths"]["/closed"]["get"];
    let codes: Vec<&String> = closed["responses"].as_object().unwrap().keys().collect();
    assert_eq!(codes, ["400", "403", "default"]);
    // Every body parameter optional: so is the body.
    assert_eq!(
        doc["paths"]["/maybe"]["post"]["requestBody"]["required"],
        false
    );
}

#[test]
fn give_every_authenticated_route_a_requirement() {
    let fsa = build(
        from_toml(
            "docs",
            "FSA_AUTH = [\"httpd\", \"fake\", \"none\"]\nFSA_HTTPD_HEADER = \"X-Remote-User\"\nFSA_MODE = \"dev\"",
        )
        .user_in_group(|_: &str, _: &str| true)
        .object_perms("store", |_: &str, _: i64, _: Option<&str>| Some(true))
        .routes(routes![store]),
    );
    let doc = document(&fsa);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["httpd"]["in"], "header");
    assert_eq!(schemes["httpd"]["name"], "X-Remote-User");
    assert_eq!(
        schemes["fake"],
        json!({"type": "apiKey", "in": "query", "name": "LOGIN",
        "description": "fake authentication, for local tests only: the login itself"})
    );
    assert_eq!(
        doc["paths"]["/store/{sid}"]["get"]["security"],
        json!([{"httpd": []}, {"fake": []}])
    );
    // An int path variable has no sign.
    let sid = &doc["paths"]["/store/{sid}"]["get"]["parameters"][0];
    assert_eq!(sid["schema"]["minimum"], 0);
    let header = document(&app(&format!(
        "{AUTH}\nFSA_TOKEN_CARRIER = \"header\"\nFSA_TOKEN_NAME = \"X-Token\""
    )));
    assert_eq!(
        header["components"]["securitySchemes"]["token"]["in"],
        "header"
    );
    assert_eq!(
        header["components"]["securitySchemes"]["token"]["name"],
        "X-Token"
    );
}
