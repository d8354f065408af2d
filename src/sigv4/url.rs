//! The parts of a request URL that SigV4 signs.
//!
//! The URL is taken exactly as it goes on the wire (path and query already
//! percent-encoded, as `new URL(u).href` gives it): nothing is re-encoded
//! here. Only absolute `http:` and `https:` URLs are accepted.

use super::SigningError;
use crate::prelude::*;

/// An absolute URL split into the pieces the signer needs.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct RequestUrl<'a> {
    /// Everything before any `#fragment` (fragments are never sent).
    pub(crate) without_fragment: &'a str,
    /// The `Host` header value a client derives from the URL: host in
    /// lower case, with the port unless it is the scheme's default.
    pub(crate) host: String,
    /// The path as written; `/` when the URL has none.
    pub(crate) path: &'a str,
    /// The query without its `?`; `None` when there is no `?`.
    pub(crate) query: Option<&'a str>,
}

impl<'a> RequestUrl<'a> {
    pub(crate) fn parse(url: &'a str) -> Result<RequestUrl<'a>, SigningError> {
        let without_fragment = url.split('#').next().unwrap_or(url);
        // (A byte search: `split_once("://")` would pull the two-way string
        // searcher, 1.5 KB of wasm, into the build.)
        let Some(colon) = without_fragment.bytes().position(|b| b == b':') else {
            return Err(SigningError::url(
                "expected an absolute URL such as https://kinesis.us-east-1.amazonaws.com/ (got a relative one)",
            ));
        };
        let (scheme, rest) = without_fragment.split_at(colon);
        let Some(rest) = rest.strip_prefix("://") else {
            return Err(SigningError::url(
                "expected an absolute URL such as https://kinesis.us-east-1.amazonaws.com/ (got a relative one)",
            ));
        };
        let default_port = if scheme.eq_ignore_ascii_case("https") {
            "443"
        } else if scheme.eq_ignore_ascii_case("http") {
            "80"
        } else {
            return Err(SigningError::url("expected an http: or https: URL"));
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(SigningError::url(
                "the URL must not carry user info (user:password@); pass credentials separately",
            ));
        }
        let (host, port) = split_host_port(authority)?;
        if host.is_empty() {
            return Err(SigningError::url("the URL has no host"));
        }
        if !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'[' | b']' | b':'))
        {
            return Err(SigningError::url(
                "the host must be ASCII letters, digits, '-', '.' (IDNA hosts in punycode) or an [IPv6] literal",
            ));
        }
        let mut host_header = host.to_ascii_lowercase();
        if let Some(port) = port {
            if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
                return Err(SigningError::url("the port must be a number from 0 to 65535"));
            }
            let n: u32 = port.parse().unwrap_or(u32::MAX);
            if n > 65_535 {
                return Err(SigningError::url("the port must be a number from 0 to 65535"));
            }
            // "0443" is port 443 too: compare numerically, print canonically.
            if n.to_string() != default_port {
                host_header.push(':');
                host_header.push_str(&n.to_string());
            }
        }
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        Ok(RequestUrl {
            without_fragment,
            host: host_header,
            path: if path.is_empty() { "/" } else { path },
            query,
        })
    }
}

fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), SigningError> {
    if authority.starts_with('[') {
        let Some(close) = authority.find(']') else {
            return Err(SigningError::url("unterminated [IPv6] host"));
        };
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Ok((host, Some(port))),
            None if rest.is_empty() => Ok((host, None)),
            None => Err(SigningError::url("unexpected text after the [IPv6] host")),
        };
    }
    Ok(match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// RFC 3986 `remove_dot_segments`, plus collapsing of empty segments, as
/// SigV4 does for every service but S3. The result starts with `/`; a
/// trailing `/` is kept (and one is added where the path ended in a `.` or
/// `..` segment, as RFC 3986 does).
pub(crate) fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let mut trailing_slash = false;
    for segment in path.split('/') {
        trailing_slash = false;
        match segment {
            "" | "." => trailing_slash = true,
            ".." => {
                segments.pop();
                trailing_slash = true;
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    for s in &segments {
        out.push('/');
        out.push_str(s);
    }
    if trailing_slash || segments.is_empty() {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let u = RequestUrl::parse("https://Kinesis.US-EAST-1.amazonaws.com").unwrap();
        assert_eq!((u.host.as_str(), u.path, u.query), ("kinesis.us-east-1.amazonaws.com", "/", None));
        let u = RequestUrl::parse("http://127.0.0.1:4567/a/b?x=1&y#frag").unwrap();
        assert_eq!((u.host.as_str(), u.path, u.query), ("127.0.0.1:4567", "/a/b", Some("x=1&y")));
        assert_eq!(u.without_fragment, "http://127.0.0.1:4567/a/b?x=1&y");
        let u = RequestUrl::parse("https://example.com:443?").unwrap();
        assert_eq!((u.host.as_str(), u.path, u.query), ("example.com", "/", Some("")));
        let u = RequestUrl::parse("http://[::1]:80/").unwrap();
        assert_eq!(u.host, "[::1]");
        let u = RequestUrl::parse("http://[::1]:8080/").unwrap();
        assert_eq!(u.host, "[::1]:8080");
    }

    #[test]
    fn refuses_bad_urls() {
        for url in [
            "/relative",
            "kinesis.us-east-1.amazonaws.com/",
            "ftp://example.com/",
            "https:///path",
            "https://user:pw@example.com/",
            "https://example.com:99999/",
            "https://example.com:x/",
            "https://exa mple.com/",
            "https://[::1/",
            "https://ex\u{e4}mple.com/",
        ] {
            assert!(RequestUrl::parse(url).is_err(), "{url} should be refused");
        }
    }

    #[test]
    fn normalizes_paths() {
        for (input, want) in [
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/a/b/..", "/a/"),
            ("/a/./b", "/a/b"),
            ("/../a", "/a"),
            ("/a/b/.", "/a/b/"),
        ] {
            assert_eq!(normalize_path(input), want, "{input}");
        }
    }
}
