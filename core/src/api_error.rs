//! The API's own errors: an HTTP status and whatever the body said.
//!
//! Error bodies have no consistent shape: every field may be missing or of another type,
//! and some bodies are not JSON at all. Reading one never fails: the status always comes
//! through, with the fields that could be read, long texts cut at a character boundary.

use core::fmt;

use heapless::{String, Vec};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::json::{Fill, FromObject, Value, read_lenient_text};

/// How many entries of `error_info.fields` are kept.
pub const MAX_FIELD_ERRORS: usize = 2;

/// A non-2xx answer from the API.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ApiError {
    /// The HTTP status code.
    pub http_status: u16,
    /// `status`, e.g. `invalid_request_error`.
    pub status: Option<String<32>>,
    /// `error_code`, e.g. `object_not_found`.
    pub error_code: Option<String<48>>,
    /// `error_message`.
    pub error_message: Option<String<160>>,
    /// `user_message` (top level; 403 bodies carry it).
    pub user_message: Option<String<160>>,
    /// `error_info`.
    pub error_info: Option<ErrorInfo>,
}

/// The `error_info` object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ErrorInfo {
    /// `code`, e.g. `RESOURCE_NOT_FOUND`, `UNAUTHORIZED`, `BAD_ORIGIN`.
    pub code: Option<String<40>>,
    /// `category`, e.g. `USER_ERROR`.
    pub category: Option<String<24>>,
    /// `user_message`.
    pub user_message: Option<String<160>>,
    /// `developer_message`.
    pub developer_message: Option<String<160>>,
    /// `request_id`, for Juspay support.
    pub request_id: Option<String<64>>,
    /// The first [`MAX_FIELD_ERRORS`] entries of `fields`.
    pub fields: Vec<FieldError, MAX_FIELD_ERRORS>,
}

/// One entry of `error_info.fields`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct FieldError {
    /// `field_name`.
    pub field_name: Option<String<48>>,
    /// `reason`.
    pub reason: Option<String<80>>,
}

/// The official SDKs' classification of API errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400 or 404.
    InvalidRequest,
    /// 401.
    Authentication,
    /// 403.
    Authorization,
    /// 5xx.
    Server,
    /// Any other status (429, 409, 3xx, ...).
    Other,
}

impl ApiError {
    /// Reads what it can of `body`; never fails.
    ///
    /// ```
    /// use juspay_core::{ApiError, ApiErrorKind};
    /// let e = ApiError::from_response(403, br#"{"error":true,"user_message":"Bad Origin.",
    ///     "error_info":{"code":"BAD_ORIGIN","developer_message":"IP Verification Failed"}}"#);
    /// assert_eq!(e.kind(), ApiErrorKind::Authorization);
    /// assert_eq!(e.error_info.unwrap().code.as_deref(), Some("BAD_ORIGIN"));
    /// assert_eq!(ApiError::from_response(502, b"<html>Bad Gateway</html>").http_status, 502);
    /// ```
    pub fn from_response(http_status: u16, body: &[u8]) -> Self {
        let mut error = ApiError::default();
        error.read_response(http_status, body);
        error
    }

    /// [`from_response`](Self::from_response) into `self`, which is overwritten. Decoding
    /// in place keeps kilobyte-sized copies off a firmware stack.
    #[inline(never)]
    pub fn read_response(&mut self, http_status: u16, body: &[u8]) {
        *self = ApiError {
            http_status,
            ..ApiError::default()
        };
        let mut deserializer = serde_json_core::de::Deserializer::new(body, None);
        let read = Fill(&mut *self).deserialize(&mut deserializer);
        if !matches!(read, Ok(true)) || deserializer.end().is_err() {
            // Not a JSON object: only the status is known.
            *self = ApiError {
                http_status,
                ..ApiError::default()
            };
        }
    }

    /// The SDKs' class for this status.
    pub fn kind(&self) -> ApiErrorKind {
        match self.http_status {
            400 | 404 => ApiErrorKind::InvalidRequest,
            401 => ApiErrorKind::Authentication,
            403 => ApiErrorKind::Authorization,
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        }
    }

    /// 400 or 404.
    pub fn is_invalid_request(&self) -> bool {
        self.kind() == ApiErrorKind::InvalidRequest
    }

    /// 401: the API key was refused.
    pub fn is_authentication(&self) -> bool {
        self.kind() == ApiErrorKind::Authentication
    }

    /// 403: the caller is not allowed (e.g. its IP is not whitelisted).
    pub fn is_authorization(&self) -> bool {
        self.kind() == ApiErrorKind::Authorization
    }

    /// 5xx.
    pub fn is_server(&self) -> bool {
        self.kind() == ApiErrorKind::Server
    }

    /// The most specific message the body gave, for people.
    pub fn message(&self) -> Option<&str> {
        let info = self.error_info.as_ref();
        info.and_then(|i| i.developer_message.as_deref())
            .or(self.error_message.as_deref())
            .or(info.and_then(|i| i.user_message.as_deref()))
            .or(self.user_message.as_deref())
    }

