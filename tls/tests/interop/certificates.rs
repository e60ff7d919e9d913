//! The servers' certificates, made when the test runs: for each key type a root of the
//! same type and a leaf for `localhost` and 127.0.0.1 it signed, and a long chain, written
//! as PEM to a temporary directory that is removed when the [`Certificates`] are dropped.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use juspay_tls::TrustAnchor;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519, PKCS_RSA_SHA256,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

/// The workspace's fixed RSA test keys (tests/keys/README.md): ring cannot make RSA keys,
/// and making a 4096-bit one at every run is slow.
const RSA2048_ROOT: &[u8] = include_bytes!("../../../tests/keys/rsa2048-root.pk8.der");
const RSA2048_LEAF: &[u8] = include_bytes!("../../../tests/keys/rsa2048-leaf.pk8.der");
const RSA4096_ROOT: &[u8] = include_bytes!("../../../tests/keys/rsa4096-root.pk8.der");
const RSA4096_LEAF: &[u8] = include_bytes!("../../../tests/keys/rsa4096-leaf.pk8.der");

/// The server's key type (and its root's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    P256,
    P384,
    Rsa2048,
    Rsa4096,
    Ed25519,
}

impl KeyType {
    pub const ALL: [KeyType; 5] = [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa2048,
        KeyType::Rsa4096,
        KeyType::Ed25519,
    ];

    /// A new key for the root (`leaf` false) or the leaf.
    fn key(self, leaf: bool) -> KeyPair {
        let rsa = |pkcs8: &'static [u8]| {
            KeyPair::from_pkcs8_der_and_sign_algo(
                &PrivatePkcs8KeyDer::from(pkcs8),
                &PKCS_RSA_SHA256,
            )
        };
        match self {
            KeyType::P256 => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256),
            KeyType::P384 => KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384),
            KeyType::Rsa2048 => rsa(if leaf { RSA2048_LEAF } else { RSA2048_ROOT }),
            KeyType::Rsa4096 => rsa(if leaf { RSA4096_LEAF } else { RSA4096_ROOT }),
            KeyType::Ed25519 => KeyPair::generate_for(&PKCS_ED25519),
        }
        .unwrap_or_else(|e| panic!("{self:?} key: {e}"))
    }
}

/// A root and the leaf it signed, for one key type.
pub struct Chain {
    pub key_type: KeyType,
    pub root: CertificateDer<'static>,
    /// The root as the client's one trust anchor.
    pub anchor: [TrustAnchor<'static>; 1],
    /// What the server sends: the leaf, then the intermediates, bottom up.
    pub served: Vec<CertificateDer<'static>>,
    leaf_key: KeyPair,
    /// The served certificates and the leaf's key as PEM files, for openssl and
    /// gnutls-serv.
    pub chain_pem: PathBuf,
    pub key_pem: PathBuf,
}

impl Chain {
    /// The leaf's private key, for rustls.
    pub fn private_key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.leaf_key.serialize_der()))
    }
}

/// Every key type's chain, a long chain, and the directory that holds their files
/// (removed on drop, also when a case panics).
pub struct Certificates {
    pub chains: Vec<Chain>,
    /// RSA-4096 throughout, with [`LONG_CHAIN_INTERMEDIATES`] intermediates: a Certificate
    /// message of about 9 KiB.
    pub long: Chain,
    directory: TempDir,
}

/// The most intermediates rustls-webpki accepts (its path-length limit).
pub const LONG_CHAIN_INTERMEDIATES: usize = 6;

impl Certificates {
    pub fn make() -> Certificates {
        let directory = tempfile::Builder::new()
            .prefix("juspay-tls-interop-")
            .tempdir()
            .expect("a temporary directory");
        let chains = KeyType::ALL
            .into_iter()
            .map(|key_type| chain(key_type, 0, directory.path()))
            .collect();
        let long = chain(KeyType::Rsa4096, LONG_CHAIN_INTERMEDIATES, directory.path());
        Certificates {
            chains,
            long,
            directory,
        }
    }

    /// The temporary directory, for other files of the test.
    pub fn directory(&self) -> &Path {
        self.directory.path()
    }

