//! The customer object.

use core::fmt;

use heapless::String;
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::json::{Value, only_whitespace_after, text_field};
use crate::time::Timestamp;

/// A Juspay customer. Capacities are in bytes; a longer value is an error naming the
/// field ([`Error::FieldTooLong`]), never truncated. Every field but `id` may be absent or
/// `null` in the JSON, and reads as `None` then.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Customer {
    /// Juspay's id, `cst_…`.
    pub id: String<64>,
    /// Always `customer` so far.
    pub object: Option<String<16>>,
    /// The merchant's own reference, given at creation.
    pub object_reference_id: Option<String<256>>,
    /// Digits, no country code.
    pub mobile_number: Option<String<32>>,
    /// Country calling code, seen with and without `+`.
    pub mobile_country_code: Option<String<8>>,
    /// Given name.
    pub first_name: Option<String<128>>,
    /// Family name.
    pub last_name: Option<String<128>>,
    /// E-mail address.
    pub email_address: Option<String<256>>,
    /// Creation time as sent; see [`Timestamp::parse`].
    pub date_created: Option<String<32>>,
    /// Last update as sent; see [`Timestamp::parse`].
    pub last_updated: Option<String<32>>,
    /// Present when a client auth token was asked for.
    pub juspay: Option<Juspay>,
}

/// The `juspay` object: a client auth token for Express Checkout SDKs, valid 15 minutes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Juspay {
    /// The token. Its `Debug` and defmt output is redacted.
    pub client_auth_token: Option<ClientAuthToken>,
    /// Expiry as sent; see [`Juspay::expires_at`].
    pub client_auth_token_expiry: Option<String<32>>,
}

impl Juspay {
    /// When the token expires.
    pub fn expires_at(&self) -> Result<Timestamp> {
        let expiry = self
            .client_auth_token_expiry
            .as_ref()
            .ok_or(Error::InvalidTimestamp)?;
        Timestamp::parse(expiry)
    }

    /// Whether the token is no longer valid at `now`. An unknown or unreadable expiry
    /// counts as expired: a token is only used while it is known to be valid.
    ///
    /// ```
    /// use juspay_core::{Customer, Timestamp};
    /// let body = br#"{"id":"cst_1","juspay":{"client_auth_token":"tkn_1",
    ///     "client_auth_token_expiry":"2020-03-17T14:45:26Z"}}"#;
    /// let juspay = Customer::from_json(body)?.juspay.unwrap();
    /// assert!(!juspay.is_expired(Timestamp::parse("2020-03-17T14:30:00Z")?));
    /// assert!(juspay.is_expired(Timestamp::parse("2020-03-17T14:45:26Z")?));
    /// # Ok::<(), juspay_core::Error>(())
    /// ```
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at().map_or(true, |expiry| now >= expiry)
    }
}

/// A client auth token: a bearer secret. `Debug` and defmt print `<redacted>`; read it
/// with [`expose`](Self::expose) where it is handed to the SDK.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ClientAuthToken(String<64>);

impl ClientAuthToken {
    /// The token itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClientAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientAuthToken(<redacted>)")
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for ClientAuthToken {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "ClientAuthToken(<redacted>)")
    }
}

#[derive(Deserialize)]
struct RawCustomer<'a> {
    #[serde(borrow)]
    id: Option<Value<'a>>,
    #[serde(borrow)]
    object: Option<Value<'a>>,
    #[serde(borrow)]
    object_reference_id: Option<Value<'a>>,
    #[serde(borrow)]
    mobile_number: Option<Value<'a>>,
    #[serde(borrow)]
    mobile_country_code: Option<Value<'a>>,
    #[serde(borrow)]
    first_name: Option<Value<'a>>,
    #[serde(borrow)]
    last_name: Option<Value<'a>>,
    #[serde(borrow)]
    email_address: Option<Value<'a>>,
    #[serde(borrow)]
    date_created: Option<Value<'a>>,
    #[serde(borrow)]
    last_updated: Option<Value<'a>>,
    #[serde(borrow)]
    juspay: Option<RawJuspay<'a>>,
}

#[derive(Deserialize)]
struct RawJuspay<'a> {
    #[serde(borrow)]
    client_auth_token: Option<Value<'a>>,
    #[serde(borrow)]
    client_auth_token_expiry: Option<Value<'a>>,
}