    /// The most specific code the body gave.
    pub fn code(&self) -> Option<&str> {
        self.error_info
            .as_ref()
            .and_then(|i| i.code.as_deref())
            .or(self.error_code.as_deref())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Juspay API error: HTTP {}", self.http_status)?;
        if let Some(code) = self.code() {
            write!(f, " {code}")?;
        }
        if let Some(message) = self.message() {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

fn text<'de, A: MapAccess<'de>, const N: usize>(
    map: &mut A,
    out: &mut Option<String<N>>,
) -> Result<(), A::Error> {
    read_lenient_text(map.next_value::<Option<Value<'de>>>()?, out);
    Ok(())
}

impl FromObject for ApiError {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "status" => text(map, &mut self.status)?,
            "error_code" => text(map, &mut self.error_code)?,
            "error_message" => text(map, &mut self.error_message)?,
            "user_message" => text(map, &mut self.user_message)?,
            "error_info" => {
                let info = self.error_info.insert(ErrorInfo::default());
                if !map.next_value_seed(Fill(info))? {
                    self.error_info = None;
                }
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl FromObject for ErrorInfo {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "code" => text(map, &mut self.code)?,
            "category" => text(map, &mut self.category)?,
            "user_message" => text(map, &mut self.user_message)?,
            "developer_message" => text(map, &mut self.developer_message)?,
            "request_id" => text(map, &mut self.request_id)?,
            "fields" => {
                self.fields.clear();
                map.next_value_seed(FieldErrors(&mut self.fields))?;
            }
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

impl FromObject for FieldError {
    fn read_entry<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        match key {
            "field_name" => text(map, &mut self.field_name)?,
            "reason" => text(map, &mut self.reason)?,
            _ => {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// Keeps the first entries of a `fields` array; any other JSON value leaves it empty.
struct FieldErrors<'t>(&'t mut Vec<FieldError, MAX_FIELD_ERRORS>);

impl<'de> DeserializeSeed<'de> for FieldErrors<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_ignored_any(self)
    }
}

impl<'de> Visitor<'de> for FieldErrors<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        loop {
            if self.0.is_full() {
                // Entries past the capacity are read and dropped.
                if seq.next_element::<IgnoredAny>()?.is_none() {
                    return Ok(());
                }
                continue;
            }
            let _ = self.0.push(FieldError::default());
            let Some(slot) = self.0.last_mut() else {
                return Ok(());
            };
            match seq.next_element_seed(Fill(slot))? {
                Some(true) => {}
                Some(false) => {
                    self.0.pop();
                }
                None => {
                    self.0.pop();
                    return Ok(());
                }
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }

    fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reaches_the_caller_whatever_the_body() {
        for body in [
            &b""[..],
            b"<html>502</html>",
            b"{",
            b"[1,2]",
            b"null",
            b"\"text\"",
            br#"{"status":"#,
        ] {
            let e = ApiError::from_response(502, body);
            assert_eq!(
                e,
                ApiError {
                    http_status: 502,
                    ..ApiError::default()
                }
            );
        }
    }

    #[test]
    fn wrong_types_read_as_absent() {
        let e = ApiError::from_response(
            400,
            br#"{"status":400,"error_code":["x"],"error_message":{"a":1},"user_message":"ok","error_info":"text"}"#,
        );
        assert_eq!(e.status, None);
        assert_eq!(e.error_code, None);
        assert_eq!(e.error_message, None);
        assert_eq!(e.user_message.as_deref(), Some("ok"));
        assert_eq!(e.error_info, None);
    }

    #[test]
    fn fields_keep_the_first_entries() {
        let e = ApiError::from_response(
            400,
            br#"{"error_info":{"fields":[{"field_name":"a","reason":"r1"},7,{"field_name":"b"},{"field_name":"c"}],"code":"INVALID_INPUT"}}"#,
        );
        let info = e.error_info.unwrap();
        assert_eq!(info.code.as_deref(), Some("INVALID_INPUT"));
        assert_eq!(info.fields.len(), 2);
        assert_eq!(info.fields[0].field_name.as_deref(), Some("a"));
        assert_eq!(info.fields[0].reason.as_deref(), Some("r1"));
        assert_eq!(info.fields[1].field_name.as_deref(), Some("b"));
    }

    #[test]
    fn long_messages_are_cut_at_a_character_boundary() {
        let mut body = heapless::Vec::<u8, 1024>::new();
        body.extend_from_slice(br#"{"error_message":""#).unwrap();
        for _ in 0..100 {
            body.extend_from_slice("é".as_bytes()).unwrap();
        }
        body.extend_from_slice(br#""}"#).unwrap();
        let e = ApiError::from_response(500, &body);
        let message = e.error_message.unwrap();
        assert_eq!(message.len(), 160);
        assert!(message.chars().all(|c| c == 'é'));
    }

    #[test]
    fn classification_like_the_official_sdks() {
        let kind = |s| {
            ApiError {
                http_status: s,
                ..ApiError::default()
            }
            .kind()
        };
        assert_eq!(kind(400), ApiErrorKind::InvalidRequest);
        assert_eq!(kind(404), ApiErrorKind::InvalidRequest);
        assert_eq!(kind(401), ApiErrorKind::Authentication);
        assert_eq!(kind(403), ApiErrorKind::Authorization);
        assert_eq!(kind(500), ApiErrorKind::Server);
        assert_eq!(kind(503), ApiErrorKind::Server);
        assert_eq!(kind(429), ApiErrorKind::Other);
    }

    #[test]
    fn display_prefers_the_specific_code_and_message() {
        let e = ApiError::from_response(
            401,
            br#"{"status":"error","error_code":"access_denied","error_info":{"code":"UNAUTHORIZED","developer_message":"Invalid API Key."}}"#,
        );
        let mut s = heapless::String::<128>::new();
        core::fmt::write(&mut s, format_args!("{e}")).unwrap();
        assert_eq!(
            s.as_str(),
            "Juspay API error: HTTP 401 UNAUTHORIZED: Invalid API Key."
        );
    }
}
