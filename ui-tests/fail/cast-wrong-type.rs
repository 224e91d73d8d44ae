use fsa_runtime::prelude::*;

fn seconds(text: &str) -> Result<u64, std::num::ParseIntError> {
    text.parse()
}

#[get("/wait", authz = "OPEN")]
async fn wait(#[cast(seconds)] delay: std::time::Duration) -> String {
    format!("{delay:?}")
}

fn main() {
    let _ = routes![wait];
}
