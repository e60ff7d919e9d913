//! Error bodies: reading one never fails and always keeps the status.
#![no_main]

use juspay_core::ApiError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let error = ApiError::from_response(503, data);
    assert_eq!(error.http_status, 503);
    let _ = error.to_string();
});
