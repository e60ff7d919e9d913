//! Whether a failed attempt is tried again, and when: a pure function of what failed, what
//! the policy allows and the time left, so that every rule has a test of its own.

use std::time::{Duration, Instant};

use juspay_core::{ApiError, Customer};

use crate::config::RetryPolicy;
use crate::error::{Error, Result};

/// What one attempt brought: the customer, or the API's error with its `Retry-After`.
pub(crate) type Answer = std::result::Result<Customer, (Box<ApiError>, Option<u32>)>;

/// One call's bookkeeping for the blocking and the tokio client alike: each attempt's
/// result goes in, what to do next comes out; the clients only sleep (or await) and try.
pub(crate) struct Call {
    started: Instant,
    deadline: Instant,
    attempts: Attempts,
}

/// What a client does after an attempt.
// The customer is moved once per call, like the `Result` it ends in: boxing it would be a
// heap allocation per call for nothing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Next {
    /// Return this.
    Return(Result<Customer>),
    /// Wait this long, then try again; on a new connection if `fresh` (a pooled one was
    /// stale: the others may be too, and the rule is one free retry, not one per pooled
    /// connection).
    Retry { wait: Duration, fresh: bool },
}

impl Call {
    /// A call that must be over at `deadline` (a flow of several calls shares one).
    pub(crate) fn until(deadline: Instant) -> Self {
        Call {
            started: Instant::now(),
            deadline,
            attempts: Attempts::default(),
        }
    }

    /// When the call must be over.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Sorts an attempt's result (`reused`: on a pooled connection) into what to do next.
    pub(crate) fn judge(
        &mut self,
        policy: &RetryPolicy,
        attempt: Result<Answer>,
        reused: bool,
    ) -> Next {
        let (failure, error) = match attempt {
            Ok(Ok(customer)) => {
                log::debug!("200 in {:?}", self.started.elapsed());
                return Next::Return(Ok(customer));
            }
            Ok(Err((api, retry_after))) => {
                log::debug!(
                    "API error {} in {:?}",
                    api.http_status,
                    self.started.elapsed()
                );
                let failure = match api.http_status {
                    429 | 502 | 503 | 504 => Failure::Busy { retry_after },
                    _ => Failure::Final,
                };
                (failure, Error::Api(api))
            }
            Err(error) => (Failure::of(&error, reused), error),
        };
        let time_left = self.deadline.saturating_duration_since(Instant::now());
        match decide(policy, self.attempts, failure, time_left) {
            Decision::RetryNow => {
                log::debug!("kept-alive connection was closed by the server; retrying");
                self.attempts.stale_retried = true;
                Next::Retry {
                    wait: Duration::ZERO,
                    fresh: true,
                }
            }
            Decision::RetryAfter(wait) => {
                self.attempts.retries += 1;
                log::debug!("retry {} in {wait:?}", self.attempts.retries);
                Next::Retry { wait, fresh: false }
            }
            Decision::GiveUp if time_left.is_zero() && matches!(error, Error::Io(_)) => {
                Next::Return(Err(Error::Timeout))
            }
            Decision::GiveUp => Next::Return(Err(error)),
        }
    }
}

/// What an attempt failed with, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No connection could be made (resolution or TCP connect).
    Connect,
    /// A kept-alive connection turned out closed by the server before it answered.
    Stale,
    /// The connection failed during the call.
    Io,
    /// The API answered 429, 502, 503 or 504, perhaps with `Retry-After` (seconds).
    Busy { retry_after: Option<u32> },
    /// Anything else: bad input, TLS, certificates, a malformed response, other API errors.
    Final,
}

impl Failure {
    /// Sorts an error of an attempt; `reused` says whether its connection was kept alive
    /// from an earlier call.
    pub(crate) fn of(error: &Error, reused: bool) -> Failure {
        use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
        match error {
            Error::Connect { .. } => Failure::Connect,
            Error::Core(juspay_core::Error::ConnectionClosed) if reused => Failure::Stale,
            Error::Io(e)
                if reused
                    && matches!(
                        e.kind(),
                        ConnectionAborted | ConnectionReset | BrokenPipe | UnexpectedEof
                    ) =>
            {
                Failure::Stale
            }
            Error::Io(_) | Error::Core(juspay_core::Error::ConnectionClosed) => Failure::Io,
            // The API's 429/502/503/504 come as a reply, with its Retry-After: see
            // `Failure::Busy` where the client reads one.
            _ => Failure::Final,
        }
    }
}

/// What happened so far in one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Attempts {
    /// Retries made under the policy.
    pub(crate) retries: u32,
    /// Whether the one free retry of a stale kept-alive connection was made.
    pub(crate) stale_retried: bool,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Try again now, on a new connection, without counting a retry (a stale connection).
    RetryNow,
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Return the error.
    GiveUp,
}

