//! The customer requests (Get, Create, Update) and their encoding into HTTP/1.1 bytes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use core::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::{Credentials, Endpoint, check_header_value};
use crate::error::{Error, InputField, InputProblem, Result};

/// Bytes a segment may carry unencoded: RFC 3986 unreserved characters and `@`
/// (kept readable for e-mail-shaped object_reference_ids). Everything else, `/`, `?`, `#`,
/// `%`, spaces, `+` and non-ASCII included, is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("juspay-core/", env!("CARGO_PKG_VERSION"));

/// `GET /customers/{customer_id}`.
///
/// ```
/// use juspay_core::{Credentials, Endpoint, GetCustomer};
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let request = GetCustomer::new("customer@gmail.com").client_auth_token(true);
/// let mut buf = [0u8; 512];
/// let n = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf)?;
/// assert!(buf[..n].starts_with(
///     b"GET /customers/customer@gmail.com?options.get_client_auth_token=true HTTP/1.1\r\n"
/// ));
/// # Ok::<(), juspay_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetCustomer<'a> {
    customer_id: &'a str,
    routing_id: Option<&'a str>,
    client_auth_token: bool,
    version: Option<&'a str>,
}

impl<'a> GetCustomer<'a> {
    /// A request for the customer with this Juspay id (`cst_…`) or object_reference_id.
    pub const fn new(customer_id: &'a str) -> Self {
        GetCustomer {
            customer_id,
            routing_id: None,
            client_auth_token: false,
            version: None,
        }
    }

    /// `x-routing-id`; by default the customer id.
    #[must_use]
    pub const fn routing_id(mut self, routing_id: &'a str) -> Self {
        self.routing_id = Some(routing_id);
        self
    }

    /// Ask for a client auth token (`options.get_client_auth_token=true`).
    #[must_use]
    pub const fn client_auth_token(mut self, wanted: bool) -> Self {
        self.client_auth_token = wanted;
        self
    }

    /// The optional `version` header (an API version date such as `2018-10-25`).
    #[must_use]
    pub const fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// The customer id.
    pub const fn customer_id(&self) -> &'a str {
        self.customer_id
    }

    /// The routing id that will be sent.
    pub fn effective_routing_id(&self) -> &'a str {
        self.routing_id.unwrap_or(self.customer_id)
    }

    /// Whether a client auth token is asked for.
    pub const fn wants_client_auth_token(&self) -> bool {
        self.client_auth_token
    }

    /// Checks every value that reaches the request line or a header.
    pub fn validate(&self) -> Result<()> {
        check_customer_id(self.customer_id)?;
        check_routing_and_version(
            self.routing_id,
            InputField::CustomerId,
            self.effective_routing_id(),
            self.version,
        )
    }

    /// Encodes the request into `out` and returns its length. Validates first: on any
    /// error nothing meaningful is in `out`. [`Error::BufferTooSmall`] says how much is needed.
    pub fn encode(
        &self,
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        out: &mut [u8],
    ) -> Result<usize> {
        self.validate()?;
        let head = Head {
            method: "GET",
            customer_id: Some(self.customer_id),
            token_query: self.client_auth_token,
            routing_id: self.effective_routing_id(),
            version: self.version,
        };
        encode_message(&head, None, endpoint, credentials, out)
    }
}

/// Bytes a form value may carry unencoded: the WHATWG `application/x-www-form-urlencoded`
/// set (ASCII letters, digits and `*-._`). Everything else is percent-encoded, the space
/// as `%20` rather than `+`, which every form decoder reads the same and no decoder
/// mistakes for a literal plus.
const FORM_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'*')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

/// The shortest `object_reference_id` the API accepts, in characters.
pub const MIN_OBJECT_REFERENCE_ID: usize = 8;

/// The customer fields Create and Update both send: each one present is one form field.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Fields<'a> {
    mobile_number: Option<&'a str>,
    mobile_country_code: Option<&'a str>,
    email_address: Option<&'a str>,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
}

