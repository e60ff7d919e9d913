//! The API's own errors: an HTTP status and whatever the body said.
//!
//! Error bodies have no consistent shape: every field may be missing or of another type,
//! and some bodies are not JSON at all. Reading one never fails: the status always comes
//! through, with the fields that could be read, long texts cut at a character boundary.

use core::fmt;

use heapless::{String, Vec};

use crate::json::{Reader, read_lenient_text};

/// How many entries of `error_info.fields` are kept.
pub const MAX_FIELD_ERRORS: usize = 2;

/// A non-2xx answer from the API.
///
/// With the `serde` feature it serializes as `http_status` followed by the body's fields
/// with the API's names, in the API's order, `None` as `null`. `Deserialize` is strict
/// where [`from_response`](Self::from_response) is lenient: it reads what `Serialize`
/// wrote, and a value of another type or over its capacity is an error, never cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
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
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ErrorInfo {
    /// `code`, e.g. `RESOURCE_NOT_FOUND`, `UNAUTHORIZED`, `BAD_ORIGIN`.
    pub code: Option<String<40>>,
    /// `category`, e.g. `USER_ERROR`.
    pub category: Option<String<24>>,
    /// `user_message`.
    pub user_message: Option<String<160>>,
    /// `developer_message`.
    pub developer_message: Option<String<160>>,
    /// The first [`MAX_FIELD_ERRORS`] entries of `fields` (serialized `[]` when none; a
    /// missing `fields` deserializes as none, more than [`MAX_FIELD_ERRORS`] is an error).
    #[cfg_attr(feature = "serde", serde(default))]
    pub fields: Vec<FieldError, MAX_FIELD_ERRORS>,
    /// `request_id`, for Juspay support.
    pub request_id: Option<String<64>>,
}

/// One entry of `error_info.fields`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FieldError {
    /// `field_name`.
    pub field_name: Option<String<48>>,
    /// `reason`.
    pub reason: Option<String<80>>,
}

/// What the API said went wrong, read from its codes (`error_info.code`, `error_code`),
/// so that a caller branches without matching message text. With the `serde` feature it
/// serializes in snake case: `not_found`, `already_exists`, `invalid_input`, `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum ApiProblem {
    /// No such customer (`object_not_found`, `RESOURCE_NOT_FOUND`): Get-or-create creates it.
    NotFound,
    /// A customer with this object_reference_id exists already (`ALREADY_EXISTS`,
    /// `unique`): another device created it first; Get finds it.
    AlreadyExists,
    /// A value was refused (`INVALID_INPUT`, `MISSING_MANDATORY_PARAMETER`); which one, when
    /// the body says, is [`ApiError::invalid_field`].
    InvalidInput,
    /// Anything else: see [`ApiError::kind`] and [`ApiError::code`].
    Other,
}

