//! Concurrent callers for a fixed time against one sandbox, over loopback TLS: our
//! blocking client (threads sharing one `Client`), our tokio client (tasks sharing one
//! `AsyncClient`), reqwest (rustls, pooled) + serde_json (tasks sharing one
//! `reqwest::Client`) and ureq (threads sharing one `Agent`) + serde_json. Every
//! contender keeps up to [`MAX_IDLE`] idle connections, so that none pays handshakes the
//! others do not; each caller makes one call before the clock starts (its connection).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use juspay_core::GetCustomer;
use juspay_sandbox::{DEMO_MERCHANT_ID, Sandbox};
use juspay_transport_std::AsyncClient;

use crate::alloc_counter::{count_live_bytes_on_this_thread, live_bytes};
use crate::e2e::{
    CUSTOMER_ID, MAX_IDLE, authorization, juspay_call, juspay_client, juspay_config, ureq_call,
};
use crate::{OwnedCustomer, ureq_agent};

/// The clients side by side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contender {
    /// juspay-transport-std's `Client`, one per run, shared by the caller threads.
    Blocking,
    /// juspay-transport-std's `AsyncClient`, shared by tasks on a 2-thread tokio runtime.
    Tokio,
    /// reqwest 0.12 (rustls, ring) + serde_json, shared by tasks on the same runtime.
    Reqwest,
    /// ureq 3 (rustls, ring) `Agent` + serde_json, shared by the caller threads.
    Ureq,
}

impl Contender {
    /// Every contender, in the report's order.
    pub const ALL: [Contender; 4] = [
        Contender::Blocking,
        Contender::Tokio,
        Contender::Reqwest,
        Contender::Ureq,
    ];

    /// Its name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Contender::Blocking => "juspay Client (threads)",
            Contender::Tokio => "juspay AsyncClient (tokio)",
            Contender::Reqwest => "reqwest + serde_json (tokio)",
            Contender::Ureq => "ureq Agent + serde_json (threads)",
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Figures {
    /// Calls completed in the run.
    pub calls: usize,
    /// Calls per second.
    pub requests_per_second: f64,
    /// Median call latency.
    pub p50: Duration,
    /// 99th percentile call latency.
    pub p99: Duration,
}

impl Figures {
    /// Each figure's median over `runs` (the calls: their sum).
    pub fn median(runs: &[Figures]) -> Figures {
        fn median<T: Copy + PartialOrd>(mut values: Vec<T>) -> T {
            values.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            values[values.len() / 2]
        }
        Figures {
            calls: runs.iter().map(|run| run.calls).sum(),
            requests_per_second: median(runs.iter().map(|run| run.requests_per_second).collect()),
            p50: median(runs.iter().map(|run| run.p50).collect()),
            p99: median(runs.iter().map(|run| run.p99).collect()),
        }
    }
}

/// `callers` callers of `contender` calling for `duration`.
pub fn run(contender: Contender, sandbox: &Sandbox, callers: usize, duration: Duration) -> Figures {
    match contender {
        Contender::Blocking => {
            let client = juspay_client(sandbox);
            threads(callers, duration, || juspay_call(&client))
        }
        Contender::Ureq => {
            let agent = ureq_agent(sandbox);
            threads(callers, duration, || ureq_call(&agent, sandbox))
        }
        Contender::Tokio => {
            let runtime = runtime();
            let client = juspay_async_client(sandbox);
            tasks(&runtime, callers, duration, move || {
                let client = client.clone();
                async move { juspay_async_call(&client).await }
            })
        }
        Contender::Reqwest => {
            let runtime = runtime();
            let client = reqwest_client(sandbox);
            let url = Arc::new(url(sandbox));
            tasks(&runtime, callers, duration, move || {
                let (client, url) = (client.clone(), url.clone());
                async move { reqwest_call(&client, &url).await }
            })
        }
    }
}

/// The heap an idle pooled connection holds, in bytes: what the client's threads hold
/// after `connections` callers called side by side (and left their connections in the
/// pool), less what they held with one connection, per connection the server saw opened.
/// Only meaningful in a program whose global allocator is
/// [`Counting`](crate::alloc_counter::Counting).
pub fn idle_connection_bytes(contender: Contender, sandbox: &Sandbox, connections: usize) -> f64 {
    count_live_bytes_on_this_thread();
    // What the client holds, and the connections open (as the server counts them).
    let state = || (live_bytes(), sandbox.open_connections());
    let per_connection = |(bytes_before, open_before): (i64, usize),
                          (bytes, open): (i64, usize)| {
        (bytes - bytes_before) as f64 / open.saturating_sub(open_before).max(1) as f64
    };
    match contender {
        Contender::Blocking => {
            let client = juspay_client(sandbox);
            juspay_call(&client);
            let before = state();
            side_by_side(connections, || juspay_call(&client));
            per_connection(before, state())
        }
        Contender::Ureq => {
            let agent = ureq_agent(sandbox);
            ureq_call(&agent, sandbox);
            let before = state();
            side_by_side(connections, || ureq_call(&agent, sandbox));
            per_connection(before, state())
        }
        Contender::Tokio => {
            let runtime = runtime();
            let client = juspay_async_client(sandbox);
            runtime.block_on(juspay_async_call(&client));
            let before = state();
            runtime.block_on(tasks_side_by_side(connections, || {
                let client = client.clone();
                async move { juspay_async_call(&client).await }
            }));
            per_connection(before, state())
        }
        Contender::Reqwest => {
            let runtime = runtime();
            let client = reqwest_client(sandbox);
            let url = Arc::new(url(sandbox));
            runtime.block_on(reqwest_call(&client, &url));
            let before = state();
            runtime.block_on(tasks_side_by_side(connections, || {
                let (client, url) = (client.clone(), url.clone());
                async move { reqwest_call(&client, &url).await }
            }));
            per_connection(before, state())
        }
    }
}

/// A 2-thread tokio runtime (the machine's cores) whose threads' heap is counted.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(count_live_bytes_on_this_thread)
        .build()
        .expect("a tokio runtime")
}