impl<'a> Fields<'a> {
    /// The fields in the order they are sent, with their names.
    fn named(&self) -> [(InputField, Option<&'a str>); 5] {
        [
            (InputField::MobileNumber, self.mobile_number),
            (InputField::MobileCountryCode, self.mobile_country_code),
            (InputField::EmailAddress, self.email_address),
            (InputField::FirstName, self.first_name),
            (InputField::LastName, self.last_name),
        ]
    }

    /// What is structural: digits-only numbers, no control characters anywhere. Character
    /// sets of names and e-mail addresses are the server's to enforce (its 400 names the
    /// field: [`ApiError::invalid_field`](crate::ApiError::invalid_field)).
    fn validate(&self) -> Result<()> {
        for (field, value) in self.named() {
            let Some(value) = value else { continue };
            let digits_only = matches!(
                field,
                InputField::MobileNumber | InputField::MobileCountryCode
            );
            if digits_only && value.is_empty() {
                return Err(invalid(field, InputProblem::Empty));
            }
            if value.chars().any(char::is_control) {
                return Err(invalid(field, InputProblem::ControlCharacter));
            }
            if digits_only && !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid(field, InputProblem::NotDigits));
            }
        }
        Ok(())
    }
}

fn invalid(field: InputField, problem: InputProblem) -> Error {
    Error::InvalidInput { field, problem }
}

/// The `application/x-www-form-urlencoded` body of a Create or Update.
struct Form<'r, 'a> {
    object_reference_id: Option<&'a str>,
    fields: &'r Fields<'a>,
    client_auth_token: bool,
}

impl Form<'_, '_> {
    fn write(&self, w: &mut Writer<'_>) {
        let mut first = true;
        let mut pair = |w: &mut Writer<'_>, name: &str, value: &str| {
            if !first {
                w.put(b"&");
            }
            first = false;
            w.put(name.as_bytes());
            w.put(b"=");
            for piece in utf8_percent_encode(value, FORM_VALUE) {
                w.put(piece.as_bytes());
            }
        };
        if let Some(id) = self.object_reference_id {
            pair(w, InputField::ObjectReferenceId.name(), id);
        }
        for (field, value) in self.fields.named() {
            if let Some(value) = value {
                pair(w, field.name(), value);
            }
        }
        if self.client_auth_token {
            pair(w, "options.get_client_auth_token", "true");
        }
    }

    /// The body's length, counted without writing it.
    fn len(&self) -> usize {
        let mut counter = Writer {
            out: &mut [],
            len: 0,
        };
        self.write(&mut counter);
        counter.len
    }
}

/// What a request line and its headers are made of.
struct Head<'r> {
    method: &'static str,
    /// The path's customer segment; `None` is `POST /customers`.
    customer_id: Option<&'r str>,
    token_query: bool,
    routing_id: &'r str,
    version: Option<&'r str>,
}

/// One request: head, headers and (for Create and Update) a form body with its
/// `Content-Length`. The caller validated every value.
fn encode_message(
    head: &Head<'_>,
    form: Option<&Form<'_, '_>>,
    endpoint: &Endpoint<'_>,
    credentials: &Credentials<'_>,
    out: &mut [u8],
) -> Result<usize> {
    let mut w = Writer { out, len: 0 };
    w.put(head.method.as_bytes());
    w.put(b" /customers");
    if let Some(customer_id) = head.customer_id {
        w.put(b"/");
        for piece in utf8_percent_encode(customer_id, SEGMENT) {
            w.put(piece.as_bytes());
        }
    }
    if head.token_query {
        w.put(b"?options.get_client_auth_token=true");
    }
    w.put(b" HTTP/1.1\r\nHost: ");
    w.put(endpoint.uri_host().as_bytes());
    if endpoint.port() != 443 {
        w.put(b":");
        let mut digits = [0u8; 20];
        w.put(format_decimal(usize::from(endpoint.port()), &mut digits));
    }
    w.put(b"\r\nAuthorization: Basic ");
    w.put_basic_credentials(credentials.api_key().as_bytes());
    w.put(b"\r\nx-merchantid: ");
    w.put(credentials.merchant_id().as_bytes());
    w.put(b"\r\nx-routing-id: ");
    w.put(head.routing_id.as_bytes());
    if let Some(version) = head.version {
        w.put(b"\r\nversion: ");
        w.put(version.as_bytes());
    }
    w.put(b"\r\nAccept: application/json\r\nUser-Agent: ");
    w.put(USER_AGENT.as_bytes());
    if let Some(form) = form {
        w.put(b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ");
        let mut digits = [0u8; 20];
        w.put(format_decimal(form.len(), &mut digits));
        w.put(b"\r\n\r\n");
        form.write(&mut w);
    } else {
        w.put(b"\r\n\r\n");
    }
    if w.len > w.out.len() {
        return Err(Error::BufferTooSmall { required: w.len });
    }
    Ok(w.len)
}

/// The setters of the optional fields Create and Update both send, written once.
macro_rules! field_setters {
    () => {
        /// `mobile_country_code`: digits, no `+`.
        #[must_use]
        pub const fn mobile_country_code(mut self, code: &'a str) -> Self {
            self.fields.mobile_country_code = Some(code);
            self
        }

        /// `email_address`.
        #[must_use]
        pub const fn email_address(mut self, email_address: &'a str) -> Self {
            self.fields.email_address = Some(email_address);
            self
        }

        /// `first_name`.
        #[must_use]
        pub const fn first_name(mut self, first_name: &'a str) -> Self {
            self.fields.first_name = Some(first_name);
            self
        }

        /// `last_name`.
        #[must_use]
        pub const fn last_name(mut self, last_name: &'a str) -> Self {
            self.fields.last_name = Some(last_name);
            self
        }
    };
}

/// `POST /customers`: a new customer, answered with the customer object (its new `id`).
///
/// `object_reference_id` is the merchant's own id for the customer (an e-mail address, a
/// phone number, a database id: at least [`MIN_OBJECT_REFERENCE_ID`] characters, unique per
/// merchant); it is also the `x-routing-id` unless another is given, so that the Get
/// calls of a [`GetOrCreate`](crate::flow::GetOrCreate) send the same one.
///
/// ```
/// use juspay_core::{CreateCustomer, Credentials, Endpoint};
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let request = CreateCustomer::new("kiosk+9988776655", "9988776655")
///     .mobile_country_code("91")
///     .first_name("Zoë");
/// let mut buf = [0u8; 512];
/// let n = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf)?;
/// assert!(buf[..n].starts_with(b"POST /customers HTTP/1.1\r\n"));
/// assert!(buf[..n].ends_with(
///     b"\r\n\r\nobject_reference_id=kiosk%2B9988776655&mobile_number=9988776655&mobile_country_code=91&first_name=Zo%C3%AB"
/// ));
/// # Ok::<(), juspay_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CreateCustomer<'a> {
    object_reference_id: &'a str,
    fields: Fields<'a>,
    routing_id: Option<&'a str>,
    client_auth_token: bool,
    version: Option<&'a str>,
}

