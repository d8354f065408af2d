//! Percent-encoding and hex as SigV4 defines them.
//!
//! SigV4's `UriEncode` keeps only RFC 3986's unreserved characters
//! (`A-Z a-z 0-9 - _ . ~`) and writes every other byte as `%XX` with
//! upper-case hex; in a path, `/` is kept too. This is narrower than any
//! set the `percent-encoding` crate predefines, and the table is 256 bits,
//! so it lives here rather than pulling a dependency into the `.wasm`.

use crate::prelude::*;
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// Whether `b` is an RFC 3986 unreserved character.
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends `input` to `out`, percent-encoding every byte that is not
/// unreserved (and not `/` when `keep_slash`).
pub(crate) fn uri_encode_into(out: &mut String, input: &[u8], keep_slash: bool) {
    // Fast path: nothing to encode (true of almost every Kinesis request).
    if input.iter().all(|&b| is_unreserved(b) || (keep_slash && b == b'/')) {
        // All bytes are ASCII, so this is valid UTF-8.
        out.extend(input.iter().map(|&b| b as char));
        return;
    }
    out.reserve(input.len() * 3);
    for &b in input {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX_UPPER[usize::from(b >> 4)] as char);
            out.push(HEX_UPPER[usize::from(b & 15)] as char);
        }
    }
}

/// `input` percent-encoded (a query parameter name or value).
pub(crate) fn uri_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len());
    uri_encode_into(&mut out, input, false);
    out
}

/// Decodes a query string part as `application/x-www-form-urlencoded`:
/// `%XX` escapes (a `%` not followed by two hex digits stays as it is) and
/// `+` as a space. This is how AWS's services and the AWS SDKs read a query
/// (smithy-rs parses it with `form_urlencoded`, the JS SDK with
/// `URLSearchParams`), so a literal `+` signs as `%20`; send `%2B` for a
/// plus sign.
pub(crate) fn percent_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if b == b'+' {
            out.push(b' ');
            i += 1;
            continue;
        }
        if b == b'%' && i + 2 < input.len() {
            if let (Some(h), Some(l)) = (hex_value(input[i + 1]), hex_value(input[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    hex_into(&mut out, bytes);
    out
}

/// Appends the lower-case hex of `bytes` to `out`.
pub(crate) fn hex_into(out: &mut String, bytes: &[u8]) {
    let mut buf = [0u8; 64];
    for chunk in bytes.chunks(32) {
        for (i, &b) in chunk.iter().enumerate() {
            buf[2 * i] = HEX_LOWER[usize::from(b >> 4)];
            buf[2 * i + 1] = HEX_LOWER[usize::from(b & 15)];
        }
        // Hex digits are ASCII, so this never fails.
        out.push_str(core::str::from_utf8(&buf[..chunk.len() * 2]).unwrap_or_default());
    }
}

/// A query parameter name or value in canonical form: percent-decoded,
/// then encoded again with SigV4's set; borrowed when already canonical.
pub(crate) fn canonical_query_part(part: &str) -> alloc::borrow::Cow<'_, str> {
    if part.bytes().all(is_unreserved) {
        return alloc::borrow::Cow::Borrowed(part);
    }
    alloc::borrow::Cow::Owned(uri_encode(&percent_decode(part.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_sigv4() {
        assert_eq!(uri_encode(b"-._~AZaz09"), "-._~AZaz09");
        assert_eq!(uri_encode(b"a b/c+d=e*"), "a%20b%2Fc%2Bd%3De%2A");
        assert_eq!(uri_encode("ሴ".as_bytes()), "%E1%88%B4");
        let mut s = String::new();
        uri_encode_into(&mut s, b"/a b/$", true);
        assert_eq!(s, "/a%20b/%24");
    }

    #[test]
    fn decodes_only_valid_escapes() {
        assert_eq!(percent_decode(b"%E1%88%B4"), "ሴ".as_bytes());
        assert_eq!(percent_decode(b"a+b%2"), b"a b%2");
        assert_eq!(percent_decode(b"a%2Bb"), b"a+b");
        assert_eq!(percent_decode(b"%zz%4"), b"%zz%4");
        assert_eq!(percent_decode(b"%41%"), b"A%");
        assert_eq!(percent_decode(b"%"), b"%");
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
    }
}
