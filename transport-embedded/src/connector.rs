//! What connections are made from, bundled once at start for both clients: the network
//! stack, the clock, the RNG, the TLS buffers and whom to trust.

use juspay_tls::{CertificateTime, TrustAnchor};
use rand_core::CryptoRngCore;

use crate::error::Result;
use crate::session::{self, Buffers, Config};
use crate::socket::{Clock, Deadline};

/// What a firmware makes once and connects from, with the blocking
/// [`Client`](crate::Client) or the [`AsyncClient`](crate::AsyncClient): the network
/// stack, its clock (for deadlines), its RNG, the TLS buffers, and the roots the server's
/// chain must lead to with the time certificates are checked at. A connection borrows it
/// while it is open, so one connector serves one connection at a time, as the buffers do.
///
/// - `stack`: for [`Client`](crate::Client), an embedded-nal `TcpClientStack` (and `Dns`
///   for [`Client::connect`](crate::Client::connect)), by value or as `&mut`; for
///   [`AsyncClient`](crate::AsyncClient), an embedded-nal-async `TcpConnect` (and `Dns`),
///   by value or as `&`.
/// - `clock`: a [`Clock`] (and [`Sleep`](crate::Sleep) for the async client).
/// - `rng`: a cryptographic RNG (rand_core 0.6's `CryptoRngCore`): a TRNG, or a CSPRNG
///   seeded from one; by value or as `&mut`.
/// - `buffers`: `&mut` [`TlsBuffers`](crate::TlsBuffers), or [`Buffers`] of sizes of your
///   own.
/// - `trust_anchors` and `time`: see the crate docs' trust model.
pub struct Connector<'b, S, C, R> {
    pub(crate) stack: S,
    pub(crate) deadline: Deadline<C>,
    pub(crate) tls: TlsParts<'b, R>,
}

/// What a TLS client is made from, apart from the stack and the deadline so that a client
/// borrows all three at once.
pub(crate) struct TlsParts<'b, R> {
    rng: R,
    buffers: Buffers<'b>,
    trust_anchors: &'b [TrustAnchor<'b>],
    time: CertificateTime,
}

impl<R: CryptoRngCore> TlsParts<'_, R> {
    /// A TLS client for `config`'s endpoint over the buffers.
    pub(crate) fn client<'c>(&'c mut self, config: &Config<'c>) -> Result<juspay_tls::Client<'c>> {
        let buffers = Buffers {
            tls_read: &mut *self.buffers.tls_read,
            tls_write: &mut *self.buffers.tls_write,
        };
        session::tls_client(
            config,
            self.trust_anchors,
            self.time,
            buffers,
            &mut self.rng,
        )
    }
}

impl<'b, S, C: Clock, R: CryptoRngCore> Connector<'b, S, C, R> {
    /// Bundles what connections are made from; nothing is sent until a client connects.
    /// `time` is a [`CertificateTime`], or the seconds since the Unix epoch of a trusted
    /// clock (a `u64`: [`CertificateTime::Now`]).
    pub fn new(
        stack: S,
        clock: C,
        rng: R,
        buffers: impl Into<Buffers<'b>>,
        trust_anchors: &'b [TrustAnchor<'b>],
        time: impl Into<CertificateTime>,
    ) -> Self {
        let time = time.into();
        Connector {
            stack,
            deadline: Deadline::new(clock),
            tls: TlsParts {
                rng,
                buffers: buffers.into(),
                trust_anchors,
                time,
            },
        }
    }

    /// Sets the time certificates are checked at from the next connect on: a device with
    /// a trusted clock passes its time (`CertificateTime::Now`) before each connect.
    pub fn set_time(&mut self, time: impl Into<CertificateTime>) {
        self.tls.time = time.into();
    }

    /// The clock.
    pub fn clock(&self) -> &C {
        self.deadline.clock()
    }
}
