//! Enhanced fan-out: consumers registered with a stream
//! (RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
//! DeregisterStreamConsumer) and their SubscribeToShard subscriptions.
//!
//! A subscription is polled, sans-IO like the rest of the engine: the
//! adapter asks [`Engine::poll_subscription`] what to send at `now` (an
//! event, nothing before some time, or the end) and delivers it, to a
//! callback in-process or as event stream messages over HTTP. What the
//! engine does, from the API reference (SubscribeToShard,
//! RegisterStreamConsumer, SubscribeToShardEvent):
//!
//! - up to 20 consumers per stream, at most 5 of them `CREATING`; a
//!   consumer is `CREATING`, then `ACTIVE` (after the engine's create
//!   delay), then `DELETING` once deregistered, and its ARN carries its
//!   creation time, so a consumer registered again under the same name has
//!   another ARN;
//! - a subscription pushes the shard's records as they arrive, at most
//!   2 MiB/s per consumer and shard (the engine's read bytes limit), for 5
//!   minutes;
//! - SubscribeToShard again within 5 seconds of a successful call for the
//!   same consumer and shard is refused with `ResourceInUseException`; 5
//!   seconds or more after, the new subscription takes over and the old
//!   one ends with `ResourceInUseException`;
//! - each event's `ContinuationSequenceNumber` is where to subscribe again
//!   (`AFTER_SEQUENCE_NUMBER`), even when the event has no records; at the
//!   end of a closed shard, the event carries `ChildShards` and the
//!   subscription ends.
//!
//! The reference gives no messages for these errors; the engine's are
//! kinesis-mock's (`CommonValidations.scala`,
//! `RegisterStreamConsumerRequest.scala`) where it has one, and say what
//! is wrong where it has none. It gives no interval either for events
//! with no records: the engine sends one when 5 seconds pass without an
//! event, so that a consumer's continuation point keeps up with the shard.

use super::actions::get_records::{write_child_shards, RecordsOut};
use super::iterator::Position;
use super::throttle::Bucket;
use super::{counter_of, error, sequence_number, Engine, EngineError, IteratorType};
use crate::limits::{GET_RECORDS_MAX_BYTES, GET_RECORDS_MAX_RECORDS};
use crate::time::Timestamp;

/// Most consumers registered with one stream (API reference,
/// RegisterStreamConsumer).
pub const MAX_CONSUMERS_PER_STREAM: usize = 20;
/// Most consumers `CREATING` at once (API reference, RegisterStreamConsumer).
pub const MAX_CONSUMERS_CREATING: usize = 5;
/// How long a subscription lasts (API reference, SubscribeToShard).
pub const SUBSCRIPTION_MS: i64 = 5 * 60 * 1000;
/// How soon after a successful SubscribeToShard another for the same
/// consumer and shard is refused (API reference, SubscribeToShard).
pub const RESUBSCRIBE_MS: i64 = 5_000;
/// How long a subscription goes without an event before the engine sends
/// one with no records (the engine's choice: see the module's text).
pub const IDLE_EVENT_MS: i64 = 5_000;

/// A consumer as its stream keeps it.
pub(super) struct ConsumerState {
    pub(super) name: String,
    pub(super) created: Timestamp,
    /// `ACTIVE` from then on, `CREATING` before.
    pub(super) active_at: Timestamp,
    /// Set by DeregisterStreamConsumer: `DELETING` until then, gone after.
    pub(super) gone_at: Option<Timestamp>,
    /// Its tags (TagResource, or RegisterStreamConsumer's `Tags`).
    pub(super) tags: std::collections::BTreeMap<String, String>,
}

impl ConsumerState {
    fn status(&self, now: Timestamp) -> &'static str {
        match self.gone_at {
            Some(_) => "DELETING",
            None if now < self.active_at => "CREATING",
            None => "ACTIVE",
        }
    }
}

/// A consumer as RegisterStreamConsumer, DescribeStreamConsumer and
/// ListStreamConsumers describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerInfo {
    /// Its name, unique within its stream.
    pub name: String,
    /// `arn:aws:kinesis:REGION:ACCOUNT:stream/STREAM/consumer/NAME:CREATED`
    /// (`CREATED` in epoch seconds).
    pub arn: String,
    /// `CREATING`, `ACTIVE` or `DELETING`.
    pub status: &'static str,
    /// When it was registered.
    pub created: Timestamp,
    /// Its stream's ARN.
    pub stream_arn: String,
}

