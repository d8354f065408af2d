//! Tags of streams (AddTagsToStream, RemoveTagsFromStream,
//! ListTagsForStream) and of streams and consumers by ARN (TagResource,
//! UntagResource, ListTagsForResource, the newer actions).
//!
//! AWS API reference: up to 50 tags per stream; keys 1..=128 characters,
//! values 0..=256. Allowed characters and messages as kinesalite gives
//! AWS's: Unicode letters, digits, white space and `_ . / = + - @ :`
//! (`%` is refused with its own message).

use std::collections::BTreeMap;

use super::consumers::{parse_consumer_arn, ConsumerRef};
use super::{error, Engine, EngineError};
use crate::time::Timestamp;

/// Most tags one stream may carry.
pub const MAX_TAGS_PER_STREAM: usize = 50;

/// kinesalite's character class, `[\u00C0-\u1FFF\u2C00-\uD7FF\w./\-=+_ @%:]`.
fn allowed(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '.' | '/' | '-' | '=' | '+' | ' ' | '@' | '%' | ':')
        || ('\u{C0}'..='\u{1FFF}').contains(&c)
        || ('\u{2C00}'..='\u{D7FF}').contains(&c)
}

fn check_characters<'a>(
    texts: impl Iterator<Item = &'a str> + Clone,
    verb: &str,
    what: &str,
    account: &str,
) -> Result<(), EngineError> {
    if texts.clone().any(|t| !t.chars().all(allowed)) {
        return Err(error(
            "InvalidArgumentException",
            "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @ :.",
        ));
    }
    if texts.clone().any(|t| t.contains('%')) {
        return Err(error(
            "InvalidArgumentException",
            format!("Failed to {verb} {what} under account {account} because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'."),
        ));
    }
    Ok(())
}

/// Adds or overwrites `tags` in `map`, the tags of `what` ("stream s"),
/// within the 50 a resource may carry.
fn add_to(
    map: &mut BTreeMap<String, String>,
    tags: &[(&str, &str)],
    what: &str,
    account: &str,
) -> Result<(), EngineError> {
    check_characters(tags.iter().flat_map(|(k, v)| [*k, *v]), "add tags to", what, account)?;
    let new = tags.iter().filter(|(k, _)| !map.contains_key(*k)).count();
    if map.len() + new > MAX_TAGS_PER_STREAM {
        return Err(error(
            "InvalidArgumentException",
            format!("Failed to add tags to {what} under account {account} because a given stream cannot have more than {MAX_TAGS_PER_STREAM} tags associated with it."),
        ));
    }
    for (k, v) in tags {
        map.insert((*k).to_owned(), (*v).to_owned());
    }
    Ok(())
}

/// Removes `keys` from `map` (keys that are not there are ignored).
fn remove_from(
    map: &mut BTreeMap<String, String>,
    keys: &[&str],
    what: &str,
    account: &str,
) -> Result<(), EngineError> {
    check_characters(keys.iter().copied(), "remove tags from", what, account)?;
    for k in keys {
        map.remove(*k);
    }
    Ok(())
}

