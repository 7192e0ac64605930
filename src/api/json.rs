//! JSON from the network, decoded leniently: a body with invalid escapes (lone UTF-16
//! surrogates, unknown `\x` escapes) is repaired to U+FFFD / a literal backslash instead of
//! failing the whole page, so one hostile message cannot hide a conversation.

use serde::de::DeserializeOwned;

/// Strict first (the normal case costs nothing extra), then once more after repair.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    match serde_json::from_slice(bytes) {
        Ok(v) => Ok(v),
        // Only an escape problem is worth a repaired copy of the body.
        Err(first) if !is_escape_error(&first) => Err(first),
        Err(first) => match repair(bytes) {
            Some(fixed) => serde_json::from_slice(&fixed).map_err(|_| first),
            None => Err(first),
        },
    }
}

pub fn is_escape_error(e: &serde_json::Error) -> bool {
    let text = e.to_string();
    text.contains("escape") || text.contains("surrogate") || text.contains("code point")
}

fn hex4(b: &[u8]) -> Option<u16> {
    let s = std::str::from_utf8(b.get(..4)?).ok()?;
    u16::from_str_radix(s, 16).ok()
}

/// Rewrites bad escapes inside strings; None when there was nothing to repair.
pub fn repair(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len());
    let mut changed = false;
    let mut in_string = false;
    let mut i = 0;
    while i < input.len() {
        let b = input[i];
        if !in_string {
            if b == b'"' {
                in_string = true;
            }
            out.push(b);
            i += 1;
            continue;
        }
        match b {
            b'"' => {
                in_string = false;
                out.push(b);
                i += 1;
            }
            b'\\' => {
                let next = input.get(i + 1).copied();
                match next {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                        out.extend_from_slice(&input[i..i + 2]);
                        i += 2;
                    }
                    Some(b'u') => match hex4(&input[i + 2..]) {
                        Some(hi @ 0xD800..=0xDBFF) => {
                            let low = (input.get(i + 6..i + 8) == Some(b"\\u"))
                                .then(|| hex4(&input[i + 8..]))
                                .flatten();
                            if let Some(0xDC00..=0xDFFF) = low {
                                out.extend_from_slice(&input[i..i + 12]);
                                i += 12;
                            } else {
                                let _ = hi;
                                out.extend_from_slice(b"\\ufffd");
                                changed = true;
                                i += 6;
                            }
                        }
                        Some(0xDC00..=0xDFFF) => {
                            out.extend_from_slice(b"\\ufffd");
                            changed = true;
                            i += 6;
                        }
                        Some(_) => {
                            out.extend_from_slice(&input[i..i + 6]);
                            i += 6;
                        }
                        None => {
                            out.extend_from_slice(b"\\\\");
                            changed = true;
                            i += 1;
                        }
                    },
                    _ => {
                        // An unknown escape: keep the backslash as text.
                        out.extend_from_slice(b"\\\\");
                        changed = true;
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    changed.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_and_bad_escapes_become_visible_not_fatal() {
        let body = br#"[{"message": "hi \ud800 there \udc00 \x41 \u12 ok \ud83d\ude00"}]"#;
        assert!(serde_json::from_slice::<serde_json::Value>(body).is_err());
        let v: serde_json::Value = from_slice(body).unwrap();
        let text = v[0]["message"].as_str().unwrap();
        assert_eq!(text, "hi \u{fffd} there \u{fffd} \\x41 \\u12 ok 😀");
    }

    #[test]
    fn good_json_is_untouched() {
        assert!(repair(br#"{"a": "x\"y\\z\u00e9 \ud83d\ude00"}"#).is_none());
        assert!(from_slice::<serde_json::Value>(b"not json").is_err());
    }
}