/// The retry rule. A stale kept-alive connection is retried once at once, whatever the
/// policy says (the server closed it between calls: nothing was wrong with the call).
/// Connection failures, I/O failures and 429/502/503/504 are retried up to
/// `policy.max_retries` times, after `Retry-After` when the server gave one, else after an
/// exponential backoff from `policy.initial_backoff`; a wait longer than
/// `policy.max_backoff` or than the time left ends the retries at once.
pub(crate) fn decide(
    policy: &RetryPolicy,
    attempts: Attempts,
    failure: Failure,
    time_left: Duration,
) -> Decision {
    let retry_after = match failure {
        Failure::Stale if !attempts.stale_retried => return Decision::RetryNow,
        Failure::Final => return Decision::GiveUp,
        Failure::Busy { retry_after } => retry_after,
        Failure::Stale | Failure::Connect | Failure::Io => None,
    };
    if attempts.retries >= policy.max_retries {
        return Decision::GiveUp;
    }
    let wait = match retry_after {
        Some(seconds) => Duration::from_secs(u64::from(seconds)),
        None => policy
            .initial_backoff
            .saturating_mul(1 << attempts.retries.min(16))
            .min(policy.max_backoff),
    };
    if wait > policy.max_backoff || wait >= time_left {
        return Decision::GiveUp;
    }
    Decision::RetryAfter(wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);
    const PLENTY: Duration = Duration::from_secs(60);

    fn policy(max_retries: u32) -> RetryPolicy {
        RetryPolicy::new(max_retries, 100 * MS, 1000 * MS)
    }

    fn after(retries: u32) -> Attempts {
        Attempts {
            retries,
            stale_retried: false,
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_then_stops_at_the_limit() {
        let policy = policy(5);
        let waits: Vec<_> = (0..6)
            .map(|retries| decide(&policy, after(retries), Failure::Io, PLENTY))
            .collect();
        assert_eq!(
            waits,
            [
                Decision::RetryAfter(100 * MS),
                Decision::RetryAfter(200 * MS),
                Decision::RetryAfter(400 * MS),
                Decision::RetryAfter(800 * MS),
                Decision::RetryAfter(1000 * MS),
                Decision::GiveUp,
            ]
        );
    }

    #[test]
    fn retry_after_is_obeyed_unless_too_long() {
        let policy = policy(2);
        let busy = |seconds| Failure::Busy {
            retry_after: Some(seconds),
        };
        assert_eq!(
            decide(&policy, after(0), busy(1), PLENTY),
            Decision::RetryAfter(Duration::from_secs(1))
        );
        assert_eq!(decide(&policy, after(0), busy(2), PLENTY), Decision::GiveUp);
        let no_header = Failure::Busy { retry_after: None };
        assert_eq!(
            decide(&policy, after(1), no_header, PLENTY),
            Decision::RetryAfter(200 * MS)
        );
    }

    #[test]
    fn no_wait_outlasts_the_deadline() {
        assert_eq!(
            decide(&policy(2), after(0), Failure::Connect, 100 * MS),
            Decision::GiveUp
        );
        assert_eq!(
            decide(&policy(2), after(0), Failure::Connect, 101 * MS),
            Decision::RetryAfter(100 * MS)
        );
    }

    #[test]
    fn a_stale_connection_is_retried_once_at_once_even_without_retries() {
        let none = policy(0);
        assert_eq!(
            decide(&none, after(0), Failure::Stale, PLENTY),
            Decision::RetryNow
        );
        let used = Attempts {
            retries: 0,
            stale_retried: true,
        };
        assert_eq!(
            decide(&none, used, Failure::Stale, PLENTY),
            Decision::GiveUp
        );
        assert_eq!(
            decide(&policy(1), used, Failure::Stale, PLENTY),
            Decision::RetryAfter(100 * MS)
        );
    }

    #[test]
    fn final_failures_are_never_retried() {
        assert_eq!(
            decide(&policy(9), after(0), Failure::Final, PLENTY),
            Decision::GiveUp
        );
    }

    #[test]
    fn errors_sort_into_failures() {
        use std::io::{Error as IoError, ErrorKind};
        let reset = || Error::Io(IoError::from(ErrorKind::ConnectionReset));
        assert_eq!(Failure::of(&reset(), true), Failure::Stale);
        assert_eq!(Failure::of(&reset(), false), Failure::Io);
        let closed = || Error::Core(juspay_core::Error::ConnectionClosed);
        assert_eq!(Failure::of(&closed(), true), Failure::Stale);
        assert_eq!(Failure::of(&closed(), false), Failure::Io);
        let truncated = Error::Core(juspay_core::ProtocolError::Truncated.into());
        assert_eq!(Failure::of(&truncated, true), Failure::Final);
        assert_eq!(Failure::of(&Error::Timeout, false), Failure::Final);
    }
}
