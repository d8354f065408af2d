//! Stream tags: AddTagsToStream, RemoveTagsFromStream, ListTagsForStream.
//!
//! AWS API reference: up to 50 tags per stream; keys 1..=128 characters,
//! values 0..=256. Allowed characters and messages as kinesalite gives
//! AWS's: Unicode letters, digits, white space and `_ . / = + - @ :`
//! (`%` is refused with its own message).

use super::{error, Engine, EngineError};

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
    stream: &str,
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
            format!("Failed to {verb} stream {stream} under account {account} because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@',':'."),
        ));
    }
    Ok(())
}

impl Engine {
    /// AddTagsToStream: adds or overwrites.
    pub fn add_tags(&mut self, stream: &str, tags: &[(&str, &str)]) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let s = self.stream_mut(stream)?;
        check_characters(tags.iter().flat_map(|(k, v)| [*k, *v]), "add tags to", stream, &account)?;
        let new = tags.iter().filter(|(k, _)| !s.tags.contains_key(*k)).count();
        if s.tags.len() + new > MAX_TAGS_PER_STREAM {
            return Err(error(
                "InvalidArgumentException",
                format!("Failed to add tags to stream {stream} under account {account} because a given stream cannot have more than {MAX_TAGS_PER_STREAM} tags associated with it."),
            ));
        }
        for (k, v) in tags {
            s.tags.insert((*k).to_owned(), (*v).to_owned());
        }
        Ok(())
    }

    /// RemoveTagsFromStream: keys that are not there are ignored.
    pub fn remove_tags(&mut self, stream: &str, keys: &[&str]) -> Result<(), EngineError> {
        let account = self.config.account_id.clone();
        let s = self.stream_mut(stream)?;
        check_characters(keys.iter().copied(), "remove tags from", stream, &account)?;
        for k in keys {
            s.tags.remove(*k);
        }
        Ok(())
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
    use crate::time::Timestamp;

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
}
