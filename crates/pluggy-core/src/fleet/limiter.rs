//! The shared rate budget: a sliding-window log per endpoint limit, keyed by base URL and limit
//! group, decided in one atomic step.
//!
//! The window holds the send times (milliseconds) of the last minute. A call may go when fewer
//! than `limit` sends fall in `(now − window, now]`; otherwise it may go when the oldest one
//! leaves the window. Unlike a token bucket, no minute-long stretch ever holds more than
//! `limit` sends, which is how a per-IP limit counted over a sliding minute sees them.
//!
//! # Driving it
//!
//! Before sending a call whose endpoint has a [`LimitGroup`], the driver runs [`ADMIT_SCRIPT`]
//! with `KEYS[1] = ` [`LimitGroup::key`], `ARGV = "", window_ms, limit, member` (the empty
//! time means the Redis server's clock; `member` is a unique id for this attempt). The script answers `0` (recorded: send now) or the milliseconds to
//! wait. The driver hands that answer to [`decide`] with the caller's deadline: on
//! [`Admission::Wait`] it sleeps and runs the script again; on [`OverBudget`] it fails the call
//! without sending. If Redis is unavailable the driver runs the same algorithm on a local
//! [`SlidingWindow`], which is also the model the script is tested against ([`CASES`]).

use std::collections::VecDeque;
use std::time::Duration;

use crate::endpoint::Endpoint;
pub use crate::error::OverBudget;
use crate::http::BaseUrl;

/// The length of the window Pluggy's per-minute limits are counted over.
pub const WINDOW: Duration = Duration::from_secs(60);

/// One endpoint limit: the calls that share one per-minute budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LimitGroup {
    /// The group's name ([`group_name`]): `POST /auth`, `GET /accounts`, …
    pub name: &'static str,
    /// The documented limit per minute.
    pub per_minute: u32,
}

impl LimitGroup {
    /// The group of an endpoint, if the table gives it a limit.
    pub fn for_endpoint(endpoint: &Endpoint) -> Option<Self> {
        endpoint
            .rate_limit_per_minute
            .filter(|l| *l > 0)
            .map(|per_minute| Self {
                name: group_name(endpoint),
                per_minute,
            })
    }

    /// The Redis key of this group's window for the API at `base`.
    pub fn key(&self, base: &BaseUrl) -> String {
        format!("pluggy:rate:{base}:{}", self.name)
    }
}

/// The limit an endpoint counts against: the list and the retrieve of accounts, of
/// transactions and of investments share one each; every other limited endpoint has its own,
/// named by its route.
pub fn group_name(endpoint: &Endpoint) -> &'static str {
    match endpoint.name {
        "accounts-list" | "accounts-retrieve" => "GET /accounts",
        "transactions-list" | "transactions-retrieve" => "GET /transactions",
        "investments-list" | "investments-retrieve" => "GET /investments",
        _ => endpoint.route,
    }
}

/// The Lua script the Redis driver runs with `EVALSHA` (sorted set of send times).
///
/// `KEYS[1]`: the window key. `ARGV[1]`: now, ms, or `""` for the Redis server's own clock
/// (`TIME`; what production passes, so hosts with skewed clocks share one time line; tests pass
/// explicit times to replay [`CASES`]). `ARGV[2]`: window, ms. `ARGV[3]`: limit. `ARGV[4]`: a
/// member unique to this attempt (two equal members would count once). Returns 0 if the send
/// was recorded, else the milliseconds until a slot frees (at least 1).
pub const ADMIT_SCRIPT: &str = r#"
local key = KEYS[1]
local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
"#;

/// The pure model of [`ADMIT_SCRIPT`]: one window's send times, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SlidingWindow {
    sends: VecDeque<u64>,
}

impl SlidingWindow {
    /// An empty window.
    pub fn new() -> Self {
        Self::default()
    }

    /// The sends currently recorded (after the last [`admit`](Self::admit)'s trim).
    pub fn len(&self) -> usize {
        self.sends.len()
    }

    /// Whether no send is recorded.
    pub fn is_empty(&self) -> bool {
        self.sends.is_empty()
    }

    /// The script's step: trims sends at or before `now − window`, then records a send at
    /// `now` and answers 0, or answers the milliseconds until one frees.
    pub fn admit(&mut self, now_ms: u64, window_ms: u64, limit: u32) -> u64 {
        // ZREMRANGEBYSCORE -inf (now - window): the floor may be negative.
        let floor = i128::from(now_ms) - i128::from(window_ms);
        while self.sends.front().is_some_and(|t| i128::from(*t) <= floor) {
            self.sends.pop_front();
        }
        let count = self.sends.len();
        let limit = limit as usize;
        if count < limit {
            // ZADD keeps scores ordered; a clock that went back inserts in place.
            let at = self.sends.partition_point(|t| *t <= now_ms);
            self.sends.insert(at, now_ms);
            return 0;
        }
        let oldest = self.sends[count - limit];
        (oldest + window_ms).saturating_sub(now_ms).max(1)
    }
}

/// What a caller does after one admission step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Admission {
    /// The send is recorded: send now.
    Send,
    /// Sleep this long, then run the admission step again.
    Wait(Duration),
}

