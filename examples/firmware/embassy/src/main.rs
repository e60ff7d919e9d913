//! Get Customer over HTTPS on a Cortex-M4, async: embassy on QEMU's mps2-an386.
//!
//! - **Executor**: embassy-executor's thread-mode executor on Cortex-M, no HAL; two
//!   spawned tasks: [`network`] (embassy-net's runner) and [`scenarios`] (the client).
//! - **Time**: embassy-time over our SysTick driver ([`time`]), a millisecond tick. The
//!   transport's deadlines go through its `Sleep` trait, implemented on embassy-time
//!   ([`EmbassyClock`]).
//! - **Network**: embassy-net (TCP, IPv4, a fixed address: no DHCP, no DNS) over the
//!   LAN9118 driver shared with the blocking HTTPS firmware (`drivers/lan9118`, feature
//!   `embassy`). Polled: the driver asks to be woken again a millisecond after it found no
//!   frame (a real board uses the controller's interrupt).
//! - **TLS and the call**: juspay-transport-embedded's `AsyncClient::connect_to` a fixed
//!   address with the endpoint `https://localhost`, so that the certificate is checked
//!   against `localhost` though no name is resolved; the sandboxes' two roots pinned.
//!
//! From the host, through semihosting (`juspay_firmware_harness::host`): the roots
//! (`p256-root.der`, `rsa-root.der`), 32 bytes of seed for the RNG (`seed.bin`) and the
//! time of day for certificate validity. A real board has its roots in flash, a TRNG and
//! an RTC. QEMU's user network forwards each sandbox port below to a loopback sandbox on
//! the host (`run.sh`: `restrict=on`, one `guestfwd` per port, nothing else reachable).
//!
//! Every buffer is static (`static_cell`), and so are the tasks' futures (embassy
//! allocates each task's storage statically): the stack holds only what a poll needs.
#![no_std]
#![no_main]

mod time;

use core::net::SocketAddr;
use core::time::Duration;

use cortex_m_rt::entry;
use embassy_executor::Executor;
use embassy_net::tcp::client::{TcpClient, TcpClientState};
use embassy_net::{Ipv4Cidr, Runner, Stack, StackResources, StaticConfigV4};
use embassy_time::Instant;
use juspay_core::GetCustomer;
use juspay_firmware_harness::checks;
use juspay_firmware_harness::checks::https::{
    self, DOCUMENTATION_CUSTOMER, Outcome, STALL_TIMEOUT_MS,
};
use juspay_firmware_harness::{Check, Report, ensure, fail, figure, host, stack};
use juspay_transport_embedded::{
    AsyncClient, CertificateDer, CertificateTime, Clock, Config, Connector, Error, Group, Sleep,
    TlsBuffers, TrustAnchor, trust_anchor,
};
use lan9118::embassy_driver::Device;
use lan9118::{FRAME_BYTES, Frame, Lan9118};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use static_cell::{ConstStaticCell, StaticCell};

use juspay_firmware_harness::checks::https::{
    API, API_KEY, BASE_URL, CALL_BUFFER, CHUNKED, CLOSE, FORGED, GATEWAY, GUEST, HELLO_RETRY,
    KEY_UPDATE, MERCHANT_ID, ROOTS_BUFFER, RSA, STALL, TCP_RX_BUFFER, TCP_TX_BUFFER, TIMEOUT_MS,
};

/// One TCP connection at a time, as the client keeps one.
type Tcp = TcpClient<'static, 1, TCP_TX_BUFFER, TCP_RX_BUFFER>;
type Connection<'c> = AsyncClient<'c, Tcp, EmbassyClock>;

/// embassy-time as the transport's clock: milliseconds for its deadlines, and
/// `embassy_time::Timer` to wait for one.
struct EmbassyClock;

impl Clock for EmbassyClock {
    fn now_ms(&self) -> u64 {
        Instant::now().as_millis()
    }
}

impl Sleep for EmbassyClock {
    async fn sleep_until(&self, deadline_ms: u64) {
        embassy_time::Timer::at(Instant::from_millis(deadline_ms)).await
    }
}

/// The first key share: P-256 is the faster of the two with p256-cortex-m4.
const P256: Group = Group::Secp256r1;

type BoardConnector = Connector<'static, Tcp, EmbassyClock, ChaCha20Rng>;

