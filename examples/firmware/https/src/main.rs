//! The customer API over HTTPS on a Cortex-M4: the whole call on the microcontroller,
//! Get and the kiosk's get-or-create and token refresh.
//!
//! QEMU's mps2-an386 (Cortex-M4F) with its LAN9118 Ethernet controller (`drivers/lan9118`,
//! our polled driver, shared with the embassy firmware), TCP/IP by smoltcp with a thin embedded-nal adapter ([`net`]), and
//! juspay-transport-embedded: our TLS client (juspay-tls, TLS 1.3 and 1.2) with its
//! certificate verification, juspay-core's driver. QEMU's user network forwards each sandbox port below to a loopback sandbox on
//! the host (`run.sh`: `restrict=on`, one `guestfwd` per port, nothing else reachable).
//!
//! From the host, through semihosting: the roots to pin (`p256-root.der`,
//! `rsa-root.der`), 32 bytes of seed for the RNG (`seed.bin`) and the time of day for
//! certificate validity. A real board has its roots in flash, a TRNG and an RTC.
//!
//! Each scenario is checked here, on the target; the instruction counts (QEMU
//! `-icount shift=0`, see [`clock`]) are printed as `key=value` lines for `run.sh`.
#![no_std]
#![no_main]

mod clock;
mod net;

use core::net::SocketAddr;
use core::ptr::addr_of_mut;
use core::time::Duration;

use cortex_m_rt::entry;
use juspay_core::{ClientAuthToken, GetCustomer, Timestamp};
use juspay_firmware_harness::checks;
use juspay_firmware_harness::checks::https::{
    self, DOCUMENTATION_CUSTOMER, Outcome, STALL_TIMEOUT_MS,
};
use juspay_firmware_harness::{
    Check, ScenarioWith, ensure, fail, figure, host, instructions, stack,
};
use juspay_transport_embedded::{
    Buffers, CertificateDer, CertificateTime, Client, Config, Connector, Der, Error, Group,
    TLS_READ_BUFFER, TrustAnchor, trust_anchor,
};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use smoltcp::iface::{Interface, SocketSet, SocketStorage};
use smoltcp::socket::tcp;
use smoltcp::wire::{HardwareAddress, IpCidr};

use crate::net::{BoardClock, Network, Stack, Tcp};
use lan9118::smoltcp_phy::Device;
use lan9118::{Frame, Lan9118};

use juspay_firmware_harness::checks::https::{
    ANCHORS_BUFFER, API, API_KEY, BASE_URL, CALL_BUFFER, CHUNKED, CLOSE, FORGED, GATEWAY, GUEST,
    HELLO_RETRY, KEY_UPDATE, MERCHANT_ID, RSA, STALL, TCP_RX_BUFFER, TCP_TX_BUFFER, TIMEOUT_MS,
    TLS_SEND_BUFFER, TLS12,
};

// The large buffers, as statics so that they count as static RAM, and by name. `main`
// takes each once (`take`).
static mut TLS_READ: [u8; TLS_READ_BUFFER] = [0; TLS_READ_BUFFER];
static mut TLS_WRITE: [u8; TLS_SEND_BUFFER] = [0; TLS_SEND_BUFFER];
static mut CALL: [u8; CALL_BUFFER] = [0; CALL_BUFFER];
static mut TCP_RX: [u8; TCP_RX_BUFFER] = [0; TCP_RX_BUFFER];
static mut TCP_TX: [u8; TCP_TX_BUFFER] = [0; TCP_TX_BUFFER];
static mut ETH_RX: Frame = [0; lan9118::FRAME_BYTES];
static mut ETH_TX: Frame = [0; lan9118::FRAME_BYTES];
static mut ANCHOR_BYTES: [u8; ANCHORS_BUFFER] = [0; ANCHORS_BUFFER];
static mut SOCKETS: [SocketStorage<'static>; 1] = [SocketStorage::EMPTY];

/// The one `&'static mut` to a static buffer.
macro_rules! take {
    ($name:ident) => {
        // SAFETY: `main` runs once and takes each static once; nothing else names them.
        unsafe { &mut *addr_of_mut!($name) }
    };
}

type Connection<'c> = Client<'c, Tcp<'static>, BoardClock<'static>>;
type BoardConnector = Connector<'static, Tcp<'static>, BoardClock<'static>, ChaCha20Rng>;

/// Everything a scenario needs, made once by `main`: what connections are made from, and
/// the call buffer apart from it, so that a scenario holds a connection and the buffer at
/// once.
struct Context {
    connector: BoardConnector,
    /// The sandboxes' endpoint (`https://localhost`), credentials, deadline, and P-256 as
    /// the first key share.
    config: Config<'static>,
    network: &'static Network,
    /// The host's time at start, seconds.
    now: u64,
    call: &'static mut [u8; CALL_BUFFER],
}

/// Connects to `server`: TCP, then a TLS 1.3 handshake with the certificate checked
/// against our two roots and `localhost`. Out of line, and the connection returned as it
/// is built: no copy of it under the handshake.
#[inline(never)]
fn connect<'c>(
    connector: &'c mut BoardConnector,
    config: Config<'static>,
    server: SocketAddr,
) -> Result<Connection<'c>, Error> {
    Client::connect_to(connector, config, server)
}

