//! The bounded pool that runs search, suggest and look-up off the HTTP workers.
//!
//! A query costs milliseconds of CPU; run on an HTTP worker it holds every other
//! request of that worker (`/healthz` included) for as long. Here the work goes to a
//! few threads of its own through a bounded queue: when the queue is full, or a
//! request has waited longer than the configured wait, the client gets a 503 problem
//! with `Retry-After` at once instead of an unbounded wait, and the HTTP workers stay
//! free to answer everything else.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{
    Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError, sync_channel,
};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use super::error::ApiError;

/// A job runs its work and gives back how to hand the answer over.
type Job = Box<dyn FnOnce() -> Option<Delivery> + Send>;
/// Hands one answer to its waiting request (waking its HTTP worker).
type Delivery = Box<dyn FnOnce() + Send>;

/// Answers a thread may hold back while more jobs wait, to wake an HTTP worker once
/// for several: under saturation each answer woke a worker that then preempted a
/// search thread, two context switches per request (measured 2.4 per request at
/// three times roadmap.sh's size; 1.9 with answers handed over in fours).
const BATCH: usize = 4;
/// How long an answer may be held back, counting the job expected to run meanwhile
/// (the last one's duration): a held answer waits at most about this long, or one
/// job more when that job is much slower than the last.
const HOLD: Duration = Duration::from_micros(1000);

/// Requests that may wait for a thread; more are refused (issue 8: room for ≥ 256).
pub const DEFAULT_QUEUE: usize = 256;
/// Longest wait for a thread before a 503.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(2);
/// `Retry-After` of a refused request, in seconds.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Threads with a bounded queue of jobs.
pub struct WorkPool {
    sender: Mutex<Option<SyncSender<Job>>>,
    wait: Duration,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl WorkPool {
    /// `threads` workers (at least one), `queue` jobs waiting at most, each for at
    /// most `wait`.
    pub fn new(threads: usize, queue: usize, wait: Duration) -> Arc<WorkPool> {
        let (sender, receiver) = sync_channel::<Job>(queue.max(1));
        let receiver = Arc::new(Mutex::new(receiver));
        let handles = (0..threads.max(1))
            .filter_map(|n| {
                let receiver = Arc::clone(&receiver);
                std::thread::Builder::new()
                    .name(format!("search-{n}"))
                    .spawn(move || {
                        crate::memory::use_mimalloc_here();
                        work(&receiver)
                    })
                    .ok()
            })
            .collect();
        Arc::new(WorkPool {
            sender: Mutex::new(Some(sender)),
            wait,
            threads: Mutex::new(handles),
        })
    }

    /// One thread per core, [`DEFAULT_QUEUE`], and the wait from
    /// `ROADMAP_API_SEARCH_WAIT_MS` (default [`DEFAULT_WAIT`]).
    pub fn from_env() -> Arc<WorkPool> {
        let wait = std::env::var("ROADMAP_API_SEARCH_WAIT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(DEFAULT_WAIT, Duration::from_millis);
        WorkPool::with_wait(wait)
    }

    /// One thread per core, [`DEFAULT_QUEUE`], and `wait` (`serve --search-wait-ms`).
    pub fn with_wait(wait: Duration) -> Arc<WorkPool> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
        WorkPool::new(threads, DEFAULT_QUEUE, wait)
    }

    /// Runs `f` on the pool and returns its result; [`ApiError::Busy`] when the queue
    /// is full or `f` did not start within the wait.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let queued = Instant::now();
        let wait = self.wait;
        let job: Job = Box::new(move || {
            // Given up on already: do not spend a thread on an answer nobody reads.
            if queued.elapsed() > wait || tx.is_closed() {
                return None;
            }
            let result = std::panic::catch_unwind(AssertUnwindSafe(f));
            Some(Box::new(move || {
                let _ = tx.send(result);
            }))
        });
        {
            let sender = self.sender.lock().map_err(|_| busy())?;
            let Some(sender) = sender.as_ref() else {
                return Err(busy());
            };
            match sender.try_send(job) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    return Err(busy());
                }
            }
        }
        match tokio::time::timeout(wait, rx).await {
            Ok(Ok(Ok(value))) => Ok(value),
            Ok(Ok(Err(_panic))) => Err(ApiError::Internal("a search panicked".into())),
            // Dropped unanswered (it started too late) or still waiting: busy.
            Ok(Err(_)) | Err(_) => Err(busy()),
        }
    }

    /// Stops taking jobs and joins the threads once the queue is drained.
    pub fn shutdown(&self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Ok(mut threads) = self.threads.lock() {
            for t in threads.drain(..) {
                let _ = t.join();
            }
        }
    }
}

