//! The shard engine: an in-process simulation of Kinesis Data Streams.
//!
//! Sans-IO like the rest of the core: every call takes `now`; nothing reads
//! a clock or a random source. This is the foundation of issue 4: streams
//! with evenly split shards, PutRecord(s) with per-shard write limits and
//! AWS's per-record failures, shard iterators of all five types that expire
//! after five minutes, GetRecords with its limits and per-shard read limits,
//! and retention trimming. The JSON 1.1 front (`Engine::handle`),
//! resharding, the remaining actions and Firehose build on it.
//!
//! Messages are AWS's (API reference error sections, and kinesalite where
//! it matches AWS): `Stream S under account A not found.`, `Rate exceeded
//! for shard X in stream S under account A.`, `Records size exceeds 5 MB
//! limit`.

mod actions;
mod auth;
mod call_rates;
pub mod cbor;
pub mod consumers;
pub mod eventstream;
mod faults;
pub mod firehose;
mod iterator;
mod scaling;
pub mod settings;
mod tags;
mod throttle;
mod validation;

use std::collections::{BTreeMap, VecDeque};

use crate::aggregation::UserRecord;
use crate::limits::{
    DEFAULT_RETENTION_HOURS, GET_RECORDS_MAX_BYTES, GET_RECORDS_MAX_RECORDS, MAX_RETENTION_HOURS,
    PUT_RECORDS_MAX_BYTES, PUT_RECORDS_MAX_RECORDS, SHARD_ITERATOR_TTL_MS, SHARD_READ_BYTES_PER_SEC,
    SHARD_READ_CALLS_PER_SEC, SHARD_WRITE_BYTES_PER_SEC, SHARD_WRITE_RECORDS_PER_SEC,
};
use crate::partition::hash_key;
use crate::record::{validate, Member, RecordLimits};
use crate::shard_map::{shard_id, uniform_ranges};
use crate::sort::heap_sort_by;
use crate::time::Timestamp;

pub use auth::{HttpAnswer, HttpRequest, EVENT_STREAM_CONTENT_TYPE, JSON_CONTENT_TYPE};
pub use consumers::{ConsumerInfo, ConsumerRef, HttpEvents, SubscriptionStep};
use faults::Rng;
pub use faults::{Faults, RecordFault};
pub use iterator::IteratorType;
use iterator::Position;
pub use scaling::ScalingOutcome;
pub use tags::MAX_TAGS_PER_STREAM;
use throttle::Bucket;

/// How the engine behaves; every limit can be changed (a tutorial may want
/// a slower shard to show throttling, a load test none at all).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineConfig {
    /// Records per second a shard accepts (AWS: 1,000).
    pub write_records_per_sec: u32,
    /// Bytes per second a shard accepts (AWS: 1 MiB).
    pub write_bytes_per_sec: u32,
    /// GetRecords calls per second per shard (AWS: 5).
    pub read_calls_per_sec: u32,
    /// Bytes per second GetRecords returns per shard (AWS: 2 MiB).
    pub read_bytes_per_sec: u32,
    /// Whether limits are enforced at all.
    pub throttling: bool,
    /// The account id in messages and ARNs.
    pub account_id: String,
    /// The region in ARNs.
    pub region: String,
    /// Most records a shard keeps, whatever the retention (memory bound).
    pub max_records_per_shard: usize,
    /// Most bytes (data plus partition keys) a shard keeps, whatever the
    /// retention (memory bound): the oldest records go first.
    pub max_bytes_per_shard: u64,
    /// The record size limit of new streams.
    pub record_limits: RecordLimits,
    /// Most shards one stream may have (AWS's default account shard quota
    /// is 500 or 200 by region; the engine allows more, within memory).
    pub max_shards_per_stream: u32,
    /// How long a new stream stays `CREATING` before it is `ACTIVE`
    /// (AWS: seconds; 0 by default here, so tests and tutorials start at
    /// once).
    pub create_delay_ms: u32,
    /// How long a stream stays `UPDATING` after SplitShard, MergeShards,
    /// UpdateShardCount, Start/StopStreamEncryption or UpdateStreamMode;
    /// the reshard or encryption change takes effect when it ends, as
    /// AWS's does ("it may take a few seconds", API reference; kinesalite's
    /// `updateStreamMs`). 0 by default: at once.
    pub update_delay_ms: u32,
    /// How long a deleted stream stays `DELETING` before it is gone (its
    /// name taken, DescribeStream answering, reads and writes refused, as
    /// kinesalite refuses writes; kinesalite's `deleteStreamMs`). 0 by
    /// default: gone at once.
    pub delete_delay_ms: u32,
    /// Whether the control plane's call rates are enforced (DescribeStream
    /// 10 a second per account, ListShards 1,000 per stream, …: see
    /// `call_rates.rs`), as AWS enforces them. Off by default: tutorials
    /// and tests poll freely.
    pub control_plane_limits: bool,
    /// The `ShardCount` of a CreateStream that gives none (AWS creates an
    /// on-demand stream then, which starts with 4 shards).
    pub default_shard_count: u32,
    /// The seed of fault injection.
    pub seed: u64,
    /// Faults of every stream that has none of its own.
    pub faults: Faults,
    /// When set, requests through [`Engine::handle_http`] must be signed
    /// (SigV4) with these credentials. With a session token (temporary
    /// credentials), requests must carry that token.
    pub verify_credentials: Option<crate::credentials::Credentials>,
    /// When the session token of [`EngineConfig::verify_credentials`]
    /// expires: from then on, requests carrying it are refused with
    /// `ExpiredTokenException`, as AWS refuses an expired STS token.
    pub verify_token_expires: Option<Timestamp>,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            write_records_per_sec: SHARD_WRITE_RECORDS_PER_SEC,
            write_bytes_per_sec: SHARD_WRITE_BYTES_PER_SEC,
            read_calls_per_sec: SHARD_READ_CALLS_PER_SEC,
            read_bytes_per_sec: SHARD_READ_BYTES_PER_SEC,
            throttling: true,
            account_id: "000000000000".to_owned(),
            region: "us-east-1".to_owned(),
            max_records_per_shard: 1_000_000,
            max_bytes_per_shard: 1 << 30,
            record_limits: RecordLimits::default(),
            max_shards_per_stream: 10_000,
            create_delay_ms: 0,
            update_delay_ms: 0,
            delete_delay_ms: 0,
            control_plane_limits: false,
            default_shard_count: 4,
            seed: 0x6b69_6e65_7369_7321,
            faults: Faults::default(),
            verify_credentials: None,
            verify_token_expires: None,
        }
    }
}

/// A whole-request error, with AWS's code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    /// e.g. `ResourceNotFoundException`.
    pub code: &'static str,
    /// AWS's message.
    pub message: String,
}

impl core::fmt::Display for EngineError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for EngineError {}

fn error(code: &'static str, message: impl Into<String>) -> EngineError {
    EngineError { code, message: message.into() }
}

/// A record as a shard keeps it: its sequence counter, arrival, and one
/// allocation holding the partition key then the data (the sequence
/// number string is written only when a reader asks for it).
struct Kept {
    counter: u64,
    arrival: Timestamp,
    key_len: u32,
    bytes: Box<[u8]>,
}

impl Kept {
    fn key(&self) -> &str {
        core::str::from_utf8(&self.bytes[..self.key_len as usize]).unwrap_or_default()
    }

    fn data(&self) -> &[u8] {
        &self.bytes[self.key_len as usize..]
    }
}

/// A record as GetRecords reads it, borrowed from its shard.
#[derive(Clone, Copy, Debug)]
pub struct RecordRef<'a> {
    shard_number: u64,
    counter: u64,
    /// When the shard accepted it.
    pub arrival: Timestamp,
    /// Its partition key.
    pub partition_key: &'a str,
    /// Its data.
    pub data: &'a [u8],
}

