//! Logging through defmt, log, both (features are additive), or nowhere. Only fixed texts
//! and flags are logged: never a request, a response body or a key.

macro_rules! debug {
    ($($arg:tt)*) => {{
        #[cfg(feature = "defmt")]
        defmt::debug!($($arg)*);
        #[cfg(feature = "log")]
        log::debug!($($arg)*);
    }};
}

pub(crate) use debug;
