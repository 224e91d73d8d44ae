// Parameter forms: Option<T>, Vec<T>, #[default], #[name], _pass, r#type,
// CurrentUser, HttpRequest.
use fsa_runtime::prelude::*;

#[get("/search", authz = "AUTH")]
#[allow(clippy::too_many_arguments)] // a route takes its parameters as arguments
async fn search(
    #[default("%")] pattern: String,
    #[default(10)] limit: i64,
    #[default(0.5)] ratio: f64,
    #[default(false)] exact: bool,
    #[default(vec![1, 2])] ids: Vec<i64>,
    tags: Vec<String>,
    page: Option<u32>,
    before: Option<f64>,
) -> String {
    format!("{pattern} {limit} {ratio} {exact} {ids:?} {tags:?} {page:?} {before:?}")
}

#[post("/login", authz = "OPEN")]
async fn login(login: String, _pass: String, r#type: Option<String>) -> String {
    format!("{login} {} {type_:?}", _pass.len(), type_ = r#type)
}

#[get("/item", authz = ("item", "id"))]
async fn item(
    #[name("x-id")] id: i64,
    #[name("x-mode")]
    #[default("read")]
    mode: String,
) -> String {
    format!("{id} {mode}")
}

#[get("/whoami", authz = "AUTH")]
async fn whoami(user: CurrentUser, request: HttpRequest) -> String {
    format!("{user} at {}", request.path())
}

#[post("/kind", authz = ("kind", "type"))]
async fn raw_perm(r#type: String, #[allow(unused_variables)] unused: Option<i8>) -> String {
    r#type
}

#[test]
fn run() {
    let routes = routes![search, login, item, whoami, raw_perm];
    // a route named `login` takes a parameter `login`: the route's struct is
    // braced (a unit struct would turn the binding into a pattern)
    let info = routes[1].info();
    assert_eq!(info.params().nth(1).unwrap().name(), "pass");
    assert_eq!(info.params().nth(2).unwrap().name(), "type");
    assert_eq!(routes[2].info().params().next().unwrap().name(), "x-id");
}
