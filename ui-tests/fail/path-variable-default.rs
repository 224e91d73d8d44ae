use fsa_runtime::prelude::*;

#[get("/store/<sid>", authz = "employee")]
async fn get_store(#[default(0)] sid: i64) -> String {
    format!("store {sid}")
}

fn main() {
    let _ = routes![get_store];
}