/// How a request names a consumer: by its ARN, or by its stream's ARN and
/// its name (DescribeStreamConsumer, DeregisterStreamConsumer).
#[derive(Clone, Copy, Debug)]
pub enum ConsumerRef<'a> {
    /// `ConsumerARN`.
    Arn(&'a str),
    /// `StreamARN` and `ConsumerName`.
    Named {
        /// The stream's ARN.
        stream_arn: &'a str,
        /// The consumer's name.
        name: &'a str,
    },
}

/// A subscription of a consumer to a shard.
#[derive(Clone)]
pub(super) struct Subscription {
    id: u64,
    stream: String,
    stream_created: Timestamp,
    consumer: String,
    consumer_created: Timestamp,
    shard: String,
    /// Records after this counter are still to send.
    after: u128,
    started: Timestamp,
    last_event: Option<Timestamp>,
    /// The consumer's read bytes on this shard (2 MiB/s).
    bytes: Bucket,
    /// A later subscription took over.
    taken_over: bool,
    /// The closed shard's last event was sent.
    finished: bool,
    /// Its events go over HTTP in AWS's CBOR (the request was).
    cbor: bool,
}

/// What a subscription has to send at some time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionStep {
    /// A SubscribeToShardEvent's members (`Records`,
    /// `ContinuationSequenceNumber`, `MillisBehindLatest`, `ChildShards` at
    /// the end of a closed shard), as a JSON object; with the records
    /// packed when asked (see [`Engine::handle_as`]).
    Event(Vec<u8>),
    /// Nothing before this time (unless records arrive: poll again then).
    Wait(Timestamp),
    /// The subscription is over: its 5 minutes passed or its closed shard
    /// was read to its end (`None`), or an error ended it (another
    /// subscription took over, the consumer or stream went away).
    End(Option<EngineError>),
}

/// What an HTTP adapter sends of a subscription at some time (see
/// [`Engine::poll_subscription_http`]): at most one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpEvents {
    /// Event stream messages to write to the response (may be empty).
    pub bytes: Vec<u8>,
    /// When to poll again; `None`: the response is complete.
    pub next: Option<Timestamp>,
}

/// `StartingPosition` of SubscribeToShard: GetShardIterator's five types.
pub type StartingPosition<'a> = IteratorType<'a>;

fn consumer_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `(stream ARN, consumer name, creation in epoch seconds)` of a consumer
/// ARN as AWS writes them (`…:stream/S/consumer/NAME:SECONDS`).
pub(crate) fn parse_consumer_arn(arn: &str) -> Option<(&str, &str, i64)> {
    let (stream_arn, rest) = arn.split_once("/consumer/")?;
    let (name, created) = rest.rsplit_once(':')?;
    super::parse_stream_arn(stream_arn)?;
    let created =
        if created.bytes().all(|b| b.is_ascii_digit()) { created.parse().ok()? } else { return None };
    consumer_name_ok(name).then_some((stream_arn, name, created))
}

impl Engine {
    fn consumer_info(&self, stream: &str, c: &ConsumerState, now: Timestamp) -> ConsumerInfo {
        let stream_arn = self.stream_arn(stream);
        ConsumerInfo {
            arn: format!("{stream_arn}/consumer/{}:{}", c.name, c.created.as_secs()),
            name: c.name.clone(),
            status: c.status(now),
            created: c.created,
            stream_arn,
        }
    }

    /// Drops the consumers whose deregistration is over.
    fn prune_consumers(&mut self, now: Timestamp) {
        self.advance(now);
        for s in self.streams.values_mut() {
            s.consumers.retain(|c| c.gone_at.is_none_or(|t| now < t));
        }
    }