/// Turns an admission answer (`0`, or milliseconds to wait) into a decision, capped by the
/// caller's deadline (`None`: no deadline). `now` and `deadline` are on the same monotonic scale.
pub fn decide(
    group: LimitGroup,
    answer_ms: u64,
    now: Duration,
    deadline: Option<Duration>,
) -> Result<Admission, OverBudget> {
    if answer_ms == 0 {
        return Ok(Admission::Send);
    }
    let wait = Duration::from_millis(answer_ms);
    match deadline {
        Some(d) if now + wait > d => Err(OverBudget {
            group: group.name,
            per_minute: group.per_minute,
            wait,
        }),
        _ => Ok(Admission::Wait(wait)),
    }
}

/// One step of a shared test table: the Redis driver's tests run the same steps through
/// [`ADMIT_SCRIPT`] on a real server and must get the same answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Case {
    /// A name for failures.
    pub name: &'static str,
    /// The limit.
    pub limit: u32,
    /// The window, ms.
    pub window_ms: u64,
    /// `(now_ms, expected answer)`, in order, on one fresh window.
    pub steps: &'static [(u64, u64)],
}

/// The table the model and the script are both held to.
pub const CASES: &[Case] = &[
    Case {
        name: "under the limit every call goes",
        limit: 3,
        window_ms: 60_000,
        steps: &[(0, 0), (10, 0), (20, 0)],
    },
    Case {
        name: "the fourth waits for the oldest to leave",
        limit: 3,
        window_ms: 60_000,
        steps: &[
            (0, 0),
            (10, 0),
            (20, 0),
            (30, 59_970),
            (59_999, 1),
            (60_000, 0),
            (60_001, 9),
        ],
    },
    Case {
        name: "a send exactly one window old has left",
        limit: 1,
        window_ms: 1_000,
        steps: &[(5_000, 0), (5_999, 1), (6_000, 0), (6_500, 500)],
    },
    Case {
        name: "refusals are not recorded",
        limit: 2,
        window_ms: 1_000,
        steps: &[
            (1_000, 0),
            (1_100, 0),
            (1_200, 800),
            (1_300, 700),
            (2_000, 0),
            (2_050, 50),
        ],
    },
    Case {
        name: "an idle window empties",
        limit: 2,
        window_ms: 1_000,
        steps: &[
            (1_000, 0),
            (1_001, 0),
            (1_002, 998),
            (9_000, 0),
            (9_000, 0),
            (9_000, 1_000),
        ],
    },
    Case {
        name: "Pluggy's PATCH /items limit",
        limit: 20,
        window_ms: 60_000,
        steps: &[
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (0, 0),
            (1, 59_999),
            (60_000, 0),
            (60_000, 0),
            (60_001, 0),
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints;

    #[test]
    fn model_matches_the_table() {
        for case in CASES {
            let mut w = SlidingWindow::new();
            for (i, (now, want)) in case.steps.iter().enumerate() {
                let got = w.admit(*now, case.window_ms, case.limit);
                assert_eq!(got, *want, "{}: step {i} at {now}", case.name);
            }
        }
    }

    #[test]
    fn no_window_ever_holds_more_than_the_limit() {
        // Property: callers that always obey the answer never exceed `limit` per window.
        let (limit, window) = (5u32, 1_000u64);
        let mut w = SlidingWindow::new();
        let mut sent = Vec::new();
        let mut seed = 3u64;
        let mut now = 0u64;
        for _ in 0..2_000 {
            now += crate::jitter::splitmix64(&mut seed) % 300;
            if w.admit(now, window, limit) == 0 {
                sent.push(now);
            }
        }
        for (i, t) in sent.iter().enumerate() {
            let in_window = sent[i..].iter().take_while(|s| **s < t + window).count();
            assert!(
                in_window <= limit as usize,
                "{in_window} sends in the window from {t}"
            );
        }
        assert!(sent.len() > 100);
    }

    #[test]
    fn script_names_the_same_steps() {
        for op in [
            "TIME",
            "ZREMRANGEBYSCORE",
            "ZCARD",
            "ZADD",
            "PEXPIRE",
            "ZRANGE",
        ] {
            assert!(ADMIT_SCRIPT.contains(op), "{op}");
        }
    }

    #[test]
    fn groups_from_the_table_and_base_urls() {
        let auth = LimitGroup::for_endpoint(&endpoints::AUTH_CREATE).unwrap();
        assert_eq!(auth.per_minute, 360);
        let real: BaseUrl = "https://api.pluggy.ai".parse().unwrap();
        let emu: BaseUrl = "http://127.0.0.1:8080".parse().unwrap();
        assert_ne!(auth.key(&real), auth.key(&emu));
        assert!(auth.key(&real).contains("POST /auth"));
    }

    #[test]
    fn decide_caps_by_the_deadline() {
        let g = LimitGroup {
            name: "PATCH /items/{id}",
            per_minute: 20,
        };
        let now = Duration::from_secs(10);
        assert_eq!(decide(g, 0, now, Some(now)), Ok(Admission::Send));
        assert_eq!(
            decide(g, 500, now, Some(now + Duration::from_secs(1))),
            Ok(Admission::Wait(Duration::from_millis(500)))
        );
        assert_eq!(
            decide(g, 500, now, None),
            Ok(Admission::Wait(Duration::from_millis(500)))
        );
        let e = decide(g, 1_500, now, Some(now + Duration::from_secs(1))).unwrap_err();
        assert_eq!(e.wait, Duration::from_millis(1_500));
        assert!(e.to_string().contains("20/min"));
    }
}
