//! The demo server's realtime side: a Pusher protocol 7 WebSocket endpoint (connection,
//! public and private subscriptions, ping/pong, heartbeat, error codes), and the publisher that
//! feeds it, or an external Pusher-compatible server through its signed HTTP API.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message as WsMessage, WebSocket};
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use rand::Rng;
use sha2::Sha256;
use tokio::sync::broadcast;

/// One published event: the channel, event name and the data as a JSON string (as Pusher
/// delivers it).
#[derive(Debug, Clone)]
pub struct Published {
    pub channel: String,
    pub event: String,
    pub data: String,
}

/// Where the backend's events go.
#[derive(Clone)]
pub enum Publisher {
    /// The demo's own WebSocket endpoint.
    Local(broadcast::Sender<Arc<Published>>),
    /// An external Pusher server's HTTP API: `http://KEY:SECRET@HOST:PORT/apps/ID`.
    External(ExternalPusher),
}

#[derive(Clone)]
pub struct ExternalPusher {
    pub http: reqwest::Client,
    pub base: String,
    pub app_id: String,
    pub key: String,
    pub secret: String,
}

impl ExternalPusher {
    /// Parses `http://KEY:SECRET@HOST:PORT/apps/ID`.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (scheme, rest) = url.split_once("://").ok_or_else(|| {
            format!("--pusher-url {url:?}: expected http://KEY:SECRET@HOST:PORT/apps/ID")
        })?;
        let (creds, hostpath) = rest
            .split_once('@')
            .ok_or_else(|| "--pusher-url: missing KEY:SECRET@".to_string())?;
        let (key, secret) = creds
            .split_once(':')
            .ok_or_else(|| "--pusher-url: missing :SECRET".to_string())?;
        let (host, path) = hostpath
            .split_once('/')
            .ok_or_else(|| "--pusher-url: missing /apps/ID".to_string())?;
        let app_id = path
            .trim_end_matches('/')
            .strip_prefix("apps/")
            .ok_or_else(|| "--pusher-url: path must be /apps/ID".to_string())?;
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            base: format!("{scheme}://{host}"),
            app_id: app_id.to_string(),
            key: key.to_string(),
            secret: secret.to_string(),
        })
    }

    /// The WebSocket URL clients use to reach the same server.
    pub fn ws_url(&self) -> String {
        let ws = self.base.replacen("http", "ws", 1);
        format!("{ws}/app/{}?protocol=7", self.key)
    }

    async fn trigger(&self, p: &Published) -> Result<(), String> {
        let body = serde_json::json!({"name": p.event, "channels": [p.channel], "data": p.data})
            .to_string();
        let path = format!("/apps/{}/events", self.app_id);
        let body_md5 = hex::encode(Md5::digest(body.as_bytes()));
        let timestamp = chrono::Utc::now().timestamp();
        let query = format!(
            "auth_key={}&auth_timestamp={timestamp}&auth_version=1.0&body_md5={body_md5}",
            self.key
        );
        let to_sign = format!("POST\n{path}\n{query}");
        let signature = sign(&self.secret, &to_sign);
        let url = format!("{}{path}?{query}&auth_signature={signature}", self.base);
        let resp = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("external pusher answered {}", resp.status()))
        }
    }
}

impl Publisher {
    pub fn publish(&self, channel: &str, event: &str, data: &impl serde::Serialize) {
        let data = serde_json::to_string(data).unwrap_or_else(|_| "{}".into());
        let p = Published {
            channel: channel.to_string(),
            event: event.to_string(),
            data,
        };
        match self {
            Publisher::Local(tx) => {
                // No subscribers is fine: nobody is listening.
                let _ = tx.send(Arc::new(p));
            }
            Publisher::External(ext) => {
                let ext = ext.clone();
                tokio::spawn(async move {
                    if let Err(e) = ext.trigger(&p).await {
                        tracing::warn!("publishing {} on {}: {e}", p.event, p.channel);
                    }
                });
            }
        }
    }
}