    /// RegisterStreamConsumer: a new consumer of the stream `stream_arn`
    /// names, `CREATING` until the engine's create delay has passed.
    pub fn register_stream_consumer(
        &mut self,
        stream_arn: &str,
        name: &str,
        now: Timestamp,
    ) -> Result<ConsumerInfo, EngineError> {
        self.prune_consumers(now);
        let stream = self.stream_named_by_arn(stream_arn)?;
        let delay = i64::from(self.config.create_delay_ms);
        let s = self.stream_mut(&stream)?;
        if s.consumers.len() >= MAX_CONSUMERS_PER_STREAM {
            return Err(error(
                "LimitExceededException",
                format!("Only {MAX_CONSUMERS_PER_STREAM} consumers can be registered to a stream at once"),
            ));
        }
        if s.consumers.iter().filter(|c| c.status(now) == "CREATING").count() >= MAX_CONSUMERS_CREATING {
            return Err(error(
                "LimitExceededException",
                format!("Only {MAX_CONSUMERS_CREATING} consumers can be created at the same time"),
            ));
        }
        if s.consumers.iter().any(|c| c.name == name) {
            return Err(error("ResourceInUseException", format!("Consumer {name} exists")));
        }
        // ARNs carry the creation second: a consumer registered again in
        // the same second as its predecessor's would get its ARN, so it is
        // registered a second later (still a time of this engine's clock).
        let mut created = now;
        if let Some(last) = s.consumers.iter().map(|c| c.created).max() {
            if last.as_secs() >= created.as_secs() {
                created = Timestamp::from_secs(last.as_secs() + 1).unwrap_or(now);
            }
        }
        let c = ConsumerState {
            name: name.to_owned(),
            created,
            active_at: now.add_millis(delay),
            gone_at: None,
            tags: std::collections::BTreeMap::new(),
        };
        let info = self.consumer_info(&stream, &c, now);
        self.stream_mut(&stream)?.consumers.push(c);
        Ok(info)
    }

    /// The stream and the index of the consumer `r` names.
    pub(super) fn find_consumer(
        &mut self,
        r: ConsumerRef<'_>,
        now: Timestamp,
    ) -> Result<(String, usize), EngineError> {
        self.prune_consumers(now);
        match r {
            ConsumerRef::Arn(arn) => {
                let not_found = || error("ResourceNotFoundException", format!("ConsumerARN {arn} not found"));
                let (stream_arn, name, created) = parse_consumer_arn(arn).ok_or_else(not_found)?;
                let stream = self.stream_named_by_arn(stream_arn).map_err(|_| not_found())?;
                let s = self.streams.get(&stream).ok_or_else(not_found)?;
                let i = s
                    .consumers
                    .iter()
                    .position(|c| c.name == name && c.created.as_secs() == created)
                    .ok_or_else(not_found)?;
                Ok((stream, i))
            }
            ConsumerRef::Named { stream_arn, name } => {
                let stream = self.stream_named_by_arn(stream_arn)?;
                let s = self.streams.get(&stream).ok_or_else(|| self.not_found(&stream))?;
                let i = s.consumers.iter().position(|c| c.name == name).ok_or_else(|| {
                    error(
                        "ResourceNotFoundException",
                        format!("ConsumerName {name} not found on stream {stream}"),
                    )
                })?;
                Ok((stream, i))
            }
        }
    }

    /// Takes a consumer away at once (a RegisterStreamConsumer whose tags
    /// were refused after it).
    pub(crate) fn forget_consumer(&mut self, arn: &str, now: Timestamp) {
        if let Ok((stream, i)) = self.find_consumer(ConsumerRef::Arn(arn), now) {
            if let Some(s) = self.stream_mut(&stream).ok().filter(|s| i < s.consumers.len()) {
                s.consumers.remove(i);
            }
        }
    }

    /// DescribeStreamConsumer.
    pub fn describe_stream_consumer(
        &mut self,
        r: ConsumerRef<'_>,
        now: Timestamp,
    ) -> Result<ConsumerInfo, EngineError> {
        let (stream, i) = self.find_consumer(r, now)?;
        let s = self.streams.get(&stream).ok_or_else(|| self.not_found(&stream))?;
        Ok(self.consumer_info(&stream, &s.consumers[i], now))
    }

    /// ListStreamConsumers: every consumer of the stream, in the order
    /// they were registered.
    pub fn list_stream_consumers(
        &mut self,
        stream_arn: &str,
        now: Timestamp,
    ) -> Result<Vec<ConsumerInfo>, EngineError> {
        self.prune_consumers(now);
        let stream = self.stream_named_by_arn(stream_arn)?;
        let s = self.streams.get(&stream).ok_or_else(|| self.not_found(&stream))?;
        Ok(s.consumers.iter().map(|c| self.consumer_info(&stream, c, now)).collect())
    }

