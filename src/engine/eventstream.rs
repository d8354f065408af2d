//! AWS's event stream encoding (`application/vnd.amazon.eventstream`), in
//! which SubscribeToShard answers: a sequence of messages, each
//!
//! ```text
//! total length (u32) | headers length (u32) | CRC-32 of those 8 bytes
//! headers | payload | CRC-32 of everything before it
//! ```
//!
//! big-endian, with each header as its name's length (u8), its name, its
//! value's type (7: a string), its value's length (u16) and its value.
//! Source: the AWS SDKs' codecs (`@smithy/eventstream-codec`'s
//! `EventStreamCodec`, aws-sdk-java-v2's `Message`), which read exactly
//! this; CRC-32 is the IEEE one (zlib's, reflected, polynomial
//! `0xEDB88320`).

/// A header's value type: a UTF-8 string.
const STRING: u8 = 7;

/// The CRC-32 table, one entry per byte value.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            bit += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32 (IEEE) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c = TABLE[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

/// One message with these string headers and this payload, appended to
/// `out`. Header names and values longer than the format allows (255 and
/// 65,535 bytes) are cut, which none of the engine's are.
pub fn write_message(out: &mut Vec<u8>, headers: &[(&str, &str)], payload: &[u8]) {
    let start = out.len();
    out.extend_from_slice(&[0; 12]);
    for (name, value) in headers {
        let name = &name.as_bytes()[..name.len().min(255)];
        let value = &value.as_bytes()[..value.len().min(65_535)];
        out.push(name.len() as u8);
        out.extend_from_slice(name);
        out.push(STRING);
        out.extend_from_slice(&(value.len() as u16).to_be_bytes());
        out.extend_from_slice(value);
    }
    let headers_len = (out.len() - start - 12) as u32;
    out.extend_from_slice(payload);
    let total = (out.len() - start + 4) as u32;
    out[start..start + 4].copy_from_slice(&total.to_be_bytes());
    out[start + 4..start + 8].copy_from_slice(&headers_len.to_be_bytes());
    let prelude = crc32(&out[start..start + 8]);
    out[start + 8..start + 12].copy_from_slice(&prelude.to_be_bytes());
    let message = crc32(&out[start..]);
    out.extend_from_slice(&message.to_be_bytes());
}

/// A message read back: its string headers and its payload.
pub type Message = (Vec<(String, String)>, Vec<u8>);

/// Reads the messages of `bytes` (for tests, and for anyone checking a
/// stream): `None` when a length or a CRC does not hold, or a header is
/// not a string.
pub fn read_messages(mut bytes: &[u8]) -> Option<Vec<Message>> {
    let u32_at = |b: &[u8], at: usize| -> Option<u32> {
        Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
    };
    let mut messages = Vec::new();
    while !bytes.is_empty() {
        let total = u32_at(bytes, 0)? as usize;
        let headers_len = u32_at(bytes, 4)? as usize;
        let message = bytes.get(..total)?;
        if total < 16 || headers_len > total - 16 || u32_at(message, 8)? != crc32(message.get(..8)?) {
            return None;
        }
        if u32_at(message, total - 4)? != crc32(message.get(..total - 4)?) {
            return None;
        }
        let mut h = message.get(12..12 + headers_len)?;
        let mut headers = Vec::new();
        while let Some((&n, rest)) = h.split_first() {
            let name = rest.get(..n as usize)?;
            let rest = rest.get(n as usize..)?;
            let (&STRING, rest) = rest.split_first()? else { return None };
            let len = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize;
            let value = rest.get(2..2 + len)?;
            headers.push((String::from_utf8(name.to_vec()).ok()?, String::from_utf8(value.to_vec()).ok()?));
            h = rest.get(2 + len..)?;
        }
        messages.push((headers, message.get(12 + headers_len..total - 4)?.to_vec()));
        bytes = bytes.get(total..)?;
    }
    Some(messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        // The CRC catalogue's check value of CRC-32/ISO-HDLC, and zlib's.
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn message_round_trip() {
        let mut out = Vec::new();
        write_message(&mut out, &[(":message-type", "event"), (":event-type", "initial-response")], b"{}");
        write_message(&mut out, &[], b"");
        let messages = read_messages(&out).expect("reads back");
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].0[1], (":event-type".to_owned(), "initial-response".to_owned()));
        assert_eq!(messages[0].1, b"{}");
        assert_eq!(messages[1], (Vec::new(), Vec::new()));
        // Prelude 12, headers 22 + 31, payload 2, CRC 4; then a message
        // with no headers or payload: its prelude and CRC.
        assert_eq!(out.len(), 12 + 22 + 31 + 2 + 4 + 16);
        let mut bad = out.clone();
        bad[20] ^= 1;
        assert_eq!(read_messages(&bad), None);
        assert_eq!(read_messages(&out[..out.len() - 1]), None);
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn crc32_is_crc32fast(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            proptest::prop_assert_eq!(crc32(&bytes), crc32fast::hash(&bytes));
        }
    }
}
