//! Optional per-client rate limit (`serve --rate-limit`, off by default): a token bucket
//! per client IP address; a request beyond it is answered 429 with `Retry-After`, a
//! `/problems/too-many-requests` problem document. Probes (`/healthz`, `/readyz`) and
//! `/metrics` are never limited, so an orchestrator cannot take a busy replica for a
//! dead one.
//!
//! The buckets live in a bounded cache (quick_cache, already used for search results):
//! a flood of distinct addresses evicts the least used buckets instead of growing
//! memory; an evicted client simply starts again with a full bucket. The limiter is set
//! once at start-up, before the server runs (a process-wide setting, like the search
//! cache size), and read by the middleware.

use std::net::IpAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use super::error::ApiError;

/// Clients whose buckets are remembered at once.
const MAX_CLIENTS: usize = 100_000;

static LIMITER: OnceLock<RateLimiter> = OnceLock::new();

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Token buckets by client address.
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    clients: quick_cache::sync::Cache<IpAddr, Arc<Mutex<Bucket>>>,
}

impl RateLimiter {
    /// `per_second` requests a second on average, up to `burst` at once (at least 1).
    pub fn new(per_second: u32, burst: u32) -> RateLimiter {
        RateLimiter {
            per_second: f64::from(per_second.max(1)),
            burst: f64::from(burst.max(1)),
            clients: quick_cache::sync::Cache::new(MAX_CLIENTS),
        }
    }

    /// Takes a token for `client`, or says in how many whole seconds one will be there.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let bucket = self.clients.get_or_insert_with(&client, || {
            Ok::<_, ()>(Arc::new(Mutex::new(Bucket {
                tokens: self.burst,
                last: now,
            })))
        });
        let Ok(bucket) = bucket else { return Ok(()) };
        let Ok(mut bucket) = bucket.lock() else {
            return Ok(());
        };
        let elapsed = now.saturating_duration_since(bucket.last).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.last = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// Turns the limit on for every server of this process; `false` when it already was.
pub fn enable(limiter: RateLimiter) -> bool {
    LIMITER.set(limiter).is_ok()
}

/// The middleware: a no-op unless [`enable`] was called.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    if let Some(limiter) = LIMITER.get()
        && !matches!(req.path(), "/healthz" | "/readyz" | "/metrics")
        && let Some(client) = req.peer_addr().map(|a| a.ip())
        && let Err(retry_after) = limiter.check(client)
    {
        return Err(ApiError::RateLimited { retry_after }.into());
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_burst_then_waits_and_others_are_not_affected() {
        let limiter = RateLimiter::new(1, 3);
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        for _ in 0..3 {
            assert_eq!(limiter.check(a), Ok(()));
        }
        assert_eq!(limiter.check(a), Err(1));
        assert_eq!(limiter.check(b), Ok(()));
    }
}
