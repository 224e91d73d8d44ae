use fsa_runtime::prelude::*;

#[get("/store/<sid>", authz = "employee")]
async fn get_store(id: i64) -> String {
    format!("store {id}")
}

fn main() {
    let _ = routes![get_store];
}
