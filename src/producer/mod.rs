//! The producer: KPL-grade batching, aggregation, rate limiting and
//! retries as a sans-IO state machine.
//!
//! The adapter drives it (quinn-proto's model): [`Producer::push`] records
//! with the time; [`Producer::poll_request`] the next request to send,
//! already encoded (the adapter signs it, with the clock corrected by
//! [`Producer::clock_offset_ms`], and sends it); each answer goes back
//! through [`Producer::handle_response`] or
//! [`Producer::handle_transport_error`]; [`Producer::poll_timeout`] says when
//! to call [`Producer::poll_request`] again; [`Producer::poll_outcomes`]
//! gives records' fates. Nothing here reads a clock, draws randomness
//! from the system or does I/O: time is an argument, jitter is seeded.
//!
//! Guarantees: at-least-once (a response lost after the service stored a
//! batch makes the retry a duplicate); every pushed record ends in exactly
//! one [`Outcome`] (acknowledged, failed with the service's code, or
//! expired after its time to live with its last error); nothing is dropped
//! silently. With `ordered`, records of one shard are sent one entry at a
//! time (one request in flight per shard, retries first), so per partition
//! key order holds.
//!
//! Size: this is most of the producer entry's `.wasm`, which has a budget.
//! Records are walked by reference, or taken out of their slot with
//! `mem::take` (an empty `Rec` left behind), never by a loop that takes
//! a `Vec` by value: each such loop brought in its element type's
//! by-value iterator and drop guard (0.1 KB or more each; 1.3 KB gzipped
//! in all when they went).

use crate::prelude::*;
mod limiter;
mod queue;
#[cfg(test)]
mod tests;

use crate::aggregation::{self, UserRecord, DEFAULT_MAX_AGGREGATE_BYTES};
use crate::keymap::{KeyMap, KeySet};
use crate::limits::{
    FIREHOSE_BATCH_MAX_BYTES, FIREHOSE_BATCH_MAX_RECORDS, FIREHOSE_MAX_RECORD_BYTES, PUT_RECORDS_MAX_BYTES,
    PUT_RECORDS_MAX_RECORDS,
};
use crate::partition::hash_key;
use crate::protocol::{self, RecordResult, Stream};
use crate::record::{validate, Member, RecordError, RecordLimits};
use crate::shard_map::ShardMap;
use crate::time::Timestamp;

use limiter::Limiter;
use queue::Queue;

/// Where records go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Destination {
    /// A Kinesis data stream, by name.
    Kinesis(String),
    /// A Firehose delivery stream, by name.
    Firehose(String),
    /// An ingestion gateway (`examples/cloudflare-worker`): records are JSON
    /// events, sent as `{"events": […]}` with no AWS credentials; the
    /// gateway answers which it accepted and which it refused and why.
    Gateway,
}

/// A gateway's batch limits: its defaults (`MAX_EVENTS`, `MAX_BODY_BYTES`).
pub const GATEWAY_MAX_EVENTS: usize = 500;
/// Bytes of a gateway request body.
pub const GATEWAY_MAX_BYTES: usize = 1024 * 1024;

/// Codes of a gateway's refusals that sending again cannot fix.
const GATEWAY_PERMANENT: &[&str] = &["InvalidEvent", "EventTooLarge"];

/// The error of records resent because their aggregate landed on a shard
/// that does not hold them all (the KPL's "Wrong Shard").
pub const WRONG_SHARD: &str = "WrongShard";

/// How the producer behaves (defaults are the KPL's where it has one).
#[derive(Clone, Debug, PartialEq)]
pub struct ProducerConfig {
    /// The stream.
    pub destination: Destination,
    /// How long a partial batch waits for more records (KPL
    /// `RecordMaxBufferedTime`: 100 ms).
    pub linger_ms: u32,
    /// Requests in flight at once (4).
    pub max_in_flight: usize,
    /// A record's time to live: its retries stop, and it fails with
    /// `RecordExpired`, this long after it was pushed (KPL `RecordTtl`:
    /// 30 s).
    pub record_ttl_ms: u32,
    /// Bytes (data and partition keys) buffered and in flight at most.
    pub max_buffered_bytes: usize,
    /// Records buffered and in flight at most.
    pub max_buffered_records: usize,
    /// Per-shard ordering (Kinesis): one entry per shard per request, one
    /// request in flight per shard.
    pub ordered: bool,
    /// KPL aggregation (Kinesis): user records of one predicted shard packed
    /// into aggregates of at most `aggregation_max_bytes`.
    pub aggregation: bool,
    /// KPL `AggregationMaxSize` (51,200 bytes).
    pub aggregation_max_bytes: usize,
    /// The per-shard rate limit as a percentage of the shard's write limits
    /// (KPL `RateLimit`: 150); 0 turns the limiter off.
    pub rate_limit_percent: u32,
    /// The record size limit.
    pub record_limits: RecordLimits,
    /// Backoff: full jitter over `base · 2^attempt`, at most `max`.
    pub backoff_base_ms: u32,
    /// The longest backoff.
    pub backoff_max_ms: u32,
    /// Seed of the jitter.
    pub seed: u64,
    /// Firehose: bytes appended to every record (e.g. `\n`).
    pub delimiter: Vec<u8>,
    /// The credentials come from a provider that can give fresh ones (an
    /// async function in JS): when the service says the session token
    /// expired (`ExpiredTokenException`), the producer emits
    /// [`Event::CredentialsExpired`] (the adapter asks the provider again)
    /// and resends the records, instead of failing them. Off: static
    /// credentials cannot be renewed, so the records fail with that code.
    pub refreshable_credentials: bool,
}

impl ProducerConfig {
    /// The defaults for `destination`.
    pub fn new(destination: Destination) -> ProducerConfig {
        let kinesis = matches!(destination, Destination::Kinesis(_));
        ProducerConfig {
            destination,
            linger_ms: 100,
            max_in_flight: 4,
            record_ttl_ms: 30_000,
            max_buffered_bytes: 64 * 1024 * 1024,
            max_buffered_records: 1_000_000,
            ordered: false,
            aggregation: kinesis,
            aggregation_max_bytes: DEFAULT_MAX_AGGREGATE_BYTES,
            rate_limit_percent: if kinesis { 150 } else { 0 },
            record_limits: RecordLimits::default(),
            backoff_base_ms: 100,
            backoff_max_ms: 10_000,
            seed: 0x7072_6f64_7563_6572,
            delimiter: Vec::new(),
            refreshable_credentials: false,
        }
    }

    fn kinesis(&self) -> bool {
        matches!(self.destination(), Destination::Kinesis(_))
    }

    /// Where records go: always a gateway in a build with the
    /// `gateway-only` feature, which the compiler then knows, leaving
    /// every other destination's code out.
    #[cfg(feature = "gateway-only")]
    fn destination(&self) -> &Destination {
        &Destination::Gateway
    }

    #[cfg(not(feature = "gateway-only"))]
    fn destination(&self) -> &Destination {
        &self.destination
    }

    /// Whether records are routed by their predicted shard (which takes the
    /// shard map, and each record's hash key: an MD5 of its partition key).
    fn predicts_shards(&self) -> bool {
        self.kinesis() && (self.aggregation || self.rate_limit_percent > 0 || self.ordered)
    }
}

/// A service or transport error, as a record's last error carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// The AWS code (`ProvisionedThroughputExceededException`, …), or
    /// `NetworkError` / `TimeoutError` for the transport.
    pub code: String,
    /// The message.
    pub message: String,
}

/// Why a record could not be accepted by [`Producer::push`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushError {
    /// `close()` was called.
    Closed,
    /// `max_buffered_bytes` or `max_buffered_records` would be exceeded.
    BufferFull,
    /// The record alone (data and partition key) is larger than
    /// `max_buffered_bytes`: it can never be buffered, however long it
    /// waits (code `BufferFull`).
    LargerThanBuffer,
    /// The record breaks a service limit (AWS's code and message).
    Invalid(RecordError),
}

impl PushError {
    /// The code JS errors carry: `Closed`, `BufferFull`, or the AWS code.
    pub fn code(&self) -> &'static str {
        match self {
            PushError::Closed => "Closed",
            PushError::BufferFull | PushError::LargerThanBuffer => "BufferFull",
            PushError::Invalid(e) => e.code,
        }
    }

    /// A message saying what happened.
    pub fn message(&self) -> String {
        match self {
            PushError::Closed => "the producer is closed: it accepts no more records".to_owned(),
            PushError::BufferFull => {
                "the producer's buffer is full (maxBufferedBytes / maxBufferedRecords)".to_owned()
            }
            PushError::LargerThanBuffer => {
                "the record (data and partition key) is larger than maxBufferedBytes: it can never fit"
                    .to_owned()
            }
            PushError::Invalid(e) => e.message.clone(),
        }
    }
}

