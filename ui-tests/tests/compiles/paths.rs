// Path syntaxes: Flask's <sid>, <int:sid>, <float:x>, <path:p>,
// <string:s>, and actix's {sid} and {name:regex}.
use fsa_runtime::prelude::*;

#[get("/plain/<sid>", authz = "AUTH")]
async fn plain(sid: i64) -> String {
    format!("{sid}")
}

#[get("/int/<int:sid>", authz = "AUTH")]
async fn int(sid: u32) -> String {
    format!("{sid}")
}

#[get("/float/<float:x>", authz = "AUTH")]
async fn float(x: f64) -> String {
    format!("{x}")
}

#[get("/path/<path:p>", authz = "AUTH")]
async fn path(p: String) -> String {
    p
}

#[get("/string/<string:s>", authz = "AUTH")]
async fn string(s: String) -> String {
    s
}

#[get("/actix/{sid}", authz = "AUTH")]
async fn actix(sid: i64) -> String {
    format!("{sid}")
}

#[get("/regex/{name:[a-z]+}", authz = "AUTH")]
async fn regex(name: String) -> String {
    name
}

#[get("/flag/<flag>", authz = "AUTH")]
async fn flag(flag: bool) -> String {
    format!("{flag}")
}

#[get("/store/<int:sid>/product/<name>/{pid}", authz = ("product", "sid:pid"))]
async fn several(sid: i64, name: String, pid: usize, quantity: Option<i64>) -> String {
    format!("{sid} {name} {pid} {quantity:?}")
}

#[get("/", authz = "OPEN")]
async fn root() -> &'static str {
    "root"
}

#[test]
fn run() {
    let routes = routes![plain, int, float, path, string, actix, regex, flag, several, root];
    assert_eq!(routes[1].info().actix_path(), "/int/{sid:[0-9]+}");
    assert_eq!(routes[0].info().actix_path(), "/plain/{sid:[0-9]+}");
}