/// `callers` threads, each calling `call` once at the same time.
fn side_by_side(callers: usize, call: impl Fn() + Sync) {
    let barrier = std::sync::Barrier::new(callers);
    std::thread::scope(|scope| {
        for _ in 0..callers {
            scope.spawn(|| {
                count_live_bytes_on_this_thread();
                barrier.wait();
                call();
            });
        }
    });
}

/// `callers` tasks, each running `call()` once at the same time.
async fn tasks_side_by_side<F, C>(callers: usize, call: C)
where
    C: Fn() -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let barrier = Arc::new(tokio::sync::Barrier::new(callers));
    let tasks: Vec<_> = (0..callers)
        .map(|_| {
            let (barrier, call) = (barrier.clone(), call());
            tokio::spawn(async move {
                barrier.wait().await;
                call.await;
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("no panic");
    }
}

fn threads(callers: usize, duration: Duration, call: impl Fn() + Sync) -> Figures {
    side_by_side(callers, &call);
    let started = Instant::now();
    let end = started + duration;
    let latencies: Vec<Vec<Duration>> = std::thread::scope(|scope| {
        let callers: Vec<_> = (0..callers)
            .map(|_| {
                scope.spawn(|| {
                    let mut latencies = Vec::with_capacity(100_000);
                    while Instant::now() < end {
                        let call_started = Instant::now();
                        call();
                        latencies.push(call_started.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        callers
            .into_iter()
            .map(|caller| caller.join().expect("no panic"))
            .collect()
    });
    figures(latencies, started.elapsed())
}

fn tasks<F, C>(
    runtime: &tokio::runtime::Runtime,
    callers: usize,
    duration: Duration,
    call: C,
) -> Figures
where
    C: Fn() -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    runtime.block_on(async move {
        tasks_side_by_side(callers, &call).await;
        let call = Arc::new(call);
        let started = Instant::now();
        let end = started + duration;
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let call = call.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(100_000);
                    while Instant::now() < end {
                        let call_started = Instant::now();
                        call().await;
                        latencies.push(call_started.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::new();
        for task in tasks {
            latencies.push(task.await.expect("no panic"));
        }
        figures(latencies, started.elapsed())
    })
}

fn figures(latencies: Vec<Vec<Duration>>, elapsed: Duration) -> Figures {
    let mut all: Vec<Duration> = latencies.into_iter().flatten().collect();
    all.sort_unstable();
    let at = |quantile: f64| {
        let index = ((all.len() as f64 * quantile) as usize).min(all.len().saturating_sub(1));
        all.get(index).copied().unwrap_or_default()
    };
    Figures {
        calls: all.len(),
        requests_per_second: all.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn url(sandbox: &Sandbox) -> String {
    format!("{}/customers/{CUSTOMER_ID}", sandbox.base_url())
}

fn juspay_async_client(sandbox: &Sandbox) -> AsyncClient {
    AsyncClient::new(juspay_config(sandbox)).expect("sandbox config is valid")
}

async fn juspay_async_call(client: &AsyncClient) {
    let customer = client
        .get_customer(&GetCustomer::new(CUSTOMER_ID))
        .await
        .expect("sandbox answers");
    assert_eq!(customer.id, CUSTOMER_ID);
}

fn reqwest_client(sandbox: &Sandbox) -> reqwest::Client {
    let root = reqwest::Certificate::from_der(sandbox.ca_der().as_ref()).expect("DER");
    reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(root)
        .pool_max_idle_per_host(MAX_IDLE)
        .build()
        .expect("a reqwest client")
}

async fn reqwest_call(client: &reqwest::Client, url: &str) {
    let response = client
        .get(url)
        .header("Authorization", authorization())
        .header("x-merchantid", DEMO_MERCHANT_ID)
        .header("x-routing-id", CUSTOMER_ID)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("sandbox answers");
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.expect("body");
    let customer: OwnedCustomer = serde_json::from_slice(&body).expect("customer JSON");
    assert_eq!(customer.id, CUSTOMER_ID);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A smoke check that every contender runs and is counted; the figures come from the
    /// report.
    #[test]
    fn every_contender_makes_calls_side_by_side() {
        let sandbox = Sandbox::start().unwrap();
        for contender in Contender::ALL {
            let figures = run(contender, &sandbox, 2, Duration::from_millis(100));
            assert!(figures.calls > 0, "{contender:?}");
            assert!(figures.p50 <= figures.p99, "{contender:?}");
        }
    }
}