fn busy() -> ApiError {
    ApiError::Busy {
        retry_after: RETRY_AFTER_SECS,
    }
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    // Whether a job ran since this thread last returned its free memory: it does so
    // once per quiet spell, not every such interval.
    let mut ran = false;
    let mut held = Held::default();
    loop {
        // Another thread holding the queue may be asleep on it (the queue was empty):
        // the answers go out before waiting for it, else they would wait for the
        // next request.
        let r = match receiver.try_lock() {
            Ok(r) => Ok(r),
            Err(TryLockError::WouldBlock) => {
                held.deliver();
                receiver.lock()
            }
            Err(TryLockError::Poisoned(p)) => Err(p),
        };
        let Ok(r) = r else {
            held.deliver();
            return;
        };
        let next = r.try_recv();
        drop(r);
        let job = match next {
            Ok(job) => job,
            // Nothing waiting, or every sender gone (the pool shut down): every
            // answer goes out before the thread sleeps or ends.
            Err(e) => {
                held.deliver();
                let job = match e {
                    TryRecvError::Empty => wait_for_job(receiver, &mut ran),
                    TryRecvError::Disconnected => None,
                };
                let Some(job) = job else { return };
                job
            }
        };
        held.before_job();
        let started = Instant::now();
        let delivery = job();
        held.after_job(delivery, started.elapsed());
        ran = true;
    }
}

