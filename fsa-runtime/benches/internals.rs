//! fsa's building blocks, through its public API: token creation and
//! checks (fsa and JWT, uncached with `FSA_CACHE = "none"`), a cache hit
//! (`check_token` of a token already checked), and parameter conversions.
//!
//! `cargo bench -p fsa-runtime --bench internals`

use criterion::{criterion_group, criterion_main, Criterion};
use fsa_runtime::{params::Scalar, prelude::*};
use futures_util::FutureExt;
use std::hint::black_box;

const SECRET: &str = "fsa bench secret, 256 bits or thereabouts!";

fn app(extra: &str) -> Fsa {
    Fsa::from_toml_str(
        "bench",
        &format!("FSA_AUTH = \"token\"\nFSA_TOKEN_SECRET = \"{SECRET}\"\n{extra}"),
    )
    .expect("configuration")
    .build()
    .expect("application")
}

fn tokens(c: &mut Criterion) {
    let mut group = c.benchmark_group("token");
    let uncached = app("FSA_CACHE = \"none\"");
    let token = uncached.create_token("calvin").unwrap();
    group.bench_function("fsa create", |b| {
        b.iter(|| uncached.create_token(black_box("calvin")).unwrap())
    });
    group.bench_function("fsa verify", |b| {
        b.iter(|| {
            uncached
                .check_token(black_box(&token), None)
                .now_or_never()
                .unwrap()
                .unwrap()
        })
    });
    let jwt = app("FSA_CACHE = \"none\"\nFSA_TOKEN_TYPE = \"jwt\"");
    let jwt_token = jwt.create_token("calvin").unwrap();
    group.bench_function("jwt create", |b| {
        b.iter(|| jwt.create_token(black_box("calvin")).unwrap())
    });
    group.bench_function("jwt verify", |b| {
        b.iter(|| {
            jwt.check_token(black_box(&jwt_token), None)
                .now_or_never()
                .unwrap()
                .unwrap()
        })
    });
    let cached = app("");
    let token = cached.create_token("calvin").unwrap();
    cached
        .check_token(&token, None)
        .now_or_never()
        .unwrap()
        .unwrap();
    group.bench_function("cache hit", |b| {
        b.iter(|| {
            cached
                .check_token(black_box(&token), None)
                .now_or_never()
                .unwrap()
                .unwrap()
        })
    });
    group.finish();
}

fn params(c: &mut Criterion) {
    let mut group = c.benchmark_group("param");
    group.bench_function("i64 17", |b| {
        b.iter(|| i64::from_http(black_box("17")).unwrap())
    });
    group.bench_function("i64 -1_000", |b| {
        b.iter(|| i64::from_http(black_box("-1_000")).unwrap())
    });
    group.bench_function("f64 2.5", |b| {
        b.iter(|| f64::from_http(black_box("2.5")).unwrap())
    });
    group.bench_function("bool TRUE", |b| {
        b.iter(|| bool::from_http(black_box("TRUE")).unwrap())
    });
    group.bench_function("String", |b| {
        b.iter(|| String::from_http(black_box("pen")).unwrap())
    });
    group.bench_function("i64 invalid", |b| {
        b.iter(|| i64::from_http(black_box("seventeen")).unwrap_err())
    });
    group.finish();
}

criterion_group!(benches, tokens, params);
criterion_main!(benches);
