use fsa_runtime::prelude::*;

#[get("/store", authz = ["OPEN", "employee"])]
async fn get_store() -> String {
    "stores".to_string()
}

fn main() {
    let _ = routes![get_store];
}