impl<'a> CreateCustomer<'a> {
    /// A new customer with the merchant's id for it and its mobile number (digits, no
    /// `+`, no country code), the two fields the API requires.
    pub const fn new(object_reference_id: &'a str, mobile_number: &'a str) -> Self {
        CreateCustomer {
            object_reference_id,
            fields: Fields {
                mobile_number: Some(mobile_number),
                mobile_country_code: None,
                email_address: None,
                first_name: None,
                last_name: None,
            },
            routing_id: None,
            client_auth_token: false,
            version: None,
        }
    }

    field_setters!();

    /// `x-routing-id`; by default the object_reference_id.
    #[must_use]
    pub const fn routing_id(mut self, routing_id: &'a str) -> Self {
        self.routing_id = Some(routing_id);
        self
    }

    /// Ask for a client auth token in the answer (`options.get_client_auth_token=true`).
    #[must_use]
    pub const fn client_auth_token(mut self, wanted: bool) -> Self {
        self.client_auth_token = wanted;
        self
    }

    /// The optional `version` header.
    #[must_use]
    pub const fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// The merchant's id for the customer.
    pub const fn object_reference_id(&self) -> &'a str {
        self.object_reference_id
    }

    /// The routing id that will be sent.
    pub fn effective_routing_id(&self) -> &'a str {
        self.routing_id.unwrap_or(self.object_reference_id)
    }

    /// Whether a client auth token is asked for.
    pub const fn wants_client_auth_token(&self) -> bool {
        self.client_auth_token
    }

    /// The Get for the same customer (by object_reference_id), with the same routing id,
    /// token option and version: the other half of get-or-create.
    pub fn get(&self) -> GetCustomer<'a> {
        let get = GetCustomer::new(self.object_reference_id)
            .routing_id(self.effective_routing_id())
            .client_auth_token(self.client_auth_token);
        match self.version {
            Some(version) => get.version(version),
            None => get,
        }
    }

    /// Checks what is structural before a byte is sent: an object_reference_id of at
    /// least [`MIN_OBJECT_REFERENCE_ID`] characters, digits-only mobile number and
    /// country code, no control characters, headers that cannot be corrupted.
    pub fn validate(&self) -> Result<()> {
        let id = self.object_reference_id;
        if id.is_empty() {
            return Err(invalid(InputField::ObjectReferenceId, InputProblem::Empty));
        }
        if id.chars().any(char::is_control) {
            return Err(invalid(
                InputField::ObjectReferenceId,
                InputProblem::ControlCharacter,
            ));
        }
        if id.chars().count() < MIN_OBJECT_REFERENCE_ID {
            return Err(invalid(
                InputField::ObjectReferenceId,
                InputProblem::TooShort,
            ));
        }
        self.fields.validate()?;
        check_routing_and_version(
            self.routing_id,
            InputField::ObjectReferenceId,
            self.effective_routing_id(),
            self.version,
        )
    }

    fn form(&self) -> Form<'_, 'a> {
        Form {
            object_reference_id: Some(self.object_reference_id),
            fields: &self.fields,
            client_auth_token: self.client_auth_token,
        }
    }

    /// Length of the form body: what logs may show of it (its content is personal data).
    pub fn body_len(&self) -> usize {
        self.form().len()
    }

    /// Encodes the request into `out` and returns its length; validates first.
    pub fn encode(
        &self,
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        out: &mut [u8],
    ) -> Result<usize> {
        self.validate()?;
        let head = Head {
            method: "POST",
            customer_id: None,
            token_query: false,
            routing_id: self.effective_routing_id(),
            version: self.version,
        };
        encode_message(&head, Some(&self.form()), endpoint, credentials, out)
    }
}

