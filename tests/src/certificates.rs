//! The certificate table every client's verifier is tested against (juspay-transport-std,
//! juspay-transport-embedded's blocking and async clients): chains a server may present,
//! sound and forged, each with the verdict a correct verifier gives.
//! juspay-transport-std (rustls) gives the reference verdicts.
//!
//! Every certificate is made when [`table`] is called (rcgen), valid from a day ago for a
//! year unless the row is about validity. Roots are self-signed; a server sends its
//! end-entity certificate and then its intermediates, never the root. No certificate has
//! a keyUsage extension, so that what refuses a forged row can only be what the row is
//! about (basicConstraints, extendedKeyUsage).
//!
//! A transport's test, for each [`Case`]: start it ([`Case::start`]), trust
//! [`Case::roots`] only, call [`Case::base_url`] while connecting to
//! [`Sandbox::address`] (never resolve [`Case::server_name`]: `api.localhost` is no name to
//! ask a resolver about), and compare the outcome with [`Case::expected`]. [`run`] does
//! all but the call, the same way for every client.
//!
//! ```
//! use juspay_sandbox::certificates::{self, Verdict};
//!
//! let table = certificates::table();
//! let case = table.iter().find(|case| case.expected == Verdict::Accepted).unwrap();
//! let sandbox = case.start().unwrap();
//! assert!(case.base_url(&sandbox).starts_with("https://"));
//! ```

use std::io;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CustomExtension, DistinguishedName,
    DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, KeyPair, NameConstraints,
    PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_RSA_SHA256, PublicKeyData,
    SignatureAlgorithm, SigningKey,
};
use rsa::pkcs1::EncodeRsaPublicKey as _;
use rsa::pkcs8::DecodePrivateKey as _;
use rsa::sha2::{Digest as _, Sha256};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use super::{Options, Sandbox, ServerCertificate, TlsVersions};

/// What a verifier must make of a [`Case`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The chain is trusted for the name: the handshake completes and the call is answered.
    Accepted,
    /// The certificate is refused during the handshake, before any request is sent.
    Refused,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the row is about.
    pub name: &'static str,
    /// What the sandbox presents.
    pub server: ServerCertificate,
    /// What the client trusts (DER root certificates).
    pub roots: Vec<CertificateDer<'static>>,
    /// The host name the client checks the certificate against: `localhost`, `127.0.0.1`,
    /// or a name under `localhost` (`api.localhost`) that must not be resolved.
    pub server_name: &'static str,
    /// The verdict of a correct verifier.
    pub expected: Verdict,
}

impl Case {
    /// Starts a sandbox that presents this row's certificate, and otherwise answers like
    /// the API.
    pub fn start(&self) -> io::Result<Sandbox> {
        self.start_speaking(TlsVersions::Both)
    }

    /// The same, the sandbox speaking only these TLS versions.
    pub fn start_speaking(&self, versions: TlsVersions) -> io::Result<Sandbox> {
        Sandbox::start_with(Options {
            certificate: Some(self.server.clone()),
            tls_versions: versions,
            ..Options::default()
        })
    }

    /// `https://{server_name}:{port}` for `sandbox`, started by [`Case::start`]. Connect
    /// to [`Sandbox::address`] rather than resolving the host.
    pub fn base_url(&self, sandbox: &Sandbox) -> String {
        format!("https://{}:{}", self.server_name, sandbox.address().port())
    }
}

