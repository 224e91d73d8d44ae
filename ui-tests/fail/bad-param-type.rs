use fsa_runtime::prelude::*;

#[derive(Debug)]
struct Store {
    name: String,
}

#[post("/store", authz = "employee")]
async fn post_store(store: Store) -> String {
    store.name
}

fn main() {
    let _ = routes![post_store];
}