/// `POST /customers/{customer_id}`: changes the fields given, answered with the customer
/// object. The customer id is the Juspay id or the object_reference_id.
///
/// ```
/// use juspay_core::{Credentials, Endpoint, UpdateCustomer};
/// let credentials = Credentials::new("my_api_key", "merchant_1")?;
/// let request = UpdateCustomer::new("cst_om2l6ctlptxwxuzj").email_address("a+b@example.com");
/// let mut buf = [0u8; 512];
/// let n = request.encode(&Endpoint::SANDBOX, &credentials, &mut buf)?;
/// assert!(buf[..n].starts_with(b"POST /customers/cst_om2l6ctlptxwxuzj HTTP/1.1\r\n"));
/// assert!(buf[..n].ends_with(b"\r\nContent-Length: 33\r\n\r\nemail_address=a%2Bb%40example.com"));
/// # Ok::<(), juspay_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UpdateCustomer<'a> {
    customer_id: &'a str,
    fields: Fields<'a>,
    routing_id: Option<&'a str>,
    version: Option<&'a str>,
}

impl<'a> UpdateCustomer<'a> {
    /// An update of the customer with this Juspay id or object_reference_id; add the
    /// fields to change.
    pub const fn new(customer_id: &'a str) -> Self {
        UpdateCustomer {
            customer_id,
            fields: Fields {
                mobile_number: None,
                mobile_country_code: None,
                email_address: None,
                first_name: None,
                last_name: None,
            },
            routing_id: None,
            version: None,
        }
    }

    /// `mobile_number`: digits, no `+`, no country code.
    #[must_use]
    pub const fn mobile_number(mut self, mobile_number: &'a str) -> Self {
        self.fields.mobile_number = Some(mobile_number);
        self
    }

    field_setters!();

    /// `x-routing-id`; by default the customer id.
    #[must_use]
    pub const fn routing_id(mut self, routing_id: &'a str) -> Self {
        self.routing_id = Some(routing_id);
        self
    }

    /// The optional `version` header.
    #[must_use]
    pub const fn version(mut self, version: &'a str) -> Self {
        self.version = Some(version);
        self
    }

    /// The customer id.
    pub const fn customer_id(&self) -> &'a str {
        self.customer_id
    }

    /// The routing id that will be sent.
    pub fn effective_routing_id(&self) -> &'a str {
        self.routing_id.unwrap_or(self.customer_id)
    }

    /// Checks the customer id as [`GetCustomer::validate`] does, and the fields as
    /// [`CreateCustomer::validate`] does.
    pub fn validate(&self) -> Result<()> {
        check_customer_id(self.customer_id)?;
        self.fields.validate()?;
        check_routing_and_version(
            self.routing_id,
            InputField::CustomerId,
            self.effective_routing_id(),
            self.version,
        )
    }

    fn form(&self) -> Form<'_, 'a> {
        Form {
            object_reference_id: None,
            fields: &self.fields,
            client_auth_token: false,
        }
    }

    /// Length of the form body: what logs may show of it (its content is personal data).
    pub fn body_len(&self) -> usize {
        self.form().len()
    }

    /// Encodes the request into `out` and returns its length; validates first.
    pub fn encode(
        &self,
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        out: &mut [u8],
    ) -> Result<usize> {
        self.validate()?;
        let head = Head {
            method: "POST",
            customer_id: Some(self.customer_id),
            token_query: false,
            routing_id: self.effective_routing_id(),
            version: self.version,
        };
        encode_message(&head, Some(&self.form()), endpoint, credentials, out)
    }
}

