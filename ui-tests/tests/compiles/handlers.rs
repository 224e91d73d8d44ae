// Sync handlers, Result with ErrorResponse, HttpResponse, Json, impl Responder.
use fsa_runtime::prelude::*;

#[get("/sync", authz = "OPEN")]
fn sync() -> String {
    "sync".to_string()
}

#[get("/sync/<n>", authz = "AUTH")]
fn sync_with_params(n: i64, user: CurrentUser) -> String {
    format!("{n} for {user}")
}

#[get("/result/<n>", authz = "AUTH")]
async fn result(n: i64) -> Result<String, ErrorResponse> {
    if n < 0 {
        return Err(err("n must not be negative", 400));
    }
    Ok(format!("{n}"))
}

fn check(n: i64) -> fsa_runtime::Result<i64> {
    if n > 100 {
        Err(err("too big", 413))?;
    }
    Ok(n)
}

#[get("/alias/<n>", authz = "AUTH")]
fn alias(n: i64) -> fsa_runtime::Result<String> {
    let n = check(n)?;
    Ok(n.to_string())
}

#[post("/created", authz = "AUTH")]
async fn created(name: String) -> HttpResponse {
    HttpResponse::Created().body(name)
}

#[get("/json", authz = "AUTH")]
async fn json(a: i64, b: String) -> Json<(i64, String)> {
    Json((a, b))
}

#[get("/json-result", authz = "AUTH")]
async fn json_result(items: Vec<String>) -> Result<Json<Vec<String>>, ErrorResponse> {
    Ok(Json(items))
}

#[get("/responder", authz = "AUTH")]
async fn responder() -> impl Responder {
    HttpResponse::NoContent()
}

#[delete("/unit", authz = "AUTH")]
async fn http_result() -> Result<HttpResponse, ErrorResponse> {
    Ok(HttpResponse::Ok().finish())
}

#[test]
fn run() {
    let routes = routes![
        sync,
        sync_with_params,
        result,
        alias,
        created,
        json,
        json_result,
        responder,
        http_result,
    ];
    assert_eq!(routes.len(), 9);
}
