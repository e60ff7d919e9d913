#!/usr/bin/env python3
"""Where a firmware ELF's flash and static RAM go, from its symbol table
(`arm-none-eabi-nm -S -C`).

Usage: footprint.py ELF

Static RAM: every static of 256 bytes or more, by name.

Flash: every code and read-only data symbol is given to the crate whose item it is: the first
path of its demangled name, or, for `<Type as Trait>::f` and `<Type>::f`, the crate of
the type; generic functions count for the crate that defines them, wherever they were
instantiated (as cargo-bloat counts). Then crates are grouped as the README's table
shows. What no symbol names (the vector table, functions the linker's outliner shares
between crates, anonymous constants, alignment) is `other`.
"""

import re
import subprocess
import sys
from collections import Counter

# Group of each crate (and of the firmware's own modules), in the order printed.
GROUPS = [
    ("juspay-core (+ httparse, heapless, serde-json-core)",
     ["juspay_core", "httparse", "heapless", "serde", "serde_core", "serde_json_core",
      "base64", "percent_encoding", "ryu"]),
    ("transport (juspay-transport-embedded: client, socket)",
     ["juspay_transport_embedded", "embedded_nal", "embedded_io", "nb"]),
    ("juspay-tls state machine and records (+ AES-GCM, ChaCha20-Poly1305, HKDF)",
     ["juspay_tls::client", "juspay_tls::codec", "juspay_tls::suite", "juspay_tls::error",
      "aes", "aes_gcm", "ghash", "polyval", "ctr", "cipher", "aead", "universal_hash",
      "hkdf", "hmac", "inout", "chacha20", "chacha20poly1305", "poly1305"]),
    ("key exchange: X25519 (curve25519-dalek), P-256 (p256-cortex-m4)",
     ["juspay_tls::kx", "curve25519_dalek", "p256_cortex_m4", "p256_cortex_m4_sys"]),
    ("verifier incl. RSA (juspay-tls verifier and signatures, rustls-webpki, crypto-bigint)",
     ["juspay_tls::verifier", "juspay_tls::signature", "juspay_tls",
      "webpki", "rustls_pki_types", "der", "untrusted", "crypto_bigint", "pkcs1", "ecdsa",
      "p384", "spki", "const_oid", "signature", "ed25519_dalek", "ed25519"]),
    ("P-256 (RustCrypto: signature DER parsing) and SHA-2",
     ["p256", "primeorder", "elliptic_curve", "sha2", "digest", "sec1", "ff", "group",
      "subtle", "generic_array", "typenum", "crypto_common", "block_buffer", "rfc6979",
      "base16ct", "zeroize"]),
    ("smoltcp + LAN9118 driver + adapter",
     ["smoltcp", "managed", "lan9118", "juspay_firmware_https::net"]),
    ("firmware: scenarios, harness, RNG, runtime, core",
     ["juspay_firmware_https", "juspay_firmware_harness", "rand_chacha", "rand_core",
      "ppv_lite86", "cortex_m", "cortex_m_rt", "cortex_m_semihosting", "core",
      "compiler_builtins", "critical_section"]),
]

PATH = re.compile(r"^[<&*\s]*(?:(?:dyn|impl|mut|const)\s+)*([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z_][A-Za-z0-9_]*)")


# `<Trait impl for a primitive>`: the trait's crate.
TRAIT = re.compile(r" as ([A-Za-z_][A-Za-z0-9_]*)::([A-Za-z_][A-Za-z0-9_]*)")
# Methods of primitives (`<str>::get`, `<[u8]>::starts_with`): core's.
PRIMITIVE = re.compile(r"^<(?:&|\*const |\*mut |\[)*(?:bool|char|str|[ui](?:8|16|32|64|128|size)|f32|f64)\b")


def group_of(name):
    # P256-Cortex-M4's C and assembly (p256-cortex-m4-sys) have C names.
    if name.startswith(("P256_", "p256_")):
        return "key exchange: X25519 (curve25519-dalek), P-256 (p256-cortex-m4)"
    match = PATH.match(name)
    if not match and PRIMITIVE.match(name):
        match = TRAIT.search(name)
        if not match:
            return GROUPS[-1][0]
    if not match:
        return None
    crate, module = match.groups()
    for group, members in GROUPS:
        if f"{crate}::{module}" in members:
            return group
    for group, members in GROUPS:
        if crate in members:
            return group
    return None


def main():
    elf = sys.argv[1]
    size = subprocess.run(["arm-none-eabi-size", elf], capture_output=True, text=True,
                          check=True).stdout.splitlines()[-1].split()
    flash = int(size[0]) + int(size[1])
    symbols = subprocess.run(["arm-none-eabi-nm", "-S", "-C", "--size-sort", elf],
                             capture_output=True, text=True, check=True).stdout
    sizes = Counter()
    statics = []
    for line in symbols.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        kind, name, length = parts[2], parts[3], int(parts[1], 16)
        if kind in "bBdD" and length >= 256:
            statics.append((length, name.rsplit("::", 1)[-1]))
        if kind in "tTrR":
            sizes[group_of(name) or "other"] += length
    print("static RAM by name (bytes):")
    for length, name in sorted(statics, reverse=True):
        print(f"  {length:>7} {name}")
    # Initialised data is copied from flash too.
    sizes["other"] += flash - sum(sizes.values())
    print("flash by crate (bytes):")
    for group, _ in GROUPS + [("other", [])]:
        print(f"  {sizes[group]:>7} {group}")


if __name__ == "__main__":
    main()
