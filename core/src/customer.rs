//! The customer object.

use core::fmt;

use heapless::String;

use crate::error::{Error, ProtocolError, Result};
use crate::json::{Kind, Reader, read_text};
use crate::request::GetCustomer;
use crate::time::Timestamp;

/// A Juspay customer. Capacities are in bytes; a longer value is an error naming the
/// field ([`ProtocolError::FieldTooLong`]), never truncated. Every field but `id` may be
/// absent or `null` in the JSON, and reads as `None` then.
///
/// With the `serde` feature it serializes with the API's field names in the API's order,
/// `None` as `null`, the client auth token included; `Deserialize` refuses a value over
/// its capacity and an empty `id`, like [`from_json`](Self::from_json).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[non_exhaustive]
pub struct Customer {
    /// Juspay's id, `cst_…`.
    #[cfg_attr(feature = "serde", serde(deserialize_with = "non_empty_id"))]
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
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[non_exhaustive]
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
            .ok_or(Error::Protocol(ProtocolError::InvalidTimestamp))?;
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

    /// Whether there is a token and it is still good `margin_seconds` after `now` (time
    /// for the SDK to use it): `false` when it expires sooner, or its expiry is unknown.
    ///
    /// ```
    /// use juspay_core::{Customer, Timestamp};
    /// let body = br#"{"id":"cst_1","juspay":{"client_auth_token":"tkn_1",
    ///     "client_auth_token_expiry":"2020-03-17T14:45:26Z"}}"#;
    /// let juspay = Customer::from_json(body)?.juspay.unwrap();
    /// let now = Timestamp::parse("2020-03-17T14:40:00Z")?;
    /// assert!(juspay.is_valid_for(now, 60));
    /// assert!(!juspay.is_valid_for(now, 5 * 60 + 26));
    /// # Ok::<(), juspay_core::Error>(())
    /// ```
    pub fn is_valid_for(&self, now: Timestamp, margin_seconds: u32) -> bool {
        let needed_until = now.unix_seconds().saturating_add(i64::from(margin_seconds));
        self.client_auth_token.is_some()
            && self
                .expires_at()
                .is_ok_and(|expiry| needed_until < expiry.unix_seconds())
    }
}

/// A client auth token: a bearer secret. `Debug` and defmt print `<redacted>`; read it
/// with [`expose`](Self::expose) where it is handed to the SDK. With the `serde` feature
/// it serializes as the token's text: handing it to the SDK is what it is for.
#[derive(Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
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

/// `id` through serde: like [`Customer::read_json`], an empty id is no customer.
#[cfg(feature = "serde")]
fn non_empty_id<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> core::result::Result<String<64>, D::Error> {
    let id: String<64> = serde::Deserialize::deserialize(deserializer)?;
    if id.is_empty() {
        return Err(serde::de::Error::invalid_value(
            serde::de::Unexpected::Str(""),
            &"a non-empty customer id",
        ));
    }
    Ok(id)
}

// Serialize by hand rather than derived: every value goes through one
// `serialize_field::<Option<&str>>`, where the derive makes one per field type (each
// capacity is a type). On the Cortex-M4 firmware that is 324 bytes less flash.
#[cfg(feature = "serde")]
impl serde::Serialize for Customer {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let texts = [
            Some(self.id.as_str()),
            self.object.as_deref(),
            self.object_reference_id.as_deref(),
            self.mobile_number.as_deref(),
            self.mobile_country_code.as_deref(),
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            self.email_address.as_deref(),
            self.date_created.as_deref(),
            self.last_updated.as_deref(),
        ];
        let mut out = serializer.serialize_struct("Customer", FIELDS.len())?;
        // FIELDS is in the API's order, `juspay` last.
        for (&name, text) in FIELDS.iter().zip(texts) {
            out.serialize_field(name, &text)?;
        }
        out.serialize_field("juspay", &self.juspay)?;
        out.end()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Juspay {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let texts = [
            (
                "client_auth_token",
                self.client_auth_token.as_ref().map(ClientAuthToken::expose),
            ),
            (
                "client_auth_token_expiry",
                self.client_auth_token_expiry.as_deref(),
            ),
        ];
        let mut out = serializer.serialize_struct("Juspay", texts.len())?;
        for (name, text) in texts {
            out.serialize_field(name, &text)?;
        }
        out.end()
    }
}