    pub fn chain(&self, key_type: KeyType) -> &Chain {
        self.chains
            .iter()
            .find(|chain| chain.key_type == key_type)
            .expect("every key type has a chain")
    }
}

/// A root of `key_type`, `intermediates` CAs under it (with the root's key: a long chain
/// needs no more keys), and a leaf for `localhost` and 127.0.0.1 under the last one.
fn chain(key_type: KeyType, intermediates: usize, directory: &Path) -> Chain {
    let now = OffsetDateTime::now_utc();
    let params = |common_name: &str, names: &[&str], is_ca: IsCa| {
        let mut params = CertificateParams::new(
            names
                .iter()
                .map(|name| name.to_string())
                .collect::<Vec<_>>(),
        )
        .unwrap_or_else(|e| panic!("{names:?}: {e}"));
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(30);
        if matches!(is_ca, IsCa::NoCa) {
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        }
        params.is_ca = is_ca;
        params
    };
    let ca = || IsCa::Ca(BasicConstraints::Unconstrained);
    // Each root its own name: a client that trusts another finds no issuer.
    let root_name = format!("interop root {key_type:?} {intermediates}");
    let root = CertifiedIssuer::self_signed(params(&root_name, &[], ca()), key_type.key(false))
        .unwrap_or_else(|e| panic!("{key_type:?} root: {e}"));
    let root_der = root.der().clone();
    let mut issuer = root;
    let mut served_intermediates = Vec::new();
    for n in 1..=intermediates {
        issuer = CertifiedIssuer::signed_by(
            params(&format!("{root_name}, intermediate {n}"), &[], ca()),
            key_type.key(false),
            &issuer,
        )
        .unwrap_or_else(|e| panic!("{key_type:?} intermediate: {e}"));
        served_intermediates.insert(0, issuer.der().clone());
    }
    let leaf_key = key_type.key(true);
    let leaf = params("leaf", &["localhost", "127.0.0.1"], IsCa::NoCa)
        .signed_by(&leaf_key, &issuer)
        .unwrap_or_else(|e| panic!("{key_type:?} leaf: {e}"));
    let served: Vec<CertificateDer<'static>> = std::iter::once(leaf.der().clone())
        .chain(served_intermediates)
        .collect();
    let stem = format!("{key_type:?}-{intermediates}");
    let chain_pem = directory.join(format!("{stem}.crt"));
    let key_pem = directory.join(format!("{stem}.key"));
    let pem_chain: String = served
        .iter()
        .map(|der| pem::encode(&pem::Pem::new("CERTIFICATE", der.to_vec())))
        .collect();
    std::fs::write(&chain_pem, pem_chain).expect("writing the chain");
    std::fs::write(&key_pem, key_file(key_type, &leaf_key)).expect("writing the key");
    let anchor = juspay_tls::trust_anchor(&root_der)
        .expect("the root is a trust anchor")
        .to_owned();
    Chain {
        key_type,
        anchor: [anchor],
        root: root_der,
        served,
        leaf_key,
        chain_pem,
        key_pem,
    }
}

/// The leaf's key as the servers' key file (PEM, PKCS#8). ring writes Ed25519 keys as
/// PKCS#8 v2 (RFC 5958, with the public key), which OpenSSL 3.0 refuses to load
/// ("unsupported"): those go out as v1 (RFC 8410, 7), the seed alone.
fn key_file(key_type: KeyType, key: &KeyPair) -> String {
    if key_type != KeyType::Ed25519 {
        return key.serialize_pem();
    }
    /// SEQUENCE { version 0, AlgorithmIdentifier { id-Ed25519 }, OCTET STRING { OCTET STRING (32) } }
    const V1_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    let v2 = key.serialize_der();
    // v2 has the same layout up to the seed but for the lengths and the version.
    assert_eq!(v2[2..5], [0x02, 0x01, 0x01], "an Ed25519 PKCS#8 v2 key");
    assert_eq!(v2[5..16], V1_PREFIX[5..16], "an Ed25519 PKCS#8 v2 key");
    let v1 = [&V1_PREFIX[..], &v2[16..48]].concat();
    pem::encode(&pem::Pem::new("PRIVATE KEY", v1))
}
