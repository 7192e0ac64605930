//! HTTP for the staff API: one exchange per call, every body capped and read as a stream,
//! redirects kept to the origin, answers decoded (arrays row by row), errors in words; and the
//! sign-in, which follows no redirect.

use super::*;

/// Follows a redirect only within the origin it started from (scheme, host and port), or from
/// plain http to https on the same host: the token never goes to another server, and another
/// server's answer is never taken for the hotel's.
pub(crate) fn same_origin(attempt: reqwest::redirect::Attempt) -> reqwest::redirect::Action {
    let Some(first) = attempt.previous().first() else {
        return attempt.stop();
    };
    let next = attempt.url();
    let same = first.scheme() == next.scheme()
        && first.host_str() == next.host_str()
        && first.port_or_known_default() == next.port_or_known_default();
    let upgrade =
        first.scheme() == "http" && next.scheme() == "https" && first.host_str() == next.host_str();
    if attempt.previous().len() > 5 {
        attempt.error("too many redirects")
    } else if same || upgrade {
        attempt.follow()
    } else {
        tracing::warn!("a redirect from {first} to another server ({next}) was not followed");
        attempt.stop()
    }
}

/// A client builder with the hotel's trust settings (`crate::trust`): the system's CAs and
/// the hotel's own.
fn builder() -> reqwest::ClientBuilder {
    let b = reqwest::Client::builder().user_agent(concat!("frontdesk/", env!("CARGO_PKG_VERSION")));
    match crate::trust::client_config() {
        Ok(tls) => b.use_preconfigured_tls((*tls).clone()),
        Err(e) => {
            // Said at start (`cli`); here the bundled roots still let public servers work.
            tracing::warn!("{e}");
            b
        }
    }
}

pub fn http_client(connect_timeout: Duration, timeout: Duration) -> reqwest::Client {
    builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::custom(same_origin))
        .build()
        // Building only fails when the TLS backend cannot start; a default client is the
        // same configuration without the timeouts, better than no client.
        .unwrap_or_default()
}

pub(crate) fn transport_error(method: &'static str, path: &str, err: reqwest::Error) -> ApiError {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_connect() {
        ErrorKind::NoConnection(connection_problem(&err))
    } else if err.is_decode() || err.is_body() {
        ErrorKind::BadResponse(root_cause(&err))
    } else {
        ErrorKind::NoConnection(connection_problem(&err))
    };
    ApiError::new(method, path, kind)
}

/// Why a connection failed, in words a hotel's IT can act on.
pub fn connection_problem(err: &(dyn std::error::Error + 'static)) -> String {
    if let Some(cert) = crate::trust::certificate_problem(err) {
        return cert;
    }
    let root = root_cause(err);
    let chain = {
        let mut all = err.to_string();
        let mut cur = err.source();
        while let Some(e) = cur {
            all.push_str(": ");
            all.push_str(&e.to_string());
            cur = e.source();
        }
        all.to_lowercase()
    };
    describe_failure(&chain).unwrap_or(root)
}

/// A sentence for the usual ways a connection fails, from the error chain's text.
pub fn describe_failure(chain: &str) -> Option<String> {
    let has = |needle: &str| chain.contains(needle);
    Some(
        if has("dns error") || has("failed to lookup address") || has("name or service not known") {
            "the server's name could not be found (DNS). Check the spelling of the address, and that this computer can reach the hotel's network".into()
        } else if has("connection refused") {
            "nothing answers on that address and port (connection refused). Check the port, and that the server is running".into()
        } else if has("invalidcontenttype")
            || has("corrupt message")
            || has("wrong version number")
            || has("record overflow")
            || has("http request to an https server")
        {
            "that port does not speak TLS: the address says https:// but the server answers in plain text. Check the port, or whether the server is http:// (allowed on loopback only)".into()
        } else if has("invalid http version")
            || has("ssh-")
            || has("invalid http")
            || has("received unexpected message from connection")
        {
            "that port answers, but not with HTTP (is it an SSH or another service's port?). Check the port in the address".into()
        } else if has("timed out") {
            "the server did not answer in time".into()
        } else {
            return None;
        },
    )
}

pub(crate) fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

pub(crate) fn method_name(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::PUT => "PUT",
        _ => "HTTP",
    }
}

/// What one HTTP exchange gave back, before decoding.
pub(crate) struct Raw {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    /// Where a redirect that was not followed pointed.
    pub(crate) location: Option<String>,
    /// The server's clock minus ours, from its `Date` header (to the second).
    pub(crate) clock_offset: Option<chrono::Duration>,
    pub(crate) body: Vec<u8>,
}

/// What one answer may weigh, by what it is. Past the cap the rest is not read and the call
/// fails in words: a server that never ends a body costs at most the cap, not the machine.
pub mod caps {
    /// The conversation list: 2,000 conversations are about 1.5 MB.
    pub const LIST: usize = 32 << 20;
    /// A page of messages (the desk asks for at most a few hundred).
    pub const PAGE: usize = 16 << 20;
    /// `from-room`, which answers with a room's whole history (contract 4.11).
    pub const ROOM_HISTORY: usize = 32 << 20;
    /// One message, a claim, the unread counts, a sign-in, an upload's answer.
    pub const SMALL: usize = 1 << 20;
    /// A channel signature.
    pub const SIGNING: usize = 16 << 10;
}