/// Runs every row of [`table`] against a verifier: for each, starts its sandbox speaking
/// `versions` ([`Case::start_speaking`]: the table over TLS 1.2 with
/// [`TlsVersions::Tls12Only`]) and hands it to `call`, which connects to [`Sandbox::address`] as
/// [`Case::base_url`] trusting [`Case::roots`] only, makes one call and says what it
/// amounted to: `Some(Accepted)` when the customer arrived, `Some(Refused)` when the
/// certificate was refused, `None` for anything else; and why (rustls's or our
/// verifier's reason), for the report. A refusal after a request reached the server
/// counts as a mismatch. Prints one line per row (`--nocapture` shows them); every row
/// runs, and the mismatches are reported together.
///
/// # Panics
/// When any row's verdict differs from [`Case::expected`].
pub fn run(
    versions: TlsVersions,
    mut call: impl FnMut(&Case, &Sandbox) -> (Option<Verdict>, String),
) {
    let table = table();
    let mut mismatches = Vec::new();
    for case in &table {
        let sandbox = match case.start_speaking(versions) {
            Ok(sandbox) => sandbox,
            Err(e) => {
                mismatches.push(format!("{}: the sandbox did not start: {e}", case.name));
                continue;
            }
        };
        let (mut verdict, mut reason) = call(case, &sandbox);
        if verdict == Some(Verdict::Refused) && sandbox.requests() != 0 {
            verdict = None;
            reason = format!("refused after a request was sent: {reason}");
        }
        let shown = verdict.map_or("neither".to_owned(), |verdict| format!("{verdict:?}"));
        println!("{:<72} {shown:<8} {reason}", case.name);
        if verdict != Some(case.expected) {
            mismatches.push(format!(
                "{}: expected {:?}, got {shown}: {reason}",
                case.name, case.expected
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} rows differ:\n{}",
        mismatches.len(),
        table.len(),
        mismatches.join("\n")
    );
}

/// Every row, in a fixed order.
///
/// # Panics
/// If rcgen cannot make one of the certificates: a bug in the table, not in a verifier.
pub fn table() -> Vec<Case> {
    rows().unwrap_or_else(|e| panic!("making the certificate table: {e}"))
}

const RSA1024_ROOT: &[u8] = include_bytes!("../keys/rsa1024-root.pk8.der");
const RSA2048_ROOT: &[u8] = include_bytes!("../keys/rsa2048-root.pk8.der");
const RSA2048_LEAF: &[u8] = include_bytes!("../keys/rsa2048-leaf.pk8.der");
const RSA3072_ROOT: &[u8] = include_bytes!("../keys/rsa3072-root.pk8.der");
const RSA3072_LEAF: &[u8] = include_bytes!("../keys/rsa3072-leaf.pk8.der");
const RSA4096_ROOT: &[u8] = include_bytes!("../keys/rsa4096-root.pk8.der");
const RSA4096_LEAF: &[u8] = include_bytes!("../keys/rsa4096-leaf.pk8.der");

/// An OID under IANA's enterprise number for documentation (RFC 5612): no verifier
/// knows it.
const UNKNOWN_EXTENSION: &[u64] = &[1, 3, 6, 1, 4, 1, 32473, 1];

fn rows() -> Result<Vec<Case>, rcgen::Error> {
    use Verdict::{Accepted, Refused};
    let case = |name, server, root: &Made, server_name, expected| Case {
        name,
        server,
        roots: vec![root.der()],
        server_name,
        expected,
    };
    let ca = || IsCa::Ca(BasicConstraints::Unconstrained);
    let now = OffsetDateTime::now_utc();

    let root = make(params("P-256 root", &[], ca())?, Key::p256()?, None)?;
    // A P-256 leaf for `names`.
    let leaf = |names: &[&str], issuer: &Made| -> Result<Made, rcgen::Error> {
        make(
            params("leaf", names, IsCa::NoCa)?,
            Key::p256()?,
            Some(issuer),
        )
    };
    let localhost = &["localhost"][..];
    // A chain root -> intermediate (with `change` made to it) -> leaf for localhost,
    // served with the intermediate.
    let through_intermediate =
        |change: &dyn Fn(&mut CertificateParams)| -> Result<ServerCertificate, rcgen::Error> {
            let mut intermediate_params = params("intermediate", &[], ca())?;
            change(&mut intermediate_params);
            let intermediate = make(intermediate_params, Key::p256()?, Some(&root))?;
            Ok(leaf(localhost, &intermediate)?.served_with(&[&intermediate]))
        };

    let mut table = vec![case(
        "P-256 root, P-256 leaf for localhost",
        leaf(localhost, &root)?.served_with(&[]),
        &root,
        "localhost",
        Accepted,
    )];

    for (name, is_ca) in [
        (
            "forged: leaf signed by another site's certificate (CA:FALSE)",
            IsCa::ExplicitNoCa,
        ),
        (
            "forged: leaf signed by another site's certificate (no basicConstraints)",
            IsCa::NoCa,
        ),
    ] {
        let other_site = make(
            params("other site", &["other.example"], is_ca)?,
            Key::p256()?,
            Some(&root),
        )?;
        let forged = leaf(localhost, &other_site)?.served_with(&[&other_site]);
        table.push(case(name, forged, &root, "localhost", Refused));
    }

    let mut client_only = params("client", localhost, IsCa::NoCa)?;
    client_only.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    table.push(case(
        "forged: leaf for clientAuth only",
        make(client_only, Key::p256()?, Some(&root))?.served_with(&[]),
        &root,
        "localhost",
        Refused,
    ));

    let many_names: Vec<String> = (1..=12)
        .map(|i| format!("name{i}.example"))
        .chain(["localhost".to_owned()])
        .collect();
    let many_names: Vec<&str> = many_names.iter().map(String::as_str).collect();
    table.push(case(
        "host name is the 13th subjectAltName",
        leaf(&many_names, &root)?.served_with(&[]),
        &root,
        "localhost",
        Accepted,
    ));

    for (name, root_key, leaf_key) in [
        ("RSA-2048 root and leaf", RSA2048_ROOT, RSA2048_LEAF),
        ("RSA-3072 root and leaf", RSA3072_ROOT, RSA3072_LEAF),
        ("RSA-4096 root and leaf", RSA4096_ROOT, RSA4096_LEAF),
    ] {
        let rsa_root = make(params(name, &[], ca())?, Key::rsa(root_key)?, None)?;
        let rsa_leaf = make(
            params("leaf", localhost, IsCa::NoCa)?,
            Key::rsa(leaf_key)?,
            Some(&rsa_root),
        )?;
        table.push(case(
            name,
            rsa_leaf.served_with(&[]),
            &rsa_root,
            "localhost",
            Accepted,
        ));
    }
    let rsa2048_root = make(
        params("RSA-2048 root", &[], ca())?,
        Key::rsa(RSA2048_ROOT)?,
        None,
    )?;
    table.push(case(
        "P-256 leaf under an RSA-2048 root",
        leaf(localhost, &rsa2048_root)?.served_with(&[]),
        &rsa2048_root,
        "localhost",
        Accepted,
    ));
    let p384_root = make(params("P-384 root", &[], ca())?, Key::p384()?, None)?;
    let p384_leaf = make(
        params("leaf", localhost, IsCa::NoCa)?,
        Key::p384()?,
        Some(&p384_root),
    )?;
    table.push(case(
        "P-384 root and leaf",
        p384_leaf.served_with(&[]),
        &p384_root,
        "localhost",
        Accepted,
    ));

    table.push(case(
        "intermediate expired",
        through_intermediate(&|p| {
            p.not_before = now - Duration::days(30);
            p.not_after = now - Duration::days(1);
        })?,
        &root,
        "localhost",
        Refused,
    ));
    table.push(case(
        "intermediate not yet valid",
        through_intermediate(&|p| p.not_before = now + Duration::days(1))?,
        &root,
        "localhost",
        Refused,
    ));

    table.push(case(
        "leaf for another host (elsewhere.example)",
        leaf(&["elsewhere.example"], &root)?.served_with(&[]),
        &root,
        "localhost",
        Refused,
    ));
    let wildcard = leaf(&["*.api.localhost"], &root)?.served_with(&[]);
    table.push(case(
        "wildcard *.api.localhost checked as eu.api.localhost",
        wildcard.clone(),
        &root,
        "eu.api.localhost",
        Accepted,
    ));
    table.push(case(
        "wildcard *.api.localhost checked as api.localhost (the bare name)",
        wildcard,
        &root,
        "api.localhost",
        Refused,
    ));
    // One label after the wildcard, like `*.com`: webpki (as NSS) wants two, so even
    // `api.localhost` is not covered.
    table.push(case(
        "wildcard *.localhost checked as api.localhost",
        leaf(&["*.localhost"], &root)?.served_with(&[]),
        &root,
        "api.localhost",
        Refused,
    ));
    table.push(case(
        "IP address 127.0.0.1 in subjectAltName",
        leaf(&["127.0.0.1"], &root)?.served_with(&[]),
        &root,
        "127.0.0.1",
        Accepted,
    ));
    table.push(case(
        "DNS-only leaf checked as 127.0.0.1",
        leaf(localhost, &root)?.served_with(&[]),
        &root,
        "127.0.0.1",
        Refused,
    ));

    // root -> first -> second -> leaf.
    let first = make(
        params("intermediate 1", &[], ca())?,
        Key::p256()?,
        Some(&root),
    )?;
    let second = make(
        params("intermediate 2", &[], ca())?,
        Key::p256()?,
        Some(&first),
    )?;
    let deep_leaf = leaf(localhost, &second)?;
    let unrelated_ca = make(params("unrelated CA", &[], ca())?, Key::p256()?, None)?;
    let unrelated_site = leaf(&["unrelated.example"], &unrelated_ca)?;
    table.push(case(
        "intermediates sent out of order",
        deep_leaf.served_with(&[&first, &second]),
        &root,
        "localhost",
        Accepted,
    ));
    table.push(case(
        "unrelated certificates among the intermediates",
        deep_leaf.served_with(&[&unrelated_ca, &second, &unrelated_site, &first]),
        &root,
        "localhost",
        Accepted,
    ));

    // root -> intermediate with pathLenConstraint 0 (no intermediate may follow it)
    // -> intermediate -> leaf.
    let limited = make(
        params(
            "intermediate, path length 0",
            &[],
            IsCa::Ca(BasicConstraints::Constrained(0)),
        )?,
        Key::p256()?,
        Some(&root),
    )?;
    let below_limited = make(
        params("intermediate", &[], ca())?,
        Key::p256()?,
        Some(&limited),
    )?;
    table.push(case(
        "path length exceeded",
        leaf(localhost, &below_limited)?.served_with(&[&below_limited, &limited]),
        &root,
        "localhost",
        Refused,
    ));
    table.push(case(
        "name constraints violated (intermediate for example.com only)",
        through_intermediate(&|p| {
            p.name_constraints = Some(NameConstraints {
                permitted_subtrees: vec![GeneralSubtree::DnsName("example.com".into())],
                excluded_subtrees: Vec::new(),
            })
        })?,
        &root,
        "localhost",
        Refused,
    ));

    let rsa1024_root = make(
        params("RSA-1024 root", &[], ca())?,
        Key::short_rsa(RSA1024_ROOT)?,
        None,
    )?;
    table.push(case(
        "RSA-1024 root",
        leaf(localhost, &rsa1024_root)?.served_with(&[]),
        &rsa1024_root,
        "localhost",
        Refused,
    ));

    let mut unknown_critical = params("leaf", localhost, IsCa::NoCa)?;
    let mut extension = CustomExtension::from_oid_content(UNKNOWN_EXTENSION, vec![0x05, 0x00]);
    extension.set_criticality(true);
    unknown_critical.custom_extensions.push(extension);
    table.push(case(
        "unknown critical extension in the leaf",
        make(unknown_critical, Key::p256()?, Some(&root))?.served_with(&[]),
        &root,
        "localhost",
        Refused,
    ));

    let mut expired = params("leaf", localhost, IsCa::NoCa)?;
    expired.not_before = now - Duration::days(30);
    expired.not_after = now - Duration::days(1);
    table.push(case(
        "leaf expired",
        make(expired, Key::p256()?, Some(&root))?.served_with(&[]),
        &root,
        "localhost",
        Refused,
    ));
    table.push(case(
        "self-signed leaf, not trusted",
        make(params("leaf", localhost, IsCa::NoCa)?, Key::p256()?, None)?.served_with(&[]),
        &root,
        "localhost",
        Refused,
    ));

    Ok(table)
}

/// The parameters of a certificate valid from a day ago for a year, named `common_name`,
/// for the host names and addresses in `names`; end-entity certificates (any `is_ca` but
/// [`IsCa::Ca`]) are for serverAuth.
fn params(
    common_name: &str,
    names: &[&str],
    is_ca: IsCa,
) -> Result<CertificateParams, rcgen::Error> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::new(
        names
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>(),
    )?;
    params.distinguished_name = DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(365);
    params.is_ca = is_ca;
    if !matches!(is_ca, IsCa::Ca(_)) {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    }
    Ok(params)
}

/// A certificate of the table with its key. It can sign others whatever its own
/// basicConstraints say: the forged rows need exactly that.
struct Made(CertifiedIssuer<'static, Key>);

/// Makes a certificate from `params` for `key`, signed by `issuer`, or self-signed.
fn make(params: CertificateParams, key: Key, issuer: Option<&Made>) -> Result<Made, rcgen::Error> {
    Ok(Made(match issuer {
        Some(issuer) => CertifiedIssuer::signed_by(params, key, &*issuer.0)?,
        None => CertifiedIssuer::self_signed(params, key)?,
    }))
}

impl Made {
    fn der(&self) -> CertificateDer<'static> {
        self.0.der().clone()
    }

    /// This certificate as a server's end-entity certificate, followed by `others` in
    /// that order.
    fn served_with(&self, others: &[&Made]) -> ServerCertificate {
        ServerCertificate {
            chain: std::iter::once(self)
                .chain(others.iter().copied())
                .map(Made::der)
                .collect(),
            key: self.0.key().private_key(),
        }
    }
}

/// A key the table makes a certificate for, and signs with.
enum Key {
    /// Made or loaded by rcgen (ring): ECDSA, and RSA of 2048 bits and more.
    Ring(KeyPair),
    /// RSA under 2048 bits, which ring refuses to sign with.
    ShortRsa(ShortRsaKey),
}

impl Key {
    fn p256() -> Result<Key, rcgen::Error> {
        KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).map(Key::Ring)
    }

    fn p384() -> Result<Key, rcgen::Error> {
        KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384).map(Key::Ring)
    }

    /// An RSA key from a PKCS#8 file of `tests/keys/`, signing with SHA-256.
    fn rsa(pkcs8: &'static [u8]) -> Result<Key, rcgen::Error> {
        KeyPair::from_pkcs8_der_and_sign_algo(&PrivatePkcs8KeyDer::from(pkcs8), &PKCS_RSA_SHA256)
            .map(Key::Ring)
    }

    /// Like [`Key::rsa`], for a key ring refuses.
    fn short_rsa(pkcs8: &'static [u8]) -> Result<Key, rcgen::Error> {
        let private = rsa::RsaPrivateKey::from_pkcs8_der(pkcs8)
            .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?;
        let public = private
            .to_public_key()
            .to_pkcs1_der()
            .map_err(|_| rcgen::Error::CouldNotParseKeyPair)?
            .into_vec();
        Ok(Key::ShortRsa(ShortRsaKey {
            private,
            pkcs8,
            public,
        }))
    }

    /// The private key, for a server that presents a certificate for it.
    fn private_key(&self) -> PrivateKeyDer<'static> {
        let pkcs8 = match self {
            Key::Ring(key) => key.serialize_der(),
            Key::ShortRsa(key) => key.pkcs8.to_vec(),
        };
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8))
    }
}

