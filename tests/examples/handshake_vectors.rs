//! Writes the recorded handshakes of `tests/vectors/handshakes/` (see
//! `juspay_sandbox::certificates::SignedHandshake`), or into the directory given:
//! `cargo run -p juspay-sandbox --example handshake_vectors [-- DIRECTORY]`.

use juspay_sandbox::certificates::{ChainKeys, SignedHandshake};

fn main() -> std::io::Result<()> {
    let directory = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/vectors/handshakes").to_owned());
    std::fs::create_dir_all(&directory)?;
    for (name, keys) in [("p256", ChainKeys::P256), ("rsa2048", ChainKeys::Rsa2048)] {
        let path = format!("{directory}/{name}.bin");
        std::fs::write(&path, SignedHandshake::make(keys).encode())?;
        println!("wrote {path}");
    }
    Ok(())
}