// Personal data (names, numbers, e-mail, the object_reference_id) stays out of Debug and
// defmt: what shows is which fields are set and the body's length.
impl fmt::Debug for CreateCustomer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateCustomer")
            .field("fields_set", &self.fields.count())
            .field("body_len", &self.body_len())
            .field("client_auth_token", &self.client_auth_token)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for UpdateCustomer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpdateCustomer")
            .field("fields_set", &self.fields.count())
            .field("body_len", &self.body_len())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for CreateCustomer<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "CreateCustomer {{ fields_set: {=usize}, body_len: {=usize}, client_auth_token: {=bool}, .. }}",
            self.fields.count(),
            self.body_len(),
            self.client_auth_token
        )
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for UpdateCustomer<'_> {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(
            f,
            "UpdateCustomer {{ fields_set: {=usize}, body_len: {=usize}, .. }}",
            self.fields.count(),
            self.body_len()
        )
    }
}

impl Fields<'_> {
    fn count(&self) -> usize {
        self.named().iter().filter(|(_, v)| v.is_some()).count()
    }
}

/// The checks of a customer id that goes into the path.
fn check_customer_id(customer_id: &str) -> Result<()> {
    match customer_id {
        "" => Err(invalid(InputField::CustomerId, InputProblem::Empty)),
        "." | ".." => Err(invalid(InputField::CustomerId, InputProblem::DotSegment)),
        id if id.chars().any(char::is_control) => Err(invalid(
            InputField::CustomerId,
            InputProblem::ControlCharacter,
        )),
        _ => Ok(()),
    }
}

/// The routing id and version headers. Without a routing id of its own the request sends
/// `default_field`'s value as one, and it is that field the caller must fix.
fn check_routing_and_version(
    routing_id: Option<&str>,
    default_field: InputField,
    effective: &str,
    version: Option<&str>,
) -> Result<()> {
    let routing_field = match routing_id {
        Some(_) => InputField::RoutingId,
        None => default_field,
    };
    check_header_value(routing_field, effective)?;
    if let Some(version) = version {
        check_header_value(InputField::Version, version)?;
    }
    Ok(())
}

/// Which call a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Operation {
    /// [`GetCustomer`].
    Get,
    /// [`CreateCustomer`].
    Create,
    /// [`UpdateCustomer`].
    Update,
}

impl Operation {
    /// `get`, `create` or `update`: what a log line may say of a request (its ids and
    /// fields are personal data).
    pub const fn name(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::Create => "create",
            Operation::Update => "update",
        }
    }
}

/// Any of the three customer requests, as one value: what a
/// [`GetOrCreate`](crate::flow::GetOrCreate) hands out step by step, and what a
/// transport's one call path takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CustomerRequest<'a> {
    /// `GET /customers/{id}`.
    Get(GetCustomer<'a>),
    /// `POST /customers`.
    Create(CreateCustomer<'a>),
    /// `POST /customers/{id}`.
    Update(UpdateCustomer<'a>),
}

impl<'a> From<GetCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: GetCustomer<'a>) -> Self {
        CustomerRequest::Get(request)
    }
}

impl<'a> From<CreateCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: CreateCustomer<'a>) -> Self {
        CustomerRequest::Create(request)
    }
}

impl<'a> From<UpdateCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: UpdateCustomer<'a>) -> Self {
        CustomerRequest::Update(request)
    }
}

impl<'a> From<&GetCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: &GetCustomer<'a>) -> Self {
        CustomerRequest::Get(*request)
    }
}

impl<'a> From<&CreateCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: &CreateCustomer<'a>) -> Self {
        CustomerRequest::Create(*request)
    }
}

impl<'a> From<&UpdateCustomer<'a>> for CustomerRequest<'a> {
    fn from(request: &UpdateCustomer<'a>) -> Self {
        CustomerRequest::Update(*request)
    }
}

impl<'a> From<&CustomerRequest<'a>> for CustomerRequest<'a> {
    fn from(request: &CustomerRequest<'a>) -> Self {
        *request
    }
}

impl<'a> CustomerRequest<'a> {
    /// Which call this is.
    pub fn operation(&self) -> Operation {
        match self {
            CustomerRequest::Get(_) => Operation::Get,
            CustomerRequest::Create(_) => Operation::Create,
            CustomerRequest::Update(_) => Operation::Update,
        }
    }