impl RecordRef<'_> {
    /// Its 56-digit sequence number.
    pub fn sequence_number(&self) -> String {
        sequence_number(self.shard_number, self.counter)
    }

    /// Appends its sequence number's 56 digits to `out`.
    pub fn write_sequence_number(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&sequence_digits(self.shard_number, self.counter));
    }

    /// An owned copy.
    pub fn to_stored(&self) -> StoredRecord {
        StoredRecord {
            sequence_number: self.sequence_number(),
            arrival: self.arrival,
            partition_key: self.partition_key.to_owned(),
            data: self.data.to_vec(),
        }
    }
}

/// A stored record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    /// 56-digit sequence number.
    pub sequence_number: String,
    /// When the shard accepted it.
    pub arrival: Timestamp,
    /// Its partition key.
    pub partition_key: String,
    /// Its data.
    pub data: Vec<u8>,
}

struct ShardState {
    id: String,
    number: u64,
    starting_hash_key: u128,
    ending_hash_key: u128,
    parent: Option<String>,
    adjacent_parent: Option<String>,
    /// Set when a split or merge closed the shard: its last sequence number.
    ending_sequence_number: Option<String>,
    /// When the shard opened, and when a split or merge closed it.
    opened: Timestamp,
    closed: Option<Timestamp>,
    records: VecDeque<Kept>,
    /// The bytes of `records`.
    stored_bytes: u64,
    /// Last sequence counter given out.
    counter: u64,
    writes: Bucket,
    write_bytes: Bucket,
    reads: Bucket,
    read_bytes: Bucket,
    stats: ShardStats,
}

impl ShardState {
    fn new(number: u64, range: (u128, u128), config: &EngineConfig, now: Timestamp) -> ShardState {
        ShardState {
            id: shard_id(number),
            number,
            starting_hash_key: range.0,
            ending_hash_key: range.1,
            parent: None,
            adjacent_parent: None,
            ending_sequence_number: None,
            opened: now,
            closed: None,
            records: VecDeque::new(),
            counter: 0,
            writes: Bucket::new(config.write_records_per_sec, now),
            write_bytes: Bucket::new(config.write_bytes_per_sec, now),
            reads: Bucket::new(config.read_calls_per_sec, now),
            read_bytes: Bucket::new(config.read_bytes_per_sec, now),
            stored_bytes: 0,
            stats: ShardStats::default(),
        }
    }

    fn is_open(&self) -> bool {
        self.ending_sequence_number.is_none()
    }

    /// Closes the shard (a split or merge replaced it).
    fn close(&mut self, now: Timestamp) {
        self.ending_sequence_number = Some(sequence_number(self.number, self.counter));
        self.closed = Some(now);
    }

    /// Visits the records from index `start` on, in order: at most `limit`
    /// of them and `max_bytes` (data and keys; the first one whatever its
    /// size), as GetRecords and a subscription's events read them.
    fn read_from(
        &self,
        start: usize,
        limit: usize,
        max_bytes: usize,
        mut visit: impl FnMut(RecordRef<'_>),
    ) -> Read {
        let mut read = Read { count: 0, bytes: 0, last: None, to_end: false };
        for r in self.records.range(start..) {
            if read.count == limit || (read.count > 0 && read.bytes + r.bytes.len() > max_bytes) {
                break;
            }
            read.bytes += r.bytes.len();
            read.count += 1;
            visit(RecordRef {
                shard_number: self.number,
                counter: r.counter,
                arrival: r.arrival,
                partition_key: r.key(),
                data: r.data(),
            });
            read.last = Some((r.counter, r.arrival));
        }
        read.to_end = start + read.count == self.records.len();
        read
    }

    /// `MillisBehindLatest` after `read`: how long the last record read
    /// waited for it, or 0 when it is the tip (or nothing was read).
    fn millis_behind(&self, read: &Read, now: Timestamp) -> u64 {
        match (read.last, self.records.back()) {
            (Some((counter, arrival)), Some(tip)) if counter != tip.counter => {
                (now.as_millis() - arrival.as_millis()).max(0) as u64
            }
            _ => 0,
        }
    }

    fn info(&self) -> ShardInfo {
        ShardInfo {
            shard_id: self.id.clone(),
            parent_shard_id: self.parent.clone(),
            adjacent_parent_shard_id: self.adjacent_parent.clone(),
            starting_hash_key: self.starting_hash_key,
            ending_hash_key: self.ending_hash_key,
            starting_sequence_number: first_sequence_number(self.number),
            ending_sequence_number: self.ending_sequence_number.clone(),
            opened: self.opened,
            closed: self.closed,
        }
    }
}

/// What [`ShardState::read_from`] read.
struct Read {
    count: usize,
    bytes: usize,
    /// The last record's counter and arrival.
    last: Option<(u64, Timestamp)>,
    /// Whether it read to the shard's last record.
    to_end: bool,
}

/// The shards that replaced `shard` (a split's two, or a merge's one), as
/// GetRecords' and SubscribeToShard's `ChildShards` list them.
fn children_of(shards: &[ShardState], shard: &str) -> Vec<ShardInfo> {
    shards
        .iter()
        .filter(|c| c.parent.as_deref() == Some(shard) || c.adjacent_parent.as_deref() == Some(shard))
        .map(ShardState::info)
        .collect()
}

/// What happened on a shard since it opened (for charts and tests).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShardStats {
    /// Records stored.
    pub records_in: u64,
    /// Bytes stored (data and partition keys).
    pub bytes_in: u64,
    /// Records refused because the shard was over its write limit.
    pub write_throttles: u64,
    /// Records failed by fault injection.
    pub injected_failures: u64,
    /// Records returned by GetRecords.
    pub records_out: u64,
    /// Bytes returned by GetRecords.
    pub bytes_out: u64,
    /// GetRecords calls refused because the shard was over its read limit.
    pub read_throttles: u64,
    /// Records the shard holds now.
    pub stored: u64,
}

/// A shard as ListShards describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardInfo {
    /// `shardId-…`.
    pub shard_id: String,
    /// The shard it was split from, or one of the two it merged.
    pub parent_shard_id: Option<String>,
    /// The other shard of a merge.
    pub adjacent_parent_shard_id: Option<String>,
    /// First hash key.
    pub starting_hash_key: u128,
    /// Last hash key.
    pub ending_hash_key: u128,
    /// The smallest sequence number the shard can have.
    pub starting_sequence_number: String,
    /// Set once the shard is closed.
    pub ending_sequence_number: Option<String>,
    /// When it opened (its stream was created, or a reshard made it).
    pub opened: Timestamp,
    /// When a reshard closed it.
    pub closed: Option<Timestamp>,
}

/// Sequence numbers: 56 decimal digits, `49`, the shard number (12
/// digits), then a counter (42 digits) that grows with arrival time and
/// never repeats. Within a shard, string order is numeric order; children
/// of a reshard (higher numbers) sort after their parents.
fn sequence_number(shard_number: u64, counter: u64) -> String {
    String::from_utf8(sequence_digits(shard_number, counter).to_vec()).unwrap_or_default()
}

