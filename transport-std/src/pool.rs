//! The idle connections a client and its clones share, for the blocking and the tokio
//! client alike: a connection is either in the pool or held by exactly one call (taking
//! one moves it out), so no connection serves two calls at once.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Kept-alive connections waiting for a call, most recently used last.
pub(crate) struct Pool<C> {
    idle: Mutex<VecDeque<Idle<C>>>,
    max_idle: usize,
    idle_timeout: Duration,
}

struct Idle<C> {
    connection: C,
    since: Instant,
}

impl<C> Pool<C> {
    pub(crate) fn new(max_idle: usize, idle_timeout: Duration) -> Self {
        Pool {
            idle: Mutex::new(VecDeque::new()),
            max_idle,
            idle_timeout,
        }
    }

    /// The most recently used connection that has not been idle too long and that
    /// `usable` accepts (the others are dropped, which closes them), or `None`.
    /// Most recent first: it is the likeliest to be open still, and the others age out.
    pub(crate) fn take(&self, mut usable: impl FnMut(&mut C) -> bool) -> Option<C> {
        let now = Instant::now();
        loop {
            let mut idle = self.lock();
            expire(&mut idle, now, self.idle_timeout);
            let Idle { mut connection, .. } = idle.pop_back()?;
            // Checked outside the lock: the check is a system call.
            drop(idle);
            if usable(&mut connection) {
                return Some(connection);
            }
        }
    }

    /// Keeps `connection` for a later call; past the bound, the connection idle longest
    /// is closed.
    pub(crate) fn put(&self, connection: C) {
        if self.max_idle == 0 {
            return;
        }
        let now = Instant::now();
        let mut idle = self.lock();
        expire(&mut idle, now, self.idle_timeout);
        while idle.len() >= self.max_idle {
            idle.pop_front();
        }
        idle.push_back(Idle {
            connection,
            since: now,
        });
    }

    /// Connections idle in the pool now.
    pub(crate) fn idle(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Idle<C>>> {
        // A call that panicked while holding the lock left the list whole (every change
        // to it is one VecDeque call): go on with it.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Drops the connections idle longer than `timeout` (the oldest are at the front).
fn expire<C>(idle: &mut VecDeque<Idle<C>>, now: Instant, timeout: Duration) {
    while idle
        .front()
        .is_some_and(|oldest| now.saturating_duration_since(oldest.since) >= timeout)
    {
        idle.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_recent_first_and_bounded() {
        let pool = Pool::new(2, Duration::from_secs(60));
        pool.put(1);
        pool.put(2);
        pool.put(3);
        assert_eq!(pool.idle(), 2, "the oldest was closed");
        assert_eq!(pool.take(|_| true), Some(3));
        assert_eq!(pool.take(|_| true), Some(2));
        assert_eq!(pool.take(|_| true), None);
    }

    #[test]
    fn unusable_and_expired_connections_are_dropped() {
        let pool = Pool::new(4, Duration::from_secs(60));
        pool.put(1);
        pool.put(2);
        assert_eq!(pool.take(|c| *c == 1), Some(1));
        assert_eq!(pool.idle(), 0, "2 was refused and dropped");

        let pool = Pool::new(4, Duration::from_millis(20));
        pool.put(1);
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(pool.take(|_| true), None);
        assert_eq!(pool.idle(), 0);
    }

    #[test]
    fn a_bound_of_zero_keeps_nothing() {
        let pool = Pool::new(0, Duration::from_secs(60));
        pool.put(1);
        assert_eq!(pool.take(|_| true), None);
    }
}