    /// Checks every value before a byte is sent.
    pub fn validate(&self) -> Result<()> {
        match self {
            CustomerRequest::Get(r) => r.validate(),
            CustomerRequest::Create(r) => r.validate(),
            CustomerRequest::Update(r) => r.validate(),
        }
    }

    /// The routing id that will be sent.
    pub fn effective_routing_id(&self) -> &'a str {
        match self {
            CustomerRequest::Get(r) => r.effective_routing_id(),
            CustomerRequest::Create(r) => r.effective_routing_id(),
            CustomerRequest::Update(r) => r.effective_routing_id(),
        }
    }

    /// The body's length (0 for a Get): what logs may show of it.
    pub fn body_len(&self) -> usize {
        match self {
            CustomerRequest::Get(_) => 0,
            CustomerRequest::Create(r) => r.body_len(),
            CustomerRequest::Update(r) => r.body_len(),
        }
    }

    /// Encodes the request into `out` and returns its length; validates first.
    pub fn encode(
        &self,
        endpoint: &Endpoint<'_>,
        credentials: &Credentials<'_>,
        out: &mut [u8],
    ) -> Result<usize> {
        match self {
            CustomerRequest::Get(r) => r.encode(endpoint, credentials, out),
            CustomerRequest::Create(r) => r.encode(endpoint, credentials, out),
            CustomerRequest::Update(r) => r.encode(endpoint, credentials, out),
        }
    }
}

/// Any number in decimal, written at the end of `digits` (twenty digits hold any u64).
fn format_decimal(value: usize, digits: &mut [u8; 20]) -> &[u8] {
    let mut n = value;
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    digits.get(start..).unwrap_or_default()
}