impl PublicKeyData for Key {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Key::Ring(key) => key.der_bytes(),
            Key::ShortRsa(key) => &key.public,
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Key::Ring(key) => key.algorithm(),
            Key::ShortRsa(_) => &PKCS_RSA_SHA256,
        }
    }
}

impl SigningKey for Key {
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            Key::Ring(key) => key.sign(message),
            // PKCS#1 v1.5 with SHA-256, as PKCS_RSA_SHA256 (the algorithm above) declares.
            Key::ShortRsa(key) => key
                .private
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(message))
                .map_err(|_| rcgen::Error::RemoteKeyError),
        }
    }
}

/// An RSA key signed with by the RustCrypto `rsa` crate.
struct ShortRsaKey {
    private: rsa::RsaPrivateKey,
    /// The key as its file has it.
    pkcs8: &'static [u8],
    /// The public key, PKCS#1 (what a SubjectPublicKeyInfo holds for RSA).
    public: Vec<u8>,
}

/// The keys of a [`SignedHandshake`]'s chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainKeys {
    /// P-256 root, intermediate and leaf; the leaf signs with ecdsa_secp256r1_sha256.
    P256,
    /// An RSA-4096 root, RSA-2048 intermediate and leaf (the shape of public CAs' RSA
    /// chains); the leaf signs with rsa_pss_rsae_sha256, as rustls servers do.
    Rsa2048,
}