impl Engine {
    /// AddTagsToStream: adds or overwrites.
    pub fn add_tags(&mut self, stream: &str, tags: &[(&str, &str)]) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        add_to(&mut self.stream_mut(stream)?.tags, tags, &format!("stream {stream}"), &account)
    }

    /// RemoveTagsFromStream: keys that are not there are ignored.
    pub fn remove_tags(&mut self, stream: &str, keys: &[&str]) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        remove_from(&mut self.stream_mut(stream)?.tags, keys, &format!("stream {stream}"), &account)
    }

    /// The tags of the stream or consumer `arn` names, and what it is
    /// ("stream s", "consumer c", for messages).
    fn resource_tags(
        &mut self,
        arn: &str,
        now: Timestamp,
    ) -> Result<(&mut BTreeMap<String, String>, String), EngineError> {
        if parse_consumer_arn(arn).is_some() {
            let (stream, i) = self.find_consumer(ConsumerRef::Arn(arn), now)?;
            let c = self
                .stream_mut(&stream)?
                .consumers
                .get_mut(i)
                .ok_or_else(|| error("InternalFailure", "consumer vanished"))?;
            let what = format!("consumer {}", c.name);
            return Ok((&mut c.tags, what));
        }
        let stream = self.stream_named_by_arn(arn)?;
        let what = format!("stream {stream}");
        Ok((&mut self.stream_mut(&stream)?.tags, what))
    }

    /// TagResource: adds or overwrites tags of a stream or a consumer.
    pub fn tag_resource(
        &mut self,
        arn: &str,
        tags: &[(&str, &str)],
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let (map, what) = self.resource_tags(arn, now)?;
        add_to(map, tags, &what, &account)
    }

    /// UntagResource.
    pub fn untag_resource(&mut self, arn: &str, keys: &[&str], now: Timestamp) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let (map, what) = self.resource_tags(arn, now)?;
        remove_from(map, keys, &what, &account)
    }

    /// ListTagsForResource: every tag, in key order.
    pub fn list_resource_tags(
        &mut self,
        arn: &str,
        now: Timestamp,
    ) -> Result<Vec<(String, String)>, EngineError> {
        let (map, _) = self.resource_tags(arn, now)?;
        Ok(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
    }

    /// ListTagsForStream: tags in key order after `exclusive_start`, at
    /// most `limit`, and whether there are more.
    pub fn list_tags(
        &self,
        stream: &str,
        exclusive_start: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<(String, String)>, bool), EngineError> {
        let s = self.streams.get(stream).ok_or_else(|| self.not_found(stream))?;
        let mut rest = s.tags.iter().filter(|(k, _)| exclusive_start.is_none_or(|start| k.as_str() > start));
        let page: Vec<(String, String)> =
            rest.by_ref().take(limit).map(|(k, v)| (k.clone(), v.clone())).collect();
        Ok((page, rest.next().is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::EngineConfig;
    use super::*;

    fn call(e: &mut Engine, action: &str, body: &str) -> (u16, String) {
        let r = e.handle(
            Timestamp::from_millis(0).unwrap(),
            &format!("Kinesis_20131202.{action}"),
            body.as_bytes(),
        );
        (r.status, String::from_utf8(r.body).unwrap())
    }

    #[test]
    fn add_list_page_and_remove() {
        let mut e = Engine::new(EngineConfig::default());
        assert_eq!(
            call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":1,"Tags":{"team":"web"}}"#).0,
            200
        );
        assert_eq!(
            call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"b":"2","a":"1","c":""}}"#).0,
            200
        );
        assert_eq!(
            call(&mut e, "ListTagsForStream", r#"{"StreamName":"s","Limit":2}"#).1,
            r#"{"Tags":[{"Key":"a","Value":"1"},{"Key":"b","Value":"2"}],"HasMoreTags":true}"#
        );
        assert_eq!(
            call(&mut e, "ListTagsForStream", r#"{"StreamName":"s","ExclusiveStartTagKey":"b"}"#).1,
            r#"{"Tags":[{"Key":"c","Value":""},{"Key":"team","Value":"web"}],"HasMoreTags":false}"#
        );
        assert_eq!(call(&mut e, "RemoveTagsFromStream", r#"{"StreamName":"s","TagKeys":["a","zz"]}"#).0, 200);
        assert_eq!(e.list_tags("s", None, 50).unwrap().0.len(), 3);
    }

    #[test]
    fn refusals() {
        let mut e = Engine::new(EngineConfig::default());
        e.create_stream("s", 1, Timestamp::from_millis(0).unwrap()).unwrap();
        let (status, body) = call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"a$":"1"}}"#);
        assert_eq!(status, 400);
        assert!(body.contains("Some tags contain invalid characters."), "{body}");
        let (_, body) = call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"50%":"1"}}"#);
        assert!(body.contains("because some tags contained illegal characters"), "{body}");
        let (_, body) = call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{}}"#);
        assert!(body.contains("Member must have length greater than or equal to 1"), "{body}");
        let (_, body) = call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"a":1}}"#);
        assert!(body.contains("SerializationException"), "{body}");
        for i in 0..5 {
            let tags: Vec<String> = (0..10).map(|j| format!("\"k{i}_{j}\":\"v\"")).collect();
            let body = format!(r#"{{"StreamName":"s","Tags":{{{}}}}}"#, tags.join(","));
            assert_eq!(call(&mut e, "AddTagsToStream", &body).0, 200);
        }
        let (status, body) = call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"one-more":"1"}}"#);
        assert_eq!(status, 400);
        assert!(body.contains("cannot have more than 50 tags"), "{body}");
        // Overwriting an existing key is not a new tag.
        assert_eq!(call(&mut e, "AddTagsToStream", r#"{"StreamName":"s","Tags":{"k0_0":"w"}}"#).0, 200);
        let (_, body) = call(&mut e, "ListTagsForStream", r#"{"StreamName":"nope"}"#);
        assert!(body.contains("ResourceNotFoundException"));
        // A create whose tags are refused creates nothing.
        assert_eq!(
            call(&mut e, "CreateStream", r#"{"StreamName":"t","ShardCount":1,"Tags":{"%":"x"}}"#).0,
            400
        );
        assert!(e.stream_names().iter().all(|n| *n != "t"));
    }

    #[test]
    fn streams_and_consumers_tagged_by_arn() {
        let mut e = Engine::new(EngineConfig::default());
        call(&mut e, "CreateStream", r#"{"StreamName":"s","ShardCount":1,"Tags":{"team":"web"}}"#);
        let stream = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
        let tag = format!(r#"{{"ResourceARN":"{stream}","Tags":{{"env":"test"}}}}"#);
        assert_eq!(call(&mut e, "TagResource", &tag).0, 200);
        // The same tags, whichever actions see them.
        let listed = call(&mut e, "ListTagsForResource", &format!(r#"{{"ResourceARN":"{stream}"}}"#)).1;
        assert_eq!(listed, r#"{"Tags":[{"Key":"env","Value":"test"},{"Key":"team","Value":"web"}]}"#);
        assert!(call(&mut e, "ListTagsForStream", r#"{"StreamName":"s"}"#)
            .1
            .contains(r#"{"Key":"env","Value":"test"}"#));
        let untag = format!(r#"{{"ResourceARN":"{stream}","TagKeys":["team"]}}"#);
        assert_eq!(call(&mut e, "UntagResource", &untag).0, 200);
        // A consumer, registered with tags.
        let (status, registered) = call(
            &mut e,
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{stream}","ConsumerName":"app","Tags":{{"owner":"me"}}}}"#),
        );
        assert_eq!(status, 200, "{registered}");
        let v: serde_json::Value = serde_json::from_str(&registered).unwrap();
        let consumer = v["Consumer"]["ConsumerARN"].as_str().unwrap().to_owned();
        let tag = format!(r#"{{"ResourceARN":"{consumer}","Tags":{{"tier":"gold"}}}}"#);
        assert_eq!(call(&mut e, "TagResource", &tag).0, 200);
        assert_eq!(
            call(&mut e, "ListTagsForResource", &format!(r#"{{"ResourceARN":"{consumer}"}}"#)).1,
            r#"{"Tags":[{"Key":"owner","Value":"me"},{"Key":"tier","Value":"gold"}]}"#
        );
        assert_eq!(
            call(&mut e, "ListTagsForResource", &format!(r#"{{"ResourceARN":"{stream}"}}"#)).1,
            r#"{"Tags":[{"Key":"env","Value":"test"}]}"#
        );
        // Refusals: an unknown resource, a bad ARN, too many tags, a
        // consumer whose tags are refused is not registered.
        let (status, body) = call(
            &mut e,
            "TagResource",
            r#"{"ResourceARN":"arn:aws:kinesis:us-east-1:000000000000:stream/nope","Tags":{"a":"b"}}"#,
        );
        assert_eq!(status, 400);
        assert!(body.contains("ResourceNotFoundException"), "{body}");
        let (_, body) = call(&mut e, "ListTagsForResource", r#"{"ResourceARN":"stream/s"}"#);
        assert!(body.contains("ValidationException"), "{body}");
        let many: Vec<String> = (0..51).map(|i| format!(r#""k{i}":"v""#)).collect();
        let (_, body) = call(
            &mut e,
            "TagResource",
            &format!(r#"{{"ResourceARN":"{consumer}","Tags":{{{}}}}}"#, many.join(",")),
        );
        assert!(body.contains("cannot have more than 50 tags"), "{body}");
        let (status, _) = call(
            &mut e,
            "RegisterStreamConsumer",
            &format!(r#"{{"StreamARN":"{stream}","ConsumerName":"bad","Tags":{{"a%":"b"}}}}"#),
        );
        assert_eq!(status, 400);
        let (_, listed) = call(&mut e, "ListStreamConsumers", &format!(r#"{{"StreamARN":"{stream}"}}"#));
        assert!(!listed.contains("bad"), "{listed}");
    }
}