/// Blocks for the next job; `None` once the pool shut down. After a spell without
/// jobs the thread returns its free memory (once, until a job ran again).
fn wait_for_job(receiver: &Mutex<Receiver<Job>>, ran: &mut bool) -> Option<Job> {
    loop {
        let r = receiver.lock().ok()?;
        if !*ran {
            return r.recv().ok();
        }
        match r.recv_timeout(crate::memory::RELEASE_AFTER) {
            Ok(job) => return Some(job),
            Err(RecvTimeoutError::Timeout) => {
                drop(r);
                crate::memory::release_thread_memory();
                *ran = false;
            }
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

/// The answers a thread holds back ([`BATCH`], [`HOLD`]).
#[derive(Default)]
struct Held {
    answers: Vec<Delivery>,
    /// When the first held answer was ready.
    since: Option<Instant>,
    /// How long the last job took: what the next is expected to add to the wait.
    last_job: Duration,
}

impl Held {
    fn deliver(&mut self) {
        for d in self.answers.drain(..) {
            d();
        }
        self.since = None;
    }

    /// Hands the answers over now if the next job would keep them past [`HOLD`].
    fn before_job(&mut self) {
        if self
            .since
            .is_some_and(|s| s.elapsed() + self.last_job >= HOLD)
        {
            self.deliver();
        }
    }

    fn after_job(&mut self, answer: Option<Delivery>, took: Duration) {
        self.last_job = took;
        if let Some(d) = answer {
            self.since.get_or_insert_with(Instant::now);
            self.answers.push(d);
        }
        if self.answers.len() >= BATCH {
            self.deliver();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_refuses_beyond_the_queue() {
        let pool = WorkPool::new(1, 2, Duration::from_secs(5));
        assert_eq!(pool.run(|| 2 + 2).await.ok(), Some(4));
        // Hold the only thread, fill the queue: the next one is refused at once.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = Arc::new(Mutex::new(hold));
        let mut pending = Vec::new();
        // More than the thread and the queue can hold.
        for _ in 0..6 {
            let pool = Arc::clone(&pool);
            let hold = Arc::clone(&hold);
            pending.push(tokio::spawn(async move {
                pool.run(move || {
                    let _ = hold.lock().map(|h| h.recv());
                })
                .await
            }));
            // Let the thread take the first before the others queue.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let started = Instant::now();
        let refused = pool.run(|| ()).await;
        assert!(matches!(refused, Err(ApiError::Busy { .. })));
        assert!(started.elapsed() < Duration::from_secs(1));
        for _ in 0..6 {
            let _ = release.send(());
        }
        let mut served = 0;
        for p in pending {
            served += usize::from(p.await.expect("joined").is_ok());
        }
        // The thread's job and the queue's two were served.
        assert_eq!(served, 3);
        pool.shutdown();
    }

    #[test]
    fn busy_is_a_503_problem_with_retry_after() {
        let response = busy().render(Some("/v1/search?q=x".into()));
        assert_eq!(response.status().as_u16(), 503);
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(header("retry-after").as_deref(), Some("1"));
        assert_eq!(
            header("content-type").as_deref(),
            Some("application/problem+json")
        );
        let problem = busy().problem(None);
        assert_eq!(problem.kind, "/problems/busy");
        assert_eq!(problem.status, 503);
    }

    #[tokio::test]
    async fn a_request_waiting_too_long_is_refused() {
        let pool = WorkPool::new(1, 8, Duration::from_millis(200));
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = hold.recv();
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        let waited = pool.run(|| ()).await;
        assert!(matches!(waited, Err(ApiError::Busy { .. })));
        assert!(started.elapsed() >= Duration::from_millis(150));
        let _ = release.send(());
        // The first one outlived the wait too: it is refused, its work still ran.
        let _ = busy.await;
        pool.shutdown();
    }

    #[tokio::test]
    async fn answers_held_back_while_jobs_wait_all_arrive() {
        let pool = WorkPool::new(1, 64, Duration::from_secs(60));
        // Hold the only thread while more jobs than a batch queue behind it: each
        // one's answer must still come, in order of the jobs.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let first = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = hold.recv();
                    0
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let queued: Vec<_> = (1..=(3 * BATCH + 1))
            .map(|n| {
                let pool = Arc::clone(&pool);
                tokio::spawn(async move { pool.run(move || n).await })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = release.send(());
        // An answer held back and never handed over would wait forever.
        let answer = |j: tokio::task::JoinHandle<Result<usize, ApiError>>| async move {
            tokio::time::timeout(Duration::from_secs(10), j)
                .await
                .ok()
                .and_then(Result::ok)
                .and_then(Result::ok)
        };
        assert_eq!(answer(first).await, Some(0));
        for (n, q) in (1..).zip(queued) {
            assert_eq!(answer(q).await, Some(n));
        }
        pool.shutdown();
    }

    #[tokio::test]
    async fn one_request_at_a_time_is_answered_at_once() {
        // Two threads and a client that waits for each answer: the thread that ran
        // a job must not hold its answer back while the other sleeps on the queue.
        let pool = WorkPool::new(2, 8, Duration::from_secs(60));
        for n in 0..50 {
            let answer = tokio::time::timeout(Duration::from_secs(10), pool.run(move || n)).await;
            assert_eq!(answer.ok().and_then(Result::ok), Some(n));
        }
        pool.shutdown();
    }

    #[tokio::test]
    async fn a_panic_is_an_internal_error_and_the_thread_survives() {
        // A wait no loaded test machine reaches: only the panic can fail the request.
        let pool = WorkPool::new(1, 8, Duration::from_secs(60));
        let panicked = pool.run(|| panic!("boom")).await;
        assert!(matches!(panicked, Err(ApiError::Internal(_))));
        assert_eq!(pool.run(|| 1).await.ok(), Some(1));
        pool.shutdown();
    }
}
