//! The whole request path through actix's test service (no network): each
//! fsa route beside a bare actix-web handler doing the same work by hand,
//! in the same run (the routes are `examples/bench/src/apps.rs`, shared
//! with the load test).
//!
//! `cargo bench -p fsa-runtime --bench pipeline` runs criterion's groups
//! `pipeline/<route>` (`fsa`, `bare`), then interleaved rounds of both
//! applications, and prints the median time per request of each and the
//! ratio fsa / bare (the machine is shared and noisy: the interleaved
//! medians are the numbers to quote). `FSA_BENCH_ROUNDS` (default 21)
//! sets the number of rounds, `0` skips them. `FSA_BENCH_PROFILE=open:fsa`
//! only sends that request `FSA_BENCH_PROFILE_N` (20000) times, for a
//! profiler.

#[path = "../../examples/bench/src/apps.rs"]
mod apps;

use actix_http::Request;
use actix_web::{
    body::MessageBody,
    dev::{Service, ServiceResponse},
    http::{
        header::{AUTHORIZATION, CONTENT_TYPE},
        Method,
    },
    rt::System,
    test::{self, TestRequest},
};
use criterion::{BatchSize, Criterion};
use std::{hint::black_box, time::Instant};

/// The actix request of one benchmarked request.
fn to_request(request: &apps::Request) -> Request {
    let mut built = TestRequest::default()
        .method(Method::from_bytes(request.method.as_bytes()).expect("method"))
        .uri(&request.path);
    if let Some(authorization) = &request.authorization {
        built = built.insert_header((AUTHORIZATION, authorization.as_str()));
    }
    if let Some(form) = request.form {
        built = built
            .insert_header((CONTENT_TYPE, "application/x-www-form-urlencoded"))
            .set_payload(form);
    }
    let mut built = built.to_request();
    if request.form.is_none() {
        // As actix's HTTP/1 server hands a request without a body to the
        // App: with no payload (actix's test requests carry an empty one).
        let _empty = built.take_payload();
    }
    built
}

/// Sends a request and reads the whole answer: status and body.
async fn call<S, B>(app: &S, request: Request) -> (u16, actix_web::web::Bytes)
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, request).await;
    let status = response.status().as_u16();
    (status, test::read_body(response).await)
}

/// Requests per timed batch of the interleaved rounds (bcrypt is ~1000
/// times slower than the rest).
fn batch(name: &str) -> usize {
    if name == "basic" {
        40
    } else {
        4000
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let system = System::new();
    let fsa = apps::fsa();
    let token = fsa.create_token("calvin").expect("token");
    let fsa_app = system.block_on(test::init_service(fsa.app()));
    let bare_app = system.block_on(test::init_service(apps::bare()));
    let requests = apps::requests(&token);

    // Both answer the same, and fsa's caches are warm.
    for (name, request) in &requests {
        let expected = apps::expected(name);
        for (app, answer) in [
            ("fsa", system.block_on(call(&fsa_app, to_request(request)))),
            (
                "bare",
                system.block_on(call(&bare_app, to_request(request))),
            ),
        ] {
            let answer = (answer.0, String::from_utf8_lossy(&answer.1).into_owned());
            assert_eq!(
                (answer.0, answer.1.as_str()),
                expected,
                "{app} {name}: unexpected answer"
            );
        }
    }

    // `FSA_BENCH_PROFILE=open:fsa` (route:app): that request in a loop,
    // nothing else, for a profiler (valgrind --tool=callgrind).
    if let Ok(target) = std::env::var("FSA_BENCH_PROFILE") {
        let (name, app) = target.split_once(':').unwrap_or((&target, "fsa"));
        let (_, request) = requests
            .iter()
            .find(|(n, _)| *n == name)
            .expect("FSA_BENCH_PROFILE: hello, open, group, basic or perm");
        let n: usize = std::env::var("FSA_BENCH_PROFILE_N")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(20_000);
        system.block_on(async {
            for _ in 0..n {
                let answer = if app == "bare" {
                    call(&bare_app, to_request(request)).await
                } else {
                    call(&fsa_app, to_request(request)).await
                };
                black_box(answer);
            }
        });
        return;
    }

    let mut criterion = Criterion::default().configure_from_args();
    for (name, request) in &requests {
        let mut group = criterion.benchmark_group(format!("pipeline/{name}"));
        group.bench_function("fsa", |b| {
            b.iter_batched(
                || to_request(request),
                |r| black_box(system.block_on(call(&fsa_app, r))),
                BatchSize::SmallInput,
            )
        });
        group.bench_function("bare", |b| {
            b.iter_batched(
                || to_request(request),
                |r| black_box(system.block_on(call(&bare_app, r))),
                BatchSize::SmallInput,
            )
        });
        group.finish();
    }
    criterion.final_summary();

    // Interleaved rounds, only when benchmarking (not under `cargo test`).
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rounds: usize = std::env::var("FSA_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(21);
    if rounds == 0 {
        return;
    }
    let mut times: Vec<[Vec<f64>; 2]> = requests.iter().map(|_| [vec![], vec![]]).collect();
    for round in 0..rounds {
        for (i, (name, request)) in requests.iter().enumerate() {
            let n = batch(name);
            // Alternate which application goes first.
            for which in [round % 2, 1 - round % 2] {
                let batch: Vec<Request> = (0..n).map(|_| to_request(request)).collect();
                let started = Instant::now();
                system.block_on(async {
                    for r in batch {
                        let answer = if which == 0 {
                            call(&fsa_app, r).await
                        } else {
                            call(&bare_app, r).await
                        };
                        black_box(answer);
                    }
                });
                times[i][which].push(started.elapsed().as_secs_f64() * 1e9 / n as f64);
            }
        }
    }
    println!("\ninterleaved rounds: {rounds}, median ns per request\n");
    println!("| route | fsa (ns) | bare (ns) | fsa / bare |");
    println!("|-------|---------:|----------:|-----------:|");
    for ((name, _), [fsa_times, bare_times]) in requests.iter().zip(times.iter_mut()) {
        let (f, b) = (median(fsa_times), median(bare_times));
        println!("| {name} | {f:.0} | {b:.0} | {:.2} |", f / b);
    }
}