/// One call on `client`, its outcome handed to `check` with the buffer (free again once
/// the response is decoded). In a frame of its own: a `Reply` is 1.2 KiB, which the
/// handshake's deep stack need not carry.
#[inline(never)]
fn call(
    client: &mut Connection<'_>,
    request: &GetCustomer<'_>,
    buf: &mut [u8],
    check: impl FnOnce(&Outcome, &mut [u8]) -> Check,
) -> Check {
    let outcome = client.get_customer(request, buf);
    check(&outcome, buf)
}

/// The client of a connect that succeeded.
fn connected<'a, 'c>(
    connection: &'a mut Result<Connection<'c>, Error>,
) -> Result<&'a mut Connection<'c>, &'static str> {
    connection.as_mut().map_err(|_| "connect failed")
}

/// Closes the connection (close_notify, then FIN). Out of line and through `&mut`:
/// moving the client out of the connect's result copies its 1.3 KiB, which belongs in
/// this frame, not in the scenario's (the handshake stacks on that one).
#[inline(never)]
fn close(connection: &mut Result<Connection<'_>, Error>) {
    // What stays behind is a placeholder: the connection is gone.
    if let Ok(client) = core::mem::replace(connection, Err(Error::Timeout)) {
        client.close();
    }
}

/// A fresh connection (P-256 chain), the documentation customer, printed as JSON.
fn documentation_customer(cx: &mut Context) -> Check {
    let network = cx.network;
    network.start_work();
    let mut connection = connect(&mut cx.connector, cx.config, API);
    let client = connected(&mut connection)?;
    figure("handshake_instructions_p256", network.work_instructions());
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, buf| {
        https::documentation_customer(outcome)?;
        // What a kiosk would log or hand on: the customer as JSON.
        checks::print_json(checks::customer(outcome)?.0, buf)
    })?;
    close(&mut connection);
    Ok(())
}

/// The token variant, chunked (a recorded response: extension and trailer).
fn token_chunked(cx: &mut Context) -> Check {
    let now = cx.now;
    let mut connection = connect(&mut cx.connector, cx.config, CHUNKED);
    let client = connected(&mut connection)?;
    call(client, &https::TOKEN_CUSTOMER, cx.call, |outcome, _| {
        https::token_customer(outcome, now)
    })?;
    close(&mut connection);
    Ok(())
}

/// An unknown id: 404 with the API's error body, and the connection still usable.
fn not_found(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, cx.config, API);
    let client = connected(&mut connection)?;
    call(client, &https::UNKNOWN_CUSTOMER, cx.call, |outcome, _| {
        https::not_found(outcome)
    })?;
    ensure(client.is_reusable(), "client not reusable")?;
    close(&mut connection);
    Ok(())
}

/// Two calls on one connection; the second one's instructions.
fn kept_alive(cx: &mut Context) -> Check {
    let network = cx.network;
    let mut connection = connect(&mut cx.connector, cx.config, API);
    let client = connected(&mut connection)?;
    let check = |outcome: &Outcome, _: &mut [u8]| https::documentation_customer(outcome);
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check)?;
    ensure(client.is_reusable(), "not reusable after the first call")?;
    network.measure(|| call(client, &DOCUMENTATION_CUSTOMER, cx.call, check))?;
    figure("call_instructions_kept_alive", network.work_instructions());
    close(&mut connection);
    Ok(())
}

/// The server answers and closes: the next call on that connection says so, and a new
/// connection serves it.
fn closed_then_reconnect(cx: &mut Context) -> Check {
    {
        let mut connection = connect(&mut cx.connector, cx.config, CLOSE);
        let client = connected(&mut connection)?;
        call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
            https::documentation_customer(outcome)
        })?;
        call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
            https::closed(outcome)
        })?;
        ensure(!client.is_reusable(), "still reusable")?;
    }
    let mut connection = connect(&mut cx.connector, cx.config, CLOSE);
    let client = connected(&mut connection)?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::documentation_customer(outcome)
    })?;
    close(&mut connection);
    Ok(())
}