/// The recorded handshakes (`tests/vectors/handshakes/`, written by the example
/// `handshake_vectors`), by name: the ones the firmware verifies under QEMU, where none can
/// be made.
pub const RECORDED: [(&str, &[u8]); 2] = [
    ("p256", include_bytes!("../vectors/handshakes/p256.bin")),
    (
        "rsa2048",
        include_bytes!("../vectors/handshakes/rsa2048.bin"),
    ),
];

/// What a TLS 1.3 client's verifier sees of a server, without the network: the chain the
/// server sends (leaf first), the root to trust, and the server's CertificateVerify over a
/// transcript hash. For measuring a verifier where no server can be reached (the firmware
/// under QEMU) and testing it beside the handshakes of the table. Certificates are for
/// `localhost` and valid from 2026-01-01 to 2126-01-01, so that recorded copies last.
#[derive(Debug, Clone)]
pub struct SignedHandshake {
    /// The root certificate.
    pub root: CertificateDer<'static>,
    /// Leaf, then intermediate.
    pub chain: Vec<CertificateDer<'static>>,
    /// The handshake transcript up to the Certificate message; the signature covers its
    /// SHA-256 hash.
    pub transcript: Vec<u8>,
    /// The TLS SignatureScheme code point.
    pub scheme: u16,
    /// The CertificateVerify signature.
    pub signature: Vec<u8>,
}

