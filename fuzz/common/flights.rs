//! The recorded flights of `tests/vectors/tls/` (format in its README), parsed once: the
//! TLS targets start from them and run.sh seeds their corpora with them.

use std::sync::OnceLock;

use crate::flight::Flight;

/// Every recorded flight, by file name (the order run.sh seeds them in; an input's first
/// byte picks one).
pub fn all() -> &'static [Flight] {
    static FLIGHTS: OnceLock<Vec<Flight>> = OnceLock::new();
    FLIGHTS.get_or_init(|| {
        [
            include_str!("../../tests/vectors/tls/hello_retry_secp256r1_to_x25519_chacha20.flight"),
            include_str!(
                "../../tests/vectors/tls/hello_retry_x25519_to_secp256r1_aes256gcm.flight"
            ),
            include_str!("../../tests/vectors/tls/secp256r1_aes128gcm.flight"),
            include_str!("../../tests/vectors/tls/tls12_x25519_ecdsa_aes128gcm.flight"),
            include_str!(
                "../../tests/vectors/tls/tls12_x25519_to_secp256r1_ecdsa_chacha20.flight"
            ),
            include_str!("../../tests/vectors/tls/x25519_aes128gcm.flight"),
            include_str!("../../tests/vectors/tls/x25519_aes256gcm.flight"),
            include_str!("../../tests/vectors/tls/x25519_chacha20.flight"),
        ]
        .into_iter()
        .map(|text| Flight::parse(text).expect("a recorded flight"))
        .collect()
    })
}

/// The flight an input's first byte picks, and the rest of the input.
pub fn pick(data: &[u8]) -> Option<(&'static Flight, &[u8])> {
    let (&index, rest) = data.split_first()?;
    let flights = all();
    Some((&flights[usize::from(index) % flights.len()], rest))
}
