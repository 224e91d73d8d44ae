use fsa_runtime::prelude::*;

// actix would panic at start-up: the regex does not compile
#[get("/a/{x:(}", authz = "OPEN")]
async fn unclosed_group(x: String) -> String {
    x
}

// actix would count `y` as one more path variable
#[get("/b/{x:(?P<y>[a-z])+}", authz = "OPEN")]
async fn named_group(x: String) -> String {
    x
}

fn main() {
    let _ = routes![unclosed_group, named_group];
}
