//! Writes Project Wycheproof's P-256 vectors for the Wycheproof firmware
//! (`examples/firmware/wycheproof`, run by `examples/firmware/run.sh`), which cannot read
//! JSON, in the binary form `juspay_sandbox::wycheproof` describes:
//!
//! ```text
//! cargo run -p juspay-sandbox --example p256_vectors -- DIRECTORY
//! ```
//!
//! writes `DIRECTORY/ecdh_p256.bin` (`ecdh_secp256r1_ecpoint`) and
//! `DIRECTORY/ecdsa_p256_sha256.bin` (`ecdsa_secp256r1_sha256`).

use std::io::{Error, Result};

use juspay_sandbox::wycheproof;

fn main() -> Result<()> {
    let directory = std::env::args()
        .nth(1)
        .ok_or_else(|| Error::other("usage: p256_vectors DIRECTORY"))?;
    std::fs::create_dir_all(&directory)?;
    for (name, magic, vectors) in [
        ("ecdh_p256.bin", *b"ECDH", wycheproof::ecdh()?),
        ("ecdsa_p256_sha256.bin", *b"ECDS", wycheproof::ecdsa()?),
    ] {
        let path = format!("{directory}/{name}");
        let bytes = wycheproof::encode(magic, &vectors)?;
        std::fs::write(&path, &bytes)?;
        println!(
            "wrote {path}: {} vectors, {} bytes",
            vectors.len(),
            bytes.len()
        );
    }
    Ok(())
}
