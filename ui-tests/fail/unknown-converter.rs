use fsa_runtime::prelude::*;

#[get("/store/<integer:sid>", authz = "employee")]
async fn get_store(sid: i64) -> String {
    format!("store {sid}")
}

fn main() {
    let _ = routes![get_store];
}