/// The digits of [`sequence_number`], written one by one (`format!` with
/// padding costs a call per character, and this runs once per record).
fn sequence_digits(shard_number: u64, counter: u64) -> [u8; 56] {
    let mut out = [b'0'; 56];
    out[0] = b'4';
    out[1] = b'9';
    let mut put = |mut n: u64, end: usize, width: usize| {
        for i in (end - width..end).rev() {
            out[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
    };
    put(shard_number % 1_000_000_000_000, 14, 12);
    put(counter, 56, 20);
    out
}

/// The counter a sequence number of a shard encodes (its last 42 digits),
/// as a `u128` so that any 56-digit number compares right: one beyond every
/// counter this engine gives out maps to `u128::MAX`.
fn counter_of(seq: &str) -> u128 {
    let digits = seq.get(14..).unwrap_or("");
    match digits.split_at_checked(digits.len().saturating_sub(20)) {
        Some((high, low)) if high.bytes().all(|b| b == b'0') => {
            low.parse::<u64>().map_or(u128::MAX, u128::from)
        }
        _ => u128::MAX,
    }
}

/// The smallest possible sequence number of a shard (TRIM_HORIZON).
fn first_sequence_number(shard_number: u64) -> String {
    sequence_number(shard_number, 0)
}

struct StreamState {
    name: String,
    /// Most records and bytes a shard keeps (the engine's memory bound).
    cap: Cap,
    created: Timestamp,
    retention_hours: u32,
    record_limits: RecordLimits,
    shards: Vec<ShardState>,
    /// Indices of the open shards, by starting hash key: writes find their
    /// shard by binary search instead of scanning every shard.
    open: Vec<usize>,
    tags: BTreeMap<String, String>,
    /// This stream's faults (else the engine's).
    faults: Option<Faults>,
    /// When the stream becomes ACTIVE.
    active_at: Timestamp,
    /// Its enhanced fan-out consumers, in the order they were registered.
    consumers: Vec<consumers::ConsumerState>,
    /// Enhanced monitoring: which of [`settings::SHARD_LEVEL_METRICS`] are on.
    metrics: [bool; 7],
    /// Server-side encryption: its KMS key, when on.
    kms_key: Option<String>,
    /// When UpdateShardCount scaled it, in the last 24 hours.
    scalings: Vec<Timestamp>,
    /// Its capacity mode is `ON_DEMAND` (else `PROVISIONED`).
    on_demand: bool,
    /// While it is `UPDATING`: until when, and the change it is making.
    update: Option<Update>,
}

/// A change a stream is `UPDATING` for, made when the update ends.
struct Update {
    until: Timestamp,
    change: Change,
}

enum Change {
    Split {
        shard: String,
        new_starting_hash_key: u128,
    },
    Merge {
        shard: String,
        adjacent: String,
    },
    Scale {
        target: u32,
    },
    Encryption(Option<String>),
    /// Nothing left to do but end (UpdateStreamMode: the mode changed at
    /// once, as kinesis-mock changes it).
    Status,
}

/// A deleted stream while it is `DELETING`: described, listed and its
/// name taken, nothing else.
struct Deleting {
    gone_at: Timestamp,
    state: StreamState,
}

impl StreamState {
    /// Rebuilds [`StreamState::open`] after shards opened or closed.
    fn index_open_shards(&mut self) {
        let shards = &self.shards;
        let mut open: Vec<usize> = (0..shards.len()).filter(|&i| shards[i].is_open()).collect();
        heap_sort_by(&mut open, |&a, &b| shards[a].starting_hash_key < shards[b].starting_hash_key);
        self.open = open;
    }

    /// The index in `shards` of the open shard that owns `hash`.
    fn open_shard_for(&self, hash: u128) -> Option<usize> {
        let shards = &self.shards;
        let i = self.open.partition_point(|&i| shards[i].starting_hash_key <= hash).checked_sub(1)?;
        let index = self.open[i];
        (hash <= shards[index].ending_hash_key).then_some(index)
    }
}

/// One record's outcome in PutRecords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutOutcome {
    /// Stored, there.
    Stored(StoredAt),
    /// Refused; the caller resends it.
    Failed {
        /// `ProvisionedThroughputExceededException` or `InternalFailure`.
        code: &'static str,
        /// AWS's message.
        message: String,
    },
}

/// Where a record was stored: its shard and sequence number, kept as
/// numbers and written out only when asked (PutRecords writes them
/// straight into its answer, with no `String` per record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoredAt {
    shard_number: u64,
    counter: u64,
}

impl StoredAt {
    /// Its 56-digit sequence number.
    pub fn sequence_number(&self) -> String {
        sequence_number(self.shard_number, self.counter)
    }

    /// Its shard's id, `shardId-` and 12 digits.
    pub fn shard_id(&self) -> String {
        shard_id(self.shard_number)
    }

    /// Appends its sequence number's 56 digits to `out`.
    pub fn write_sequence_number(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&sequence_digits(self.shard_number, self.counter));
    }

    /// Appends its shard's id to `out` (as [`StoredAt::shard_id`]).
    pub fn write_shard_id(&self, out: &mut Vec<u8>) {
        match sequence_digits(self.shard_number, 0).get(2..14) {
            // Digits 2..14 of a sequence number are the shard number's 12.
            Some(digits) if self.shard_number < 1_000_000_000_000 => {
                out.extend_from_slice(b"shardId-");
                out.extend_from_slice(digits);
            }
            _ => out.extend_from_slice(self.shard_id().as_bytes()),
        }
    }
}

/// An HTTP response to a JSON 1.1 request (`Content-Type:
/// application/x-amz-json-1.1`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// 200, 400, 403 (a method other than POST) or 500.
    pub status: u16,
    /// The JSON body (empty for actions that return nothing).
    pub body: Vec<u8>,
    /// How long the adapter should wait before answering (injected
    /// latency; 0 without faults).
    pub delay_ms: u32,
}

impl Response {
    /// An error as AWS sends it: `{"__type": code, "message": …}`, HTTP
    /// 400 (500 for `InternalFailure`).
    pub fn error(e: &EngineError) -> Response {
        let mut out = Vec::with_capacity(e.message.len() + 64);
        out.extend_from_slice(b"{\"__type\":");
        crate::json::write_string(&mut out, e.code);
        // AWS sends SerializationException without a message (as kinesalite
        // records it); the engine's diagnosis stays in `EngineError` for
        // in-process callers.
        if !e.message.is_empty() && e.code != "SerializationException" {
            out.extend_from_slice(b",\"message\":");
            crate::json::write_string(&mut out, &e.message);
        }
        out.push(b'}');
        // Authentication errors too are 400s on the JSON protocol (as
        // kinesalite recorded AWS answering them).
        let status = if e.code == "InternalFailure" { 500 } else { 400 };
        Response { status, body: out, delay_ms: 0 }
    }
}

/// What GetRecords returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetRecordsOutput {
    /// The records, in sequence order.
    pub records: Vec<StoredRecord>,
    /// Where to read next; `None` once a closed shard is fully read.
    pub next_shard_iterator: Option<String>,
    /// How far behind the tip of the shard this response is.
    pub millis_behind_latest: u64,
    /// At the end of a closed shard: the shards that replaced it.
    pub child_shards: Vec<ShardInfo>,
}

/// The simulated service.
pub struct Engine {
    config: EngineConfig,
    streams: BTreeMap<String, StreamState>,
    rng: Rng,
    /// Firehose delivery streams and their bucket.
    firehose: firehose::Firehose,
    /// SubscribeToShard subscriptions, oldest first.
    subscriptions: Vec<consumers::Subscription>,
    /// The last subscription id given out.
    next_subscription: u64,
    /// Subscriptions made in the last 5 seconds, open or not (another for
    /// the same consumer and shard is refused until then).
    recent_subscriptions: Vec<consumers::Subscription>,
    /// While [`Engine::answer_http`] answers: `Some`, and the subscription
    /// a SubscribeToShard opened, for it to stream.
    http_subscription: Option<Option<u64>>,
    /// Streams being deleted (no longer in `streams`).
    deleting: Vec<Deleting>,
    /// The earliest end of an update or a deletion, if any: what
    /// [`Engine::advance`] has to do next.
    next_change: Option<Timestamp>,
    /// The control plane's call rates (when they are enforced).
    call_rates: call_rates::CallRates,
}

impl Engine {
    /// An engine with no streams.
    pub fn new(config: EngineConfig) -> Engine {
        let rng = Rng::new(config.seed);
        Engine {
            config,
            streams: BTreeMap::new(),
            rng,
            firehose: firehose::Firehose::default(),
            subscriptions: Vec::new(),
            next_subscription: 0,
            recent_subscriptions: Vec::new(),
            http_subscription: None,
            deleting: Vec::new(),
            next_change: None,
            call_rates: call_rates::CallRates::default(),
        }
    }

    /// Ends what is due by `now`: updates make their change (at the time
    /// they end, not `now`, so the outcome does not depend on when the
    /// engine is next called) and deleted streams go. Every call that
    /// takes the time does this first; callers that only read (such as
    /// [`Engine::stats`]) call it themselves.
    pub fn advance(&mut self, now: Timestamp) {
        if self.next_change.is_some_and(|t| t <= now) {
            self.make_due_changes(now);
        }
    }