/// Everything a scenario needs, made once at start: what connections are made from, and
/// the call buffer apart from it, so that a scenario holds a connection and the buffer at
/// once.
struct Context {
    connector: BoardConnector,
    /// The sandboxes' endpoint (`https://localhost`) and credentials.
    config: Config<'static>,
    /// The host's time at start, seconds.
    now: u64,
    call: &'static mut [u8; CALL_BUFFER],
}

/// Connects to `server`: TCP, then a TLS 1.3 handshake with the certificate checked
/// against our two roots and `localhost`, under `config` with the deadline `timeout_ms`
/// and the first key share `group`. The configuration is borrowed and the one to use made
/// here: built at every call site instead, the scenarios' task took 8.7 KiB more stack.
async fn connect<'c>(
    connector: &'c mut BoardConnector,
    config: &Config<'static>,
    server: SocketAddr,
    timeout_ms: u64,
    group: Group,
) -> Result<Connection<'c>, Error> {
    let config = config
        .deadline(Duration::from_millis(timeout_ms))
        .key_share(group);
    AsyncClient::connect_to(connector, config, server).await
}

/// One call on `client`, its outcome handed to `check` with the buffer (free again once
/// the response is decoded).
async fn call(
    client: &mut Connection<'_>,
    request: &GetCustomer<'_>,
    buf: &mut [u8],
    check: impl FnOnce(&Outcome, &mut [u8]) -> Check,
) -> Check {
    let outcome = client.get_customer(request, buf).await;
    check(&outcome, buf)
}

/// The client of a connect that succeeded.
fn connected<'a, 'c>(
    connection: &'a mut Result<Connection<'c>, Error>,
) -> Result<&'a mut Connection<'c>, &'static str> {
    connection.as_mut().map_err(|_| "connect failed")
}

/// Closes the connection (close_notify, then FIN).
async fn close(connection: Result<Connection<'_>, Error>) {
    if let Ok(client) = connection {
        client.close().await;
    }
}

/// A fresh connection (P-256 chain), the documentation customer, printed as JSON.
async fn documentation_customer(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, &cx.config, API, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, buf| {
        https::documentation_customer(outcome)?;
        checks::print_json(checks::customer(outcome)?.0, buf)
    })
    .await?;
    close(connection).await;
    Ok(())
}

/// The token variant, chunked (a recorded response: extension and trailer).
async fn token_chunked(cx: &mut Context) -> Check {
    let now = cx.now;
    let mut connection = connect(&mut cx.connector, &cx.config, CHUNKED, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &https::TOKEN_CUSTOMER, cx.call, |outcome, _| {
        https::token_customer(outcome, now)
    })
    .await?;
    close(connection).await;
    Ok(())
}

/// An unknown id: 404 with the API's error body, and the connection still usable.
async fn not_found(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, &cx.config, API, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &https::UNKNOWN_CUSTOMER, cx.call, |outcome, _| {
        https::not_found(outcome)
    })
    .await?;
    ensure(client.is_reusable(), "client not reusable")?;
    close(connection).await;
    Ok(())
}

/// Two calls on one connection.
async fn kept_alive(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, &cx.config, API, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    let check = |outcome: &Outcome, _: &mut [u8]| https::documentation_customer(outcome);
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
    ensure(client.is_reusable(), "not reusable after the first call")?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
    close(connection).await;
    Ok(())
}

/// The server answers and closes: the next call on that connection says so, and a new
/// connection serves it.
async fn closed_then_reconnect(cx: &mut Context) -> Check {
    let check = |outcome: &Outcome, _: &mut [u8]| https::documentation_customer(outcome);
    {
        let mut connection = connect(&mut cx.connector, &cx.config, CLOSE, TIMEOUT_MS, P256).await;
        let client = connected(&mut connection)?;
        call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
        call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
            https::closed(outcome)
        })
        .await?;
        ensure(!client.is_reusable(), "still reusable")?;
    }
    let mut connection = connect(&mut cx.connector, &cx.config, CLOSE, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
    close(connection).await;
    Ok(())
}

/// A leaf signed by another site's certificate under our own root: refused in the
/// handshake, before a request could be written.
async fn forged_chain(cx: &mut Context) -> Check {
    https::forged_refused(&connect(&mut cx.connector, &cx.config, FORGED, TIMEOUT_MS, P256).await)
}

/// The server reads the request and never answers: the call ends at its deadline, which
/// the transport waits for through `Sleep` (embassy-time).
async fn stalled(cx: &mut Context) -> Check {
    let mut connection =
        connect(&mut cx.connector, &cx.config, STALL, STALL_TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    let start = Instant::now();
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::timed_out(outcome)
    })
    .await?;
    https::at_deadline(start.elapsed().as_millis())
}