    /// DescribeStreamSummary's `ConsumerCount`: the consumers registered
    /// with the stream (any status).
    pub fn consumer_count(&mut self, stream: &str, now: Timestamp) -> usize {
        self.prune_consumers(now);
        self.streams.get(stream).map_or(0, |s| s.consumers.len())
    }

    /// DeregisterStreamConsumer: the consumer is `DELETING` for the
    /// engine's create delay, then gone; its subscriptions end.
    pub fn deregister_stream_consumer(
        &mut self,
        r: ConsumerRef<'_>,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let (stream, i) = self.find_consumer(r, now)?;
        let delay = i64::from(self.config.create_delay_ms);
        let s = self.stream_mut(&stream)?;
        let c = &mut s.consumers[i];
        if c.gone_at.is_some() {
            return Err(error(
                "ResourceInUseException",
                format!("Consumer {} is not in an ACTIVE state", c.name),
            ));
        }
        c.gone_at = Some(now.add_millis(delay));
        self.prune_consumers(now);
        Ok(())
    }

    /// SubscribeToShard: a subscription of an `ACTIVE` consumer to a
    /// shard of its stream, from `start`; its events come from
    /// [`Engine::poll_subscription`].
    pub fn subscribe_to_shard(
        &mut self,
        consumer_arn: &str,
        shard: &str,
        start: StartingPosition<'_>,
        now: Timestamp,
    ) -> Result<u64, EngineError> {
        let (stream, i) = self.find_consumer(ConsumerRef::Arn(consumer_arn), now)?;
        let s = self.streams.get(&stream).ok_or_else(|| self.not_found(&stream))?;
        let (consumer, consumer_created, stream_created) =
            (s.consumers[i].name.clone(), s.consumers[i].created, s.created);
        let status = s.consumers[i].status(now);
        if status != "ACTIVE" {
            return Err(error(
                "ResourceInUseException",
                format!("Consumer {consumer_arn} is not ACTIVE, instead in state {status}"),
            ));
        }
        let position: Position = self.position_of(&stream, shard, start, now)?;
        let same = |x: &Subscription| {
            x.stream == stream
                && x.consumer == consumer
                && x.consumer_created == consumer_created
                && x.shard == shard
        };
        // Within 5 seconds of a successful call, whether or not that
        // subscription is still open (its reader may have gone).
        self.recent_subscriptions.retain(|x| now.as_millis() - x.started.as_millis() < RESUBSCRIBE_MS);
        if self.recent_subscriptions.iter().any(same) {
            return Err(error(
                "ResourceInUseException",
                format!("Another active subscription exists for consumer {consumer_arn} and shard {shard}"),
            ));
        }
        for x in self.subscriptions.iter_mut().filter(|x| same(x)) {
            x.taken_over = true;
        }
        // Where to start, as "after this counter": an inclusive position
        // at counter c is after c - 1 (counters start above 0).
        let at = counter_of(&position.sequence_number);
        let after = if position.inclusive { at.saturating_sub(1) } else { at };
        self.next_subscription += 1;
        let id = self.next_subscription;
        let subscription = Subscription {
            id,
            stream,
            stream_created,
            consumer,
            consumer_created,
            shard: shard.to_owned(),
            after,
            started: now,
            last_event: None,
            bytes: Bucket::new(self.config.read_bytes_per_sec, now),
            taken_over: false,
            finished: false,
            cbor: false,
        };
        self.recent_subscriptions.push(subscription.clone());
        self.subscriptions.push(subscription);
        Ok(id)
    }

    /// SubscribeToShard's request in JSON (`ConsumerARN`, `ShardId`,
    /// `StartingPosition`), checked as AWS checks it: the subscription's id.
    pub fn subscribe_json(&mut self, now: Timestamp, body: &[u8]) -> Result<u64, EngineError> {
        let v = crate::json::parse(if body.is_empty() { b"{}" } else { body }).map_err(|_| {
            error("SerializationException", "Start of structure or map found where not expected.")
        })?;
        super::actions::consumers::subscribe(self, &v, now)
    }