    /// [`Engine::advance`]'s work, out of line: every caller checks, few
    /// have anything to do.
    #[inline(never)]
    fn make_due_changes(&mut self, now: Timestamp) {
        self.deleting.retain(|d| d.gone_at > now);
        let due: Vec<String> = self
            .streams
            .iter()
            .filter(|(_, s)| s.update.as_ref().is_some_and(|u| u.until <= now))
            .map(|(name, _)| name.clone())
            .collect();
        for name in due {
            if let Some(u) = self.streams.get_mut(&name).and_then(|s| s.update.take()) {
                // Checked when it was asked for, and nothing could change
                // the stream's shards since (it was UPDATING): no error.
                let _ = self.make_change(&name, u.change, u.until);
            }
        }
        let updates = self.streams.values().filter_map(|s| s.update.as_ref().map(|u| u.until));
        self.next_change = updates.chain(self.deleting.iter().map(|d| d.gone_at)).min();
    }

    /// Puts `stream` in `UPDATING` for the configured delay, to make
    /// `change` when it ends (at once when there is no delay).
    fn update(&mut self, stream: &str, change: Change, now: Timestamp) -> Result<(), EngineError> {
        let delay = self.config.update_delay_ms;
        if delay == 0 {
            return self.make_change(stream, change, now);
        }
        let until = now.add_millis(i64::from(delay));
        self.stream_mut(stream)?.update = Some(Update { until, change });
        self.next_change = Some(self.next_change.map_or(until, |t| t.min(until)));
        Ok(())
    }

    fn make_change(&mut self, stream: &str, change: Change, at: Timestamp) -> Result<(), EngineError> {
        match change {
            Change::Split { shard, new_starting_hash_key } => {
                self.split_now(stream, &shard, new_starting_hash_key, at)
            }
            Change::Merge { shard, adjacent } => self.merge_now(stream, &shard, &adjacent, at),
            Change::Scale { target } => self.scale_now(stream, target, at),
            Change::Encryption(key) => {
                self.stream_mut(stream)?.kms_key = key;
                Ok(())
            }
            Change::Status => Ok(()),
        }
    }

    /// The credentials requests must be signed with from now on (`None`:
    /// nothing is checked), and when their session token expires: rotated
    /// temporary credentials, as STS hands out new ones.
    pub fn set_verify_credentials(
        &mut self,
        credentials: Option<crate::credentials::Credentials>,
        token_expires: Option<Timestamp>,
    ) {
        self.config.verify_credentials = credentials;
        self.config.verify_token_expires = token_expires;
    }

    fn not_found(&self, name: &str) -> EngineError {
        error(
            "ResourceNotFoundException",
            format!("Stream {name} under account {} not found.", self.config.account_id),
        )
    }

    fn stream_mut(&mut self, name: &str) -> Result<&mut StreamState, EngineError> {
        if !self.streams.contains_key(name) {
            return Err(self.not_found(name));
        }
        self.streams.get_mut(name).ok_or_else(|| error("InternalFailure", "stream vanished"))
    }

    /// The stream an ARN names, if it is one of this engine's (its region
    /// and account); `ResourceNotFoundException` otherwise.
    pub fn stream_named_by_arn(&self, arn: &str) -> Result<String, EngineError> {
        let not_found = || error("ResourceNotFoundException", format!("Stream {arn} not found."));
        let (region, account, name) = parse_stream_arn(arn).ok_or_else(not_found)?;
        if region != self.config.region || account != self.config.account_id {
            return Err(not_found());
        }
        if self.described(name).is_none() {
            return Err(self.not_found(name));
        }
        Ok(name.to_owned())
    }

    /// A request that names its stream by `StreamARN` (which AWS takes in
    /// place of `StreamName`, or with it: "you must use either the
    /// StreamARN or the StreamName parameter, or both", API reference) gets
    /// the `StreamName` the ARN names, for the action to read: the ARN must
    /// match AWS's pattern and name a stream of this engine's account and
    /// region, and, with a `StreamName`, the same stream.
    fn name_stream_of_arn(&self, action: &str, v: &mut crate::json::Value<'_>) -> Result<(), EngineError> {
        use crate::json::Value;
        // Every Kinesis action the engine knows takes StreamARN but these:
        // CreateStream and ListStreams name no stream, GetRecords' iterator
        // does, and UpdateMaxRecordSize takes only the ARN (read by itself).
        // Nor do the consumer actions: they take a StreamARN of their own,
        // or a ConsumerARN.
        const NOT_BY_ARN: [&str; 11] = [
            "CreateStream",
            "DescribeLimits",
            "UpdateStreamMode",
            "ListStreams",
            "GetRecords",
            "UpdateMaxRecordSize",
            "RegisterStreamConsumer",
            "DescribeStreamConsumer",
            "ListStreamConsumers",
            "DeregisterStreamConsumer",
            "SubscribeToShard",
        ];
        let Some(arn) = v.get("StreamARN").filter(|a| !matches!(a, Value::Null)) else { return Ok(()) };
        // (ListShards' NextToken names the stream: the ARN adds nothing.)
        if NOT_BY_ARN.contains(&action) || (action == "ListShards" && v.get("NextToken").is_some()) {
            return Ok(());
        }
        let member = validation::Member {
            name: "StreamARN",
            path: "streamARN",
            kind: validation::STREAM_ARN,
            required: false,
        };
        validation::check(v, &[member])?;
        let name = self.stream_named_by_arn(arn.as_str().unwrap_or_default())?;
        match v.get("StreamName").and_then(Value::as_str) {
            // (The reference gives no message for this: this one says what is wrong.)
            Some(given) if given != name => Err(error(
                "InvalidArgumentException",
                format!(
                    "StreamName {given} and StreamARN {} name different streams.",
                    self.stream_arn(&name)
                ),
            )),
            Some(_) => Ok(()),
            None => {
                if let Value::Object(members) = v {
                    members.push(("StreamName".into(), Value::String(name.into())));
                }
                Ok(())
            }
        }
    }

    /// A stream's record limit (data plus partition key), in bytes.
    pub fn max_record_bytes(&self, stream: &str) -> Option<usize> {
        self.described(stream).map(|s| s.record_limits.max_record_bytes())
    }

    /// UpdateMaxRecordSize: the stream's record limit, from 1 MiB to
    /// 10 MiB (`ResourceInUseException` while it is `CREATING`).
    pub fn update_max_record_size(
        &mut self,
        stream: &str,
        kib: u32,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        self.updatable_stream_mut(stream, now)?;
        self.set_max_record_kib(stream, kib)
    }

    fn set_max_record_kib(&mut self, stream: &str, kib: u32) -> Result<(), EngineError> {
        let limits = RecordLimits::new((kib as usize).saturating_mul(1024)).ok_or_else(|| {
            let bound = if kib < 1024 { "greater than or equal to 1024" } else { "less than or equal to 10240" };
            error(
                "ValidationException",
                format!("1 validation error detected: Value '{kib}' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value {bound}"),
            )
        })?;
        self.stream_mut(stream)?.record_limits = limits;
        Ok(())
    }

    /// A stream that can be changed (resharded, scaled, encrypted):
    /// `ACTIVE`, else `ResourceInUseException` (kinesalite's message for
    /// AWS's; the API reference: "the resource must be in the ACTIVE
    /// state"). Ends what is due first.
    fn updatable_stream_mut(&mut self, name: &str, now: Timestamp) -> Result<&mut StreamState, EngineError> {
        self.advance(now);
        if let Some(status) = self.status(name, now).filter(|s| *s != "ACTIVE") {
            return Err(error(
                "ResourceInUseException",
                format!(
                    "Stream {name} under account {} not ACTIVE, instead in state {status}",
                    self.config.account_id
                ),
            ));
        }
        self.stream_mut(name)
    }