pub(crate) fn size_words(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

pub(crate) async fn exchange(
    method: &'static str,
    path: &str,
    req: RequestBuilder,
    cap: usize,
) -> Result<Raw, ApiError> {
    let mut resp = req
        .send()
        .await
        .map_err(|e| transport_error(method, path, e))?;
    let too_large = || {
        ApiError::new(
            method,
            path,
            ErrorKind::BadResponse(format!(
                "the answer was larger than {}, so it was not read",
                size_words(cap)
            )),
        )
    };
    let status = resp.status();
    let content_type = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // `Date` is whole seconds: the server's time is half a second past it on average.
    let clock_offset = resp
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|d| DateTime::parse_from_rfc2822(d).ok())
        .map(|d| d.with_timezone(&Utc) + chrono::Duration::milliseconds(500) - Utc::now());
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    // Read as a stream, and stop at the cap.
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport_error(method, path, e))?
    {
        if body.len() + chunk.len() > cap {
            tracing::warn!("{method} {path}: answer over {} abandoned", size_words(cap));
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Raw {
        status,
        content_type,
        location,
        clock_offset,
        body,
    })
}

/// A non-2xx answer as the error it is.
pub(crate) fn failed_status(method: &'static str, path: &str, raw: &Raw) -> Result<(), ApiError> {
    if raw.status.is_success() {
        return Ok(());
    }
    let kind = kind_for_answer(
        raw.status.as_u16(),
        &raw.content_type,
        &raw.body,
        raw.location.as_deref(),
    );
    Err(ApiError::new(method, path, kind))
}

/// Words for a body that is not what the contract says.
pub(crate) fn unexpected(
    method: &'static str,
    path: &str,
    raw: &Raw,
    e: serde_json::Error,
) -> ApiError {
    let what = if raw.content_type.contains("json") {
        format!("body does not match the contract ({e})")
    } else {
        format!("expected JSON, got {}", short_type(&raw.content_type))
    };
    ApiError::new(method, path, ErrorKind::BadResponse(what))
}

pub(crate) fn decode<T: DeserializeOwned>(
    method: &'static str,
    path: &str,
    raw: Raw,
) -> Result<T, ApiError> {
    failed_status(method, path, &raw)?;
    crate::api::json::from_slice(&raw.body).map_err(|e| unexpected(method, path, &raw, e))
}

/// A JSON array read row by row: the rows that do not match the contract are skipped and
/// counted (the first one's problem is logged), so one bad row cannot hide the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Rows<T> {
    pub items: Vec<T>,
    pub skipped: usize,
}

pub(crate) fn decode_rows<T: DeserializeOwned>(
    method: &'static str,
    path: &str,
    raw: Raw,
) -> Result<Rows<T>, ApiError> {
    use serde_json::value::RawValue;
    failed_status(method, path, &raw)?;
    let bad = |e: serde_json::Error| unexpected(method, path, &raw, e);
    // Each row stays a slice of the body (no copy) until it is decoded on its own; only a
    // body with broken escapes is copied once, repaired.
    let repaired: Vec<u8>;
    let rows: Vec<&RawValue> = match serde_json::from_slice(&raw.body) {
        Ok(rows) => rows,
        Err(e) if crate::api::json::is_escape_error(&e) => {
            repaired = crate::api::json::repair(&raw.body).ok_or_else(|| bad(e))?;
            serde_json::from_slice(&repaired).map_err(bad)?
        }
        Err(e) => return Err(bad(e)),
    };
    let mut items = Vec::with_capacity(rows.len());
    let mut skipped = 0;
    for (i, row) in rows.iter().enumerate() {
        match crate::api::json::from_slice::<T>(row.get().as_bytes()) {
            Ok(item) => items.push(item),
            Err(e) => {
                if skipped == 0 {
                    tracing::warn!("{method} {path}: row {i} skipped: {e}");
                }
                skipped += 1;
            }
        }
    }
    if skipped > 0 {
        tracing::warn!(
            "{method} {path}: {skipped} of {} rows could not be read",
            rows.len()
        );
    }
    Ok(Rows { items, skipped })
}

pub(crate) fn short_type(content_type: &str) -> String {
    let t = content_type.split(';').next().unwrap_or("").trim();
    if t.is_empty() {
        "no content type".into()
    } else {
        t.chars().take(60).collect()
    }
}

/// Logs in (no token needed). `POST /api/staff/login/`.
///
/// It follows no redirect: the password goes to the server named and nowhere else. A redirect
/// is an error that says where the server pointed, so the user can sign in there instead.
pub async fn login(server: &str, username: &str, password: &str) -> Result<Login, ApiError> {
    let path = "/api/staff/login/";
    let url = format!("{}{}", server.trim_end_matches('/'), path);
    let http = builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| transport_error("POST", path, e))?;
    let req = http
        .post(url)
        .json(&serde_json::json!({"username": username, "password": password}));
    let raw = exchange("POST", path, req, caps::SMALL).await?;
    decode("POST", path, raw)
}

#[cfg(test)]
mod failure_tests {
    use super::describe_failure;

    #[test]
    fn each_usual_failure_has_a_sentence_with_what_to_try() {
        // A DNS failure cannot be made on loopback; its text is reqwest's and hyper's.
        let dns = "error sending request for url (https://hotel.invalid/api/staff/login/): client error (connect): dns error: failed to lookup address information: name or service not known";
        assert!(
            describe_failure(dns)
                .unwrap()
                .contains("could not be found (DNS)")
        );
        let refused =
            "client error (connect): tcp connect error: connection refused (os error 111)";
        assert!(
            describe_failure(refused)
                .unwrap()
                .contains("connection refused")
        );
        assert_eq!(describe_failure("something nobody has seen"), None);
    }
}