/// A record's fate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Stored by the service.
    Acknowledged {
        /// The id [`Producer::push`] returned.
        id: u64,
        /// Its shard (Firehose: empty).
        shard_id: String,
        /// Its sequence number (Firehose: the record id).
        sequence_number: String,
        /// Its index in its aggregate, when aggregated.
        sub_sequence_number: Option<u32>,
        /// Attempts it took.
        attempts: u32,
    },
    /// Given up on.
    Failed {
        /// The id [`Producer::push`] returned.
        id: u64,
        /// The AWS code of a non-retryable error, or `RecordExpired`.
        code: String,
        /// What happened.
        message: String,
        /// Attempts made.
        attempts: u32,
        /// The last error the service or the transport gave.
        last_error: Option<ErrorInfo>,
    },
}

impl Outcome {
    /// The record's id.
    pub fn id(&self) -> u64 {
        match self {
            Outcome::Acknowledged { id, .. } | Outcome::Failed { id, .. } => *id,
        }
    }
}

/// An encoded request to sign and send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Hand it back with the answer.
    pub id: u64,
    /// `X-Amz-Target`.
    pub target: &'static str,
    /// The JSON body.
    pub body: Vec<u8>,
    /// User records it carries (0 for ListShards).
    pub records: usize,
}

/// An HTTP answer, as the adapter received it.
#[derive(Clone, Copy, Debug)]
pub struct HttpResponse<'a> {
    /// The status.
    pub status: u16,
    /// `X-Amzn-ErrorType`, if any.
    pub error_type: Option<&'a str>,
    /// `Date`, as a time, if readable (browsers hide it unless CORS
    /// exposes it): [`Timestamp::parse_http_date`] reads the header, and
    /// so does the host's `Date.parse`, which the wasm adapter uses.
    pub date: Option<Timestamp>,
    /// The body.
    pub body: &'a [u8],
}

/// Something that happened, for an `onEvent` callback.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A request left: its id, entries (Kinesis records or aggregates) and user records.
    Sent {
        /// Request id.
        request: u64,
        /// Entries in it.
        entries: usize,
        /// User records in it.
        records: usize,
    },
    /// Records were acknowledged.
    Acknowledged {
        /// Request id.
        request: u64,
        /// How many.
        records: usize,
    },
    /// Records will be sent again.
    Retried {
        /// Request id.
        request: u64,
        /// How many.
        records: usize,
        /// Why.
        code: String,
    },
    /// Records failed for good (non-retryable or expired).
    Failed {
        /// How many.
        records: usize,
        /// Why.
        code: String,
    },
    /// The stream's shard map was (re)loaded.
    ShardMap {
        /// Open shards.
        open_shards: usize,
    },
    /// The service refused the credentials as expired, and they can be
    /// renewed ([`ProducerConfig::refreshable_credentials`]): the adapter
    /// must get fresh ones before it signs again. The records concerned
    /// are resent (a [`Event::Retried`] follows).
    CredentialsExpired,
    /// Requests in a row got no answer (three): sending
    /// pauses, and one request at a time tests the network, with backoff.
    NetworkDown {
        /// The last failure's code (`NetworkError`, `TimeoutError`, …).
        code: String,
    },
    /// An answer came while the network was down: sending resumes.
    NetworkUp,
}

/// Counters for `stats()`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records accepted by `push`.
    pub records_put: u64,
    /// Records acknowledged.
    pub records_acknowledged: u64,
    /// Records failed for a non-retryable error.
    pub records_failed: u64,
    /// Records expired (time to live).
    pub records_expired: u64,
    /// Record sends beyond the first.
    pub records_retried: u64,
    /// Bytes acknowledged (data and keys).
    pub bytes_acknowledged: u64,
    /// Requests sent (PutRecords / PutRecordBatch / ListShards).
    pub requests: u64,
    /// Records or requests the service throttled.
    pub throttles: u64,
    /// Requests lost to the transport.
    pub transport_errors: u64,
    /// Clock corrections applied.
    pub clock_corrections: u64,
    /// Acknowledged records per shard id, sorted by shard id.
    pub per_shard: Vec<(String, u64)>,
    /// Milliseconds from push to acknowledgement: 50th, 90th, 99th percentiles.
    pub latency_p50_ms: u64,
    /// 90th.
    pub latency_p90_ms: u64,
    /// 99th.
    pub latency_p99_ms: u64,
    /// Records buffered or in flight now.
    pub buffered_records: u64,
    /// Their bytes.
    pub buffered_bytes: u64,
}

#[derive(Clone, Debug)]
struct Rec {
    key: String,
    ehk: Option<String>,
    /// The hash key the service will route by (0 when shards are not
    /// predicted: then nothing reads it).
    hash: u128,
    data: Vec<u8>,
    pushed: Timestamp,
    deadline: Timestamp,
    not_before: Timestamp,
    attempts: u32,
    last_error: Option<ErrorInfo>,
}

/// An empty record (what [`Queue`] leaves where one was taken).
impl Default for Rec {
    fn default() -> Rec {
        Rec {
            key: String::new(),
            ehk: None,
            hash: 0,
            data: Vec::new(),
            pushed: Timestamp::EPOCH,
            deadline: Timestamp::EPOCH,
            not_before: Timestamp::EPOCH,
            attempts: 0,
            last_error: None,
        }
    }
}

impl Rec {
    fn size(&self) -> usize {
        self.key.len() + self.data.len()
    }
}

/// A put request in flight (PutRecords, PutRecordBatch or a gateway's
/// batch): its records, entry after entry, in one `Vec`, and where each
/// entry ends. One representation from the batch to the answer: no `Vec`
/// per entry (one per record when not aggregating), and an aggregate's
/// bytes are dropped once encoded.
#[derive(Clone, Debug, Default)]
struct Put {
    records: Vec<(u64, Rec)>,
    entries: Vec<Entry>,
    /// The request body's size.
    size: usize,
}

/// One record of a request on the wire: a user record, or an aggregate
/// of several.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Where its records end in [`Put::records`] (they start where the
    /// previous entry's end).
    end: usize,
    /// Predicted shard (its starting hash key), when a map is known.
    shard: Option<u128>,
    /// Ordered mode: the slot it holds (its shard, or one slot for the
    /// whole stream when no map could be loaded).
    slot: Option<u128>,
    /// An aggregate: which of the aggregator's outputs it is (their
    /// index); its records' sub-sequence numbers are their places in it.
    aggregate: Option<u32>,
}

/// How long retried records wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backoff {
    /// Not at all (resigned after a clock correction).
    None,
    /// Full jitter, at most [`THROTTLED_BACKOFF_MAX_MS`]: records the
    /// stream refused as over its shard's throughput.
    Throttled,
    /// Full jitter, exponential up to the configured maximum.
    Full,
}

/// The longest a record the stream throttled waits before it is offered
/// again. Its shard's limiter, which the throttle slowed down, paces the
/// resend: the KPL's way ("Records that fail are automatically added back
/// to the KPL buffer … There is no backoff algorithm … Spamming due to
/// excessive retries is prevented by rate limiting",
/// <https://docs.aws.amazon.com/streams/latest/dev/kinesis-producer-adv-retries-rate-limiting.html>);
/// a short jittered wait keeps this producer's own retries from landing in
/// one burst. With the full backoff (up to 10 s) on top, a
/// record refused a few times in a row spent most of its time to live
/// waiting while its shard had room: the gateway test (30 % of records
/// throttled, 25 s time to live) took 7–26 s and lost one record in one of
/// about twenty runs here.
const THROTTLED_BACKOFF_MAX_MS: u32 = 1_000;

/// Requests in a row that got no answer at all (network errors, timeouts:
/// [`Producer::handle_transport_error`]) before the producer takes the
/// network as down. Then it pauses all sending, not only the failed
/// records: new records would fail the same way. One request at a time
/// tests the network, after a pause that doubles from
/// [`NETWORK_PAUSE_MIN_MS`] to [`NETWORK_PAUSE_MAX_MS`] ("equal jitter",
/// as for ListShards); any answer ends it. Records' time to live keeps
/// counting (a Worker must settle them before it is stopped).
const NETWORK_DOWN_AFTER: u32 = 3;