impl Customer {
    /// Decodes a customer object (a 2xx body).
    ///
    /// ```
    /// use juspay_core::Customer;
    /// let c = Customer::from_json(br#"{"id":"cst_1","first_name":"Zo\u00eb","unknown":[1,{}]}"#)?;
    /// assert_eq!((c.id.as_str(), c.first_name.as_deref()), ("cst_1", Some("Zoë")));
    /// # Ok::<(), juspay_core::Error>(())
    /// ```
    pub fn from_json(body: &[u8]) -> Result<Self> {
        let (raw, consumed) =
            serde_json_core::from_slice::<RawCustomer<'_>>(body).map_err(|_| Error::InvalidJson)?;
        if !only_whitespace_after(body, consumed) {
            return Err(Error::InvalidJson);
        }
        let id = text_field::<64>("id", raw.id)?.ok_or(Error::MissingField { field: "id" })?;
        let juspay = match raw.juspay {
            None => None,
            Some(j) => Some(Juspay {
                client_auth_token: text_field("juspay.client_auth_token", j.client_auth_token)?
                    .map(ClientAuthToken),
                client_auth_token_expiry: text_field(
                    "juspay.client_auth_token_expiry",
                    j.client_auth_token_expiry,
                )?,
            }),
        };
        Ok(Customer {
            id,
            object: text_field("object", raw.object)?,
            object_reference_id: text_field("object_reference_id", raw.object_reference_id)?,
            mobile_number: text_field("mobile_number", raw.mobile_number)?,
            mobile_country_code: text_field("mobile_country_code", raw.mobile_country_code)?,
            first_name: text_field("first_name", raw.first_name)?,
            last_name: text_field("last_name", raw.last_name)?,
            email_address: text_field("email_address", raw.email_address)?,
            date_created: text_field("date_created", raw.date_created)?,
            last_updated: text_field("last_updated", raw.last_updated)?,
            juspay,
        })
    }

    /// `date_created` as an instant.
    pub fn created_at(&self) -> Option<Result<Timestamp>> {
        self.date_created.as_deref().map(Timestamp::parse)
    }

    /// `last_updated` as an instant.
    pub fn updated_at(&self) -> Option<Result<Timestamp>> {
        self.last_updated.as_deref().map(Timestamp::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_and_absent_fields_read_as_none() {
        let c = Customer::from_json(br#"{"id":"cst_1","first_name":null,"juspay":null}"#).unwrap();
        assert_eq!(
            c,
            Customer {
                id: "cst_1".try_into().unwrap(),
                ..Customer::default()
            }
        );
    }

    #[test]
    fn id_is_required_and_must_be_a_string() {
        assert_eq!(
            Customer::from_json(br#"{"first_name":"a"}"#),
            Err(Error::MissingField { field: "id" })
        );
        assert_eq!(
            Customer::from_json(br#"{"id":null}"#),
            Err(Error::MissingField { field: "id" })
        );
        assert_eq!(
            Customer::from_json(br#"{"id":42}"#),
            Err(Error::InvalidField { field: "id" })
        );
    }

    #[test]
    fn wrong_types_name_the_field() {
        assert_eq!(
            Customer::from_json(br#"{"id":"c","mobile_number":9988776655}"#),
            Err(Error::InvalidField {
                field: "mobile_number"
            })
        );
        assert_eq!(
            Customer::from_json(br#"{"id":"c","juspay":{"client_auth_token":true}}"#),
            Err(Error::InvalidField {
                field: "juspay.client_auth_token"
            })
        );
    }

    #[test]
    fn over_capacity_names_the_field() {
        let mut body = heapless::Vec::<u8, 512>::new();
        body.extend_from_slice(br#"{"id":"c","first_name":""#)
            .unwrap();
        body.extend_from_slice(&[b'a'; 129]).unwrap();
        body.extend_from_slice(br#""}"#).unwrap();
        assert_eq!(
            Customer::from_json(&body),
            Err(Error::FieldTooLong {
                field: "first_name",
                capacity: 128
            })
        );
    }

    #[test]
    fn not_json_or_not_an_object() {
        for body in [
            &b""[..],
            b"<html></html>",
            b"[]",
            b"\"cst\"",
            br#"{"id":"c""#,
            br#"{"id":"c"} x"#,
            br#"{"id":"c","id":"d"}"#,
        ] {
            assert_eq!(
                Customer::from_json(body),
                Err(Error::InvalidJson),
                "{:?}",
                core::str::from_utf8(body)
            );
        }
    }

    #[test]
    fn unknown_fields_of_every_type_are_ignored() {
        let body = br#"{"a":1,"b":-2.5e3,"c":true,"d":null,"e":[1,[2],{"f":"g"}],"h":{"i":{"j":[]}},"id":"cst_x","k":"l\"m"}"#;
        assert_eq!(Customer::from_json(body).unwrap().id.as_str(), "cst_x");
    }

    #[test]
    fn token_debug_is_redacted() {
        let c = Customer::from_json(br#"{"id":"c","juspay":{"client_auth_token":"tkn_SECRET"}}"#)
            .unwrap();
        let mut s = heapless::String::<4096>::new();
        core::fmt::write(&mut s, format_args!("{c:?} {c:#?}")).unwrap();
        assert!(!s.contains("tkn_SECRET"), "{s}");
        assert_eq!(
            c.juspay.unwrap().client_auth_token.unwrap().expose(),
            "tkn_SECRET"
        );
    }

    #[test]
    fn expiry_without_a_date_counts_as_expired() {
        let j = Juspay {
            client_auth_token: None,
            client_auth_token_expiry: None,
        };
        assert!(j.is_expired(Timestamp::from_unix_seconds(0)));
        let j = Juspay {
            client_auth_token: None,
            client_auth_token_expiry: Some("soon".try_into().unwrap()),
        };
        assert!(j.is_expired(Timestamp::from_unix_seconds(0)));
    }
}