/// A fresh connection with an RSA chain (RSA-4096 root, RSA-2048 intermediate and leaf,
/// rsa_pss_rsae_sha256 CertificateVerify), and the documentation customer.
async fn rsa_chain(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, &cx.config, RSA, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::documentation_customer(outcome)
    })
    .await?;
    close(connection).await;
    Ok(())
}

/// The server takes only X25519: our P-256 key share meets a HelloRetryRequest.
async fn hello_retry(cx: &mut Context) -> Check {
    let mut connection =
        connect(&mut cx.connector, &cx.config, HELLO_RETRY, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::documentation_customer(outcome)
    })
    .await?;
    close(connection).await;
    Ok(())
}

/// The server sends a KeyUpdate after each response; the second call still works.
/// `kept_alive` written out again rather than shared through an async helper: the helper's
/// future raised this firmware's stack peak by 1.9 KiB (17,920 -> 19,828, embassy/run.sh).
async fn key_update(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, &cx.config, KEY_UPDATE, TIMEOUT_MS, P256).await;
    let client = connected(&mut connection)?;
    let check = |outcome: &Outcome, _: &mut [u8]| https::documentation_customer(outcome);
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
    ensure(client.is_reusable(), "not reusable after the first call")?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check).await?;
    close(connection).await;
    Ok(())
}

/// A handshake whose key share is X25519 instead of P-256, with the server that takes
/// X25519 only (no retry: the first share is the one it wants).
async fn x25519_handshake(cx: &mut Context) -> Check {
    let mut connection = connect(
        &mut cx.connector,
        &cx.config,
        HELLO_RETRY,
        TIMEOUT_MS,
        Group::X25519,
    )
    .await;
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::documentation_customer(outcome)
    })
    .await?;
    close(connection).await;
    Ok(())
}

/// Runs a scenario with the executor's stack painted, and reports it: the stack figure is
/// everything that ran on the one stack meanwhile (this task's polls, the network task's,
/// SysTick), counted from its top. A macro rather than an async function taking the
/// scenario's future: the future is then awaited in place, not moved into a second one
/// (which made the task's static storage 19 KiB).
macro_rules! measured {
    ($report:ident, $name:expr, $scenario:expr $(,)?) => {{
        // With interrupts off: SysTick must not push a frame into what is being painted.
        let bottom = critical_section::with(|_| stack::paint());
        let outcome = $scenario.await;
        $report.scenario($name, outcome, stack::peak(bottom));
    }};
}

/// The client's task: waits for the network, runs every scenario, and ends the run.
#[embassy_executor::task]
async fn scenarios(network: Stack<'static>, cx: &'static mut Context, bottom: usize) {
    network.wait_config_up().await;
    // The stack used from reset until the network is up.
    figure("setup_stack_bytes", stack::peak(bottom) as u64);
    let mut report = Report::default();
    measured!(
        report,
        "documentation customer over a fresh connection (P-256 chain), as JSON",
        documentation_customer(cx),
    );
    measured!(report, "token variant, chunked", token_chunked(cx));
    measured!(report, "404 with the API's error body", not_found(cx));
    measured!(
        report,
        "two calls on one kept-alive connection",
        kept_alive(cx)
    );
    measured!(
        report,
        "server closes after a response: ConnectionClosed, then a reconnect",
        closed_then_reconnect(cx),
    );
    measured!(
        report,
        "forged chain refused before any request is sent",
        forged_chain(cx),
    );
    measured!(
        report,
        "stalled server: the call ends at its deadline",
        stalled(cx),
    );
    measured!(report, "RSA-2048 chain (RSA-4096 root)", rsa_chain(cx));
    measured!(
        report,
        "HelloRetryRequest: the server takes X25519 only",
        hello_retry(cx),
    );
    measured!(
        report,
        "KeyUpdate between two kept-alive calls",
        key_update(cx),
    );
    measured!(report, "X25519 key share first", x25519_handshake(cx));
    report.finish()
}

/// embassy-net's task: moves frames between the LAN9118 and the sockets.
#[embassy_executor::task]
async fn network(mut runner: Runner<'static, Device>) -> ! {
    runner.run().await
}

/// Brings up the board and the network: embassy-net's stack and runner, and the
/// scenarios' context.
fn start() -> Result<
    (
        Stack<'static>,
        Runner<'static, Device>,
        &'static mut Context,
    ),
    &'static str,
