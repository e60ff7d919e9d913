//! The sandboxes the HTTPS firmwares call under QEMU (`examples/firmware/https/run.sh`, and
//! the embassy firmware's `examples/firmware/embassy/run.sh`):
//!
//! ```text
//! cargo run -p juspay-sandbox --example firmware_sandboxes -- DIRECTORY
//! ```
//!
//! writes the roots the firmware pins to `DIRECTORY/p256-root.der` and
//! `DIRECTORY/rsa-root.der`, starts one loopback sandbox per behaviour, and prints one
//! `sandbox NAME 127.0.0.1:PORT` line for each, then `ready`. The sandboxes run until
//! standard input ends; then it prints `NAME handshakes=N requests=N` for each and exits.
//!
//! | name | certificate | behaviour |
//! |---|---|---|
//! | `api` | P-256 chain | answers like the API (Get, Create, Update; customers in memory); ECDHE over P-256 only (rustls would ask a client whose first share is P-256 to retry with X25519, its first choice) |
//! | `chunked` | P-256 chain | the token variant, chunked (`customer_token_chunked.http`), then the API |
//! | `close` | P-256 chain | answers, then closes the connection; then the API |
//! | `stall` | P-256 chain | reads the request and never answers |
//! | `forged` | a leaf signed by another site's certificate under the P-256 root | the API, if a client ever got that far |
//! | `rsa` | RSA-4096 root, RSA-2048 intermediate and leaf | answers like the API; ECDHE over P-256 only |
//! | `hrr` | P-256 chain | takes X25519 key shares only: a client offering P-256 first meets a HelloRetryRequest, one offering X25519 does not |
//! | `keyupdate` | P-256 chain | sends a KeyUpdate (asking for the client's) after each response |
//! | `tls12` | P-256 chain | speaks TLS 1.2 only (ECDHE_ECDSA), ECDHE over P-256 only; answers like the API |

use std::io::Read;

use juspay_sandbox::certificates::{Chain, ChainKeys};
use juspay_sandbox::{OnlyGroup, Options, Sandbox, Step, TlsVersions, vector};

fn main() -> std::io::Result<()> {
    let directory = std::env::args()
        .nth(1)
        .ok_or_else(|| std::io::Error::other("usage: firmware_sandboxes DIRECTORY"))?;
    std::fs::create_dir_all(&directory)?;
    let p256 = Chain::make(ChainKeys::P256);
    let rsa = Chain::make(ChainKeys::Rsa2048);
    std::fs::write(format!("{directory}/p256-root.der"), p256.root())?;
    std::fs::write(format!("{directory}/rsa-root.der"), rsa.root())?;

    let start = |certificate, script| {
        Sandbox::start_with(Options {
            certificate: Some(certificate),
            script,
            ..Options::default()
        })
    };
    let sandboxes = [
        (
            "api",
            Sandbox::start_with(Options {
                certificate: Some(p256.served()),
                only_group: Some(OnlyGroup::Secp256r1),
                ..Options::default()
            })?,
        ),
        (
            "chunked",
            start(
                p256.served(),
                vec![Step::Raw(vector("customer_token_chunked.http"))],
            )?,
        ),
        ("close", start(p256.served(), vec![Step::ApiThenClose])?),
        ("stall", start(p256.served(), vec![Step::Stall])?),
        ("forged", start(p256.forged(), Vec::new())?),
        (
            "rsa",
            Sandbox::start_with(Options {
                certificate: Some(rsa.served()),
                only_group: Some(OnlyGroup::Secp256r1),
                ..Options::default()
            })?,
        ),
        (
            "hrr",
            Sandbox::start_with(Options {
                certificate: Some(p256.served()),
                only_group: Some(OnlyGroup::X25519),
                ..Options::default()
            })?,
        ),
        (
            "keyupdate",
            start(
                p256.served(),
                vec![Step::ApiThenKeyUpdate, Step::ApiThenKeyUpdate],
            )?,
        ),
        (
            "tls12",
            Sandbox::start_with(Options {
                certificate: Some(p256.served()),
                tls_versions: TlsVersions::Tls12Only,
                only_group: Some(OnlyGroup::Secp256r1),
                ..Options::default()
            })?,
        ),
    ];
    for (name, sandbox) in &sandboxes {
        println!("sandbox {name} {}", sandbox.address());
    }
    println!("ready");

    // Serve until whoever started us closes our standard input.
    std::io::stdin().read_to_end(&mut Vec::new())?;
    for (name, sandbox) in &sandboxes {
        println!(
            "{name} handshakes={} requests={}",
            sandbox.handshakes(),
            sandbox.requests()
        );
    }
    Ok(())
}