/// The kiosk: get-or-create for a shopper the sandbox does not know (Get, then Create),
/// again (found by one Get, the same id), then the client auth token: kept while it is
/// good for the margin, fetched anew (one Get) when it is not. All on one connection.
fn kiosk(cx: &mut Context) -> Check {
    let network = cx.network;
    let start = cx.now;
    let mut connection = connect(&mut cx.connector, cx.config, API);
    let client = connected(&mut connection)?;
    let created = network.measure(|| kiosk_created(client, cx.call, start))?;
    figure("get_or_create_instructions", network.work_instructions());
    kiosk_found_and_token(client, cx.call, start, &created)?;
    close(&mut connection);
    Ok(())
}

/// The first get-or-create: the new customer's id. In a frame of its own, as [`call`].
#[inline(never)]
fn kiosk_created(
    client: &mut Connection<'_>,
    buf: &mut [u8],
    start: u64,
) -> Result<juspay_core::heapless::String<64>, &'static str> {
    let outcome = client.get_or_create(&https::KIOSK, buf);
    let now = start + clock::millis() / 1_000;
    Ok(https::kiosk_customer(&outcome, now)?.id.clone())
}

/// The second get-or-create finds `created`; its token is kept for the margin and
/// refreshed for a margin longer than a token lives. Each refresh in a frame of its own
/// ([`kiosk_refresh`]): only the found customer's reply stays here under the calls.
#[inline(never)]
fn kiosk_found_and_token(
    client: &mut Connection<'_>,
    buf: &mut [u8],
    start: u64,
    created: &str,
) -> Check {
    let outcome = client.get_or_create(&https::KIOSK, buf);
    let seconds = start + clock::millis() / 1_000;
    let customer = https::kiosk_customer(&outcome, seconds)?;
    ensure(
        customer.id == created,
        "the second get-or-create made another",
    )?;
    let now = Timestamp::from_unix_seconds(seconds as i64);
    ensure(
        kiosk_refresh(client, customer, now, https::TOKEN_MARGIN_S, buf)?.is_none(),
        "a token good for the margin was fetched again",
    )?;
    // Tokens live 15 minutes: a 16-minute margin is never met by the one held.
    let fresh = kiosk_refresh(client, customer, now, 16 * 60, buf)?.ok_or("no refresh")?;
    ensure(
        Some(&fresh) != token(customer).as_ref(),
        "refresh: the same token",
    )
}

/// The customer's client auth token, if it has one.
fn token(customer: &juspay_core::Customer) -> Option<ClientAuthToken> {
    customer.juspay.clone().and_then(|j| j.client_auth_token)
}

/// One refresh_token for `margin_seconds`: `None` when the held token was kept, else the
/// new token (checked: same customer, valid for the margin).
#[inline(never)]
fn kiosk_refresh(
    client: &mut Connection<'_>,
    customer: &juspay_core::Customer,
    now: Timestamp,
    margin_seconds: u32,
    buf: &mut [u8],
) -> Result<Option<ClientAuthToken>, &'static str> {
    let fresh = match client.refresh_token(customer, now, margin_seconds, buf) {
        Ok(None) => return Ok(None),
        Ok(Some(reply)) => reply.customer.map_err(|_| "refresh: API error")?,
        Err(_) => return Err("refresh failed"),
    };
    ensure(fresh.id == customer.id, "refresh: another customer")?;
    ensure(
        fresh.has_token_valid_for(now, https::TOKEN_MARGIN_S),
        "refresh: no token",
    )?;
    token(&fresh).map(Some).ok_or("refresh: no token")
}

/// A leaf signed by another site's certificate under our own root: refused in the
/// handshake, before a request could be written.
fn forged_chain(cx: &mut Context) -> Check {
    https::forged_refused(&connect(&mut cx.connector, cx.config, FORGED))
}

/// The server reads the request and never answers: the call ends at its deadline.
fn stalled(cx: &mut Context) -> Check {
    let mut connection = connect(
        &mut cx.connector,
        cx.config.deadline(Duration::from_millis(STALL_TIMEOUT_MS)),
        STALL,
    );
    let client = connected(&mut connection)?;
    let start = clock::millis();
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::timed_out(outcome)
    })?;
    https::at_deadline(clock::millis() - start)
}

/// A fresh connection to `server` with the first key share in `group`, its handshake's
/// instructions printed as `key`, then the documentation customer over it.
fn handshake_then_customer(cx: &mut Context, server: SocketAddr, group: Group, key: &str) -> Check {
    let network = cx.network;
    network.start_work();
    let mut connection = connect(&mut cx.connector, cx.config.key_share(group), server);
    let client = connected(&mut connection)?;
    figure(key, network.work_instructions());
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, |outcome, _| {
        https::documentation_customer(outcome)
    })?;
    close(&mut connection);
    Ok(())
}

