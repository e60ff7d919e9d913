//! Runs every pair side by side in this one process and prints markdown tables and the
//! summary lines: decode_ratio, decode_allocs_juspay, keepalive_ratio, cold_ratio; then
//! 1, 8 and 64 concurrent callers for a fixed time per contender (see juspay_bench::concurrent:
//! four contenders), the heap of an idle pooled connection, and concurrent_ratio_reqwest_64,
//! concurrent_ratio_ureq_64, p99_ratio_reqwest_64.
//!
//! `cargo run --release -p juspay-bench --bin report -- --quick` (under a minute on 2 cores;
//! the full run about 2 minutes); `--concurrent` runs the concurrent callers only.
//! Each pair alternates the two sides round by round and compares medians, so that noise
//! from the machine falls on both.

use std::hint::black_box;
use std::time::{Duration, Instant};

use juspay_bench::alloc_counter::{Counting, per_call};
use juspay_bench::concurrent::{self, Contender};
use juspay_bench::{VECTORS, baseline_decode, baseline_encode, e2e, juspay_decode, juspay_encode};
use juspay_core::{Credentials, Customer, GetCustomer};
use juspay_sandbox::Sandbox;

#[global_allocator]
static ALLOCATOR: Counting = Counting;

struct Plan {
    rounds: usize,
    /// How long each contender calls, at each number of callers, in all.
    concurrent_for: Duration,
    /// In how many rounds, the contenders taking turns (the medians are reported).
    concurrent_rounds: u32,
    decode_iterations: u32,
    keepalive_calls: u32,
    cold_calls: u32,
}