/// The official SDKs' classification of API errors. With the `serde` feature it
/// serializes in snake case, like the API's own codes: `invalid_request`,
/// `authentication`, `authorization`, `server`, `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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
        let read = Reader::new(body).and_then(|mut reader| {
            let is_object = reader.object(|r, key| self.read_entry(r, key))?;
            reader.end()?;
            Ok(is_object)
        });
        if read != Ok(true) {
            // Not a JSON object: only the status is known.
            *self = ApiError {
                http_status,
                ..ApiError::default()
            };
        }
    }

    fn read_entry(&mut self, r: &mut Reader<'_>, key: &str) -> crate::Result<()> {
        match key {
            "status" => read_lenient_text(r, &mut self.status),
            "error_code" => read_lenient_text(r, &mut self.error_code),
            "error_message" => read_lenient_text(r, &mut self.error_message),
            "user_message" => read_lenient_text(r, &mut self.user_message),
            "error_info" => {
                let info = self.error_info.insert(ErrorInfo::default());
                if !r.object(|r, key| info.read_entry(r, key))? {
                    self.error_info = None;
                    r.skip_value()?;
                }
                Ok(())
            }
            _ => r.skip_value(),
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

    /// What went wrong, from the body's codes (the HTTP status alone says too little: a
    /// 400 is both a duplicate and a bad field).
    ///
    /// ```
    /// use juspay_core::{ApiError, ApiProblem, InputField};
    /// let duplicate = ApiError::from_response(400, br#"{"error_code":"unique",
    ///     "error_info":{"code":"ALREADY_EXISTS"}}"#);
    /// assert_eq!(duplicate.problem(), ApiProblem::AlreadyExists);
    /// let field = ApiError::from_response(400, br#"{"error_info":{"code":"INVALID_INPUT",
    ///     "fields":[{"field_name":"mobile_number","reason":"Invalid value."}]}}"#);
    /// assert_eq!(field.problem(), ApiProblem::InvalidInput);
    /// assert_eq!(field.invalid_field(), Some(InputField::MobileNumber));
    /// ```
    pub fn problem(&self) -> ApiProblem {
        let info_code = self.error_info.as_ref().and_then(|i| i.code.as_deref());
        match (info_code, self.error_code.as_deref()) {
            (Some("ALREADY_EXISTS"), _) | (None, Some("unique")) => ApiProblem::AlreadyExists,
            (Some("RESOURCE_NOT_FOUND"), _) | (None, Some("object_not_found")) => {
                ApiProblem::NotFound
            }
            (Some("INVALID_INPUT" | "MISSING_MANDATORY_PARAMETER"), _) => ApiProblem::InvalidInput,
            _ => ApiProblem::Other,
        }
    }

    /// The first field the API named in `error_info.fields` that is one of the request's
    /// form fields. Other names stay readable in [`ErrorInfo::fields`].
    pub fn invalid_field(&self) -> Option<crate::InputField> {
        self.error_info.as_ref().and_then(|info| {
            info.fields.iter().find_map(|f| {
                f.field_name
                    .as_deref()
                    .and_then(crate::InputField::from_api_name)
            })
        })
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

impl core::error::Error for ApiError {}

impl ErrorInfo {
    fn read_entry(&mut self, r: &mut Reader<'_>, key: &str) -> crate::Result<()> {
        match key {
            "code" => read_lenient_text(r, &mut self.code),
            "category" => read_lenient_text(r, &mut self.category),
            "user_message" => read_lenient_text(r, &mut self.user_message),
            "developer_message" => read_lenient_text(r, &mut self.developer_message),
            "request_id" => read_lenient_text(r, &mut self.request_id),
            "fields" => {
                self.fields.clear();
                let fields = &mut self.fields;
                let is_array = r.array(|r| {
                    // Entries past the capacity, and entries that are not objects, are
                    // read and dropped.
                    let mut entry = FieldError::default();
                    if r.object(|r, key| entry.read_entry(r, key))? {
                        let _ = fields.push(entry);
                        Ok(())
                    } else {
                        r.skip_value()
                    }
                })?;
                if !is_array {
                    r.skip_value()?;
                }
                Ok(())
            }
            _ => r.skip_value(),
        }
    }
}

impl FieldError {
    fn read_entry(&mut self, r: &mut Reader<'_>, key: &str) -> crate::Result<()> {
        match key {
            "field_name" => read_lenient_text(r, &mut self.field_name),
            "reason" => read_lenient_text(r, &mut self.reason),
            _ => r.skip_value(),
        }
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
    fn problems_come_from_the_codes_not_the_text() {
        let problem = |status, body: &[u8]| ApiError::from_response(status, body).problem();
        assert_eq!(
            problem(400, br#"{"error_code":"unique","error_message":"x"}"#),
            ApiProblem::AlreadyExists
        );
        assert_eq!(
            problem(400, br#"{"error_info":{"code":"ALREADY_EXISTS"}}"#),
            ApiProblem::AlreadyExists
        );
        assert_eq!(
            problem(404, br#"{"error_code":"object_not_found"}"#),
            ApiProblem::NotFound
        );
        // A bare 404 (a proxy's page for a wrong base URL) is no answer about a customer.
        assert_eq!(problem(404, b"<html>"), ApiProblem::Other);
        assert_eq!(
            problem(
                400,
                br#"{"error_info":{"code":"MISSING_MANDATORY_PARAMETER"}}"#
            ),
            ApiProblem::InvalidInput
        );
        // error_info.code is the more specific one when both are there.
        assert_eq!(
            problem(
                400,
                br#"{"error_code":"unique","error_info":{"code":"INVALID_INPUT"}}"#
            ),
            ApiProblem::InvalidInput
        );
        assert_eq!(problem(400, b""), ApiProblem::Other);
        assert_eq!(
            problem(401, br#"{"error_code":"access_denied"}"#),
            ApiProblem::Other
        );
    }

    #[test]
    fn the_invalid_field_is_the_first_known_one() {
        let e = ApiError::from_response(
            400,
            br#"{"error_info":{"code":"INVALID_INPUT","fields":[{"field_name":"shoe_size"},{"field_name":"last_name"}]}}"#,
        );
        assert_eq!(e.invalid_field(), Some(crate::InputField::LastName));
        assert_eq!(ApiError::from_response(400, b"{}").invalid_field(), None);
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