    /// SubscribeToShard through JSON 1.1: over HTTP ([`Engine::answer_http`])
    /// the subscription streams; through [`Engine::handle`], which answers
    /// once, it cannot, and the request is refused.
    /// A subscription opened over HTTP by a request in CBOR: its events go
    /// in CBOR too.
    pub(super) fn answer_subscription_in_cbor(&mut self, id: u64) {
        for x in self.subscriptions.iter_mut().filter(|x| x.id == id) {
            x.cbor = true;
        }
    }

    pub(super) fn opened_subscription(&mut self, id: u64) -> Result<Vec<u8>, EngineError> {
        if let Some(opened) = &mut self.http_subscription {
            *opened = Some(id);
            return Ok(Vec::new());
        }
        self.end_subscription(id);
        Err(error(
            "InvalidArgumentException",
            "SubscribeToShard answers with a stream of events: send it over HTTP (fetch, handleHttp) or call subscribeToShard",
        ))
    }

    /// Ends a subscription whose reader went away (a closed connection, a
    /// cancelled callback). Unknown ids are ignored.
    pub fn end_subscription(&mut self, id: u64) {
        self.subscriptions.retain(|x| x.id != id);
    }

    /// What subscription `id` has to send at `now` (see
    /// [`SubscriptionStep`]); an `End` forgets it. The first poll always
    /// gives an event (records, or none yet).
    pub fn poll_subscription(&mut self, id: u64, now: Timestamp, packed: bool) -> SubscriptionStep {
        self.advance(now);
        let step = self.step(id, now, packed);
        if matches!(step, SubscriptionStep::End(_)) {
            self.end_subscription(id);
        }
        step
    }

    fn step(&mut self, id: u64, now: Timestamp, packed: bool) -> SubscriptionStep {
        self.prune_consumers(now);
        let throttling = self.config.throttling;
        let Some(x) = self.subscriptions.iter_mut().find(|x| x.id == id) else {
            return SubscriptionStep::End(Some(error(
                "ResourceNotFoundException",
                format!("Subscription {id} not found"),
            )));
        };
        if x.taken_over {
            return SubscriptionStep::End(Some(error(
                "ResourceInUseException",
                format!("Another subscription to shard {} took over this one", x.shard),
            )));
        }
        let ends = x.started.add_millis(SUBSCRIPTION_MS);
        if x.finished || now >= ends {
            return SubscriptionStep::End(None);
        }
        let Some(s) = self.streams.get_mut(&x.stream).filter(|s| s.created == x.stream_created) else {
            return SubscriptionStep::End(Some(error(
                "ResourceNotFoundException",
                format!("Stream {} under account {} not found.", x.stream, self.config.account_id),
            )));
        };
        if !s
            .consumers
            .iter()
            .any(|c| c.name == x.consumer && c.created == x.consumer_created && c.gone_at.is_none())
        {
            return SubscriptionStep::End(Some(error(
                "ResourceNotFoundException",
                format!("Consumer {} of stream {} was deregistered", x.consumer, x.stream),
            )));
        }
        let (retention, cap) = (s.retention_hours, s.cap);
        let Some(index) = s.shards.iter().position(|sh| sh.id == x.shard) else {
            return SubscriptionStep::End(None);
        };
        super::trim(&mut s.shards[index], retention, cap, now);
        let sh = &s.shards[index];
        let start = sh.records.partition_point(|r| u128::from(r.counter) <= x.after);
        let pending = start < sh.records.len();
        let closed_and_read = !sh.is_open() && !pending;
        let idle_due = x.last_event.is_none_or(|t| now.as_millis() - t.as_millis() >= IDLE_EVENT_MS);
        let can_read = !throttling || x.bytes.has(0.0, now);
        let due = (pending && can_read) || closed_and_read || idle_due;
        if !due {
            let idle_at = x.last_event.map_or(now, |t| t.add_millis(IDLE_EVENT_MS));
            return SubscriptionStep::Wait(idle_at.min(ends));
        }
        // Records up to a second's allowance, and GetRecords' limits.
        let mut records = RecordsOut::new(packed);
        let budget = (sh_read_allowance(throttling, &mut x.bytes, now) as usize).min(GET_RECORDS_MAX_BYTES);
        let limit = if can_read { GET_RECORDS_MAX_RECORDS } else { 0 };
        let read = sh.read_from(start, limit, budget, |r| records.push(r));
        if throttling {
            x.bytes.take_debt(read.bytes as f64, now);
        }
        if let Some((counter, _)) = read.last {
            x.after = u128::from(counter);
        }
        let continuation = sequence_number(sh.number, u64::try_from(x.after).unwrap_or(u64::MAX));
        let mut w = records.finish();
        w.string("ContinuationSequenceNumber", &continuation);
        w.number("MillisBehindLatest", sh.millis_behind(&read, now));
        if !sh.is_open() && read.to_end {
            write_child_shards(&mut w, &super::children_of(&s.shards, &x.shard));
            x.finished = true;
        }
        let sh = &mut s.shards[index];
        sh.stats.records_out += read.count as u64;
        sh.stats.bytes_out += read.bytes as u64;
        x.last_event = Some(now);
        SubscriptionStep::Event(w.finish())
    }

