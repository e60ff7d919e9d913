//! Puts the board's memory.x where cortex-m-rt's link.x looks for it. A dependency's link
//! search path reaches the link of every firmware built on this crate, so the firmwares
//! need no build script of their own.
use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy("memory.x", out.join("memory.x")).expect("memory.x is next to build.rs");
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=memory.x");
}