> {
    static ROOTS: ConstStaticCell<[u8; ROOTS_BUFFER]> = ConstStaticCell::new([0; ROOTS_BUFFER]);
    static ROOT_CERTIFICATES: StaticCell<[CertificateDer<'static>; 2]> = StaticCell::new();
    static ETH_RX: ConstStaticCell<Frame> = ConstStaticCell::new([0; FRAME_BYTES]);
    static ETH_TX: ConstStaticCell<Frame> = ConstStaticCell::new([0; FRAME_BYTES]);
    static RESOURCES: StaticCell<StackResources<1>> = StaticCell::new();
    static TCP: StaticCell<TcpClientState<1, TCP_TX_BUFFER, TCP_RX_BUFFER>> = StaticCell::new();
    static TLS: ConstStaticCell<TlsBuffers> = ConstStaticCell::new(TlsBuffers::new());
    static ANCHORS: StaticCell<[TrustAnchor<'static>; 2]> = StaticCell::new();
    static CALL: ConstStaticCell<[u8; CALL_BUFFER]> = ConstStaticCell::new([0; CALL_BUFFER]);
    static CONTEXT: StaticCell<Context> = StaticCell::new();
    // The buffers: `ConstStaticCell`, zeroed in .bss, so that no 16 KiB array is built on
    // the stack to be moved into its static (`StaticCell::init` would).

    let peripherals = cortex_m::Peripherals::take().ok_or("peripherals taken")?;
    time::start(peripherals.SYST);

    let mut seed = [0u8; 32];
    ensure(
        host::read(c"seed.bin", &mut seed) == Some(seed.len()),
        "seed.bin: 32 bytes wanted",
    )?;
    let now = host::unix_time();
    let roots = ROOTS.take();
    let (p256_root, rest) = host::read_file(c"p256-root.der", roots)?;
    let (rsa_root, _) = host::read_file(c"rsa-root.der", rest)?;
    let [p256_root, rsa_root] = ROOT_CERTIFICATES.init([
        CertificateDer::from(p256_root),
        CertificateDer::from(rsa_root),
    ]);
    let anchors = [
        trust_anchor(p256_root).map_err(|_| "p256-root.der is not a root")?,
        trust_anchor(rsa_root).map_err(|_| "rsa-root.der is not a root")?,
    ];

    // SAFETY: the LAN9118 at its mps2 address; nothing else drives it.
    let lan = unsafe { Lan9118::new(lan9118::MPS2_BASE) }
        .map_err(|_| "no LAN9118 (QEMU needs -nic user,model=lan9118)")?;
    let device = Device::new(lan, ETH_RX.take(), ETH_TX.take());
    let config = embassy_net::Config::ipv4_static(StaticConfigV4 {
        address: Ipv4Cidr::new(GUEST, 24),
        gateway: Some(GATEWAY),
        dns_servers: Default::default(),
    });
    // The seed also picks TCP's initial sequence numbers and local ports: different on
    // every boot.
    let [s0, s1, s2, s3, s4, s5, s6, s7, ..] = seed;
    let (stack, runner) = embassy_net::new(
        device,
        config,
        RESOURCES.init(StackResources::new()),
        u64::from_le_bytes([s0, s1, s2, s3, s4, s5, s6, s7]),
    );

    let config = Config::new(BASE_URL, API_KEY, MERCHANT_ID)
        .map_err(|_| "base URL or credentials")?
        .deadline(Duration::from_millis(TIMEOUT_MS));
    let context = Context {
        connector: Connector::new(
            TcpClient::new(stack, TCP.init(TcpClientState::new())),
            EmbassyClock,
            ChaCha20Rng::from_seed(seed),
            TLS.take(),
            &ANCHORS.init(anchors)[..],
            CertificateTime::Now(now),
        ),
        config,
        now,
        call: CALL.take(),
    };
    Ok((stack, runner, CONTEXT.init(context)))
}

#[entry]
fn main() -> ! {
    static EXECUTOR: StaticCell<Executor> = StaticCell::new();
    // Painted once here, before SysTick starts; each scenario paints again.
    let bottom = stack::paint();
    let (stack, runner, context) = start().unwrap_or_else(|what| fail(what));
    EXECUTOR.init(Executor::new()).run(|spawner| {
        match network(runner) {
            Ok(task) => spawner.spawn(task),
            Err(_) => fail("network task"),
        }
        match scenarios(stack, context, bottom) {
            Ok(task) => spawner.spawn(task),
            Err(_) => fail("scenarios task"),
        }
    })
}