/// Writes into a slice while counting every byte asked for, so that an overflow reports
/// the full size needed instead of failing at the first byte that does not fit.
struct Writer<'o> {
    out: &'o mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.out.get_mut(self.len..end) {
            dst.copy_from_slice(bytes);
        }
        self.len = end;
    }

    /// `base64(key ":")` without copying the key: whole 3-byte groups of the key encode
    /// on their own, and only the last one or two key bytes share a group with the colon.
    fn put_basic_credentials(&mut self, key: &[u8]) {
        let split = key.len() - key.len() % 3;
        let (whole, rest) = key.split_at(split);
        self.put_base64(whole);
        let mut tail = [0u8; 3];
        let tail_len = rest.len() + 1;
        if let Some(dst) = tail.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        if let Some(colon) = tail.get_mut(rest.len()) {
            *colon = b':';
        }
        self.put_base64(tail.get(..tail_len).unwrap_or_default());
    }

    fn put_base64(&mut self, input: &[u8]) {
        // Encoded length of whole groups is 4 per 3 input bytes; a partial group takes 4.
        let needed = input.len().div_ceil(3) * 4;
        let end = self.len.saturating_add(needed);
        if let Some(dst) = self.out.get_mut(self.len..end) {
            // Cannot fail: dst has exactly the encoded length.
            let _ = BASE64.encode_slice(input, dst);
        }
        self.len = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Credentials<'static> {
        Credentials::new("my_api_key", "merchant_1").unwrap()
    }

    #[test]
    fn a_padded_id_is_blamed_on_the_id_unless_a_routing_id_was_given() {
        let padded = GetCustomer::new(" cst_1");
        assert_eq!(
            padded.validate(),
            Err(Error::InvalidInput {
                field: InputField::CustomerId,
                problem: InputProblem::SurroundingWhitespace,
            })
        );
        let routed = GetCustomer::new("cst_1").routing_id("cart_1 ");
        assert_eq!(
            routed.validate(),
            Err(Error::InvalidInput {
                field: InputField::RoutingId,
                problem: InputProblem::SurroundingWhitespace,
            })
        );
    }

    fn encode(req: GetCustomer<'_>, endpoint: &Endpoint<'_>) -> heapless::Vec<u8, 1024> {
        let mut buf = [0u8; 1024];
        let n = req.encode(endpoint, &creds(), &mut buf).unwrap();
        heapless::Vec::from_slice(&buf[..n]).unwrap()
    }

    fn invalid(field: InputField, problem: InputProblem) -> Error {
        Error::InvalidInput { field, problem }
    }

    #[test]
    fn exact_bytes_for_the_documentation_customer() {
        let bytes = encode(GetCustomer::new("cst_om2l6ctlptxwxuzj"), &Endpoint::SANDBOX);
        let expected = concat!(
            "GET /customers/cst_om2l6ctlptxwxuzj HTTP/1.1\r\n",
            "Host: sandbox.juspay.in\r\n",
            "Authorization: Basic bXlfYXBpX2tleTo=\r\n",
            "x-merchantid: merchant_1\r\n",
            "x-routing-id: cst_om2l6ctlptxwxuzj\r\n",
            "Accept: application/json\r\n",
            "User-Agent: juspay-core/",
            env!("CARGO_PKG_VERSION"),
            "\r\n\r\n"
        );
        assert_eq!(core::str::from_utf8(&bytes).unwrap(), expected);
    }

    #[test]
    fn token_option_routing_version_and_port() {
        let endpoint = Endpoint::parse("https://127.0.0.1:8443").unwrap();
        let req = GetCustomer::new("cst_1")
            .client_auth_token(true)
            .routing_id("cart_9")
            .version("2018-10-25");
        let bytes = encode(req, &endpoint);
        let text = core::str::from_utf8(&bytes).unwrap();
        assert!(
            text.starts_with(
                "GET /customers/cst_1?options.get_client_auth_token=true HTTP/1.1\r\n"
            )
        );
        assert!(text.contains("\r\nHost: 127.0.0.1:8443\r\n"));
        assert!(text.contains("\r\nx-routing-id: cart_9\r\n"));
        assert!(text.contains("\r\nversion: 2018-10-25\r\n"));
    }

    #[test]
    fn ipv6_host_keeps_brackets() {
        let endpoint = Endpoint::parse("https://[::1]:9000").unwrap();
        let bytes = encode(GetCustomer::new("c"), &endpoint);
        assert!(
            core::str::from_utf8(&bytes)
                .unwrap()
                .contains("\r\nHost: [::1]:9000\r\n")
        );
    }

    #[test]
    fn basic_credentials_for_every_key_length_remainder() {
        for (key, expected) in [
            ("abc", "YWJjOg=="),
            ("abcd", "YWJjZDo="),
            ("abcde", "YWJjZGU6"),
            ("a", "YTo="),
            ("ab", "YWI6"),
        ] {
            let c = Credentials::new(key, "m").unwrap();
            let mut buf = [0u8; 512];
            let n = GetCustomer::new("c")
                .encode(&Endpoint::SANDBOX, &c, &mut buf)
                .unwrap();
            let text = core::str::from_utf8(&buf[..n]).unwrap();
            let mut line = heapless::String::<64>::new();
            core::fmt::write(
                &mut line,
                format_args!("\r\nAuthorization: Basic {expected}\r\n"),
            )
            .unwrap();
            assert!(text.contains(line.as_str()), "{key}: {text}");
        }
    }

    #[test]
    fn customer_id_is_one_percent_encoded_segment() {
        for (id, path) in [
            ("customer@gmail.com", "/customers/customer@gmail.com "),
            ("a/b", "/customers/a%2Fb "),
            ("a b?c#d%e", "/customers/a%20b%3Fc%23d%25e "),
            ("x+y", "/customers/x%2By "),
            ("naïve", "/customers/na%C3%AFve "),
            ("...", "/customers/... "),
        ] {
            let bytes = encode(GetCustomer::new(id), &Endpoint::SANDBOX);
            let text = core::str::from_utf8(&bytes).unwrap();
            assert!(text.starts_with("GET "), "{text}");
            assert_eq!(text.get(4..4 + path.len()), Some(path), "{id}");
        }
    }

    #[test]
    fn hostile_values_are_refused_before_encoding() {
        let check = |req: GetCustomer<'_>, expected: Error| {
            let mut buf = [0xAAu8; 512];
            assert_eq!(
                req.encode(&Endpoint::SANDBOX, &creds(), &mut buf),
                Err(expected)
            );
        };
        check(
            GetCustomer::new(""),
            invalid(InputField::CustomerId, InputProblem::Empty),
        );
        check(
            GetCustomer::new(".."),
            invalid(InputField::CustomerId, InputProblem::DotSegment),
        );
        check(
            GetCustomer::new("."),
            invalid(InputField::CustomerId, InputProblem::DotSegment),
        );
        check(
            GetCustomer::new("cst\r\nHost: evil"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("cst\0"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("cst\t1"),
            invalid(InputField::CustomerId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").routing_id("r\n"),
            invalid(InputField::RoutingId, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").routing_id(""),
            invalid(InputField::RoutingId, InputProblem::Empty),
        );
        check(
            GetCustomer::new("c").version("2018\r"),
            invalid(InputField::Version, InputProblem::ControlCharacter),
        );
        check(
            GetCustomer::new("c").version(" 2018"),
            invalid(InputField::Version, InputProblem::SurroundingWhitespace),
        );
        // A customer id with a space is encoded, but sent as the routing id it must not
        // be padded: the customer id is what to fix.
        check(
            GetCustomer::new("c "),
            invalid(InputField::CustomerId, InputProblem::SurroundingWhitespace),
        );
    }

    #[test]
    fn small_buffer_reports_the_size_needed() {
        let req = GetCustomer::new("cst_om2l6ctlptxwxuzj");
        let mut big = [0u8; 1024];
        let needed = req.encode(&Endpoint::SANDBOX, &creds(), &mut big).unwrap();
        for size in [0, 1, 10, needed - 1] {
            let mut small = [0u8; 1024];
            assert_eq!(
                req.encode(&Endpoint::SANDBOX, &creds(), &mut small[..size]),
                Err(Error::BufferTooSmall { required: needed })
            );
        }
        let mut exact = [0u8; 1024];
        assert_eq!(
            req.encode(&Endpoint::SANDBOX, &creds(), &mut exact[..needed]),
            Ok(needed)
        );
    }

    #[test]
    fn create_refusals_name_the_field() {
        let refused = |req: CreateCustomer<'_>| req.validate().unwrap_err();
        assert_eq!(
            refused(CreateCustomer::new("short12", "99")),
            invalid(InputField::ObjectReferenceId, InputProblem::TooShort)
        );
        // Eight characters, not eight bytes: "zoë" counts three.
        assert!(CreateCustomer::new("zoë-0001", "99").validate().is_ok());
        assert_eq!(
            refused(CreateCustomer::new("kiosk-0001", "+919988776655")),
            invalid(InputField::MobileNumber, InputProblem::NotDigits)
        );
        assert_eq!(
            refused(CreateCustomer::new("kiosk-0001", "")),
            invalid(InputField::MobileNumber, InputProblem::Empty)
        );
        assert_eq!(
            refused(CreateCustomer::new("kiosk-0001", "99").mobile_country_code("+91")),
            invalid(InputField::MobileCountryCode, InputProblem::NotDigits)
        );
        assert_eq!(
            refused(CreateCustomer::new("kiosk-0001", "99").last_name("a\r\nb")),
            invalid(InputField::LastName, InputProblem::ControlCharacter)
        );
        assert_eq!(
            refused(CreateCustomer::new("kiosk-0001\n", "99")),
            invalid(
                InputField::ObjectReferenceId,
                InputProblem::ControlCharacter
            )
        );
        assert_eq!(
            refused(CreateCustomer::new(" kiosk-0001", "99")),
            invalid(
                InputField::ObjectReferenceId,
                InputProblem::SurroundingWhitespace
            )
        );
        // The documented name and e-mail character sets are the server's to enforce.
        assert!(
            CreateCustomer::new("kiosk-0001", "99")
                .first_name("Zoë")
                .last_name("O'Brien, Jr")
                .email_address("not an address")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn update_without_fields_has_an_empty_body() {
        let mut buf = [0u8; 1024];
        let n = UpdateCustomer::new("cst_1")
            .encode(&Endpoint::SANDBOX, &creds(), &mut buf)
            .unwrap();
        assert!(buf[..n].ends_with(b"\r\nContent-Length: 0\r\n\r\n"));
        assert_eq!(
            UpdateCustomer::new("..").validate(),
            Err(invalid(InputField::CustomerId, InputProblem::DotSegment))
        );
    }

    #[test]
    fn a_small_buffer_reports_the_whole_create() {
        let req = CreateCustomer::new("kiosk-0001", "9988776655").first_name("Zoë");
        let mut big = [0u8; 1024];
        let needed = req.encode(&Endpoint::SANDBOX, &creds(), &mut big).unwrap();
        let mut small = [0u8; 1024];
        assert_eq!(
            req.encode(&Endpoint::SANDBOX, &creds(), &mut small[..needed - 1]),
            Err(Error::BufferTooSmall { required: needed })
        );
    }

    #[test]
    fn decimal_formatting() {
        let mut d = [0u8; 20];
        assert_eq!(format_decimal(0, &mut d), b"0");
        assert_eq!(format_decimal(1, &mut d), b"1");
        assert_eq!(format_decimal(8443, &mut d), b"8443");
        assert_eq!(format_decimal(65535, &mut d), b"65535");
        assert_eq!(format_decimal(1_000_000, &mut d), b"1000000");
    }
}
