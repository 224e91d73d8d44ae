use fsa_runtime::prelude::*;

#[get("/store/<int:sid>", authz = "employee")]
async fn get_store(sid: String) -> String {
    format!("store {sid}")
}

fn main() {
    let _ = routes![get_store];
}
