//! Recorded TLS flights (`tests/vectors/tls/*.flight`, format in the README there): a
//! handshake of juspay-tls with a fixed RNG against the sandbox and one call through it,
//! with every byte the server sent. Written by the `record_tls_flights` example; read by
//! juspay-tls's `recorded_flights` test and the `tls_client` and `tls_records` fuzz
//! targets, which include this file by path (it needs nothing but std and rand_core).

use std::fmt::Write as _;

/// One recorded connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flight {
    /// The name the client checked the certificate against (and sent as SNI).
    pub server_name: String,
    /// The time the certificate was checked at (`CertificateTime::Now`), Unix seconds.
    pub time: u64,
    /// The group of the client's first key share: `x25519` or `secp256r1`.
    pub key_share: String,
    /// The cipher suite the server chose, as RFC 8446 names it.
    pub suite: String,
    /// Whether the server answered the first ClientHello with a HelloRetryRequest.
    pub hello_retry: bool,
    /// Every byte the client drew from its RNG, in order.
    pub rng: Vec<u8>,
    /// The root certificate the client trusted, DER.
    pub trust_anchor: Vec<u8>,
    /// What the client wrote once the handshake was complete: one HTTP request.
    pub request: Vec<u8>,
    /// Every byte the client sent, in order.
    pub client: Vec<u8>,
    /// Every byte the server sent, in order.
    pub server: Vec<u8>,
    /// The length of the prefix of `server` that completes the handshake: the records up
    /// to the one that carries the server's Finished.
    pub handshake_end: usize,
    /// The server's first application traffic secret (RFC 8446, 7.1), from its key log:
    /// what the server's records after `handshake_end` are protected with.
    pub server_application_secret: Vec<u8>,
    /// The application data the client decrypted: the HTTP response.
    pub response: Vec<u8>,
}

impl Flight {
    /// The file's text.
    pub fn encode(&self) -> String {
        let mut out =
            String::from("# juspay-tls against the sandbox: see tests/vectors/tls/README.md\n");
        let hex = |bytes: &[u8]| {
            bytes.iter().fold(String::new(), |mut s, b| {
                let _ = write!(s, "{b:02x}");
                s
            })
        };
        let _ = writeln!(out, "server_name={}", self.server_name);
        let _ = writeln!(out, "time={}", self.time);
        let _ = writeln!(out, "key_share={}", self.key_share);
        let _ = writeln!(out, "suite={}", self.suite);
        let _ = writeln!(out, "hello_retry={}", self.hello_retry);
        let _ = writeln!(out, "handshake_end={}", self.handshake_end);
        for (key, value) in [
            ("rng", &self.rng),
            ("trust_anchor", &self.trust_anchor),
            ("server_application_secret", &self.server_application_secret),
            ("request", &self.request),
            ("client", &self.client),
            ("server", &self.server),
            ("response", &self.response),
        ] {
            let _ = writeln!(out, "{key}={}", hex(value));
        }
        out
    }

    /// Reads a file's text.
    pub fn parse(text: &str) -> Result<Flight, String> {
        let mut fields = std::collections::HashMap::new();
        for line in text.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("not key=value: {line}"))?;
            if fields.insert(key, value).is_some() {
                return Err(format!("{key} twice"));
            }
        }
        let mut text = |key: &str| {
            fields
                .remove(key)
                .map(str::to_owned)
                .ok_or_else(|| format!("no {key}"))
        };
        let number = |value: String| value.parse::<u64>().map_err(|e| format!("{value}: {e}"));
        let hex = |value: String| -> Result<Vec<u8>, String> {
            if !value.len().is_multiple_of(2) {
                return Err("odd hex length".into());
            }
            (0..value.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&value[i..i + 2], 16).map_err(|e| e.to_string()))
                .collect()
        };
        let flight = Flight {
            server_name: text("server_name")?,
            time: number(text("time")?)?,
            key_share: text("key_share")?,
            suite: text("suite")?,
            hello_retry: text("hello_retry")? == "true",
            handshake_end: usize::try_from(number(text("handshake_end")?)?)
                .map_err(|e| e.to_string())?,
            rng: hex(text("rng")?)?,
            trust_anchor: hex(text("trust_anchor")?)?,
            server_application_secret: hex(text("server_application_secret")?)?,
            request: hex(text("request")?)?,
            client: hex(text("client")?)?,
            server: hex(text("server")?)?,
            response: hex(text("response")?)?,
        };
        if let Some(key) = fields.keys().next() {
            return Err(format!("unknown field {key}"));
        }
        if flight.handshake_end > flight.server.len() {
            return Err("handshake_end past the server's bytes".into());
        }
        Ok(flight)
    }
}

/// An RNG that hands out the recorded randomness once, then fails.
pub struct Recorded<'a>(pub &'a [u8]);

impl rand_core::RngCore for Recorded<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let _ = self.try_fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        let Some((taken, rest)) = self.0.split_at_checked(dest.len()) else {
            return Err(rand_core::Error::from(
                core::num::NonZeroU32::new(1).unwrap(),
            ));
        };
        dest.copy_from_slice(taken);
        self.0 = rest;
        Ok(())
    }
}
impl rand_core::CryptoRng for Recorded<'_> {}