/// The first pause once the network is down, at most (equal jitter: half
/// of it to all of it).
const NETWORK_PAUSE_MIN_MS: u64 = 1_000;

/// The longest pause between two requests that test the network, at most.
const NETWORK_PAUSE_MAX_MS: u64 = 30_000;

/// Answers from ListShards that could not be used (errors the SDKs retry,
/// unreadable pages, shards that do not form a map) before the producer
/// sends without shard prediction (no aggregation, no per-shard limits).
const MAP_ATTEMPTS: u32 = 5;

/// After [`MAP_ATTEMPTS`] (or a refusal), at most how long records go
/// without prediction before ListShards is tried again, once each time: the
/// KPL's longest wait between shard map updates (`ShardMap::kMaxBackoff`,
/// 30 s, in `aws/kinesis/core/shard_map.cc` of
/// awslabs/amazon-kinesis-producer, which keeps trying as long as it runs).
/// A long-lived producer (a Worker, a page left open) gets its map back
/// once the outage ends. The wait is drawn from the second half of this
/// ("equal jitter", AWS Architecture Blog, "Exponential Backoff And
/// Jitter"; the KPL does not jitter it): pages that lost their maps to the
/// same outage do not all ask again in the same instant.
const MAP_RETRY_MS: i64 = 30_000;

/// The most ListShards pages one listing may take. At the 1,000 shards a
/// page the producer asks for, that is a million shards, 50 times the
/// largest default shard quota of an account (20,000 in us-east-1,
/// us-west-2 and eu-west-1; "Quotas and limits",
/// <https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html>);
/// more means a listing that never ends.
const LIST_SHARDS_MAX_PAGES: u32 = 1_000;

#[derive(Clone, Debug)]
enum InFlight {
    Put(Put),
    ListShards,
}

/// Histogram of push→ack latencies, log-linear: 1 ms buckets below 128 ms,
/// then 64 buckets per doubling (each within 1/64 of its value) up to 60 s,
/// where the last bucket takes everything longer. Percentiles without
/// keeping samples, in 5.5 KB per producer (1 ms buckets up to 60 s were
/// 480 KB).
#[derive(Clone, Debug)]
struct Latency {
    buckets: Vec<u64>,
    count: u64,
}

/// Buckets per doubling above [`LATENCY_EXACT_MS`].
const LATENCY_SUB_BUCKETS: u64 = 64;
/// Below this, one bucket per millisecond.
const LATENCY_EXACT_MS: u64 = 2 * LATENCY_SUB_BUCKETS;
/// The longest latency told apart.
const LATENCY_MAX_MS: u64 = 60_000;

impl Latency {
    fn new() -> Latency {
        Latency { buckets: vec![0; Latency::bucket(LATENCY_MAX_MS) + 1], count: 0 }
    }

    /// The bucket of `ms` (at most [`LATENCY_MAX_MS`]).
    fn bucket(ms: u64) -> usize {
        let ms = ms.min(LATENCY_MAX_MS);
        if ms < LATENCY_EXACT_MS {
            return ms as usize;
        }
        // ms in [2^k, 2^(k+1)), k ≥ 7: its top seven bits pick one of 64.
        let k = u64::from(63 - ms.leading_zeros());
        let sub = (ms >> (k - 6)) - LATENCY_SUB_BUCKETS;
        (LATENCY_EXACT_MS + (k - 7) * LATENCY_SUB_BUCKETS + sub) as usize
    }

    /// The smallest latency in bucket `b`.
    fn lowest(b: usize) -> u64 {
        let b = b as u64;
        if b < LATENCY_EXACT_MS {
            return b;
        }
        let (k, sub) =
            ((b - LATENCY_EXACT_MS) / LATENCY_SUB_BUCKETS + 7, (b - LATENCY_EXACT_MS) % LATENCY_SUB_BUCKETS);
        (LATENCY_SUB_BUCKETS + sub) << (k - 6)
    }

    fn add(&mut self, ms: i64) {
        if let Some(n) = self.buckets.get_mut(Latency::bucket(ms.max(0) as u64)) {
            *n += 1;
        }
        self.count += 1;
    }

    /// The `p`th percentile (1..=100), in whole milliseconds: exact below
    /// 128 ms, above it the smallest value of its bucket (at most 1/64
    /// less than the true value; 60 s and longer read 59.9 s).
    fn percentile(&self, p: u64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let target = (p * self.count).div_ceil(100).max(1);
        let mut seen = 0;
        for (b, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= target {
                return Latency::lowest(b);
            }
        }
        Latency::lowest(self.buckets.len().saturating_sub(1))
    }
}

/// The producer's state machine.
pub struct Producer {
    config: ProducerConfig,
    queue: Queue<Rec>,
    /// Requests in flight (at most `max_in_flight` and a ListShards).
    in_flight: Vec<(u64, InFlight)>,
    /// Shards with an entry in flight (ordered mode).
    busy_shards: KeySet,
    /// When the first record waiting out a backoff becomes ready (a wake-up
    /// hint for [`Producer::poll_timeout`]; it may be stale). Each requeue
    /// lowers it; once it has passed, the next batch's scan of the queue
    /// sets it again from the records still waiting. A scan that stops
    /// early (the batch is full) sends, and the next poll scans on; one
    /// that stops for the limiter leaves its wake-up to the shards'. (A
    /// heap of every retried record's time was 0.3 KB more of the
    /// producer's `.wasm`.)
    next_retry: Option<Timestamp>,
    /// Shards the rate limiter held back at the last batch, and when they
    /// have tokens again.
    blocked_until: KeyMap<Timestamp>,
    next_record: u64,
    next_request: u64,
    outcomes: Vec<Outcome>,
    events: Vec<Event>,
    buffered_bytes: usize,
    buffered_records: usize,
    map: Option<ShardMap>,
    /// The first request made with the current shard map (0: none yet).
    /// Ordered mode: while a put made with an earlier map (or none) is in
    /// flight, nothing is sent, since a key's shard, and so its slot, may
    /// have changed with the map: its next records must not go out while
    /// earlier ones may yet fail.
    map_since: u64,
    /// Shards gathered from ListShards pages so far, the next token, and
    /// the pages read.
    listing: Option<(Vec<crate::shard_map::Shard>, Option<String>, u32)>,
    /// When to (re)load the shard map: `None` = no need.
    map_due: Option<Timestamp>,
    map_attempts: u32,
    /// ListShards is not allowed or not possible: no prediction.
    map_unavailable: bool,
    limiter: Limiter,
    rng: crate::rng::Rng,
    clock_offset_ms: i64,
    /// Records pushed up to this id ignore the linger (flush).
    flush_through: u64,
    /// Requests in a row that got no answer (the network is down from
    /// [`NETWORK_DOWN_AFTER`]), and when the next may test it.
    unanswered: u32,
    network_retry_at: Timestamp,
    /// The last failure of a ListShards or of a request that got no
    /// answer, since an answer came through: why records that never went
    /// out were held back (no shard map yet, the network down). A record
    /// that expires without an error of its own carries it.
    held_by: Option<ErrorInfo>,
    /// The largest request body to build (as the batcher estimates bodies,
    /// which is at least their size): half the body of the last request
    /// answered 413 (a gateway or proxy in front of the service with a
    /// smaller limit than its own); `usize::MAX` until then.
    body_cap: usize,
    closed: bool,
    stats: Stats,
    latency: Latency,
}

/// Each record's data (Firehose and gateway entries hold one record each).
fn records_data(records: &[(u64, Rec)]) -> Vec<&[u8]> {
    let mut data = Vec::with_capacity(records.len());
    for (_, r) in records {
        data.push(r.data.as_slice());
    }
    data
}

/// The earlier of `t` and `at`, if any.
fn earliest(at: Option<Timestamp>, t: Timestamp) -> Timestamp {
    at.map_or(t, |a| a.min(t))
}

/// What a record of `size` bytes (data and key) takes in a request body, at
/// most: base64 and the JSON around it.
fn wire_size(size: usize) -> usize {
    size + size / 3 + 64
}

/// The batch limits of the destination: records, bytes, bytes per record.
fn batch_limits(config: &ProducerConfig) -> (usize, usize) {
    match config.destination() {
        Destination::Kinesis(_) => (PUT_RECORDS_MAX_RECORDS, PUT_RECORDS_MAX_BYTES),
        Destination::Firehose(_) => (FIREHOSE_BATCH_MAX_RECORDS, FIREHOSE_BATCH_MAX_BYTES),
        Destination::Gateway => (GATEWAY_MAX_EVENTS, GATEWAY_MAX_BYTES - 16),
    }
}