/// A fresh connection with an RSA chain (RSA-4096 root, RSA-2048 intermediate and leaf,
/// rsa_pss_rsae_sha256 CertificateVerify), and the documentation customer.
fn rsa_chain(cx: &mut Context) -> Check {
    handshake_then_customer(cx, RSA, Group::Secp256r1, "handshake_instructions_rsa2048")
}

/// The server takes only X25519: our P-256 key share meets a HelloRetryRequest, answered
/// with an X25519 share.
fn hello_retry(cx: &mut Context) -> Check {
    handshake_then_customer(
        cx,
        HELLO_RETRY,
        Group::Secp256r1,
        "handshake_instructions_hello_retry",
    )
}

/// The server sends a KeyUpdate after each response: the second call on the connection
/// reads under its new keys, and it reads ours.
fn key_update(cx: &mut Context) -> Check {
    let mut connection = connect(&mut cx.connector, cx.config, KEY_UPDATE);
    let client = connected(&mut connection)?;
    let check = |outcome: &Outcome, _: &mut [u8]| https::documentation_customer(outcome);
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check)?;
    ensure(client.is_reusable(), "not reusable after the first call")?;
    call(client, &DOCUMENTATION_CUSTOMER, cx.call, check)?;
    close(&mut connection);
    Ok(())
}

/// A handshake whose key share is X25519 (curve25519-dalek) instead of P-256, with the
/// server that takes X25519 only (no retry: the first share is the one it wants).
fn x25519_handshake(cx: &mut Context) -> Check {
    handshake_then_customer(
        cx,
        HELLO_RETRY,
        Group::X25519,
        "handshake_instructions_x25519",
    )
}

/// A server that speaks TLS 1.2 only: ECDHE over P-256, the P-256 chain, its
/// ServerKeyExchange signed with ECDSA.
fn tls12(cx: &mut Context) -> Check {
    handshake_then_customer(
        cx,
        TLS12,
        Group::Secp256r1,
        "handshake_instructions_tls12_p256",
    )
}

const SCENARIOS: [ScenarioWith<Context>; 13] = [
    (
        "documentation customer over a fresh connection (P-256 chain), as JSON",
        documentation_customer,
    ),
    ("token variant, chunked", token_chunked),
    ("404 with the API's error body", not_found),
    ("two calls on one kept-alive connection", kept_alive),
    (
        "server closes after a response: ConnectionClosed, then a reconnect",
        closed_then_reconnect,
    ),
    (
        "forged chain refused before any request is sent",
        forged_chain,
    ),
    ("stalled server: the call ends at its deadline", stalled),
    ("RSA-2048 chain (RSA-4096 root)", rsa_chain),
    (
        "HelloRetryRequest: the server takes X25519 only",
        hello_retry,
    ),
    ("KeyUpdate between two kept-alive calls", key_update),
    ("X25519 key share first", x25519_handshake),
    (
        "kiosk: get-or-create creates, then finds; token refreshed only within the margin",
        kiosk,
    ),
    ("TLS 1.2-only server (ECDHE P-256, ECDSA)", tls12),
];

/// `anchor`'s three fields copied into the front of `store`, and the rest of `store`.
fn keep_anchor(
    anchor: &TrustAnchor<'_>,
    store: &'static mut [u8],
) -> Result<(TrustAnchor<'static>, &'static mut [u8]), &'static str> {
    fn keep(
        bytes: &[u8],
        store: &'static mut [u8],
    ) -> Result<(&'static [u8], &'static mut [u8]), &'static str> {
        let (kept, rest) = store
            .split_at_mut_checked(bytes.len())
            .ok_or("ANCHORS_BUFFER too small")?;
        kept.copy_from_slice(bytes);
        Ok((kept, rest))
    }
    let (subject, store) = keep(anchor.subject.as_ref(), store)?;
    let (key, mut store) = keep(anchor.subject_public_key_info.as_ref(), store)?;
    let name_constraints = match &anchor.name_constraints {
        Some(constraints) => {
            let (kept, rest) = keep(constraints.as_ref(), store)?;
            store = rest;
            Some(Der::from_slice(kept))
        }
        None => None,
    };
    let anchor = TrustAnchor {
        subject: Der::from_slice(subject),
        subject_public_key_info: Der::from_slice(key),
        name_constraints,
    };
    Ok((anchor, store))
}

