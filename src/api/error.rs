//! One error type the UI can act on. Every error names the call (method and path), never the
//! token, and never carries a server's HTML page.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 401: the token is missing, wrong or revoked. Log in again.
    Unauthorised(String),
    /// 403, with the server's reason.
    Forbidden(String),
    /// 404, with the server's text.
    NotFound(String),
    /// 400/405/409/413/422: the server refused the input; its `error`/`detail` text.
    Rejected {
        status: u16,
        reason: String,
    },
    /// 5xx (often an HTML page, which is never shown).
    Server(u16),
    Timeout,
    NoConnection(String),
    /// A 2xx whose body is not what the contract says.
    BadResponse(String),
    /// 3xx to somewhere not followed (another server, or any redirect on sign-in).
    Redirected(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub method: &'static str,
    pub path: String,
    pub kind: ErrorKind,
}

impl ApiError {
    pub fn new(method: &'static str, path: impl Into<String>, kind: ErrorKind) -> Self {
        Self {
            method,
            path: path.into(),
            kind,
        }
    }

    /// Whether the server may have done the work even though we saw a failure: a resend must
    /// first look for it (contract section 4.1).
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Server(_) | ErrorKind::Timeout | ErrorKind::BadResponse(_)
        )
    }

    /// The server could not be reached or did not answer in time.
    pub fn unreachable(&self) -> bool {
        matches!(self.kind, ErrorKind::NoConnection(_) | ErrorKind::Timeout)
    }

    pub fn is_unauthorised(&self) -> bool {
        matches!(self.kind, ErrorKind::Unauthorised(_))
    }

    /// A short line for the status bar, without the call.
    pub fn summary(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Unauthorised(reason) => write!(f, "not signed in: {reason}"),
            ErrorKind::Forbidden(reason) => write!(f, "not allowed: {reason}"),
            ErrorKind::NotFound(reason) => write!(f, "not found: {reason}"),
            ErrorKind::Rejected { status, reason } => write!(f, "rejected ({status}): {reason}"),
            ErrorKind::Server(status) => write!(f, "server error {status}"),
            ErrorKind::Timeout => write!(f, "the server did not answer in time"),
            ErrorKind::NoConnection(reason) => write!(f, "no connection: {reason}"),
            ErrorKind::BadResponse(reason) => write!(f, "unexpected answer: {reason}"),
            ErrorKind::Redirected(to) => {
                write!(f, "the server pointed elsewhere ({to}); not followed")
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.kind, self.method, self.path)
    }
}

impl std::error::Error for ApiError {}

/// Pulls the human reason out of an error body: `{"detail": ..}`, `{"error": .., "details": [..]}`,
/// or DRF's field errors `{"password": ["This field is required."]}`. Never returns HTML.
pub fn reason_from_body(content_type: &str, body: &[u8]) -> Option<String> {
    if !content_type.contains("json") {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = value.as_object()?;
    let text = |v: &serde_json::Value| -> Option<String> {
        match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Array(items) => {
                let parts: Vec<String> = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            }
            _ => None,
        }
    };
    if let Some(detail) = obj.get("detail").and_then(text) {
        return Some(detail);
    }
    if let Some(error) = obj.get("error").and_then(text) {
        return Some(match obj.get("details").and_then(text) {
            Some(details) => format!("{error}: {details}"),
            None => error,
        });
    }
    // Field errors: "password: This field is required."
    let fields: Vec<String> = obj
        .iter()
        .filter_map(|(k, v)| text(v).map(|t| format!("{k}: {t}")))
        .collect();
    (!fields.is_empty()).then(|| fields.join("; "))
}

/// Maps a non-2xx status and body to the error kind.
pub fn kind_for_status(status: u16, content_type: &str, body: &[u8]) -> ErrorKind {
    kind_for_answer(status, content_type, body, None)
}

/// As [`kind_for_status`], with the `Location` of a redirect that was not followed.
pub fn kind_for_answer(
    status: u16,
    content_type: &str,
    body: &[u8],
    location: Option<&str>,
) -> ErrorKind {
    if (300..400).contains(&status) {
        // Shown to the user: keep it short and printable.
        let to: String = location
            .unwrap_or("no address given")
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        return ErrorKind::Redirected(to);
    }
    let reason =
        || reason_from_body(content_type, body).unwrap_or_else(|| format!("HTTP status {status}"));
    match status {
        401 => ErrorKind::Unauthorised(reason()),
        403 => ErrorKind::Forbidden(reason()),
        404 => ErrorKind::NotFound(reason()),
        500..=599 => ErrorKind::Server(status),
        _ => ErrorKind::Rejected {
            status,
            reason: reason(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_500_is_never_shown() {
        let kind = kind_for_status(500, "text/html; charset=utf-8", b"<html><body>Trace");
        assert_eq!(kind, ErrorKind::Server(500));
        assert_eq!(kind.to_string(), "server error 500");
    }

    #[test]
    fn error_with_details_keeps_both() {
        let body = br#"{"error":"No valid files uploaded","details":["bad.exe: File type '.exe' not allowed."]}"#;
        let kind = kind_for_status(400, "application/json", body);
        assert_eq!(
            kind,
            ErrorKind::Rejected {
                status: 400,
                reason: "No valid files uploaded: bad.exe: File type '.exe' not allowed.".into()
            }
        );
    }

    #[test]
    fn field_errors_are_named() {
        let body = br#"{"password":["This field is required."]}"#;
        let kind = kind_for_status(400, "application/json", body);
        assert_eq!(
            kind.to_string(),
            "rejected (400): password: This field is required."
        );
    }
}
