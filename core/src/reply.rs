//! What a Get Customer call brought back, decoded from a complete [`HttpResponse`]: no I/O.

use crate::api_error::ApiError;
use crate::customer::Customer;
use crate::error::Error;
use crate::response::HttpResponse;

/// What one Get Customer call brought back: the customer or the API's error, and what the
/// response said about the connection.
///
/// The API's error is a `Result` here rather than a variant of [`Error`]: an [`ApiError`]
/// holds about 1 KiB of text, and as an error variant it would make every `Result` of this
/// crate that large on a firmware stack. (juspay-transport-std, which has a heap and
/// retries on 429 and 5xx, returns it boxed as its `Error::Api`.)
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Reply {
    /// The customer, or the API's error.
    pub customer: Result<Customer, ApiError>,
    /// Whether the connection may carry the next request.
    pub reusable: bool,
    /// `Retry-After` in seconds, when the server sent one.
    pub retry_after: Option<u32>,
}

impl Reply {
    /// Decodes a complete response: 2xx into a [`Customer`], anything else into an
    /// [`ApiError`].
    pub fn decode(response: &HttpResponse<'_>) -> Result<Reply, Error> {
        let mut reply = Reply {
            customer: Ok(Customer::default()),
            reusable: response.reusable,
            retry_after: response.retry_after,
        };
        // Decoded in place: a Customer or ApiError is about 1 KiB, and every copy of one
        // would land on the caller's stack.
        if (200..300).contains(&response.status) {
            if let Ok(customer) = &mut reply.customer {
                customer.read_json(response.body)?;
            }
        } else {
            reply.customer = Err(ApiError::default());
            if let Err(error) = &mut reply.customer {
                error.read_response(response.status, response.body);
            }
        }
        Ok(reply)
    }
}