    /// `CREATING`, `ACTIVE`, `UPDATING` or `DELETING`.
    pub fn status(&self, stream: &str, now: Timestamp) -> Option<&'static str> {
        if self.deleting_named(stream).is_some_and(|d| now < d.gone_at) {
            return Some("DELETING");
        }
        self.streams.get(stream).map(|s| {
            if now < s.active_at {
                "CREATING"
            } else if s.update.as_ref().is_some_and(|u| now < u.until) {
                "UPDATING"
            } else {
                "ACTIVE"
            }
        })
    }

    /// A stream as DescribeStream(Summary) sees it: one being deleted too.
    fn described(&self, name: &str) -> Option<&StreamState> {
        self.streams.get(name).or_else(|| self.deleting_named(name).map(|d| &d.state))
    }

    /// CreateStream with `shard_count` evenly split shards; `ACTIVE` after
    /// the configured delay.
    pub fn create_stream(&mut self, name: &str, shard_count: u32, now: Timestamp) -> Result<(), EngineError> {
        if name.is_empty()
            || name.len() > 128
            || !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        {
            return Err(error(
                "ValidationException",
                "1 validation error detected: Value at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ));
        }
        if shard_count == 0 {
            return Err(error(
                "ValidationException",
                "1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
            ));
        }
        if shard_count > self.config.max_shards_per_stream {
            return Err(error(
                "LimitExceededException",
                format!(
                    "This request would exceed the shard limit for the account {} in {}. Current limit on shards per stream is {}.",
                    self.config.account_id, self.config.region, self.config.max_shards_per_stream
                ),
            ));
        }
        self.advance(now);
        if self.streams.contains_key(name) || self.deleting_named(name).is_some() {
            return Err(error(
                "ResourceInUseException",
                format!("Stream {name} under account {} already exists.", self.config.account_id),
            ));
        }
        let c = &self.config;
        let shards: Vec<ShardState> = uniform_ranges(shard_count)
            .enumerate()
            .map(|(i, range)| ShardState::new(i as u64, range, c, now))
            .collect();
        let mut state = StreamState {
            name: name.to_owned(),
            cap: Cap { records: c.max_records_per_shard, bytes: c.max_bytes_per_shard },
            created: now,
            retention_hours: DEFAULT_RETENTION_HOURS,
            record_limits: c.record_limits,
            shards,
            open: Vec::new(),
            tags: BTreeMap::new(),
            faults: None,
            active_at: now.add_millis(i64::from(c.create_delay_ms)),
            consumers: Vec::new(),
            metrics: [false; 7],
            kms_key: None,
            scalings: Vec::new(),
            on_demand: false,
            update: None,
        };
        state.index_open_shards();
        self.streams.insert(name.to_owned(), state);
        Ok(())
    }

    /// The names of the streams, in order (those being deleted too, as
    /// ListStreams lists them).
    pub fn stream_names(&self) -> Vec<&str> {
        let deleting = self.deleting.iter().map(|d| d.state.name.as_str());
        let mut names: Vec<&str> = self.streams.keys().map(String::as_str).chain(deleting).collect();
        if !self.deleting.is_empty() {
            heap_sort_by(&mut names, |a, b| a < b);
        }
        names
    }

    /// A stream being deleted.
    fn deleting_named(&self, name: &str) -> Option<&Deleting> {
        self.deleting.iter().find(|d| d.state.name == name)
    }

    /// The shards of a stream, open and closed, in creation order.
    pub fn shards(&self, stream: &str) -> Result<Vec<ShardInfo>, EngineError> {
        let s = self.described(stream).ok_or_else(|| self.not_found(stream))?;
        Ok(s.shards.iter().map(ShardState::info).collect())
    }

    fn open_shard_mut<'s>(
        s: &'s mut StreamState,
        id: &str,
        account: &str,
    ) -> Result<(usize, &'s mut ShardState), EngineError> {
        let stream = s.name.clone();
        let i = s.shards.iter().position(|sh| sh.id == id).ok_or_else(|| {
            error(
                "ResourceNotFoundException",
                format!("Could not find shard {id} in stream {stream} under account {account}."),
            )
        })?;
        if !s.shards[i].is_open() {
            return Err(error(
                "ResourceInUseException",
                format!("Shard {id} in stream {stream} under account {account} has already been merged or split, and thus is not eligible for merging or splitting."),
            ));
        }
        Ok((i, &mut s.shards[i]))
    }

    /// SplitShard: closes `shard` and opens two children, the second
    /// starting at `new_starting_hash_key` (when the update ends).
    pub fn split_shard(
        &mut self,
        stream: &str,
        shard: &str,
        new_starting_hash_key: u128,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let s = self.updatable_stream_mut(stream, now)?;
        let (_, parent) = Engine::open_shard_mut(s, shard, &account)?;
        if new_starting_hash_key <= parent.starting_hash_key || new_starting_hash_key > parent.ending_hash_key
        {
            return Err(error(
                "InvalidArgumentException",
                format!(
                    "NewStartingHashKey {new_starting_hash_key} used in SplitShard() on shard {shard} in stream {stream} under account {account} is not both greater than one plus the shard's StartingHashKey {} and less than the shard's EndingHashKey {}.",
                    parent.starting_hash_key, parent.ending_hash_key
                ),
            ));
        }
        self.update(stream, Change::Split { shard: shard.to_owned(), new_starting_hash_key }, now)
    }

    /// The split [`Engine::split_shard`] checked, made at `now`.
    fn split_now(&mut self, stream: &str, shard: &str, key: u128, now: Timestamp) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let config = self.config.clone();
        let s = self.stream_mut(stream)?;
        let (_, parent) = Engine::open_shard_mut(s, shard, &account)?;
        parent.close(now);
        let (start, end) = (parent.starting_hash_key, parent.ending_hash_key);
        let next = s.shards.len() as u64;
        for (n, range) in [(next, (start, key.saturating_sub(1))), (next + 1, (key, end))] {
            let mut child = ShardState::new(n, range, &config, now);
            child.parent = Some(shard.to_owned());
            s.shards.push(child);
        }
        s.index_open_shards();
        Ok(())
    }

    /// MergeShards: closes two adjacent open shards and opens one child
    /// covering both (when the update ends).
    pub fn merge_shards(
        &mut self,
        stream: &str,
        shard: &str,
        adjacent: &str,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let s = self.updatable_stream_mut(stream, now)?;
        Engine::adjacent_pair(s, shard, adjacent, &account)?;
        self.update(stream, Change::Merge { shard: shard.to_owned(), adjacent: adjacent.to_owned() }, now)
    }

    /// The indices of two open shards of `s` that are adjacent.
    fn adjacent_pair(
        s: &mut StreamState,
        shard: &str,
        adjacent: &str,
        account: &str,
    ) -> Result<(usize, usize), EngineError> {
        let (a, _) = Engine::open_shard_mut(s, shard, account)?;
        let (b, _) = Engine::open_shard_mut(s, adjacent, account)?;
        let (x, y) = (&s.shards[a], &s.shards[b]);
        let touching = x.ending_hash_key.checked_add(1) == Some(y.starting_hash_key)
            || y.ending_hash_key.checked_add(1) == Some(x.starting_hash_key);
        if a == b || !touching {
            let stream = &s.name;
            return Err(error(
                "InvalidArgumentException",
                format!("Shards {shard} and {adjacent} in stream {stream} under account {account} are not an adjacent pair of shards eligible for merging"),
            ));
        }
        Ok((a, b))
    }

    /// The merge [`Engine::merge_shards`] checked, made at `now`.
    fn merge_now(
        &mut self,
        stream: &str,
        shard: &str,
        adjacent: &str,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let config = self.config.clone();
        let s = self.stream_mut(stream)?;
        let (a, b) = Engine::adjacent_pair(s, shard, adjacent, &account)?;
        let (x, y) = (&s.shards[a], &s.shards[b]);
        let range = (x.starting_hash_key.min(y.starting_hash_key), x.ending_hash_key.max(y.ending_hash_key));
        s.shards[a].close(now);
        s.shards[b].close(now);
        let mut child = ShardState::new(s.shards.len() as u64, range, &config, now);
        child.parent = Some(shard.to_owned());
        child.adjacent_parent = Some(adjacent.to_owned());
        s.shards.push(child);
        s.index_open_shards();
        Ok(())
    }

    /// The ARN of a stream of this engine's account and region.
    pub fn stream_arn(&self, stream: &str) -> String {
        format!("arn:aws:kinesis:{}:{}:stream/{stream}", self.config.region, self.config.account_id)
    }

    /// The stream's trim horizon at `now`: its creation, or `now` less its
    /// retention period once it is older than that. Data and shards closed
    /// before it have expired (ListShards does not list expired shards).
    pub fn trim_horizon(&self, stream: &str, now: Timestamp) -> Option<Timestamp> {
        self.streams.get(stream).map(|s| {
            let retained = now.add_millis(-i64::from(s.retention_hours) * 3_600_000);
            retained.max(s.created)
        })
    }

    /// A stream's retention period, in hours.
    pub fn retention_hours(&self, stream: &str) -> Option<u32> {
        self.described(stream).map(|s| s.retention_hours)
    }

    /// DeleteStream: an `ACTIVE` stream ("If the stream is in the ACTIVE
    /// state, you can delete it", API reference) with no consumers unless
    /// `enforce_consumer_deletion` (then they go with it, and their
    /// subscriptions end). It is `DELETING` for the configured delay, then
    /// gone; meanwhile only DescribeStream(Summary) and ListStreams see it.
    pub fn delete_stream(
        &mut self,
        stream: &str,
        enforce_consumer_deletion: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        if !self.streams.contains_key(stream) && self.deleting_named(stream).is_none() {
            return Err(self.not_found(stream));
        }
        let s = self.updatable_stream_mut(stream, now)?;
        if !enforce_consumer_deletion && !s.consumers.is_empty() {
            // kinesis-mock's message (the reference gives none).
            return Err(error(
                "ResourceInUseException",
                format!("Consumers exist in stream {stream} and enforceConsumerDeletion is either not set or is false"),
            ));
        }
        let Some(mut state) = self.streams.remove(stream) else { return Err(self.not_found(stream)) };
        let delay = self.config.delete_delay_ms;
        if delay > 0 {
            state.consumers.clear();
            let gone_at = now.add_millis(i64::from(delay));
            self.deleting.push(Deleting { gone_at, state });
            self.next_change = Some(self.next_change.map_or(gone_at, |t| t.min(gone_at)));
        }
        Ok(())
    }

    /// Takes a stream away at once (a CreateStream that failed after it).
    pub(crate) fn remove_stream(&mut self, stream: &str) {
        self.streams.remove(stream);
    }

    /// IncreaseStreamRetentionPeriod (`increase`) or
    /// DecreaseStreamRetentionPeriod: to `hours`, between 24 and 8,760,
    /// and in the direction the action names (messages as kinesalite
    /// gives AWS's), of an `ACTIVE` stream (else `ResourceInUseException`:
    /// the API reference's "the resource must be in the ACTIVE state", as
    /// kinesis-mock checks; kinesalite does not).
    pub fn change_retention(
        &mut self,
        stream: &str,
        hours: u32,
        increase: bool,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let invalid = |m: String| error("InvalidArgumentException", m);
        let s = self.stream_mut(stream)?;
        if hours < DEFAULT_RETENTION_HOURS {
            return Err(invalid(format!(
                "Minimum allowed retention period is {DEFAULT_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too short."
            )));
        }
        if hours > MAX_RETENTION_HOURS {
            return Err(invalid(format!(
                "Maximum allowed retention period is {MAX_RETENTION_HOURS} hours. Requested retention period ({hours} hours) is too long."
            )));
        }
        let current = s.retention_hours;
        if increase && hours < current {
            return Err(invalid(format!(
                "Requested retention period ({hours} hours) for stream {stream} can not be shorter than existing retention period ({current} hours). Use DecreaseRetentionPeriod API."
            )));
        }
        if !increase && hours > current {
            return Err(invalid(format!(
                "Requested retention period ({hours} hours) for stream {stream} can not be longer than existing retention period ({current} hours). Use IncreaseRetentionPeriod API."
            )));
        }
        self.updatable_stream_mut(stream, now)?.retention_hours = hours;
        Ok(())
    }

    /// Answers one JSON 1.1 request: `target` is the `X-Amz-Target` header
    /// (`Kinesis_20131202.PutRecords`, `Firehose_20150804.PutRecordBatch`),
    /// `body` the JSON body. Errors come back as AWS sends them (see
    /// [`Response::error`]). Signatures are not checked here: see
    /// [`Engine::handle_http`].
    pub fn handle(&mut self, now: Timestamp, target: &str, body: &[u8]) -> Response {
        self.handle_as(now, target, body, false)
    }

    /// [`Engine::handle`], with GetRecords' records `packed` in binary for
    /// in-process callers (`ShardEngine.getRecords` in JS), which then need
    /// neither JSON nor base64 for them: a little-endian `u32` count; per
    /// record its partition key's length in UTF-16 units and its data's in
    /// bytes (`u32` each) and its arrival in ms (`f64`); then the records'
    /// sequence numbers (56 digits each), the byte length of their keys
    /// (`u32`) and the keys (UTF-8), and their data, each block in record
    /// order; then the rest of the answer (`NextShardIterator`,
    /// `MillisBehindLatest`, `ChildShards`) as a JSON object. Errors, faults
    /// and every other action are answered as by [`Engine::handle`].
    pub fn handle_as(&mut self, now: Timestamp, target: &str, body: &[u8], packed: bool) -> Response {
        self.advance(now);
        if target == "Kinesis_20131202.PutRecords" {
            // The common form, read without a JSON tree; any other goes on.
            if let Some(scanned) = actions::put_records::scan(body) {
                let stream = scanned.stream;
                return self.answer(Some(stream), |e| actions::put_records::run_scanned(e, &scanned, now));
            }
        }
        self.handle_json(now, target, body, packed)
    }

    /// [`Engine::handle_as`] through the JSON tree, whatever the body.
    pub(crate) fn handle_json(
        &mut self,
        now: Timestamp,
        target: &str,
        body: &[u8],
        packed: bool,
    ) -> Response {
        let parsed = crate::json::parse(if body.is_empty() { b"{}" } else { body });
        let (service, action) = target.split_once('.').unwrap_or((target, ""));
        if !self.knows(target) {
            return Response::error(&error("UnknownOperationException", ""));
        }
        let Ok(mut v) = parsed else {
            return Response::error(&error(
                "SerializationException",
                "Start of structure or map found where not expected.",
            ));
        };
        if service == "Kinesis_20131202" {
            if let Err(e) =
                self.name_stream_of_arn(action, &mut v).and_then(|()| self.count_call(action, &v, now))
            {
                return Response::error(&e);
            }
        }
        if service == "Firehose_20150804" {
            self.firehose_tick(now);
            return match firehose::run(self, action, &v, now) {
                Ok(body) => Response { status: 200, body, delay_ms: 0 },
                Err(e) => Response::error(&e),
            };
        }
        // Injected faults apply to the data plane of a stream.
        let stream = match action {
            "PutRecord" | "PutRecords" | "GetShardIterator" => {
                v.get("StreamName").and_then(crate::json::Value::as_str).map(str::to_owned)
            }
            "GetRecords" => v
                .get("ShardIterator")
                .and_then(crate::json::Value::as_str)
                .and_then(iterator::decode)
                .map(|(stream, ..)| stream),
            _ => None,
        };
        self.answer(stream.as_deref(), |e| {
            if packed && action == "GetRecords" {
                actions::get_records::run_as(e, &v, now, true)
            } else {
                actions::run(e, action, &v, now)
            }
        })
    }

    /// A data-plane action on `stream` (none: another action) answered by
    /// `run`, with the stream's injected latency and request failures.
    fn answer(
        &mut self,
        stream: Option<&str>,
        run: impl FnOnce(&mut Engine) -> Result<Vec<u8>, EngineError>,
    ) -> Response {
        let delay_ms = stream.map_or(0, |s| self.faults(s).latency_ms);
        if stream.is_some_and(|s| self.request_fails(s)) {
            let mut r = Response::error(&error("InternalFailure", "Internal Service Failure"));
            r.delay_ms = delay_ms;
            return r;
        }
        let mut response = match run(self) {
            Ok(body) => Response { status: 200, body, delay_ms: 0 },
            Err(e) => Response::error(&e),
        };
        response.delay_ms = delay_ms;
        response
    }

    /// Whether `target` names an action the engine answers.
    pub fn knows(&self, target: &str) -> bool {
        match target.split_once('.') {
            Some(("Kinesis_20131202", action)) => actions::KINESIS.contains(&action),
            Some(("Firehose_20150804", action)) => firehose::ACTIONS.contains(&action),
            _ => false,
        }
    }

    /// Statistics of every shard of a stream, in creation order.
    pub fn stats(&self, stream: &str) -> Result<Vec<(ShardInfo, ShardStats)>, EngineError> {
        let s = self.streams.get(stream).ok_or_else(|| self.not_found(stream))?;
        Ok(s.shards
            .iter()
            .map(|sh| (sh.info(), ShardStats { stored: sh.records.len() as u64, ..sh.stats }))
            .collect())
    }

    /// When a stream was created.
    pub fn created(&self, stream: &str) -> Option<Timestamp> {
        self.described(stream).map(|s| s.created)
    }

    /// A stream that takes writes now (one still `CREATING` is not found
    /// yet, as AWS and kinesalite answer writes to it), with what storing a
    /// record needs.
    fn writable(&mut self, stream: &str, now: Timestamp) -> Result<Writable<'_>, EngineError> {
        if self.streams.get(stream).is_none_or(|s| now < s.active_at) {
            return Err(self.not_found(stream));
        }
        let Engine { streams, rng, config, .. } = self;
        let s = streams.get_mut(stream).ok_or_else(|| error("InternalFailure", "stream vanished"))?;
        let faults = s.faults.unwrap_or(config.faults);
        Ok(Writable { s, rng, faults, throttling: config.throttling, account: &config.account_id })
    }

    /// PutRecords: validates the whole request as AWS does (any invalid
    /// record fails the request), then stores each record or fails it alone
    /// when its shard is over its write limit.
    pub fn put_records(
        &mut self,
        stream: &str,
        records: &[UserRecord<'_>],
        now: Timestamp,
    ) -> Result<Vec<PutOutcome>, EngineError> {
        self.advance(now);
        if records.is_empty() || records.len() > PUT_RECORDS_MAX_RECORDS {
            let (relation, limit) = if records.is_empty() {
                ("greater than or equal to", 1)
            } else {
                ("less than or equal to", PUT_RECORDS_MAX_RECORDS)
            };
            return Err(error(
                "ValidationException",
                format!("1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length {relation} {limit}"),
            ));
        }
        let limits = self.streams.get(stream).map(|s| s.record_limits).unwrap_or_default();
        let mut hashes = Vec::with_capacity(records.len());
        let mut total = 0usize;
        for (i, r) in records.iter().enumerate() {
            let explicit =
                validate(r.partition_key, r.explicit_hash_key, r.data.len(), &limits, Member::PutRecords(i))
                    .map_err(|e| error(e.code, e.message))?;
            hashes.push(explicit.unwrap_or_else(|| hash_key(r.partition_key)));
            total += r.data.len() + r.partition_key.len();
        }
        // Counted before base64, data and partition keys (API reference).
        if total > PUT_RECORDS_MAX_BYTES {
            return Err(error("InvalidArgumentException", "Records size exceeds 5 MB limit"));
        }
        let mut w = self.writable(stream, now)?;
        Ok(records.iter().zip(hashes).map(|(r, h)| w.put(r, h, now)).collect())
    }

    /// PutRecord: like one record of PutRecords, but a throttled record
    /// fails the whole request.
    pub fn put_record(
        &mut self,
        stream: &str,
        record: &UserRecord<'_>,
        now: Timestamp,
    ) -> Result<(String, String), EngineError> {
        self.advance(now);
        let limits = self.streams.get(stream).map(|s| s.record_limits).unwrap_or_default();
        let explicit = validate(
            record.partition_key,
            record.explicit_hash_key,
            record.data.len(),
            &limits,
            Member::PutRecord,
        )
        .map_err(|e| error(e.code, e.message))?;
        let h = explicit.unwrap_or_else(|| hash_key(record.partition_key));
        match self.writable(stream, now)?.put(record, h, now) {
            PutOutcome::Stored(at) => Ok((at.sequence_number(), at.shard_id())),
            PutOutcome::Failed { code, message } => Err(error(code, message)),
        }
    }

    /// GetShardIterator.
    pub fn get_shard_iterator(
        &mut self,
        stream: &str,
        shard: &str,
        kind: IteratorType<'_>,
        now: Timestamp,
    ) -> Result<String, EngineError> {
        let position = self.position_of(stream, shard, kind, now)?;
        Ok(iterator::encode(stream, shard, &position, now))
    }

    /// Where an iterator of `kind` starts (GetShardIterator, and
    /// SubscribeToShard's StartingPosition), with GetShardIterator's errors.
    fn position_of(
        &mut self,
        stream: &str,
        shard: &str,
        kind: IteratorType<'_>,
        now: Timestamp,
    ) -> Result<Position, EngineError> {
        self.advance(now);
        let account = self.config.account_id.clone();
        // AWS names the shard even when the stream is missing (kinesalite's
        // recording).
        let missing = || {
            error(
                "ResourceNotFoundException",
                format!("Shard {shard} in stream {stream} under account {account} does not exist"),
            )
        };
        if self.streams.get(stream).is_none_or(|s| now < s.active_at) {
            return Err(missing());
        }
        let s = self.stream_mut(stream)?;
        let (retention, cap) = (s.retention_hours, s.cap);
        let sh = s.shards.iter_mut().find(|sh| sh.id == shard).ok_or_else(|| {
            error(
                "ResourceNotFoundException",
                format!("Shard {shard} in stream {stream} under account {account} does not exist"),
            )
        })?;
        trim(sh, retention, cap, now);
        let position = match kind {
            IteratorType::TrimHorizon => {
                Position { sequence_number: first_sequence_number(sh.number), inclusive: true }
            }
            IteratorType::Latest => {
                Position { sequence_number: sequence_number(sh.number, sh.counter), inclusive: false }
            }
            IteratorType::AtSequenceNumber(seq) | IteratorType::AfterSequenceNumber(seq) => {
                if seq.len() != 56
                    || !seq.bytes().all(|b| b.is_ascii_digit())
                    || !seq.starts_with(&format!("49{:012}", sh.number))
                {
                    return Err(error(
                        "InvalidArgumentException",
                        format!("Invalid StartingSequenceNumber. It encodes {shard}, while it was used in a call to a shard with {shard}"),
                    ));
                }
                Position {
                    sequence_number: seq.to_owned(),
                    inclusive: matches!(kind, IteratorType::AtSequenceNumber(_)),
                }
            }
            IteratorType::AtTimestamp(t) => {
                let first = sh.records.iter().find(|r| r.arrival >= t);
                match first {
                    Some(r) => {
                        Position { sequence_number: sequence_number(sh.number, r.counter), inclusive: true }
                    }
                    None => {
                        Position { sequence_number: sequence_number(sh.number, sh.counter), inclusive: false }
                    }
                }
            }
        };
        Ok(position)
    }

    /// GetRecords from an iterator, at most `limit` records (1..=10,000).
    pub fn get_records(
        &mut self,
        shard_iterator: &str,
        limit: Option<u32>,
        now: Timestamp,
    ) -> Result<GetRecordsOutput, EngineError> {
        let mut records = Vec::new();
        let mut page = self.get_records_with(shard_iterator, limit, now, |r| records.push(r.to_stored()))?;
        page.records = records;
        Ok(page)
    }

    /// GetRecords, handing each record to `visit` instead of copying it
    /// (the JSON front writes them straight into the response); the
    /// output's `records` is empty.
    pub fn get_records_with(
        &mut self,
        shard_iterator: &str,
        limit: Option<u32>,
        now: Timestamp,
        mut visit: impl FnMut(RecordRef<'_>),
    ) -> Result<GetRecordsOutput, EngineError> {
        self.advance(now);
        let limit = match limit {
            None => GET_RECORDS_MAX_RECORDS,
            Some(n) if (1..=GET_RECORDS_MAX_RECORDS as u32).contains(&n) => n as usize,
            Some(n) => {
                return Err(error(
                    "ValidationException",
                    format!("1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value {} {}", if n == 0 { "greater than or equal to" } else { "less than or equal to" }, if n == 0 { 1 } else { GET_RECORDS_MAX_RECORDS }),
                ))
            }
        };
        let (stream, shard, position, issued) = iterator::decode(shard_iterator)
            .ok_or_else(|| error("InvalidArgumentException", "Invalid ShardIterator."))?;
        if now.as_millis() - issued.as_millis() > SHARD_ITERATOR_TTL_MS {
            return Err(error(
                "ExpiredIteratorException",
                "The provided iterator exceeds the maximum age allowed.",
            ));
        }
        let account = self.config.account_id.clone();
        let throttling = self.config.throttling;
        let s = self.stream_mut(&stream)?;
        let (retention, cap) = (s.retention_hours, s.cap);
        let stream_name = s.name.clone();
        let sh = s
            .shards
            .iter_mut()
            .find(|sh| sh.id == shard)
            .ok_or_else(|| error("InvalidArgumentException", "Invalid ShardIterator."))?;
        trim(sh, retention, cap, now);
        // Reads: calls per second, and bytes per second as a debt that the
        // next calls pay (GetRecords may return up to 10 MiB at once).
        if throttling && (!sh.reads.has(1.0, now) || !sh.read_bytes.has(0.0, now)) {
            sh.stats.read_throttles += 1;
            return Err(error(
                "ProvisionedThroughputExceededException",
                format!("Rate exceeded for shard {shard} in stream {stream_name} under account {account}."),
            ));
        }
        sh.reads.try_take(1.0, now);
        let from = counter_of(&position.sequence_number);
        let start = sh.records.partition_point(|r| {
            if position.inclusive {
                u128::from(r.counter) < from
            } else {
                u128::from(r.counter) <= from
            }
        });
        let read = sh.read_from(start, limit, GET_RECORDS_MAX_BYTES, &mut visit);
        if throttling {
            sh.read_bytes.take_debt(read.bytes as f64, now);
        }
        sh.stats.records_out += read.count as u64;
        sh.stats.bytes_out += read.bytes as u64;
        let behind = sh.millis_behind(&read, now);
        let next = match read.last {
            Some((counter, _)) => {
                Position { sequence_number: sequence_number(sh.number, counter), inclusive: false }
            }
            None => position,
        };
        if !sh.is_open() && read.to_end {
            // The end of a closed shard: no next iterator; its children.
            return Ok(GetRecordsOutput {
                records: Vec::new(),
                next_shard_iterator: None,
                millis_behind_latest: 0,
                child_shards: children_of(&s.shards, &shard),
            });
        }
        Ok(GetRecordsOutput {
            records: Vec::new(),
            next_shard_iterator: Some(iterator::encode(&stream, &shard, &next, now)),
            millis_behind_latest: behind,
            child_shards: Vec::new(),
        })
    }
}

/// How much a shard keeps at most, whatever the retention.
#[derive(Clone, Copy, Debug)]
struct Cap {
    records: usize,
    bytes: u64,
}

/// Drops records older than the retention period, and the oldest beyond
/// the per-shard cap.
fn trim(sh: &mut ShardState, retention_hours: u32, cap: Cap, now: Timestamp) {
    let horizon = now.add_millis(-(i64::from(retention_hours) * 3_600_000));
    while sh.records.front().is_some_and(|r| {
        // (the newest record stays, even when larger than the bound)
        r.arrival < horizon
            || sh.records.len() > cap.records
            || (sh.stored_bytes > cap.bytes && sh.records.len() > 1)
    }) {
        if let Some(r) = sh.records.pop_front() {
            sh.stored_bytes -= r.bytes.len() as u64;
        }
    }
}

fn store(
    s: &mut StreamState,
    r: &UserRecord<'_>,
    hash: u128,
    now: Timestamp,
    throttling: bool,
    account: &str,
) -> PutOutcome {
    // Data plus partition key: what the limits, the stats and the memory
    // bound count.
    let size = r.data.len() + r.partition_key.len();
    // Room for this record.
    let cap =
        Cap { records: s.cap.records.saturating_sub(1), bytes: s.cap.bytes.saturating_sub(size as u64) };
    let retention = s.retention_hours;
    let Some(index) = s.open_shard_for(hash) else {
        return PutOutcome::Failed {
            code: "InternalFailure",
            message: "Internal Service Failure".to_owned(),
        };
    };
    let StreamState { name, shards, .. } = s;
    let sh = &mut shards[index];
    if throttling && !(sh.writes.has(1.0, now) && sh.write_bytes.admits(size as f64, now)) {
        sh.stats.write_throttles += 1;
        return PutOutcome::Failed {
            code: "ProvisionedThroughputExceededException",
            message: format!("Rate exceeded for shard {} in stream {name} under account {account}.", sh.id),
        };
    }
    if throttling {
        sh.writes.try_take(1.0, now);
        sh.write_bytes.take_debt(size as f64, now);
    }
    trim(sh, retention, cap, now);
    // The counter follows arrival time (ms, with room for 2^20 records a
    // millisecond) and never repeats.
    let at = u64::try_from(now.as_millis()).unwrap_or(0) << 20;
    sh.counter = (sh.counter + 1).max(at);
    sh.stats.records_in += 1;
    sh.stats.bytes_in += size as u64;
    sh.stored_bytes += size as u64;
    let mut bytes = Vec::with_capacity(size);
    bytes.extend_from_slice(r.partition_key.as_bytes());
    bytes.extend_from_slice(r.data);
    sh.records.push_back(Kept {
        counter: sh.counter,
        arrival: now,
        key_len: r.partition_key.len() as u32,
        bytes: bytes.into_boxed_slice(),
    });
    PutOutcome::Stored(StoredAt { shard_number: sh.number, counter: sh.counter })
}

/// A stream being written to (see [`Engine::writable`]).
struct Writable<'e> {
    s: &'e mut StreamState,
    rng: &'e mut Rng,
    faults: Faults,
    throttling: bool,
    account: &'e str,
}