pub fn sign(secret: &str, text: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(text.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `auth` value for a private channel: `KEY:HEX(HMAC-SHA256(secret, socket_id:channel))`.
pub fn channel_auth(key: &str, secret: &str, socket_id: &str, channel: &str) -> String {
    format!("{key}:{}", sign(secret, &format!("{socket_id}:{channel}")))
}

#[derive(Clone)]
pub struct SocketSettings {
    pub key: String,
    pub secret: String,
    pub activity_timeout: Duration,
    pub pong_wait: Duration,
    /// Fault: drop every socket after this long.
    pub drop_every: Option<Duration>,
}

fn frame(event: &str, channel: Option<&str>, data: serde_json::Value) -> WsMessage {
    let mut v = serde_json::json!({"event": event, "data": data});
    if let Some(c) = channel {
        v["channel"] = c.into();
    }
    WsMessage::Text(v.to_string().into())
}

fn error_frame(code: u16, message: &str) -> WsMessage {
    frame(
        "pusher:error",
        None,
        serde_json::json!({"code": code, "message": message}),
    )
}

/// Serves one WebSocket client until it leaves.
pub async fn serve_socket(
    mut socket: WebSocket,
    settings: SocketSettings,
    mut events: broadcast::Receiver<Arc<Published>>,
) {
    let socket_id = {
        let mut rng = rand::rng();
        format!(
            "{}.{}",
            rng.random_range(1_000_000..999_999_999u32),
            rng.random_range(1_000_000..999_999_999u32)
        )
    };
    let established = serde_json::json!({
        "socket_id": socket_id,
        "activity_timeout": settings.activity_timeout.as_secs().max(1),
    })
    .to_string();
    if socket
        .send(frame(
            "pusher:connection_established",
            None,
            established.into(),
        ))
        .await
        .is_err()
    {
        return;
    }
    let mut channels: HashSet<String> = HashSet::new();
    let mut last_heard = tokio::time::Instant::now();
    let mut ping_sent: Option<tokio::time::Instant> = None;
    let drop_at = settings.drop_every.map(|d| tokio::time::Instant::now() + d);
    loop {
        let idle_deadline = match ping_sent {
            Some(at) => at + settings.pong_wait,
            None => last_heard + settings.activity_timeout,
        };
        let drop_deadline = drop_at.unwrap_or_else(|| idle_deadline + Duration::from_secs(3600));
        tokio::select! {
            incoming = socket.recv() => {
                let Some(Ok(msg)) = incoming else { return };
                last_heard = tokio::time::Instant::now();
                ping_sent = None;
                let text = match msg {
                    WsMessage::Text(t) => t.to_string(),
                    WsMessage::Close(_) => return,
                    _ => continue,
                };
                let reply = handle_client_frame(&text, &settings, &socket_id, &mut channels);
                for r in reply {
                    if socket.send(r).await.is_err() {
                        return;
                    }
                }
            }
            ev = events.recv() => {
                match ev {
                    Ok(p) => {
                        if channels.contains(&p.channel) {
                            let f = frame(&p.event, Some(&p.channel), p.data.clone().into());
                            if socket.send(f).await.is_err() {
                                return;
                            }
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        // A client this far behind cannot be caught up; make it reconnect and resync.
                        tracing::warn!("socket {socket_id} lagged {n} events; closing");
                        let _ = socket.send(WsMessage::Close(Some(CloseFrame { code: 4200, reason: "lagged, reconnect".into() }))).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
            _ = tokio::time::sleep_until(idle_deadline) => {
                if ping_sent.is_some() {
                    let _ = socket.send(error_frame(4201, "Pong reply not received in time")).await;
                    let _ = socket.send(WsMessage::Close(Some(CloseFrame { code: 4201, reason: "Pong reply not received in time".into() }))).await;
                    return;
                }
                if socket.send(WsMessage::Text(r#"{"event":"pusher:ping","data":{}}"#.into())).await.is_err() {
                    return;
                }
                ping_sent = Some(tokio::time::Instant::now());
            }
            _ = tokio::time::sleep_until(drop_deadline) => {
                // Fault injection: vanish without a close frame, like a dropped network.
                tracing::info!("fault: dropping socket {socket_id}");
                return;
            }
        }
    }
}

fn handle_client_frame(
    text: &str,
    settings: &SocketSettings,
    socket_id: &str,
    channels: &mut HashSet<String>,
) -> Vec<WsMessage> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return vec![error_frame(4200, "Malformed frame")];
    };
    let event = v.get("event").and_then(|e| e.as_str()).unwrap_or("");
    // Clients send data as an object; some send it JSON-encoded.
    let data = match v.get("data") {
        Some(serde_json::Value::String(s)) => serde_json::from_str(s).unwrap_or_default(),
        Some(d) => d.clone(),
        None => serde_json::Value::Null,
    };
    match event {
        "pusher:ping" => vec![WsMessage::Text(
            r#"{"event":"pusher:pong","data":{}}"#.into(),
        )],
        "pusher:pong" => vec![],
        "pusher:subscribe" => {
            let Some(channel) = data.get("channel").and_then(|c| c.as_str()) else {
                return vec![error_frame(4200, "Missing channel")];
            };
            if channel.starts_with("private-") || channel.starts_with("presence-") {
                let auth = data.get("auth").and_then(|a| a.as_str()).unwrap_or("");
                let expected = channel_auth(&settings.key, &settings.secret, socket_id, channel);
                if auth != expected {
                    return vec![error_frame(
                        4009,
                        "Authentication error: Channel requires authentication",
                    )];
                }
            }
            channels.insert(channel.to_string());
            vec![frame(
                "pusher_internal:subscription_succeeded",
                Some(channel),
                "{}".into(),
            )]
        }
        "pusher:unsubscribe" => {
            if let Some(channel) = data.get("channel").and_then(|c| c.as_str()) {
                channels.remove(channel);
            }
            vec![]
        }
        e if e.starts_with("client-") => vec![error_frame(
            4301,
            "Client events are not enabled on the demo server",
        )],
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_matches_the_contract_sample_shape() {
        let auth = channel_auth("test-key", "secret", "1234.5678", "private-orders");
        let (key, sig) = auth.split_once(':').unwrap();
        assert_eq!(key, "test-key");
        assert_eq!(sig.len(), 64);
        assert_ne!(
            auth,
            channel_auth("test-key", "secret", "1234.5679", "private-orders")
        );
    }

    #[test]
    fn external_url_parses() {
        let e = ExternalPusher::parse(
            "http://frontdesk-key:frontdesk-secret@127.0.0.1:6001/apps/123456",
        )
        .unwrap();
        assert_eq!(e.app_id, "123456");
        assert_eq!(e.key, "frontdesk-key");
        assert_eq!(e.base, "http://127.0.0.1:6001");
        assert_eq!(
            e.ws_url(),
            "ws://127.0.0.1:6001/app/frontdesk-key?protocol=7"
        );
        assert!(ExternalPusher::parse("nonsense").is_err());
    }
}
