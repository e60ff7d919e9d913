//! Customer decoding: an error or a customer with an id, never a panic.
#![no_main]

use juspay_core::Customer;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(customer) = Customer::from_json(data) {
        assert!(!customer.id.is_empty());
    }
});
