use fsa_runtime::prelude::*;

#[get("/store/<sid>", authz = ("store", "store_id", "manager"))]
async fn get_store(sid: i64) -> String {
    format!("store {sid}")
}

fn main() {
    let _ = routes![get_store];
}