impl Producer {
    /// A producer with nothing buffered.
    pub fn new(config: ProducerConfig) -> Producer {
        let kinesis = config.kinesis();
        let needs_map = config.predicts_shards();
        let limiter = Limiter::new(if kinesis { config.rate_limit_percent } else { 0 });
        let rng = crate::rng::Rng::new(config.seed);
        Producer {
            config,
            queue: Queue::new(),
            in_flight: Vec::new(),
            busy_shards: KeySet::default(),
            next_retry: None,
            blocked_until: KeyMap::default(),
            next_record: 1,
            next_request: 1,
            outcomes: Vec::new(),
            events: Vec::new(),
            buffered_bytes: 0,
            buffered_records: 0,
            map: None,
            listing: None,
            map_due: needs_map.then_some(Timestamp::EPOCH),
            map_attempts: 0,
            map_unavailable: false,
            map_since: 0,
            limiter,
            rng,
            clock_offset_ms: 0,
            flush_through: 0,
            unanswered: 0,
            network_retry_at: Timestamp::EPOCH,
            held_by: None,
            body_cap: usize::MAX,
            closed: false,
            stats: Stats::default(),
            latency: Latency::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ProducerConfig {
        &self.config
    }

    /// Accepts a record (Firehose: `partition_key` is ignored). Its id
    /// comes back in its [`Outcome`].
    pub fn push(
        &mut self,
        now: Timestamp,
        data: &[u8],
        partition_key: &str,
        explicit_hash_key: Option<&str>,
    ) -> Result<u64, PushError> {
        self.push_owned(now, data.to_vec(), partition_key.to_owned(), explicit_hash_key)
    }

    /// [`Producer::push`] of data the caller hands over (kept as it is, no
    /// copy: how the wasm adapter passes it).
    pub fn push_owned(
        &mut self,
        now: Timestamp,
        mut data: Vec<u8>,
        partition_key: String,
        explicit_hash_key: Option<&str>,
    ) -> Result<u64, PushError> {
        if self.closed {
            return Err(PushError::Closed);
        }
        let (key, ehk, hash) = if self.config.kinesis() {
            let explicit = validate(
                &partition_key,
                explicit_hash_key,
                data.len(),
                &self.config.record_limits,
                Member::PutRecord,
            )
            .map_err(PushError::Invalid)?;
            // Without shard prediction the hash key is never read: no MD5.
            let hash = match explicit {
                Some(h) => h,
                None if self.config.predicts_shards() => hash_key(&partition_key),
                None => 0,
            };
            (partition_key, explicit_hash_key.map(str::to_owned), hash)
        } else if matches!(self.config.destination(), Destination::Gateway) {
            if !matches!(crate::json::parse(&data), Ok(crate::json::Value::Object(_)))
                || data.len() > GATEWAY_MAX_BYTES - 16
            {
                return Err(PushError::Invalid(RecordError {
                    code: "InvalidEvent",
                    field: "data",
                    limit: GATEWAY_MAX_BYTES - 16,
                    size: data.len(),
                    message: "an event for a gateway must be a JSON object (UTF-8), smaller than a request"
                        .to_owned(),
                }));
            }
            (String::new(), None, 0)
        } else {
            data.extend_from_slice(&self.config.delimiter);
            if data.len() > FIREHOSE_MAX_RECORD_BYTES {
                return Err(PushError::Invalid(RecordError {
                    code: "ValidationException",
                    field: "data",
                    limit: FIREHOSE_MAX_RECORD_BYTES,
                    size: data.len(),
                    message: crate::cat(&[
                        "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to ",
                        &crate::json::u64_text(FIREHOSE_MAX_RECORD_BYTES as u64),
                    ]),
                }));
            }
            (String::new(), None, 0)
        };
        let size = key.len() + data.len();
        if size > self.config.max_buffered_bytes {
            return Err(PushError::LargerThanBuffer);
        }
        if self.buffered_records + 1 > self.config.max_buffered_records
            || self.buffered_bytes + size > self.config.max_buffered_bytes
        {
            return Err(PushError::BufferFull);
        }
        let id = self.next_record;
        self.next_record += 1;
        self.buffered_records += 1;
        self.buffered_bytes += size;
        self.stats.records_put += 1;
        self.queue.insert(
            id,
            Rec {
                key,
                ehk,
                hash,
                data,
                pushed: now,
                deadline: now.add_millis(i64::from(self.config.record_ttl_ms)),
                not_before: now,
                attempts: 0,
                last_error: None,
            },
        );
        Ok(id)
    }

    /// Whether waiting for room is over for a record of `size` bytes (for
    /// `onFull: 'wait'`): it fits in the buffer now, or it never will
    /// (larger than `max_buffered_bytes`: [`Producer::push`] refuses it at
    /// once with [`PushError::LargerThanBuffer`], so it holds back no
    /// record behind it).
    pub fn has_room(&self, size: usize) -> bool {
        size > self.config.max_buffered_bytes
            || (self.buffered_records < self.config.max_buffered_records
                && self.buffered_bytes + size <= self.config.max_buffered_bytes)
    }

    /// Sends everything pushed so far without waiting for the linger.
    pub fn flush(&mut self) {
        self.flush_through = self.next_record - 1;
    }

    /// Refuses new records and sends what is buffered at once.
    pub fn close(&mut self) {
        self.closed = true;
        self.flush();
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Records pushed whose outcome has not been polled yet, plus outcomes
    /// waiting to be polled.
    pub fn pending(&self) -> usize {
        self.buffered_records + self.outcomes.len()
    }

    /// The id the next pushed record will get (everything below it was
    /// pushed before).
    pub fn next_id(&self) -> u64 {
        self.next_record
    }

    /// The adapter paused sending from `since` until `now` (the device was
    /// offline), or the host did not run it (a machine asleep, a frozen
    /// page: its timers, or a request's own timeout, came late): that time
    /// does not count toward a record's time to live, which bounds its
    /// retries. Each record, waiting or in a request in flight, gets the
    /// part of the pause it was held for (pushed during the pause: from its
    /// push), so deadlines keep growing with ids. The adapter tells each
    /// stretch of time once.
    pub fn resume(&mut self, since: Timestamp, now: Timestamp) {
        // Back online: the network is tested at once.
        self.network_retry_at = self.network_retry_at.min(now);
        let hold = |r: &mut Rec| {
            let held = now.as_millis() - r.pushed.as_millis().max(since.as_millis());
            if held > 0 {
                r.deadline = r.deadline.add_millis(held);
            }
        };
        self.queue.values_mut().for_each(hold);
        for (_, f) in &mut self.in_flight {
            if let InFlight::Put(put) = f {
                put.records.iter_mut().map(|(_, r)| r).for_each(hold);
            }
        }
    }

    /// Milliseconds to add to the local clock when signing (learned from
    /// the service's clock-skew errors).
    pub fn clock_offset_ms(&self) -> i64 {
        self.clock_offset_ms
    }

    /// The shard map in use, if loaded.
    pub fn shard_map(&self) -> Option<&ShardMap> {
        // None ever in a build for a gateway only, which the compiler then
        // knows: no shard map, limiter or prediction code in it.
        if cfg!(feature = "gateway-only") {
            return None;
        }
        self.map.as_ref()
    }

    /// The records settled since the last call, each with its fate, in
    /// the order they settled. (All at once: a `Vec` handed over, where a
    /// queue polled one by one was 0.1 KB more of the producer's `.wasm`.)
    pub fn poll_outcomes(&mut self) -> Vec<Outcome> {
        core::mem::take(&mut self.outcomes)
    }

    /// What happened since the last call, in order.
    pub fn poll_events(&mut self) -> Vec<Event> {
        core::mem::take(&mut self.events)
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        let (stats, [latency_p50_ms, latency_p90_ms, latency_p99_ms, buffered_records, buffered_bytes]) =
            self.stats_now();
        Stats {
            latency_p50_ms,
            latency_p90_ms,
            latency_p99_ms,
            buffered_records,
            buffered_bytes,
            ..stats.clone()
        }
    }

    /// [`Producer::stats`] without copying the per-shard counts (for the
    /// adapter, which writes them out): the counters as kept, and the
    /// latency percentiles (50th, 90th, 99th) and buffered records and
    /// bytes now.
    pub(crate) fn stats_now(&self) -> (&Stats, [u64; 5]) {
        let figures = [
            self.latency.percentile(50),
            self.latency.percentile(90),
            self.latency.percentile(99),
            self.buffered_records as u64,
            self.buffered_bytes as u64,
        ];
        (&self.stats, figures)
    }

    fn backoff(&mut self, attempts: u32) -> i64 {
        let draw = self.rng.next_u64();
        self.backoff_from(draw, attempts, self.config.backoff_max_ms)
    }

    /// A wait from half of `cap_ms` to all of it ("equal jitter", AWS
    /// Architecture Blog, "Exponential Backoff And Jitter"): never short,
    /// and producers that failed together do not all try again together.
    fn equal_jitter(&mut self, cap_ms: u64) -> i64 {
        (cap_ms / 2 + self.rng.next_u64() % (cap_ms - cap_ms / 2 + 1)) as i64
    }

    /// Full-jitter exponential backoff, at most `max_ms`, from the random
    /// `draw`.
    fn backoff_from(&self, draw: u64, attempts: u32, max_ms: u32) -> i64 {
        let cap = (u64::from(self.config.backoff_base_ms) << attempts.min(20))
            .min(u64::from(self.config.backoff_max_ms.min(max_ms)));
        (draw % (cap + 1)) as i64
    }

    fn shard_of(&self, hash: u128) -> Option<u128> {
        self.shard_map().map(|m| m.shard_for_hash_key(hash).starting_hash_key)
    }

    /// Ordered mode's unit: the predicted shard, or the whole stream when
    /// no shard map is available.
    fn slot_of(&self, hash: u128) -> u128 {
        self.shard_of(hash).unwrap_or(u128::MAX)
    }

    fn settle(&mut self, id: u64, rec: &Rec, outcome: Outcome, now: Timestamp) {
        self.buffered_records -= 1;
        self.buffered_bytes -= rec.size();
        match &outcome {
            Outcome::Acknowledged { shard_id, .. } => {
                self.stats.records_acknowledged += 1;
                self.stats.bytes_acknowledged += rec.size() as u64;
                let per_shard = &mut self.stats.per_shard;
                match per_shard.binary_search_by(|(s, _)| s.as_str().cmp(shard_id)) {
                    Ok(i) => per_shard[i].1 += 1,
                    Err(_) if shard_id.is_empty() => {} // Firehose, a gateway: no shards
                    Err(i) => per_shard.insert(i, (shard_id.clone(), 1)),
                }
                self.latency.add(now.as_millis() - rec.pushed.as_millis());
            }
            Outcome::Failed { code, .. } if code == "RecordExpired" => self.stats.records_expired += 1,
            Outcome::Failed { .. } => self.stats.records_failed += 1,
        }
        debug_assert_eq!(outcome.id(), id);
        self.outcomes.push(outcome);
    }

    fn expire(&mut self, now: Timestamp) {
        // Deadlines grow with ids (pushed later, expires later; a retried
        // record keeps its own): the expired records are a prefix.
        let mut expired = 0;
        while self.queue.front().is_some_and(|(_, r)| r.deadline <= now) {
            if let Some((id, rec)) = self.queue.pop_front() {
                expired += 1;
                let outcome = Outcome::Failed {
                    id,
                    code: "RecordExpired".to_owned(),
                    message: crate::cat(&[
                        "the record's time to live (",
                        &crate::json::u64_text(u64::from(self.config.record_ttl_ms)),
                        " ms) ran out after ",
                        &crate::json::u64_text(u64::from(rec.attempts)),
                        " attempt(s)",
                    ]),
                    attempts: rec.attempts,
                    last_error: rec.last_error.clone().or_else(|| self.held_by.clone()),
                };
                self.settle(id, &rec, outcome, now);
            }
        }
        if expired > 0 {
            self.events.push(Event::Failed { records: expired, code: "RecordExpired".to_owned() });
        }
    }

    /// When, after `now`, to call [`Producer::poll_request`] again, if
    /// anything waits on time (answers to requests in flight wake the
    /// adapter by themselves). Call it after `poll_request` returned `None`.
    pub fn poll_timeout(&mut self, now: Timestamp) -> Option<Timestamp> {
        let mut next: Option<Timestamp> = None;
        // The network is down: nothing is sent before the pause ends, nor
        // while a request tests it (its answer or failure wakes the adapter).
        let down = self.network_down();
        if down && !self.in_flight.is_empty() {
            return self.queue.front().map(|(_, first)| first.deadline).filter(|t| *t > now);
        }
        let floor = if down { self.network_retry_at } else { Timestamp::EPOCH };
        // `send`: a time to send at (not before the pause ends); or a
        // record's deadline.
        let mut consider = |t: Timestamp, send: bool| {
            let t = if send { t.max(floor) } else { t };
            if t > now {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        // A shard map is loaded (again) on a timer only for records waiting:
        // an idle or closed producer does not retry ListShards forever (the
        // next push or flush polls it).
        if let Some(due) = self.map_due {
            if !self.listing_in_flight() && self.queue.front().is_some() {
                consider(due, true);
            }
        }
        // Deadlines grow with ids (a retried record keeps its own), so the
        // first record has the earliest; the same holds for the linger of
        // records not yet tried.
        if let Some((_, first)) = self.queue.front() {
            consider(first.deadline, false);
            if self.in_flight.len() < self.config.max_in_flight {
                let linger = i64::from(self.config.linger_ms);
                let fresh = self.queue.iter().find(|(_, r)| r.attempts == 0);
                match fresh {
                    Some((fid, r)) if *fid > self.flush_through => {
                        consider(r.pushed.add_millis(linger), true)
                    }
                    Some((_, r)) => consider(r.not_before, true),
                    None => {}
                }
                if let Some(t) = self.next_retry {
                    consider(t, true);
                }
                for t in self.blocked_until.values() {
                    consider(*t, true);
                }
            }
        }
        next
    }

    /// The next request to send, if one is due at `now`.
    pub fn poll_request(&mut self, now: Timestamp) -> Option<Request> {
        self.expire(now);
        if self.in_flight.len() >= self.config.max_in_flight {
            return None;
        }
        // The network is down: one request at a time tests it, once the
        // pause is over.
        if self.network_down() && (now < self.network_retry_at || !self.in_flight.is_empty()) {
            return None;
        }
        if let Some(request) = self.poll_list_shards(now) {
            return Some(request);
        }
        // Aggregation and ordering need the map; wait for the first one.
        if self.map.is_none() && !self.map_unavailable && self.map_due.is_some() {
            return None;
        }
        self.poll_put(now, None)
    }

    /// A request whose body is at most `max_body` bytes, now, whatever the
    /// linger and the requests in flight: what a page sends with `fetch`'s
    /// `keepalive` as it goes away (all such requests share 64 KiB). The
    /// oldest records that fit, in order, whether waiting out a backoff or
    /// held back by the rate limiter (now or never); the rest stay
    /// buffered. `None` when nothing fits (or nothing is buffered).
    pub fn poll_request_within(&mut self, now: Timestamp, max_body: usize) -> Option<Request> {
        self.expire(now);
        self.poll_put(now, Some(max_body))
    }

    /// Whether requests in a row got no answer: sending pauses.
    fn network_down(&self) -> bool {
        self.unanswered >= NETWORK_DOWN_AFTER
    }

    fn listing_in_flight(&self) -> bool {
        self.in_flight.iter().any(|(_, f)| matches!(f, InFlight::ListShards))
    }

    fn poll_list_shards(&mut self, now: Timestamp) -> Option<Request> {
        let due = self.map_due?;
        if due > now || self.listing_in_flight() {
            return None;
        }
        let Destination::Kinesis(stream) = self.config.destination() else { return None };
        let token = self.listing.as_ref().and_then(|(_, t, _)| t.clone());
        let encoded = protocol::list_shards_page(stream, token.as_deref(), 1000);
        let id = self.next_request;
        self.next_request += 1;
        self.in_flight.push((id, InFlight::ListShards));
        self.stats.requests += 1;
        Some(Request { id, target: encoded.target, body: encoded.body, records: 0 })
    }

    fn poll_put(&mut self, now: Timestamp, limit: Option<usize>) -> Option<Request> {
        let (max_records, max_bytes) = batch_limits(&self.config);
        let linger = i64::from(self.config.linger_ms);
        let kinesis = self.config.kinesis();
        let aggregate = kinesis && self.config.aggregation && self.map.is_some();
        let ordered = kinesis && self.config.ordered;
        // A wake-up that has passed goes; the scan finds the next. Not for
        // a page going away (`limit`), whose scan may stop at the first
        // records.
        if limit.is_none() {
            self.next_retry = self.next_retry.filter(|t| *t > now);
        }
        self.blocked_until.clear();
        let open_shards = self.shard_map().map_or(1, |m| m.open_shards().len());
        // Pick records in arrival order (retries first: they are older),
        // within the batch limits, the limiter's budget per shard and, when
        // ordered, one entry per shard not already in flight.
        let budget = if aggregate { max_bytes - max_bytes / 16 } else { max_bytes }.min(self.body_cap);
        let budget = limit.map_or(budget, |l| budget.min(l));
        let mut picked: Vec<usize> = Vec::new();
        let mut bytes = 0usize;
        let mut due = limit.is_some();
        // Per shard: the limiter's tokens, and what this batch uses of them.
        let mut budgets: KeyMap<[f64; 4]> = KeyMap::default();
        // Ordered mode, per slot: the bytes and kind (explicit hash key or
        // not) of the entry this batch takes from it.
        let mut slot_bytes: KeyMap<(usize, bool)> = KeyMap::default();
        let mut skipped_slots = KeySet::default();
        // A put made with an earlier map (or before one came) holds every
        // shard (`map_since`; the ListShards that loaded it is answered).
        let stream_busy = ordered && self.in_flight.iter().any(|(id, _)| *id < self.map_since);
        for (position, (id, r)) in self.queue.iter().enumerate() {
            let id = *id;
            // (A page going away sends records waiting out a backoff too:
            // now or never.)
            if r.not_before > now && limit.is_none() {
                self.next_retry = Some(earliest(self.next_retry, r.not_before));
                if ordered {
                    // A record waiting out its backoff holds its shard's
                    // later records back.
                    skipped_slots.add(self.slot_of(r.hash));
                }
                continue;
            }
            let size = r.size();
            let wire = wire_size(size);
            if bytes + wire > budget && (limit.is_some() || !picked.is_empty()) {
                break;
            }
            if ordered {
                let slot = self.slot_of(r.hash);
                if stream_busy || self.busy_shards.contains(slot) || skipped_slots.contains(slot) {
                    continue;
                }
                if let Some((taken, ehk)) = slot_bytes.get(slot) {
                    if !aggregate
                        || *ehk != r.ehk.is_some()
                        || taken + size + 16 > self.config.aggregation_max_bytes
                    {
                        // The slot's entry is complete: later records of the
                        // shard wait (their order must hold).
                        skipped_slots.add(slot);
                        if skipped_slots.len() + self.busy_shards.len() >= open_shards {
                            break;
                        }
                        continue;
                    }
                }
            }
            // The limiter paces a page going away no more: what it holds
            // back then would be gone with the page.
            if let Some(s) = self.shard_of(r.hash).filter(|_| limit.is_none()) {
                if self.blocked_until.contains(s) {
                    continue;
                }
                let b = budgets.get_or_insert_with(s, || {
                    let (records, bytes) = self.limiter.available(s, now);
                    [records, bytes, 0.0, 0.0]
                });
                let need_records = if aggregate { 0.0 } else { 1.0 };
                if b[0] - b[2] < need_records || b[1] - b[3] <= 0.0 {
                    self.blocked_until.insert(s, self.limiter.ready_at(s, now));
                    if ordered {
                        skipped_slots.add(self.slot_of(r.hash));
                    }
                    if self.blocked_until.len() >= open_shards {
                        break;
                    }
                    continue;
                }
                b[2] += need_records;
                b[3] += size as f64;
            }
            if ordered {
                let e = slot_bytes.get_or_insert_with(self.slot_of(r.hash), || (0, r.ehk.is_some()));
                // A user record in an aggregate: its bytes and about 8 of
                // protobuf (tags, lengths, its key's index).
                e.0 += size + 8;
            }
            if id <= self.flush_through || r.attempts > 0 || r.pushed.add_millis(linger) <= now {
                due = true;
            }
            picked.push(position);
            bytes += wire;
            if !aggregate && picked.len() == max_records {
                break;
            }
        }
        let full = if aggregate {
            bytes >= budget / 2
        } else {
            picked.len() >= max_records || bytes * 10 >= budget * 9
        };
        if picked.is_empty() || !(due || full) {
            return None;
        }
        for &(s, b) in budgets.iter() {
            self.limiter.take(s, b[2], b[3], now);
        }
        let mut put = Put { records: self.queue.take(&picked), ..Put::default() };
        let aggregates = if aggregate {
            self.aggregate_entries(&mut put, max_records, now)
        } else {
            put.entries = Vec::with_capacity(put.records.len());
            for (i, (_, r)) in put.records.iter().enumerate() {
                let shard = self.shard_of(r.hash);
                let slot = ordered.then(|| self.slot_of(r.hash));
                put.entries.push(Entry { end: i + 1, shard, slot, aggregate: None });
            }
            Vec::new()
        };
        if put.entries.is_empty() {
            return None;
        }
        let body = self.encode_body(&put, &aggregates);
        if limit.is_some_and(|l| body.body.len() > l) {
            // Over the limit after all (the estimate is per record): back
            // to the queue, untouched.
            self.queue.put_back(&mut put.records);
            return None;
        }
        Some(self.commit(put, body))
    }

    /// Packs `put`'s records into aggregates by predicted shard, as its
    /// entries, the records in their order; records beyond `max_entries`
    /// entries go back to the queue. Returns aggregation's outputs, for
    /// the aggregated entries' keys and bytes.
    fn aggregate_entries(
        &mut self,
        put: &mut Put,
        max_entries: usize,
        now: Timestamp,
    ) -> Vec<aggregation::OutputRecord> {
        let map = &self.map;
        let shard_of = |h: u128| map.as_ref().map_or(0, |m| m.shard_for_hash_key(h).starting_hash_key);
        let mut recs = core::mem::take(&mut put.records);
        let outputs = {
            let mut users = Vec::with_capacity(recs.len());
            // Each record's hash key was worked out when it was pushed.
            let mut hashes = Vec::with_capacity(recs.len());
            for (_, r) in &recs {
                users.push(UserRecord {
                    partition_key: &r.key,
                    explicit_hash_key: r.ehk.as_deref(),
                    data: &r.data,
                });
                hashes.push(Some(r.hash));
            }
            aggregation::aggregate_hashed(&users, &hashes, self.config.aggregation_max_bytes, shard_of)
        };
        put.records = Vec::with_capacity(recs.len());
        let mut total = 0usize;
        // Ordered mode: shards that have an entry here, or whose records
        // went back to the queue. The picking estimates a shard's records
        // to fit one aggregate; when they made two, the second goes back:
        // two entries of one shard in one request may fail apart, and the
        // second's records must not be stored before the first's.
        let mut seen = KeySet::default();
        // By reference (see Size in the module's docs).
        for (n, out) in outputs.iter().enumerate() {
            let wire = out.data.len().div_ceil(3) * 4 + out.partition_key.len() + 96;
            let start = put.records.len();
            for &i in &out.indices {
                // Each record once: one taken already is left empty (id 0;
                // ids start at 1).
                if let Some(rec) = recs.get_mut(i).map(core::mem::take).filter(|(id, _)| *id != 0) {
                    put.records.push(rec);
                }
            }
            let Some((_, first)) = put.records.get(start) else { continue };
            let shard = shard_of(first.hash);
            let second = self.config.ordered && seen.contains(shard);
            seen.add(shard);
            if n >= max_entries || total + wire > PUT_RECORDS_MAX_BYTES || second {
                // Back to the queue, untouched.
                self.queue.put_back(put.records.get_mut(start..).unwrap_or_default());
                put.records.truncate(start);
                continue;
            }
            total += wire;
            self.limiter.take(shard, 1.0, 0.0, now);
            let slot = self.config.ordered.then_some(shard);
            let aggregate = (out.user_records > 1).then_some(n as u32);
            put.entries.push(Entry { end: put.records.len(), shard: Some(shard), slot, aggregate });
        }
        outputs
    }

    fn encode_body(&self, put: &Put, aggregates: &[aggregation::OutputRecord]) -> protocol::Encoded {
        match self.config.destination() {
            Destination::Kinesis(stream) => {
                let mut users = Vec::with_capacity(put.entries.len());
                let mut start = 0;
                for e in &put.entries {
                    let first = put.records.get(start);
                    start = e.end;
                    let user = if let Some(i) = e.aggregate {
                        aggregates.get(i as usize).map(|o| UserRecord {
                            partition_key: &o.partition_key,
                            explicit_hash_key: o.explicit_hash_key.as_deref(),
                            data: &o.data,
                        })
                    } else {
                        first.map(|(_, r)| UserRecord {
                            partition_key: &r.key,
                            explicit_hash_key: r.ehk.as_deref(),
                            data: &r.data,
                        })
                    };
                    if let Some(user) = user {
                        users.push(user);
                    }
                }
                protocol::put_records(Stream::Name(stream), &users)
            }
            Destination::Firehose(name) => {
                protocol::firehose_put_record_batch(name, &records_data(&put.records))
            }
            Destination::Gateway => protocol::gateway_events(&records_data(&put.records)),
        }
    }

    fn commit(&mut self, mut put: Put, body: protocol::Encoded) -> Request {
        let id = self.next_request;
        self.next_request += 1;
        let records = put.records.len();
        for s in put.entries.iter().filter_map(|e| e.slot) {
            self.busy_shards.add(s);
        }
        for (_, r) in &put.records {
            if r.attempts > 0 {
                self.stats.records_retried += 1;
            }
        }
        self.stats.requests += 1;
        self.events.push(Event::Sent { request: id, entries: put.entries.len(), records });
        put.size = body.body.len();
        self.in_flight.push((id, InFlight::Put(put)));
        Request { id, target: body.target, body: body.body, records }
    }
}

// Answers.
impl Producer {
    /// The service answered request `id`.
    pub fn handle_response(&mut self, now: Timestamp, id: u64, response: &HttpResponse<'_>) {
        let Some(flight) = self.take_flight(id) else { return };
        // Any answer, an error too, means the network works.
        if self.network_down() {
            self.events.push(Event::NetworkUp);
        }
        self.unanswered = 0;
        if response.status == 200 {
            self.held_by = None;
        }
        match flight {
            // Never sent by a build for a gateway only, which then leaves
            // the shard map's code out.
            InFlight::ListShards if cfg!(feature = "gateway-only") => {}
            InFlight::ListShards => self.on_list_shards(now, response),
            InFlight::Put(put) => self.on_put(now, id, put, response),
        }
    }

    /// Request `id` never got an answer (`code`: `NetworkError`,
    /// `TimeoutError`, …): everything in it is retried.
    pub fn handle_transport_error(&mut self, now: Timestamp, id: u64, code: &str, message: &str) {
        let Some(flight) = self.take_flight(id) else { return };
        self.stats.transport_errors += 1;
        self.unanswered = self.unanswered.saturating_add(1);
        if let Some(n) = self.unanswered.checked_sub(NETWORK_DOWN_AFTER) {
            if n == 0 {
                self.events.push(Event::NetworkDown { code: code.to_owned() });
            }
            let cap = (NETWORK_PAUSE_MIN_MS << n.min(5)).min(NETWORK_PAUSE_MAX_MS);
            self.network_retry_at = now.add_millis(self.equal_jitter(cap));
        }
        let error = ErrorInfo { code: code.to_owned(), message: message.to_owned() };
        match flight {
            InFlight::ListShards if cfg!(feature = "gateway-only") => {}
            InFlight::ListShards => self.retry_map(now),
            InFlight::Put(mut put) => self.requeue(now, id, &mut put.records, &error, Backoff::Full),
        }
        self.held_by = Some(error);
    }

    /// Request `id`, no longer in flight: its shards are free again
    /// (ordered mode), whatever its answer.
    fn take_flight(&mut self, id: u64) -> Option<InFlight> {
        let at = self.in_flight.iter().position(|(i, _)| *i == id)?;
        let (_, flight) = self.in_flight.swap_remove(at);
        if let InFlight::Put(put) = &flight {
            for s in put.entries.iter().filter_map(|e| e.slot) {
                self.busy_shards.remove(s);
            }
        }
        Some(flight)
    }

    /// Shard `s` throttled: its limiter slows down (no shards, so nothing,
    /// in a build for a gateway only).
    fn throttled(&mut self, s: u128, now: Timestamp) {
        if !cfg!(feature = "gateway-only") {
            self.limiter.throttled(s, now);
        }
    }

    fn retry_map(&mut self, now: Timestamp) {
        self.map_attempts += 1;
        let delay = self.backoff(self.map_attempts);
        self.map_due = Some(now.add_millis(delay));
    }

    fn on_list_shards(&mut self, now: Timestamp, response: &HttpResponse<'_>) {
        if response.status != 200 {
            let e = protocol::decode_error(response.status, response.error_type, response.body);
            if e.is_clock_skew() {
                self.correct_clock(now, response, &e.message);
                self.map_due = Some(now);
            } else if e.is_retryable() || self.credentials_expired(&e) {
                self.map_failed(now);
            } else {
                // Not allowed to list shards (or the stream is gone): send
                // without prediction rather than not at all, and ask again
                // later (permissions change).
                self.give_up_map(Some(now));
            }
            self.held_by = Some(ErrorInfo { code: e.code, message: e.message });
            return;
        }
        let mut page = match protocol::decode_list_shards(response.body) {
            Ok(p) => p,
            Err(_) => return self.map_unreadable(now),
        };
        let (mut shards, token, pages) = self.listing.take().unwrap_or_default();
        shards.append(&mut page.shards);
        if let Some(next) = page.next_token {
            // A token that comes back unchanged, or pages without end: the
            // listing would never finish. Send without prediction.
            // Not asked again: a service listing without end would again.
            if token.as_deref() == Some(next.as_str()) || pages + 1 >= LIST_SHARDS_MAX_PAGES {
                return self.give_up_map(None);
            }
            self.listing = Some((shards, Some(next), pages + 1));
            self.map_due = Some(now);
            return;
        }
        match ShardMap::new(shards) {
            Ok(map) => {
                self.events.push(Event::ShardMap { open_shards: map.open_shards().len() });
                self.map = Some(map);
                self.map_since = self.next_request;
                self.map_due = None;
                self.map_attempts = 0;
                self.map_unavailable = false;
            }
            Err(_) => self.map_unreadable(now),
        }
    }

    /// A 200 from ListShards that is not a listing, or shards that are not
    /// a map.
    fn map_unreadable(&mut self, now: Timestamp) {
        self.held_by = Some(ErrorInfo {
            code: "InvalidResponse".to_owned(),
            message: "unreadable ListShards response".to_owned(),
        });
        self.map_failed(now);
    }

    /// Whether `e` says the credentials expired and they can be renewed;
    /// if so, tells the adapter ([`Event::CredentialsExpired`]).
    fn credentials_expired(&mut self, e: &protocol::ServiceError) -> bool {
        let renew = self.config.refreshable_credentials && e.is_expired_credentials();
        if renew {
            self.events.push(Event::CredentialsExpired);
        }
        renew
    }

    /// A listing that could not be used (an error the SDKs retry, an answer
    /// that is not a ListShards result, shards that are not a map): tried
    /// again a few times, then
    /// records go without prediction rather than wait for a map that
    /// never comes (and expire).
    fn map_failed(&mut self, now: Timestamp) {
        if self.map_attempts < MAP_ATTEMPTS {
            self.retry_map(now);
        } else {
            self.give_up_map(Some(now));
        }
    }

    /// No (new) map for now: records go without prediction (the map in
    /// use, if any, stays); ListShards is asked again [`MAP_RETRY_MS`] / 2
    /// to [`MAP_RETRY_MS`] after `retry_from`, if given.
    fn give_up_map(&mut self, retry_from: Option<Timestamp>) {
        let wait = self.equal_jitter(MAP_RETRY_MS as u64);
        self.map_due = retry_from.map(|t| t.add_millis(wait));
        self.listing = None;
        if self.map.is_none() {
            self.map_unavailable = true;
        }
    }

    /// Learns the service's clock from `Date` or, when the browser hides
    /// it, from the time in the message (`… (20261126T150000Z - 5 min.)`).
    fn correct_clock(&mut self, now: Timestamp, response: &HttpResponse<'_>, message: &str) {
        let from_header = response.date;
        let from_message = || {
            let start = message.as_bytes().iter().rposition(|&b| b == b'(')? + 1;
            let stamp = message.get(start..start + 16)?;
            Timestamp::parse_amz_date(stamp).ok()
        };
        if let Some(server) = from_header.or_else(from_message) {
            self.clock_offset_ms = server.as_millis() - now.as_millis();
            self.stats.clock_corrections += 1;
        }
    }

    fn on_put(&mut self, now: Timestamp, request: u64, mut put: Put, response: &HttpResponse<'_>) {
        let entries = put.entries.len();
        // A gateway answers per event whatever its status (400 when it
        // refused them all, 503 when its buffer was full).
        let gateway_answer = if matches!(self.config.destination(), Destination::Gateway) {
            protocol::decode_gateway_answer(response.body, entries).ok()
        } else {
            None
        };
        let records = &mut put.records;
        if response.status != 200 && gateway_answer.is_none() {
            let e = protocol::decode_error(response.status, response.error_type, response.body);
            let error = ErrorInfo { code: e.code.clone(), message: e.message.clone() };
            if response.status == 413 && records.len() > 1 {
                // Too large for what answered (a gateway or proxy with a
                // smaller limit than the service's): later requests carry
                // at most half of this one, and its records go again now.
                // One record too large alone fails with the code.
                self.body_cap = put.size / 2;
                self.requeue(now, request, records, &error, Backoff::None);
                return;
            }
            if e.is_clock_skew() {
                self.correct_clock(now, response, &e.message);
                // Resent at once, signed with the corrected clock.
                self.requeue(now, request, records, &error, Backoff::None);
            } else if self.credentials_expired(&e) {
                // Resent with fresh credentials; backed off, in case the
                // provider gives the same ones again (the records' TTL
                // bounds it).
                self.requeue(now, request, records, &error, Backoff::Full);
            } else if e.is_retryable() {
                if e.is_throttling() {
                    self.stats.throttles += 1;
                    for s in put.entries.iter().filter_map(|e| e.shard) {
                        self.throttled(s, now);
                    }
                }
                self.requeue(now, request, records, &error, Backoff::Full);
            } else {
                self.fail(now, records, error);
            }
            return;
        }
        let decoded = match (gateway_answer, self.config.destination()) {
            (Some(answer), _) => Ok(answer),
            (None, Destination::Kinesis(_)) => protocol::decode_put_records(response.body),
            (None, Destination::Firehose(_)) => protocol::decode_put_record_batch(response.body),
            (None, Destination::Gateway) => protocol::decode_gateway_answer(response.body, entries),
        };
        let mut result = match decoded {
            Ok(r) if r.records.len() == entries => r,
            _ => {
                // A 200 we cannot read: the records may or may not be
                // stored. Resend (at-least-once).
                let error = ErrorInfo {
                    code: "InvalidResponse".to_owned(),
                    message: "unreadable PutRecords response".to_owned(),
                };
                self.requeue(now, request, records, &error, Backoff::Full);
                return;
            }
        };
        let mut acked = 0usize;
        // Records resent, and the code of the last error, of those
        // throttled ([0]) and of the others ([1]); each record keeps its
        // own entry's error.
        let mut retried: [(usize, Option<String>); 2] = Default::default();
        // The answer's failed records back off together (requeue_records).
        let draw = self.rng.next_u64();
        let mut start = 0;
        use core::mem::take;
        for (entry, outcome) in put.entries.iter().zip(&mut result.records) {
            let Some(recs) = records.get_mut(start..entry.end) else { break };
            start = entry.end;
            let (code, message) = match outcome {
                RecordResult::Ok { sequence_number, shard_id } => {
                    // A record that landed elsewhere than predicted: the
                    // stream resharded; reload the map. An aggregate there
                    // holding a record whose hash key is outside that
                    // shard's range is resent whole: the KCL drops such an
                    // aggregate whole when it reads it (its AggregatorUtil
                    // `deaggregate`, "if hash key is in invalid range,
                    // remove all records prior and exit loop"); the KPL
                    // resends the records that do not fit ("Wrong Shard",
                    // its retrier.cc).
                    let mut misplaced = false;
                    if let (Some(predicted), Some(map)) = (entry.shard, self.shard_map()) {
                        let landed = map.shards().iter().find(|s| s.id == *shard_id);
                        // (Checked whatever the prediction: a map reloaded
                        // while the request was out predicts anew.)
                        let holds = |h: u128| {
                            landed.is_some_and(|s| s.starting_hash_key <= h && h <= s.ending_hash_key)
                        };
                        misplaced = entry.aggregate.is_some() && !recs.iter().all(|(_, r)| holds(r.hash));
                        let expected = map.shard_for_hash_key(predicted);
                        let unexpected = !landed.is_some_and(|s| core::ptr::eq(s, expected));
                        if (unexpected || misplaced) && self.map_due.is_none() {
                            self.map_due = Some(now);
                        }
                    }
                    if misplaced {
                        let message = "the aggregate landed on a shard whose hash key range does not hold all of its records (the stream was resharded)";
                        (WRONG_SHARD.to_owned(), message.to_owned())
                    } else {
                        for (index, &(id, ref r)) in recs.iter().enumerate() {
                            acked += 1;
                            let outcome = Outcome::Acknowledged {
                                id,
                                shard_id: shard_id.clone(),
                                sequence_number: sequence_number.clone(),
                                sub_sequence_number: entry.aggregate.map(|_| index as u32),
                                attempts: r.attempts + 1,
                            };
                            self.settle(id, r, outcome, now);
                        }
                        continue;
                    }
                }
                RecordResult::Failed { code, message } => (take(code), take(message)),
            };
            let throttled = code == "ProvisionedThroughputExceededException";
            if matches!(self.config.destination(), Destination::Gateway)
                && GATEWAY_PERMANENT.contains(&code.as_str())
            {
                // The gateway refused the event itself: no retry.
                self.fail(now, recs, ErrorInfo { code, message });
                continue;
            }
            let backoff = if throttled {
                self.stats.throttles += 1;
                if let Some(s) = entry.shard {
                    self.throttled(s, now);
                }
                // Paced by the shard's limiter (see THROTTLED_BACKOFF_MAX_MS).
                Backoff::Throttled
            } else {
                Backoff::Full
            };
            let error = ErrorInfo { code, message };
            let (count, last) = &mut retried[usize::from(!throttled)];
            *count += self.requeue_records(now, recs, &error, backoff, draw);
            *last = Some(error.code);
        }
        if acked > 0 {
            self.events.push(Event::Acknowledged { request, records: acked });
        }
        // Per-record failures are retryable by definition (AWS: throttling
        // and InternalFailure; Firehose: ServiceUnavailable).
        for (records, code) in &mut retried {
            if let Some(code) = take(code) {
                self.events.push(Event::Retried { request, records: *records, code });
            }
        }
    }

    /// Fails `records` for good with `error` (counted as an attempt).
    fn fail(&mut self, now: Timestamp, records: &[(u64, Rec)], error: ErrorInfo) {
        for &(id, ref r) in records {
            let outcome = Outcome::Failed {
                id,
                code: error.code.clone(),
                message: error.message.clone(),
                attempts: r.attempts + 1,
                last_error: Some(error.clone()),
            };
            self.settle(id, r, outcome, now);
        }
        self.events.push(Event::Failed { records: records.len(), code: error.code });
    }

    /// Puts `records` of request `request` back in the queue to be resent,
    /// after `backoff`, and says so.
    fn requeue(
        &mut self,
        now: Timestamp,
        request: u64,
        records: &mut [(u64, Rec)],
        error: &ErrorInfo,
        backoff: Backoff,
    ) {
        let draw = self.rng.next_u64();
        let count = self.requeue_records(now, records, error, backoff, draw);
        if count > 0 {
            self.events.push(Event::Retried { request, records: count, code: error.code.clone() });
        }
    }

    /// [`Producer::requeue`] without the event: how many records. Their
    /// backoff comes from one random `draw` for all that failed together
    /// (a request lost or refused whole, the failed records of one answer):
    /// they are offered again together, in as few requests as they left
    /// in, not in one request for each value the jitter took. The jitter
    /// spreads failures and producers, as the SDKs' spreads requests.
    fn requeue_records(
        &mut self,
        now: Timestamp,
        records: &mut [(u64, Rec)],
        error: &ErrorInfo,
        backoff: Backoff,
        draw: u64,
    ) -> usize {
        for slot in records.iter_mut() {
            let (id, mut r) = core::mem::take(slot);
            r.attempts += 1;
            r.last_error = Some(error.clone());
            let delay = match backoff {
                Backoff::None => 0,
                Backoff::Throttled => self.backoff_from(draw, r.attempts, THROTTLED_BACKOFF_MAX_MS),
                Backoff::Full => self.backoff_from(draw, r.attempts, self.config.backoff_max_ms),
            };
            r.not_before = now.add_millis(delay);
            if delay > 0 {
                self.next_retry = Some(earliest(self.next_retry, r.not_before));
            }
            self.queue.insert(id, r);
        }
        records.len()
    }
}
