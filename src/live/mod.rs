//! The realtime feed: a Pusher Channels (protocol 7) client over tokio-tungstenite. It keeps
//! one socket up (heartbeat, reconnect with capped jittered backoff, close codes as the contract
//! says), follows what the app tells it to through [`Control`] (conversations from the list,
//! current stays from pages and events), restores every subscription after a reconnect, asks
//! the app to resync, and turns events into app [`Event`]s. Duplicates are left to the app,
//! which merges by message id.
//!
//! The connection is "live" only when private channels can be signed and every stay it was
//! told of is subscribed: staff replies are published only there (contract 4.12). Until then
//! it is "live (partial)", and the app polls.

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::api::{ErrorKind, Message, SenderType, StaffApi};
use crate::app::{Connection, Event};

#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// `ws(s)://host/app/KEY?protocol=7...`
    pub url: String,
    pub hotel: String,
    /// The client's own activity timeout; the smaller of this and the server's is used.
    pub activity_timeout: Duration,
    pub pong_wait: Duration,
    pub backoff_cap: Duration,
}

impl LiveConfig {
    pub fn new(url: &str, hotel: &str) -> Self {
        Self {
            url: url.to_string(),
            hotel: hotel.to_string(),
            activity_timeout: Duration::from_secs(120),
            pong_wait: Duration::from_secs(30),
            backoff_cap: Duration::from_secs(30),
        }
    }

    /// Hosted Pusher's URL for a key and cluster.
    pub fn hosted_url(key: &str, cluster: &str) -> String {
        format!(
            "wss://ws-{cluster}.pusher.com/app/{key}?protocol=7&client=frontdesk&version={}",
            env!("CARGO_PKG_VERSION")
        )
    }
}

/// One decoded Pusher frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub event: String,
    pub channel: Option<String>,
    /// `data` decoded: a JSON string is parsed again; an object stays; absent is Null.
    pub data: Value,
}

/// Decodes a frame; never panics on hostile input.
pub fn decode_frame(text: &str) -> Option<Frame> {
    let v: Value = crate::api::json::from_slice(text.as_bytes()).ok()?;
    let event = v.get("event")?.as_str()?.to_string();
    let channel = v
        .get("channel")
        .and_then(|c| c.as_str())
        .map(str::to_string);
    let data = match v.get("data") {
        Some(Value::String(s)) => {
            crate::api::json::from_slice(s.as_bytes()).unwrap_or(Value::String(s.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    };
    Some(Frame {
        event,
        channel,
        data,
    })
}

/// What a close code asks of the client (contract section 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseAction {
    Stop,
    Backoff,
    Immediately,
}

pub fn close_action(code: u16) -> CloseAction {
    match code {
        4000..=4099 => CloseAction::Stop,
        4100..=4199 => CloseAction::Backoff,
        4200..=4299 => CloseAction::Immediately,
        _ => CloseAction::Backoff,
    }
}

/// Exponential backoff with ±25% jitter, capped.
pub fn backoff(attempt: u32, cap: Duration) -> Duration {
    let base = Duration::from_secs(1).saturating_mul(1u32 << attempt.min(16));
    let base = base.min(cap);
    let jitter = rand::random_range(0.75..1.25);
    // The protocol asks for at least a second between reconnects.
    base.mul_f64(jitter).min(cap).max(Duration::from_secs(1))
}

/// What the app should hear about a frame.
pub fn events_for(frame: &Frame) -> Vec<Event> {
    let d = &frame.data;
    let conv = |v: &Value| v.get("conversation_id").and_then(Value::as_i64);
    match frame.event.as_str() {
        "new-guest-message" => match (conv(d), d.get("message_id").and_then(Value::as_i64)) {
            (Some(conversation), Some(message_id)) => vec![Event::GuestWrote {
                conversation,
                message_id,
                booking: d
                    .get("booking_id")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                preview: d
                    .get("guest_message")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                at: d
                    .get("timestamp")
                    .and_then(Value::as_str)
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&chrono::Utc)),
            }],
            _ => vec![],
        },
        "realtime_event" | "chat.message.created" => {
            if d.get("category").and_then(Value::as_str) != Some("guest_chat") {
                return vec![];
            }
            let Some(payload) = d.get("payload") else {
                return vec![];
            };
            match message_from_payload(payload) {
                Some(m) if m.attachments.is_empty() && !has_attachments(payload) => {
                    vec![Event::LiveMessage(Box::new(m))]
                }
                // Attachments are not in the event: read the thread instead.
                Some(m) => match m.conversation_id {
                    Some(conversation) => vec![Event::GuestWrote {
                        conversation,
                        message_id: m.id,
                        preview: None,
                        at: None,
                        booking: m.booking_id.as_deref().map(str::to_string),
                    }],
                    None => vec![],
                },
                None => vec![],
            }
        }
        "messages-read-by-staff" => conv(d)
            .map(|conversation| vec![Event::LiveRead { conversation }])
            .unwrap_or_default(),
        "chat.message.read" if d.get("read_by").and_then(Value::as_str) == Some("staff") => conv(d)
            .map(|conversation| vec![Event::LiveRead { conversation }])
            .unwrap_or_default(),
        "chat.message.edited" | "chat.message.deleted" => {
            let payload = d.get("payload").unwrap_or(d);
            match conv(payload) {
                Some(conversation) => vec![Event::Changed { conversation }],
                None => vec![],
            }
        }
        _ => vec![],
    }
}