/// Brings up the board, the network and the context. Not inlined: its frame would
/// otherwise stay under every scenario.
#[inline(never)]
fn start() -> Result<&'static mut Context, &'static str> {
    let peripherals = cortex_m::Peripherals::take().ok_or("peripherals taken")?;
    clock::start(peripherals.SYST);

    let mut seed = [0u8; 32];
    ensure(
        host::read(c"seed.bin", &mut seed) == Some(seed.len()),
        "seed.bin: 32 bytes wanted",
    )?;
    let now = host::unix_time();
    // The roots are read into the call buffer for a moment: what stays is their trust
    // anchors, copied out (as a firmware would keep them, in flash: webpki-roots keeps the
    // same three fields, not certificates).
    let call = take!(CALL);
    let mut store = &mut take!(ANCHOR_BYTES)[..];
    let mut anchors = [const { None }; 2];
    for (anchor, path) in anchors.iter_mut().zip([c"p256-root.der", c"rsa-root.der"]) {
        let len = host::read(path, &mut call[..]).ok_or("cannot read a root")?;
        let certificate = CertificateDer::from(call.get(..len).ok_or("root too long")?);
        let found = trust_anchor(&certificate).map_err(|_| "a root that is not one")?;
        let (kept, rest) = keep_anchor(&found, store)?;
        *anchor = Some(kept);
        store = rest;
    }
    let [Some(p256_root), Some(rsa_root)] = anchors else {
        return Err("roots missing");
    };
    let anchors = [p256_root, rsa_root];
    let anchors = cortex_m::singleton!(ANCHORS: [TrustAnchor<'static>; 2] = anchors)
        .ok_or("anchors taken")?;

    let (rx, tx) = (take!(ETH_RX), take!(ETH_TX));
    // SAFETY: the LAN9118 at its mps2 address; nothing else drives it.
    let lan = unsafe { Lan9118::new(lan9118::MPS2_BASE) }
        .map_err(|_| "no LAN9118 (QEMU needs -nic user,model=lan9118)")?;
    let mut device = Device::new(lan, rx, tx);
    let [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, ..] = seed;
    let mut config = smoltcp::iface::Config::new(HardwareAddress::Ethernet(device.mac()));
    config.random_seed = u64::from_le_bytes([s0, s1, s2, s3, s4, s5, s6, s7]);
    let mut interface = Interface::new(
        config,
        &mut device,
        smoltcp::time::Instant::from_millis(clock::millis() as i64),
    );
    interface.update_ip_addrs(|addresses| {
        let _ = addresses.push(IpCidr::new(GUEST.into(), 24));
    });
    interface
        .routes_mut()
        .add_default_ipv4_route(GATEWAY)
        .map_err(|_| "no room for the route")?;
    let sockets = SocketSet::new(&mut take!(SOCKETS)[..]);
    let socket = tcp::Socket::new(
        tcp::SocketBuffer::new(&mut take!(TCP_RX)[..]),
        tcp::SocketBuffer::new(&mut take!(TCP_TX)[..]),
    );
    let stack = Stack::new(
        interface,
        device,
        sockets,
        socket,
        u16::from_le_bytes([s8, s9]),
    );
    let network: &'static Network =
        cortex_m::singleton!(NETWORK: Network = Network::new(stack)).ok_or("network taken")?;

    let config = Config::new(BASE_URL, API_KEY, MERCHANT_ID)
        .map_err(|_| "base URL or credentials")?
        .deadline(Duration::from_millis(TIMEOUT_MS))
        .key_share(Group::Secp256r1);
    let buffers = Buffers {
        tls_read: take!(TLS_READ),
        tls_write: take!(TLS_WRITE),
    };
    let context = Context {
        connector: Connector::new(
            network.tcp(),
            network.clock(),
            ChaCha20Rng::from_seed(seed),
            buffers,
            &anchors[..],
            CertificateTime::Now(now),
        ),
        config,
        network,
        now,
        call,
    };
    cortex_m::singleton!(CONTEXT_STORAGE: Context = context).ok_or("context taken")
}

#[entry]
fn main() -> ! {
    let bottom = stack::paint();
    let context = start();
    let setup_stack = stack::peak(bottom);
    let context = context.unwrap_or_else(|what| fail(what));
    figure("setup_stack_bytes", setup_stack as u64);
    match instructions::calibrated() {
        Ok(counted) => figure("calibration_loop_instructions", u64::from(counted)),
        Err(counted) => {
            figure("calibration_loop_instructions", u64::from(counted));
            fail("the clock does not count instructions: run QEMU with -icount shift=0")
        }
    }
    juspay_firmware_harness::run_with(context, &SCENARIOS)
}
