use fsa_runtime::prelude::*;

#[get("/files*", authz = "OPEN")]
async fn files() -> &'static str {
    "never"
}

fn main() {
    let _ = routes![files];
}
