//! Calls made of several requests, as sans-IO steps: the flow decides which request comes
//! next from the answer to the last one; a transport sends each over its one call path.
//!
//! [`GetOrCreate`] is Juspay's documented way to obtain a customer ("Creating a Customer",
//! steps 1.1 and 1.2): Get by object_reference_id; on `object_not_found` Create; when
//! Create answers `ALREADY_EXISTS` (another device created it meanwhile) Get again.
//!
//! ```
//! use juspay_core::flow::GetOrCreate;
//! use juspay_core::{ApiError, CreateCustomer, Customer, CustomerRequest};
//!
//! let mut flow = GetOrCreate::new(CreateCustomer::new("kiosk-0001", "9988776655"));
//! assert!(matches!(flow.request(), CustomerRequest::Get(_)));
//! let not_found = ApiError::from_response(404, br#"{"error_code":"object_not_found"}"#);
//! assert!(flow.advance(&Err(not_found)));
//! assert!(matches!(flow.request(), CustomerRequest::Create(_)));
//! let created = Customer::from_json(br#"{"id":"cst_new"}"#)?;
//! assert!(!flow.advance(&Ok(created))); // done: that answer is the flow's answer
//! # Ok::<(), juspay_core::Error>(())
//! ```

use crate::api_error::{ApiError, ApiProblem};
use crate::customer::Customer;
use crate::error::{Error, Result};
use crate::reply::Reply;
use crate::request::{CreateCustomer, CustomerRequest};

/// The step a [`GetOrCreate`] is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
enum Step {
    Get,
    Create,
    GetAgain,
    Done,
}

/// Get-or-create as a sans-IO flow of at most three requests, each with the Create's
/// routing id (by default the object_reference_id), token option and version.
///
/// A driver loops: send [`request`](Self::request), hand its answer to
/// [`advance`](Self::advance); when that says `false`, the answer just handed in is the
/// flow's answer (the customer, or the API error that ended it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct GetOrCreate<'a> {
    create: CreateCustomer<'a>,
    step: Step,
}

impl<'a> GetOrCreate<'a> {
    /// The flow for the customer `create` would create.
    pub const fn new(create: CreateCustomer<'a>) -> Self {
        GetOrCreate {
            create,
            step: Step::Get,
        }
    }

    /// Checks every request of the flow before the first is sent: a Create that would be
    /// refused must not be found out after a Get went out.
    pub fn validate(&self) -> Result<()> {
        self.create.validate()
    }