fn has_attachments(payload: &Value) -> bool {
    payload
        .get("has_attachments")
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

/// Builds a Message from an event payload (it names the author `sender_id`).
pub fn message_from_payload(payload: &Value) -> Option<Message> {
    let mut m: Message = serde_json::from_value(payload.clone()).ok()?;
    if m.sender_type == SenderType::Staff && m.staff.is_none() {
        m.staff = payload.get("sender_id").and_then(Value::as_i64);
    }
    m.conversation_id?;
    Some(m)
}

/// What the app tells the realtime link to follow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    pub conversations: Vec<i64>,
    pub bookings: Vec<String>,
}

/// The app's side of the link: what to follow.
#[derive(Debug, Clone)]
pub struct Control {
    tx: mpsc::UnboundedSender<Watch>,
}

impl Control {
    pub fn watch(&self, conversations: Vec<i64>, bookings: Vec<String>) {
        // The link has stopped for good: nothing left to tell.
        let _ = self.tx.send(Watch {
            conversations,
            bookings,
        });
    }
}

pub struct LiveHandle {
    pub join: tokio::task::JoinHandle<()>,
    pub control: Control,
}

pub fn spawn(
    config: LiveConfig,
    api: StaffApi,
    staff_id: i64,
    tx: mpsc::UnboundedSender<Event>,
) -> LiveHandle {
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let join = tokio::spawn(async move { run(config, api, staff_id, tx, control_rx).await });
    LiveHandle {
        join,
        control: Control { tx: control_tx },
    }
}

/// Whether the server signs private channels for us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signing {
    Unknown,
    Works,
    /// 401/403 from the signer: no more signing until the next start (contract 4.12).
    Refused,
}

/// What the link follows, kept across reconnects.
struct Following {
    conversations: BTreeSet<i64>,
    bookings: BTreeSet<String>,
    signing: Signing,
}

impl Following {
    fn take(&mut self, w: Watch) -> Watch {
        Watch {
            conversations: w
                .conversations
                .into_iter()
                .filter(|c| self.conversations.insert(*c))
                .collect(),
            bookings: w
                .bookings
                .into_iter()
                .filter(|b| self.bookings.insert(b.clone()))
                .collect(),
        }
    }
}

enum Ended {
    Stop(String),
    Backoff(String),
    Immediately,
}

