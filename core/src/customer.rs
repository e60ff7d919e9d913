//! The customer object.

use core::fmt;

use heapless::String;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess};

use crate::error::{Error, Result};
use crate::json::{Fill, FromObject, NullOr, Value, read_text};
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

/// Reads the customer object's entries straight into a [`Customer`]. Failures that
/// serde cannot carry (which field, which capacity) wait in `failure`.
struct Strict<'c, T> {
    target: &'c mut T,
    failure: Option<Error>,
    /// One bit per known field already read, to refuse duplicate keys.
    seen: u16,
}

impl<'c, T> Strict<'c, T> {
    fn new(target: &'c mut T) -> Self {
        Strict {
            target,
            failure: None,
            seen: 0,
        }
    }

    /// Reads a text field, stopping the parse on the first failure.
    fn text<'de, A: MapAccess<'de>, const N: usize>(
        &mut self,
        map: &mut A,
        bit: u16,
        field: &'static str,
        out: impl FnOnce(&mut T) -> &mut Option<String<N>>,
    ) -> core::result::Result<(), A::Error> {
        self.mark_seen(bit)?;
        let value = map.next_value::<Option<Value<'de>>>()?;
        let result = read_text(field, value, out(self.target));
        self.check(result)
    }

    fn mark_seen<E: de::Error>(&mut self, bit: u16) -> core::result::Result<(), E> {
        if self.seen & bit != 0 {
            return Err(E::custom("duplicate key"));
        }
        self.seen |= bit;
        Ok(())
    }

    fn check<E: de::Error>(&mut self, result: Result<()>) -> core::result::Result<(), E> {
        result.map_err(|e| {
            self.failure = Some(e);
            E::custom("invalid field")
        })
    }
}

impl FromObject for Strict<'_, Customer> {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> core::result::Result<(), A::Error> {
        match key {
            "id" => {
                self.mark_seen(1)?;
                let mut id = None;
                let value = map.next_value::<Option<Value<'de>>>()?;
                self.check(read_text("id", value, &mut id))?;
                self.target.id = id.unwrap_or_default();
                Ok(())
            }
            "object" => self.text(map, 1 << 1, "object", |c| &mut c.object),
            "object_reference_id" => self.text(map, 1 << 2, "object_reference_id", |c| {
                &mut c.object_reference_id
            }),
            "mobile_number" => self.text(map, 1 << 3, "mobile_number", |c| &mut c.mobile_number),
            "mobile_country_code" => self.text(map, 1 << 4, "mobile_country_code", |c| {
                &mut c.mobile_country_code
            }),
            "first_name" => self.text(map, 1 << 5, "first_name", |c| &mut c.first_name),
            "last_name" => self.text(map, 1 << 6, "last_name", |c| &mut c.last_name),
            "email_address" => self.text(map, 1 << 7, "email_address", |c| &mut c.email_address),
            "date_created" => self.text(map, 1 << 8, "date_created", |c| &mut c.date_created),
            "last_updated" => self.text(map, 1 << 9, "last_updated", |c| &mut c.last_updated),
            "juspay" => {
                self.mark_seen(1 << 10)?;
                let juspay = self.target.juspay.insert(Juspay::default());
                let mut inner = Strict::new(juspay);
                let read = map.next_value_seed(NullOr(Fill(&mut inner)));
                if let Some(failure) = inner.failure {
                    return self.check(Err(failure));
                }
                match read? {
                    None => self.target.juspay = None,
                    Some(true) => {}
                    Some(false) => return self.check(Err(Error::InvalidField { field: "juspay" })),
                }
                Ok(())
            }
            _ => map.next_value::<IgnoredAny>().map(|_| ()),
        }
    }
}

impl FromObject for Strict<'_, Juspay> {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> core::result::Result<(), A::Error> {
        match key {
            "client_auth_token" => {
                self.mark_seen(1)?;
                let mut token = None;
                let value = map.next_value::<Option<Value<'de>>>()?;
                self.check(read_text("juspay.client_auth_token", value, &mut token))?;
                self.target.client_auth_token = token.map(ClientAuthToken);
                Ok(())
            }
            "client_auth_token_expiry" => {
                self.text(map, 1 << 1, "juspay.client_auth_token_expiry", |j| {
                    &mut j.client_auth_token_expiry
                })
            }
            _ => map.next_value::<IgnoredAny>().map(|_| ()),
        }
    }
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
        let mut customer = Customer::default();
        customer.read_json(body)?;
        Ok(customer)
    }

    /// [`from_json`](Self::from_json) into `self`, which is overwritten (and unspecified
    /// after an error). Decoding in place keeps kilobyte-sized copies off a firmware stack.
    #[inline(never)]
    pub fn read_json(&mut self, body: &[u8]) -> Result<()> {
        self.clear();
        let mut deserializer = serde_json_core::de::Deserializer::new(body, None);
        let mut strict = Strict::new(self);
        let read = Fill(&mut strict).deserialize(&mut deserializer);
        if let Some(failure) = strict.failure {
            return Err(failure);
        }
        match read {
            Ok(true) if deserializer.end().is_ok() => {}
            _ => return Err(Error::InvalidJson),
        }
        // Absent, null and "" alike: a customer without an id cannot be used.
        if self.id.is_empty() {
            return Err(Error::MissingField { field: "id" });
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.id.clear();
        self.object = None;
        self.object_reference_id = None;
        self.mobile_number = None;
        self.mobile_country_code = None;
        self.first_name = None;
        self.last_name = None;
        self.email_address = None;
        self.date_created = None;
        self.last_updated = None;
        self.juspay = None;
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
    fn juspay_must_be_an_object_or_null() {
        assert_eq!(
            Customer::from_json(br#"{"id":"c","juspay":"tkn"}"#),
            Err(Error::InvalidField { field: "juspay" })
        );
        assert_eq!(
            Customer::from_json(br#"{"id":"c","juspay":{"client_auth_token":null,"x":[1]}}"#)
                .unwrap()
                .juspay,
            Some(Juspay::default())
        );
        let long_token = [
            br#"{"id":"c","juspay":{"client_auth_token":""#.as_slice(),
            &[b't'; 65],
            br#""}}"#,
        ]
        .concat();
        assert_eq!(
            Customer::from_json(&long_token),
            Err(Error::FieldTooLong {
                field: "juspay.client_auth_token",
                capacity: 64
            })
        );
    }

    #[test]
    fn reading_again_leaves_nothing_of_the_previous_customer() {
        let mut c = Customer::from_json(
            br#"{"id":"a","first_name":"A","juspay":{"client_auth_token":"t"}}"#,
        )
        .unwrap();
        c.read_json(br#"{"id":"b"}"#).unwrap();
        assert_eq!(
            c,
            Customer {
                id: "b".try_into().unwrap(),
                ..Customer::default()
            }
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