impl SignedHandshake {
    /// Makes one (ECDSA signatures differ from call to call).
    ///
    /// # Panics
    /// If rcgen or rustls cannot make it: a bug here, not in a verifier.
    pub fn make(keys: ChainKeys) -> SignedHandshake {
        signed_handshake(keys).unwrap_or_else(|e| panic!("making a signed handshake: {e}"))
    }

    /// The file format of [`RECORDED`] (`tests/vectors/handshakes/*.bin`), read by
    /// `juspay_transport_embedded::handshake_vector`: scheme (u16), signature (u16 length),
    /// transcript (u16 length), root (u24 length), then the certificate_list of a TLS 1.3
    /// Certificate message (u24 length, DER, u16 extensions length 0, for each).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.scheme.to_be_bytes().to_vec();
        let mut field = |bytes: &[u8], length_bytes: usize| {
            out.extend_from_slice(&bytes.len().to_be_bytes()[8 - length_bytes..]);
            out.extend_from_slice(bytes);
        };
        field(&self.signature, 2);
        field(&self.transcript, 2);
        field(&self.root, 3);
        for certificate in &self.chain {
            field(certificate, 3);
            field(&[], 2);
        }
        out
    }
}

/// A root, an intermediate and a leaf for `localhost` with the keys of a [`ChainKeys`],
/// valid from 2026-01-01 to 2126-01-01: what [`SignedHandshake`] records, and what the
/// sandboxes of a client that pins the root present (the HTTPS firmware's, under QEMU).
pub struct Chain {
    root: Made,
    intermediate: Made,
    leaf: Made,
}