async fn run(
    config: LiveConfig,
    api: StaffApi,
    staff_id: i64,
    tx: mpsc::UnboundedSender<Event>,
    mut control: mpsc::UnboundedReceiver<Watch>,
) {
    let mut attempt: u32 = 0;
    let mut following = Following {
        conversations: BTreeSet::new(),
        bookings: BTreeSet::new(),
        signing: Signing::Unknown,
    };
    let mut first = true;
    loop {
        let _ = tx.send(Event::Connection(Connection::Connecting));
        let started = Instant::now();
        // Nothing can have been missed before the first connection: the app is loading anyway.
        let link = Link {
            config: &config,
            api: &api,
            tx: &tx,
        };
        let ended = link
            .session(staff_id, &mut following, &mut control, !first)
            .await;
        first = false;
        if started.elapsed() > Duration::from_secs(60) {
            // A healthy stretch: start the backoff over.
            attempt = 0;
        }
        let wait = match ended {
            Ended::Stop(reason) => {
                tracing::warn!("realtime stopped: {reason}");
                let _ = tx.send(Event::Connection(Connection::Stopped(reason)));
                return;
            }
            // At once the first time; a server that keeps asking gets the backoff.
            Ended::Immediately if attempt == 0 => {
                attempt = 1;
                tracing::info!("realtime: reconnecting at once, as the server asked");
                Duration::from_millis(0)
            }
            Ended::Immediately => {
                let d = backoff(attempt, config.backoff_cap);
                attempt = attempt.saturating_add(1);
                tracing::info!("realtime: reconnect {attempt} asked again; waiting {d:?}");
                d
            }
            Ended::Backoff(reason) => {
                let d = backoff(attempt, config.backoff_cap);
                attempt = attempt.saturating_add(1);
                tracing::info!("realtime lost ({reason}); reconnecting in {d:?}");
                d
            }
        };
        if !wait.is_zero() {
            let at = chrono::Utc::now()
                + chrono::Duration::from_std(wait).unwrap_or_else(|_| chrono::Duration::seconds(1));
            let _ = tx.send(Event::Connection(Connection::Reconnecting { at, attempt }));
            tokio::time::sleep(wait).await;
        }
        if tx.is_closed() {
            return;
        }
    }
}

fn subscribe_frame(channel: &str, auth: Option<&str>) -> WsMessage {
    let mut data = serde_json::json!({ "channel": channel });
    if let Some(a) = auth {
        data["auth"] = a.into();
    }
    WsMessage::Text(
        serde_json::json!({"event": "pusher:subscribe", "data": data})
            .to_string()
            .into(),
    )
}

struct Link<'a> {
    config: &'a LiveConfig,
    api: &'a StaffApi,
    tx: &'a mpsc::UnboundedSender<Event>,
}

/// The subscriptions of one socket.
struct Subscribed {
    socket_id: String,
    bookings: HashSet<String>,
}