    /// [`Engine::poll_subscription`] for an HTTP adapter: the events due
    /// at `now` as event stream messages (`SubscribeToShardEvent` events;
    /// an error as an `exception` message; in CBOR when the request that
    /// opened it was), and when to poll again.
    pub fn poll_subscription_http(&mut self, id: u64, now: Timestamp) -> HttpEvents {
        let cbor = self.subscriptions.iter().any(|x| x.id == id && x.cbor);
        let mut bytes = Vec::new();
        match self.poll_subscription(id, now, false) {
            SubscriptionStep::Event(body) => {
                let payload = if cbor { super::cbor::answer_from_json(&body) } else { body };
                super::eventstream::write_message(
                    &mut bytes,
                    &[
                        (":message-type", "event"),
                        (":event-type", "SubscribeToShardEvent"),
                        (":content-type", event_content_type(cbor)),
                    ],
                    &payload,
                );
                // One event a poll (up to 10 MiB of records): a backlog
                // goes event by event as the client takes them, not in one
                // answer. Poll again at once.
                HttpEvents { bytes, next: Some(now) }
            }
            SubscriptionStep::Wait(t) => HttpEvents { bytes, next: Some(t) },
            SubscriptionStep::End(None) => HttpEvents { bytes, next: None },
            SubscriptionStep::End(Some(e)) => {
                write_exception(&mut bytes, &e, cbor);
                HttpEvents { bytes, next: None }
            }
        }
    }
}

/// How many bytes the next event may carry: what the bucket holds (at
/// least one record goes when it is not in debt), or GetRecords' most
/// without throttling.
fn sh_read_allowance(throttling: bool, bucket: &mut Bucket, now: Timestamp) -> f64 {
    if throttling {
        bucket.available(now)
    } else {
        GET_RECORDS_MAX_BYTES as f64
    }
}

/// The content type of event payloads: the request's format.
fn event_content_type(cbor: bool) -> &'static str {
    if cbor {
        super::cbor::CONTENT_TYPE
    } else {
        "application/x-amz-json-1.1"
    }
}

/// The event stream's first message: `initial-response`, the answer's
/// members other than its events (SubscribeToShard has none).
pub fn initial_response(cbor: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let payload = if cbor { super::cbor::answer_from_json(b"{}") } else { b"{}".to_vec() };
    super::eventstream::write_message(
        &mut out,
        &[
            (":message-type", "event"),
            (":event-type", "initial-response"),
            (":content-type", event_content_type(cbor)),
        ],
        &payload,
    );
    out
}

/// An error that ends a subscription, as an `exception` message.
fn write_exception(out: &mut Vec<u8>, e: &EngineError, cbor: bool) {
    let mut body = Vec::new();
    body.extend_from_slice(b"{\"message\":");
    crate::json::write_string(&mut body, &e.message);
    body.push(b'}');
    let payload = if cbor { super::cbor::answer_from_json(&body) } else { body };
    super::eventstream::write_message(
        out,
        &[
            (":message-type", "exception"),
            (":exception-type", e.code),
            (":content-type", event_content_type(cbor)),
        ],
        &payload,
    );
}