impl Writable<'_> {
    /// Stores one validated record (hash key `hash`), or fails it: an
    /// injected fault, or its shard over its write limit.
    fn put(&mut self, r: &UserRecord<'_>, hash: u128, now: Timestamp) -> PutOutcome {
        if self.rng.chance(self.faults.record_failure_rate) {
            injected(self.s, hash, self.faults.record_fault, self.account)
        } else {
            store(self.s, r, hash, now, self.throttling, self.account)
        }
    }
}

/// A record failed by fault injection, as AWS fails records.
fn injected(s: &mut StreamState, hash: u128, fault: RecordFault, account: &str) -> PutOutcome {
    let Some(index) = s.open_shard_for(hash) else {
        return PutOutcome::Failed {
            code: "InternalFailure",
            message: "Internal Service Failure".to_owned(),
        };
    };
    let sh = &mut s.shards[index];
    sh.stats.injected_failures += 1;
    match fault {
        RecordFault::InternalFailure => {
            PutOutcome::Failed { code: "InternalFailure", message: "Internal Service Failure".to_owned() }
        }
        RecordFault::Throttling => PutOutcome::Failed {
            code: "ProvisionedThroughputExceededException",
            message: format!(
                "Rate exceeded for shard {} in stream {} under account {account}.",
                sh.id, s.name
            ),
        },
    }
}

#[cfg(test)]
mod tests;

/// `arn:aws…:kinesis:<region>:<12-digit account>:stream/<name>`: region,
/// account and name.
pub(crate) fn parse_stream_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("kinesis"), Some(region), Some(account), Some(resource)) =
        (parts.next(), parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let name = resource.strip_prefix("stream/")?;
    let plain = |s: &str| !s.is_empty() && !s.bytes().any(|b| b.is_ascii_whitespace());
    (partition.starts_with("aws")
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && plain(name))
    .then_some((region, account, name))
}