impl Link<'_> {
    /// Live when signing works and every stay followed is subscribed; partial otherwise.
    fn report(&self, following: &Following, subscribed: &Subscribed) {
        let all = following
            .bookings
            .iter()
            .all(|b| subscribed.bookings.contains(b));
        let state = if following.signing == Signing::Works && all {
            Connection::Live
        } else {
            Connection::LivePartial
        };
        let _ = self.tx.send(Event::Connection(state));
    }

    /// Subscribes what `w` names on this socket. False when the socket failed.
    async fn follow<S>(
        &self,
        ws: &mut S,
        w: &Watch,
        following: &mut Following,
        subscribed: &mut Subscribed,
    ) -> bool
    where
        S: futures_util::Sink<WsMessage> + Unpin,
    {
        for c in &w.conversations {
            let channel = format!("{}-conversation-{c}-chat", self.config.hotel);
            if ws.send(subscribe_frame(&channel, None)).await.is_err() {
                return false;
            }
        }
        for b in &w.bookings {
            if following.signing == Signing::Refused {
                break;
            }
            let channel = format!("private-hotel-{}-guest-chat-booking-{b}", self.config.hotel);
            match self.api.pusher_auth(&subscribed.socket_id, &channel).await {
                Ok(auth) => {
                    if ws
                        .send(subscribe_frame(&channel, Some(&auth.auth)))
                        .await
                        .is_err()
                    {
                        return false;
                    }
                    following.signing = Signing::Works;
                    subscribed.bookings.insert(b.clone());
                }
                Err(e)
                    if matches!(e.kind, ErrorKind::Unauthorised(_) | ErrorKind::Forbidden(_)) =>
                {
                    tracing::warn!(
                        "the server refuses to sign private channels ({e}): colleagues' replies will be read by polling"
                    );
                    following.signing = Signing::Refused;
                }
                Err(e) => tracing::info!("private channel {channel} not signed: {e}"),
            }
        }
        true
    }

    async fn session(
        &self,
        staff_id: i64,
        following: &mut Following,
        control: &mut mpsc::UnboundedReceiver<Watch>,
        resync: bool,
    ) -> Ended {
        let config = self.config;
        let tx = self.tx;
        let connect = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(config.url.as_str()),
        )
        .await;
        let mut ws = match connect {
            Ok(Ok((ws, _))) => ws,
            Ok(Err(e)) => return Ended::Backoff(format!("connect: {e}")),
            Err(_) => return Ended::Backoff("connect timed out".into()),
        };
        // The first frame must be connection_established.
        let first = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
        let (socket_id, server_timeout) = match first {
            Ok(Some(Ok(WsMessage::Text(t)))) => match decode_frame(&t) {
                Some(f) if f.event == "pusher:connection_established" => (
                    f.data
                        .get("socket_id")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    f.data.get("activity_timeout").and_then(Value::as_u64),
                ),
                Some(f) if f.event == "pusher:error" => {
                    let code = f.data.get("code").and_then(Value::as_u64).unwrap_or(0) as u16;
                    let msg = f
                        .data
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    return match close_action(code) {
                        CloseAction::Stop => Ended::Stop(format!("{msg} ({code})")),
                        CloseAction::Immediately => Ended::Immediately,
                        CloseAction::Backoff => Ended::Backoff(msg),
                    };
                }
                _ => return Ended::Backoff("unexpected first frame".into()),
            },
            _ => return Ended::Backoff("no connection_established".into()),
        };
        let activity = server_timeout
            .map(Duration::from_secs)
            .unwrap_or(config.activity_timeout)
            .min(config.activity_timeout)
            .max(Duration::from_secs(1));

        let mine = format!("{}.staff-{staff_id}-notifications", config.hotel);
        if ws.send(subscribe_frame(&mine, None)).await.is_err() {
            return Ended::Backoff("send failed".into());
        }
        let mut subscribed = Subscribed {
            socket_id,
            bookings: HashSet::new(),
        };
        // Everything followed so far, then whatever the app has asked for meanwhile.
        let mut all = Watch {
            conversations: following.conversations.iter().copied().collect(),
            bookings: following.bookings.iter().cloned().collect(),
        };
        while let Ok(w) = control.try_recv() {
            let new = following.take(w);
            all.conversations.extend(new.conversations);
            all.bookings.extend(new.bookings);
        }
        if !self.follow(&mut ws, &all, following, &mut subscribed).await {
            return Ended::Backoff("send failed".into());
        }
        self.report(following, &subscribed);
        if resync {
            // Whatever happened while we were away: re-read the list and the open thread.
            let _ = tx.send(Event::Resync);
        }

        let mut last_frame = Instant::now();
        let mut ping_sent: Option<Instant> = None;
        loop {
            let deadline = match ping_sent {
                Some(at) => at + config.pong_wait,
                None => last_frame + activity,
            };
            tokio::select! {
                w = control.recv() => {
                    let Some(w) = w else {
                        return Ended::Stop("the inbox closed".into());
                    };
                    let new = following.take(w);
                    if !self.follow(&mut ws, &new, following, &mut subscribed).await {
                        return Ended::Backoff("send failed".into());
                    }
                    if !new.bookings.is_empty() {
                        self.report(following, &subscribed);
                    }
                }
                msg = ws.next() => {
                    last_frame = Instant::now();
                    ping_sent = None;
                    let text = match msg {
                        Some(Ok(WsMessage::Text(t))) => t.to_string(),
                        Some(Ok(WsMessage::Close(frame))) => {
                            let (code, reason) = frame.map(|f| (u16::from(f.code), f.reason.to_string())).unwrap_or((1005, String::new()));
                            return match close_action(code) {
                                CloseAction::Stop => Ended::Stop(format!("server closed: {reason} ({code})")),
                                CloseAction::Immediately => Ended::Immediately,
                                CloseAction::Backoff => Ended::Backoff(format!("closed {code} {reason}")),
                            };
                        }
                        Some(Ok(_)) => continue,
                        Some(Err(e)) => return Ended::Backoff(format!("socket: {e}")),
                        None => return Ended::Backoff("socket ended".into()),
                    };
                    let Some(frame) = decode_frame(&text) else {
                        tracing::warn!("realtime: undecodable frame ignored");
                        continue;
                    };
                    match frame.event.as_str() {
                        "pusher:ping" => {
                            let pong = WsMessage::Text(r#"{"event":"pusher:pong","data":{}}"#.into());
                            if ws.send(pong).await.is_err() {
                                return Ended::Backoff("send failed".into());
                            }
                        }
                        "pusher:error" => {
                            let code = frame.data.get("code").and_then(Value::as_u64).unwrap_or(0) as u16;
                            let msg = frame.data.get("message").and_then(Value::as_str).unwrap_or("").to_string();
                            tracing::warn!("realtime error {code}: {msg}");
                            if (4000..4100).contains(&code) {
                                return Ended::Stop(format!("{msg} ({code})"));
                            }
                        }
                        _ => {
                            for e in events_for(&frame) {
                                if tx.send(e).is_err() {
                                    return Ended::Stop("the inbox closed".into());
                                }
                            }
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    if ping_sent.is_some() {
                        return Ended::Backoff("no answer to ping".into());
                    }
                    let ping = WsMessage::Text(r#"{"event":"pusher:ping","data":{}}"#.into());
                    if ws.send(ping).await.is_err() {
                        return Ended::Backoff("send failed".into());
                    }
                    ping_sent = Some(Instant::now());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_as_string_object_or_absent() {
        let a = decode_frame(r#"{"event":"e","channel":"c","data":"{\"n\":1}"}"#).unwrap();
        assert_eq!(a.data["n"], 1);
        let b = decode_frame(r#"{"event":"e","data":{"n":2}}"#).unwrap();
        assert_eq!(b.data["n"], 2);
        let c = decode_frame(r#"{"event":"pusher:pong"}"#).unwrap();
        assert_eq!(c.data, Value::Null);
        assert!(decode_frame("not json").is_none());
        assert!(decode_frame(r#"{"data":{}}"#).is_none());
    }

    #[test]
    fn close_codes() {
        assert_eq!(close_action(4001), CloseAction::Stop);
        assert_eq!(close_action(4100), CloseAction::Backoff);
        assert_eq!(close_action(4201), CloseAction::Immediately);
        assert_eq!(close_action(1006), CloseAction::Backoff);
    }

    #[test]
    fn backoff_grows_and_caps() {
        let cap = Duration::from_secs(30);
        assert!(backoff(0, cap) <= Duration::from_millis(1250));
        // Never under the protocol's floor of one second.
        assert!((0..50).all(|_| backoff(0, cap) >= Duration::from_secs(1)));
        assert!(backoff(10, cap) <= cap);
        assert!(backoff(3, cap) >= Duration::from_secs(6));
    }

    #[test]
    fn staff_chat_events_are_ignored() {
        let f = Frame {
            event: "realtime_event".into(),
            channel: None,
            data: serde_json::json!({"category": "staff_chat", "payload": {"id": 1}}),
        };
        assert!(events_for(&f).is_empty());
    }
}