impl std::fmt::Debug for Chain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chain").finish_non_exhaustive()
    }
}

impl Chain {
    /// Makes one (new keys for P-256; the fixed RSA keys of `tests/keys/`).
    ///
    /// # Panics
    /// If rcgen cannot make it: a bug here, not in a verifier.
    pub fn make(keys: ChainKeys) -> Chain {
        chain(keys).unwrap_or_else(|e| panic!("making a chain: {e}"))
    }

    /// The root certificate, to trust.
    pub fn root(&self) -> CertificateDer<'static> {
        self.root.der()
    }

    /// The leaf and the intermediate, as a server sends them, with the leaf's key.
    pub fn served(&self) -> ServerCertificate {
        self.leaf.served_with(&[&self.intermediate])
    }

    /// A forgery under the same root: a P-256 leaf for `localhost` signed by another
    /// site's end-entity certificate (CA:FALSE), which the root did issue, sent with that
    /// certificate. A verifier that trusts the root must still refuse it.
    ///
    /// # Panics
    /// If rcgen cannot make it.
    pub fn forged(&self) -> ServerCertificate {
        let forged = || -> Result<ServerCertificate, rcgen::Error> {
            let other_site = make(
                lasting(params(
                    "other site",
                    &["other.example"],
                    IsCa::ExplicitNoCa,
                )?),
                Key::p256()?,
                Some(&self.root),
            )?;
            let leaf = make(
                lasting(params("leaf", &["localhost"], IsCa::NoCa)?),
                Key::p256()?,
                Some(&other_site),
            )?;
            Ok(leaf.served_with(&[&other_site]))
        };
        forged().unwrap_or_else(|e| panic!("making a forged chain: {e}"))
    }
}