    /// The request to send now.
    pub fn request(&self) -> CustomerRequest<'a> {
        match self.step {
            Step::Create => CustomerRequest::Create(self.create),
            Step::Get | Step::GetAgain | Step::Done => CustomerRequest::Get(self.create.get()),
        }
    }

    /// Takes the answer to [`request`](Self::request). `true`: send the next
    /// [`request`](Self::request); `false`: this answer is the flow's answer.
    pub fn advance(&mut self, answer: &core::result::Result<Customer, ApiError>) -> bool {
        let problem = answer.as_ref().err().map(ApiError::problem);
        self.step = match (self.step, problem) {
            (Step::Get, Some(ApiProblem::NotFound)) => Step::Create,
            (Step::Create, Some(ApiProblem::AlreadyExists)) => Step::GetAgain,
            _ => Step::Done,
        };
        self.step != Step::Done
    }

    /// The whole flow over a transport's one call path: validates, then hands each
    /// request to `call` until the flow has its answer (a [`Reply`], or the customer or
    /// the API's error: see [`Answer`]). A transport error ends it. The transport keeps one
    /// deadline over all the calls.
    pub fn run<A: Answer, E: From<Error>>(
        mut self,
        mut call: impl FnMut(CustomerRequest<'a>) -> core::result::Result<A, E>,
    ) -> core::result::Result<A, E> {
        self.validate()?;
        loop {
            // Returned as it came (a `?` and an `Ok` would each copy a 1.2 KiB reply on a
            // firmware's stack, under every call of the flow).
            let answer = call(self.request());
            if !matches!(&answer, Ok(a) if self.advance(a.result())) {
                return answer;
            }
        }
    }

    /// [`run`](Self::run) with an async call path (feature `async`).
    #[cfg(feature = "async")]
    pub async fn run_async<A: Answer, E: From<Error>>(
        mut self,
        mut call: impl AsyncFnMut(CustomerRequest<'a>) -> core::result::Result<A, E>,
    ) -> core::result::Result<A, E> {
        self.validate()?;
        loop {
            let answer = call(self.request()).await;
            if !matches!(&answer, Ok(a) if self.advance(a.result())) {
                return answer;
            }
        }
    }
}

/// What one call of a flow brought back, as the flow reads it: a [`Reply`] (firmware), or
/// the customer or the API's error itself (a transport that keeps the connection's facts
/// to itself).
pub trait Answer {
    /// The customer, or the API's error.
    fn result(&self) -> &core::result::Result<Customer, ApiError>;
}

impl Answer for Reply {
    fn result(&self) -> &core::result::Result<Customer, ApiError> {
        &self.customer
    }
}

impl Answer for core::result::Result<Customer, ApiError> {
    fn result(&self) -> &core::result::Result<Customer, ApiError> {
        self
    }
}

#[cfg(test)]
// Answers built for the tests are returned by value; their size does not matter here.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use crate::request::Operation;

    fn error(status: u16, body: &[u8]) -> core::result::Result<Customer, ApiError> {
        Err(ApiError::from_response(status, body))
    }

    const NOT_FOUND: &[u8] =
        br#"{"error_code":"object_not_found","error_info":{"code":"RESOURCE_NOT_FOUND"}}"#;
    const DUPLICATE: &[u8] = br#"{"error_code":"unique","error_info":{"code":"ALREADY_EXISTS"}}"#;

    fn found() -> core::result::Result<Customer, ApiError> {
        Ok(Customer::from_json(br#"{"id":"cst_1"}"#).unwrap())
    }

    fn flow() -> GetOrCreate<'static> {
        GetOrCreate::new(
            CreateCustomer::new("kiosk-0001", "9988776655")
                .client_auth_token(true)
                .routing_id("cart_7"),
        )
    }

    #[test]
    fn found_at_once_is_one_get() {
        let mut flow = flow();
        assert_eq!(flow.request().operation(), Operation::Get);
        assert!(!flow.advance(&found()));
    }

    #[test]
    fn the_race_is_get_create_get_with_one_routing_id() {
        let mut flow = flow();
        let mut seen = std::vec::Vec::new();
        for answer in [error(404, NOT_FOUND), error(400, DUPLICATE), found()] {
            let request = flow.request();
            seen.push((request.operation(), request.effective_routing_id()));
            if let CustomerRequest::Get(get) = request {
                assert_eq!(get.customer_id(), "kiosk-0001");
                assert!(get.wants_client_auth_token());
            }
            if !flow.advance(&answer) {
                break;
            }
        }
        assert_eq!(
            seen,
            [
                (Operation::Get, "cart_7"),
                (Operation::Create, "cart_7"),
                (Operation::Get, "cart_7")
            ]
        );
    }

    #[test]
    fn other_errors_end_the_flow() {
        let mut f = flow();
        assert!(!f.advance(&error(401, br#"{"error_code":"access_denied"}"#)));
        let mut f = flow();
        assert!(f.advance(&error(404, NOT_FOUND)));
        assert!(!f.advance(&error(400, br#"{"error_info":{"code":"INVALID_INPUT"}}"#)));
        // A second "not found" after the duplicate does not loop.
        let mut f = flow();
        assert!(f.advance(&error(404, NOT_FOUND)));
        assert!(f.advance(&error(400, DUPLICATE)));
        assert!(!f.advance(&error(404, NOT_FOUND)));
    }
}