/// Median of per-round times for `a` and `b`, alternating which goes first.
fn paired(
    rounds: usize,
    mut a: impl FnMut() -> Duration,
    mut b: impl FnMut() -> Duration,
) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            ta.push(a());
            tb.push(b());
        } else {
            tb.push(b());
            ta.push(a());
        }
    }
    (median(ta), median(tb))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time(iterations: u32, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    start.elapsed() / iterations
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let plan = if quick {
        Plan {
            rounds: 11,
            concurrent_for: Duration::from_secs(1),
            concurrent_rounds: 5,
            decode_iterations: 100_000,
            keepalive_calls: 1_000,
            cold_calls: 30,
        }
    } else {
        Plan {
            rounds: 21,
            concurrent_for: Duration::from_secs(3),
            concurrent_rounds: 10,
            decode_iterations: 300_000,
            keepalive_calls: 5_000,
            cold_calls: 100,
        }
    };
    // `--concurrent`: only the concurrent callers and the idle-connection heap.
    if std::env::args().any(|a| a == "--concurrent") {
        let sandbox = Sandbox::start().expect("sandbox starts");
        concurrent_callers(&sandbox, plan.concurrent_for, plan.concurrent_rounds);
        return;
    }
    let mut rows = Vec::new();
    let (mut decode_ours, mut decode_theirs) = (Duration::ZERO, Duration::ZERO);
    let mut decode_allocs_juspay = 0.0f64;

    // Decoding: response bytes to a customer.
    for (name, bytes) in VECTORS {
        let mut buf = vec![0u8; 4096];
        let mut customer = Customer::default();
        let (ours, theirs) = paired(
            plan.rounds,
            || {
                time(plan.decode_iterations, || {
                    assert!(juspay_decode(black_box(bytes), &mut buf, &mut customer))
                })
            },
            || {
                time(plan.decode_iterations, || {
                    assert!(baseline_decode(black_box(bytes)).is_some())
                })
            },
        );
        let (our_allocs, our_bytes) = per_call(1000, || {
            assert!(juspay_decode(black_box(bytes), &mut buf, &mut customer))
        });
        let (their_allocs, their_bytes) = per_call(1000, || {
            assert!(baseline_decode(black_box(bytes)).is_some())
        });
        decode_allocs_juspay = decode_allocs_juspay.max(our_allocs);
        decode_ours += ours;
        decode_theirs += theirs;
        rows.push(format!(
            "| decode {name} | {:.0} ns | {:.0} ns | {:.2} | {our_allocs:.0} / {our_bytes:.0} B | {their_allocs:.0} / {their_bytes:.0} B |",
            ours.as_nanos(), theirs.as_nanos(), ours.as_secs_f64() / theirs.as_secs_f64()
        ));
    }

    // Encoding the request.
    let credentials = Credentials::new("my_api_key", "merchant_1").expect("valid");
    let request = GetCustomer::new("customer@gmail.com").client_auth_token(true);
    let mut out = [0u8; 1024];
    let (ours, theirs) = paired(
        plan.rounds,
        || {
            time(plan.decode_iterations, || {
                assert!(juspay_encode(black_box(&request), &credentials, &mut out) > 0)
            })
        },
        || {
            time(plan.decode_iterations, || {
                assert!(
                    !baseline_encode(
                        black_box("customer@gmail.com"),
                        "my_api_key",
                        "merchant_1",
                        true
                    )
                    .is_empty()
                )
            })
        },
    );
    let (our_allocs, our_bytes) = per_call(1000, || {
        assert!(juspay_encode(&request, &credentials, &mut out) > 0)
    });
    let (their_allocs, their_bytes) = per_call(1000, || {
        assert!(!baseline_encode("customer@gmail.com", "my_api_key", "merchant_1", true).is_empty())
    });
    rows.push(format!(
        "| encode request | {:.0} ns | {:.0} ns | {:.2} | {our_allocs:.0} / {our_bytes:.0} B | {their_allocs:.0} / {their_bytes:.0} B |",
        ours.as_nanos(), theirs.as_nanos(), ours.as_secs_f64() / theirs.as_secs_f64()
    ));

    // End to end over loopback TLS, one sandbox for both sides.
    let sandbox = Sandbox::start().expect("sandbox starts");
    let (ours, theirs) = paired(
        plan.rounds,
        || e2e::juspay_keepalive(&sandbox, plan.keepalive_calls),
        || e2e::ureq_keepalive(&sandbox, plan.keepalive_calls),
    );
    let ours_rps = f64::from(plan.keepalive_calls) / ours.as_secs_f64();
    let theirs_rps = f64::from(plan.keepalive_calls) / theirs.as_secs_f64();
    let keepalive_ratio = ours_rps / theirs_rps;
    rows.push(format!(
        "| kept-alive connection, requests/s | {ours_rps:.0} | {theirs_rps:.0} | {keepalive_ratio:.2} | | |"
    ));
    let (ours, theirs) = paired(
        plan.rounds,
        || e2e::juspay_cold(&sandbox, plan.cold_calls) / plan.cold_calls,
        || e2e::ureq_cold(&sandbox, plan.cold_calls) / plan.cold_calls,
    );
    let cold_ratio = ours.as_secs_f64() / theirs.as_secs_f64();
    rows.push(format!(
        "| fresh connection (TLS handshake + call), latency | {:.0} µs | {:.0} µs | {cold_ratio:.2} | | |",
        ours.as_secs_f64() * 1e6,
        theirs.as_secs_f64() * 1e6
    ));

    println!(
        "| pair | juspay | baseline | ratio (juspay ÷ baseline) | juspay allocs / bytes | baseline allocs / bytes |"
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
    println!(
        "baseline: httparse + serde_json (String fields) for decode and encode; ureq 3 (rustls, ring) + serde_json end to end"
    );
    // Over both vectors: the time to decode one of each, ours against the baseline's.
    let decode_ratio = decode_ours.as_secs_f64() / decode_theirs.as_secs_f64();
    println!("decode_ratio={decode_ratio:.3}");
    println!("decode_allocs_juspay={decode_allocs_juspay:.0}");
    println!("keepalive_ratio={keepalive_ratio:.3}");
    println!("cold_ratio={cold_ratio:.3}");

    concurrent_callers(&sandbox, plan.concurrent_for, plan.concurrent_rounds);
}

/// Concurrent callers sharing one client, per contender, and the heap an idle pooled
/// connection holds. The contenders take turns, round by round (each round in another
/// order), and each figure is the median over the rounds, so that a burst of load from
/// elsewhere on the machine falls on all of them.
fn concurrent_callers(sandbox: &Sandbox, duration: Duration, rounds: u32) {
    println!();
    println!(
        "| concurrent callers ({} s each, {rounds} rounds) | contender | requests/s | p50 | p99 |",
        duration.as_secs_f64()
    );
    println!("|---|---|---|---|---|");
    let mut at_64 = Vec::new();
    for callers in [1, 8, 64] {
        let mut runs: Vec<Vec<concurrent::Figures>> = vec![Vec::new(); Contender::ALL.len()];
        for round in 0..rounds as usize {
            for turn in 0..Contender::ALL.len() {
                let index = (turn + round) % Contender::ALL.len();
                let contender = Contender::ALL[index];
                runs[index].push(concurrent::run(
                    contender,
                    sandbox,
                    callers,
                    duration / rounds,
                ));
            }
        }
        for (contender, runs) in Contender::ALL.into_iter().zip(runs) {
            let figures = concurrent::Figures::median(&runs);
            println!(
                "| {callers} | {} | {:.0} | {:.0} µs | {:.0} µs |",
                contender.name(),
                figures.requests_per_second,
                figures.p50.as_secs_f64() * 1e6,
                figures.p99.as_secs_f64() * 1e6
            );
            if callers == 64 {
                at_64.push((contender, figures));
            }
        }
    }
    let figures = |wanted| {
        at_64
            .iter()
            .find(|(contender, _)| *contender == wanted)
            .map(|(_, figures)| *figures)
            .expect("every contender ran")
    };
    let (blocking, tokio) = (figures(Contender::Blocking), figures(Contender::Tokio));
    let (reqwest, ureq) = (figures(Contender::Reqwest), figures(Contender::Ureq));

    println!();
    println!("| heap of one idle pooled connection (16 opened side by side) | bytes |");
    println!("|---|---|");
    let mut idle_bytes = Vec::new();
    for contender in Contender::ALL {
        let bytes = concurrent::idle_connection_bytes(contender, sandbox, 16);
        println!("| {} | {bytes:.0} |", contender.name());
        idle_bytes.push(bytes);
    }
    println!();
    for (contender, bytes) in Contender::ALL.iter().zip(idle_bytes) {
        let key = format!("{contender:?}").to_lowercase();
        println!("idle_connection_bytes_{key}={bytes:.0}");
    }
    println!(
        "concurrent_rps_64: blocking={:.0} tokio={:.0} reqwest={:.0} ureq={:.0}",
        blocking.requests_per_second,
        tokio.requests_per_second,
        reqwest.requests_per_second,
        ureq.requests_per_second
    );
    // Our tokio client against reqwest, our blocking client against ureq: each against the
    // other of its I/O model.
    println!(
        "concurrent_ratio_reqwest_64={:.3}",
        tokio.requests_per_second / reqwest.requests_per_second
    );
    println!(
        "concurrent_ratio_ureq_64={:.3}",
        blocking.requests_per_second / ureq.requests_per_second
    );
    println!(
        "p99_ratio_reqwest_64={:.3}",
        tokio.p99.as_secs_f64() / reqwest.p99.as_secs_f64()
    );
}