/// `params` valid from 2026-01-01 to 2126-01-01, so that recorded copies last.
fn lasting(mut params: CertificateParams) -> CertificateParams {
    params.not_before =
        OffsetDateTime::from_unix_timestamp(1_767_225_600).unwrap_or(params.not_before);
    params.not_after =
        OffsetDateTime::from_unix_timestamp(4_922_899_200).unwrap_or(params.not_after);
    params
}

fn chain(keys: ChainKeys) -> Result<Chain, rcgen::Error> {
    let ca = || IsCa::Ca(BasicConstraints::Unconstrained);
    let (root_key, intermediate_key, leaf_key) = match keys {
        ChainKeys::P256 => (Key::p256()?, Key::p256()?, Key::p256()?),
        ChainKeys::Rsa2048 => (
            Key::rsa(RSA4096_ROOT)?,
            Key::rsa(RSA2048_ROOT)?,
            Key::rsa(RSA2048_LEAF)?,
        ),
    };
    let root = make(lasting(params("root", &[], ca())?), root_key, None)?;
    let intermediate = make(
        lasting(params("intermediate", &[], ca())?),
        intermediate_key,
        Some(&root),
    )?;
    let leaf = make(
        lasting(params("leaf", &["localhost"], IsCa::NoCa)?),
        leaf_key,
        Some(&intermediate),
    )?;
    Ok(Chain {
        root,
        intermediate,
        leaf,
    })
}

fn signed_handshake(keys: ChainKeys) -> Result<SignedHandshake, String> {
    let scheme = match keys {
        ChainKeys::P256 => rustls::SignatureScheme::ECDSA_NISTP256_SHA256,
        ChainKeys::Rsa2048 => rustls::SignatureScheme::RSA_PSS_SHA256,
    };
    let chain = chain(keys).map_err(|e| e.to_string())?;
    let served = chain.served();
    let transcript = b"ClientHello, ServerHello, EncryptedExtensions, Certificate".to_vec();
    let transcript_hash = Sha256::digest(&transcript);
    // RFC 8446, 4.4.3: what the server signs, and how rustls's server signs it.
    let mut message = vec![b' '; 64];
    message.extend_from_slice(b"TLS 1.3, server CertificateVerify\x00");
    message.extend_from_slice(&transcript_hash);
    let signer = rustls::crypto::ring::sign::any_supported_type(&served.key)
        .map_err(|e| e.to_string())?
        .choose_scheme(&[scheme])
        .ok_or("the key cannot sign with the scheme")?;
    Ok(SignedHandshake {
        root: chain.root(),
        chain: served.chain,
        transcript,
        scheme: u16::from(scheme),
        signature: signer.sign(&message).map_err(|e| e.to_string())?,
    })
}