/// The keys of the customer object, in the API's order and the order of the `seen` bits.
const FIELDS: [&str; 11] = [
    "id",
    "object",
    "object_reference_id",
    "mobile_number",
    "mobile_country_code",
    "first_name",
    "last_name",
    "email_address",
    "date_created",
    "last_updated",
    "juspay",
];

/// The `juspay` value: an object, or null.
fn read_juspay(reader: &mut Reader<'_>, out: &mut Option<Juspay>) -> Result<()> {
    *out = None;
    match reader.kind()? {
        Kind::Null => return reader.null(),
        Kind::Object => {}
        _ => {
            return Err(Error::Protocol(ProtocolError::InvalidField {
                field: "juspay",
            }));
        }
    }
    let juspay = out.insert(Juspay::default());
    let mut seen = 0u8;
    reader.object(|r, key| {
        let bit = match key {
            "client_auth_token" => 1,
            "client_auth_token_expiry" => 2,
            _ => return r.skip_value(),
        };
        if seen & bit != 0 {
            return Err(Error::Protocol(ProtocolError::InvalidJson));
        }
        seen |= bit;
        if bit == 1 {
            let mut token = None;
            read_text(r, "juspay.client_auth_token", &mut token)?;
            juspay.client_auth_token = token.map(ClientAuthToken);
            Ok(())
        } else {
            read_text(
                r,
                "juspay.client_auth_token_expiry",
                &mut juspay.client_auth_token_expiry,
            )
        }
    })?;
    Ok(())
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
        let mut reader = Reader::new(body)?;
        // One bit per known key already read: a duplicate key is malformed JSON.
        let mut seen = 0u16;
        let is_object = reader.object(|r, key| {
            let Some(bit) = FIELDS.iter().position(|&name| name == key) else {
                return r.skip_value();
            };
            if seen & (1 << bit) != 0 {
                return Err(Error::Protocol(ProtocolError::InvalidJson));
            }
            seen |= 1 << bit;
            match key {
                "id" => {
                    let mut id = None;
                    read_text(r, "id", &mut id)?;
                    self.id = id.unwrap_or_default();
                    Ok(())
                }
                "object" => read_text(r, "object", &mut self.object),
                "object_reference_id" => {
                    read_text(r, "object_reference_id", &mut self.object_reference_id)
                }
                "mobile_number" => read_text(r, "mobile_number", &mut self.mobile_number),
                "mobile_country_code" => {
                    read_text(r, "mobile_country_code", &mut self.mobile_country_code)
                }
                "first_name" => read_text(r, "first_name", &mut self.first_name),
                "last_name" => read_text(r, "last_name", &mut self.last_name),
                "email_address" => read_text(r, "email_address", &mut self.email_address),
                "date_created" => read_text(r, "date_created", &mut self.date_created),
                "last_updated" => read_text(r, "last_updated", &mut self.last_updated),
                _ => read_juspay(r, &mut self.juspay),
            }
        })?;
        if !is_object {
            return Err(Error::Protocol(ProtocolError::InvalidJson));
        }
        reader.end()?;
        // Absent, null and "" alike: a customer without an id cannot be used.
        if self.id.is_empty() {
            return Err(Error::Protocol(ProtocolError::MissingField { field: "id" }));
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

    /// Whether this customer carries a client auth token good `margin_seconds` after
    /// `now`; see [`Juspay::is_valid_for`].
    pub fn has_token_valid_for(&self, now: Timestamp, margin_seconds: u32) -> bool {
        self.juspay
            .as_ref()
            .is_some_and(|juspay| juspay.is_valid_for(now, margin_seconds))
    }

    /// The Get that brings a fresh client auth token, or `None` while the one this customer
    /// carries is good for `margin_seconds` after `now`: there is no refresh call, a new
    /// token comes from Get with `options.get_client_auth_token=true`. The routing id is the
    /// object_reference_id when known (what [`CreateCustomer`](crate::CreateCustomer) and
    /// get-or-create send), else the id.
    ///
    /// ```
    /// use juspay_core::{Customer, Timestamp};
    /// let customer = Customer::from_json(br#"{"id":"cst_1","object_reference_id":"kiosk-0001",
    ///     "juspay":{"client_auth_token":"tkn_1","client_auth_token_expiry":"2020-03-17T14:45:26Z"}}"#)?;
    /// assert_eq!(customer.token_request(Timestamp::parse("2020-03-17T14:30:00Z")?, 300), None);
    /// let get = customer.token_request(Timestamp::parse("2020-03-17T14:41:00Z")?, 300).unwrap();
    /// assert_eq!((get.customer_id(), get.effective_routing_id()), ("cst_1", "kiosk-0001"));
    /// assert!(get.wants_client_auth_token());
    /// # Ok::<(), juspay_core::Error>(())
    /// ```
    pub fn token_request(&self, now: Timestamp, margin_seconds: u32) -> Option<GetCustomer<'_>> {
        if self.has_token_valid_for(now, margin_seconds) {
            return None;
        }
        let routing_id = self.object_reference_id.as_deref().unwrap_or(&self.id);
        Some(
            GetCustomer::new(&self.id)
                .routing_id(routing_id)
                .client_auth_token(true),
        )
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
    fn escaped_keys_mean_what_they_decode_to() {
        // `\u0069d` is `id`: keys are JSON strings like any other.
        let customer =
            Customer::from_json(br#"{"\u0069d":"cst_1","first\u005fname":"Zo\u00eb"}"#).unwrap();
        assert_eq!(customer.id.as_str(), "cst_1");
        assert_eq!(customer.first_name.as_deref(), Some("Zo\u{eb}"));
        // A key that decodes to more than any known key is an unknown key, skipped.
        let long = std::format!(r#"{{"id":"c","{}":1}}"#, "\\u0061".repeat(40));
        assert_eq!(
            Customer::from_json(long.as_bytes()).unwrap().id.as_str(),
            "c"
        );
        // A bad escape in a key is bad JSON.
        assert_eq!(
            Customer::from_json(br#"{"i\qd":"c"}"#),
            Err(Error::Protocol(ProtocolError::InvalidJson))
        );
    }

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
            Err(Error::Protocol(ProtocolError::MissingField { field: "id" }))
        );
        assert_eq!(
            Customer::from_json(br#"{"id":null}"#),
            Err(Error::Protocol(ProtocolError::MissingField { field: "id" }))
        );
        assert_eq!(
            Customer::from_json(br#"{"id":42}"#),
            Err(Error::Protocol(ProtocolError::InvalidField { field: "id" }))
        );
    }

    #[test]
    fn wrong_types_name_the_field() {
        assert_eq!(
            Customer::from_json(br#"{"id":"c","mobile_number":9988776655}"#),
            Err(Error::Protocol(ProtocolError::InvalidField {
                field: "mobile_number"
            }))
        );
        assert_eq!(
            Customer::from_json(br#"{"id":"c","juspay":{"client_auth_token":true}}"#),
            Err(Error::Protocol(ProtocolError::InvalidField {
                field: "juspay.client_auth_token"
            }))
        );
    }

    #[test]
    fn juspay_must_be_an_object_or_null() {
        assert_eq!(
            Customer::from_json(br#"{"id":"c","juspay":"tkn"}"#),
            Err(Error::Protocol(ProtocolError::InvalidField {
                field: "juspay"
            }))
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
            Err(Error::Protocol(ProtocolError::FieldTooLong {
                field: "juspay.client_auth_token",
                capacity: 64
            }))
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
            Err(Error::Protocol(ProtocolError::FieldTooLong {
                field: "first_name",
                capacity: 128
            }))
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
                Err(Error::Protocol(ProtocolError::InvalidJson)),
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
