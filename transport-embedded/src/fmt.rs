//! Logging through defmt or log, whichever feature is on (never both), or nowhere.
//! Only fixed texts and flags are logged: never a request, a response body or a key.

#[cfg(all(feature = "defmt", feature = "log"))]
compile_error!(
    "features `defmt` and `log` exclude each other: pick defmt on firmware, log on hosts"
);

macro_rules! debug {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        defmt::debug!($($arg)*);
        #[cfg(feature = "log")]
        log::debug!($($arg)*);
    }};
}

pub(crate) use debug;
