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

use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message as WsMessage;

mod protocol;

pub use protocol::*;

use crate::api::{ErrorKind, StaffApi};
use crate::model::{ConversationId, StaffId};

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

/// Where the link reports to; false from it means nobody listens any more.
#[derive(Clone)]
struct Reporter {
    report: std::sync::Arc<dyn Fn(LiveEvent) -> bool + Send + Sync>,
    closed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Reporter {
    fn send(&self, e: LiveEvent) -> bool {
        let open = (self.report)(e);
        if !open {
            self.closed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        open
    }
    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What the app tells the realtime link to follow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watch {
    pub conversations: Vec<ConversationId>,
    pub bookings: Vec<String>,
}

/// The app's side of the link: what to follow.
#[derive(Debug, Clone)]
pub struct Control {
    tx: mpsc::UnboundedSender<Watch>,
}

impl Control {
    pub fn watch(&self, conversations: Vec<ConversationId>, bookings: Vec<String>) {
        // The link has stopped for good: nothing left to tell.
        let _ = self.tx.send(Watch {
            conversations,
            bookings,
        });
    }

    /// Follows staff-to-staff conversations. Their channel is named as a guest
    /// conversation's with the same number (`{slug}-conversation-{id}-chat`, staff-chat
    /// quirk 15), so it is the same subscription; events are told apart by their category.
    pub fn watch_team(&self, threads: Vec<crate::api::staff_models::TeamThreadId>) {
        self.watch(
            threads.into_iter().map(|t| ConversationId(t.0)).collect(),
            vec![],
        );
    }
}

pub struct LiveHandle {
    pub join: tokio::task::JoinHandle<()>,
    pub control: Control,
}

pub fn spawn(
    config: LiveConfig,
    api: StaffApi,
    staff_id: StaffId,
    report: impl Fn(LiveEvent) -> bool + Send + Sync + 'static,
) -> LiveHandle {
    let (control_tx, control_rx) = mpsc::unbounded_channel();
    let tx = Reporter {
        report: std::sync::Arc::new(report),
        closed: Default::default(),
    };
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
    conversations: BTreeSet<ConversationId>,
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
    staff_id: StaffId,
    tx: Reporter,
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
        tx.send(LiveEvent::Link(LinkState::Connecting));
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
        // The server refused or dropped the connection attempt itself: while waiting, a
        // cheap look at its port can end the wait as soon as it accepts again.
        let unreachable = matches!(&ended, Ended::Backoff(r) if r.starts_with("connect"));
        let wait = match ended {
            Ended::Stop(reason) => {
                tracing::warn!("realtime stopped: {reason}");
                tx.send(LiveEvent::Link(LinkState::Stopped(reason)));
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
            tx.send(LiveEvent::Link(LinkState::Reconnecting { at, attempt }));
            if unreachable {
                wait_or_back(&config.url, wait).await;
            } else {
                tokio::time::sleep(wait).await;
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

/// How often the port of a server that refused connections is looked at while waiting.
const PORT_LOOK_EVERY: Duration = Duration::from_secs(2);

/// Waits `wait`, or less: until the socket server's port accepts a TCP connection again
/// (looked at every 2 s, each look a connect and nothing sent), so a server that comes back
/// is followed within seconds, not at the end of a long backoff.
async fn wait_or_back(url: &str, wait: Duration) {
    let Some(addr) = reqwest::Url::parse(url).ok().and_then(|u| {
        let port = u.port_or_known_default().or(match u.scheme() {
            "ws" => Some(80),
            "wss" => Some(443),
            _ => None,
        })?;
        Some(format!("{}:{port}", u.host_str()?))
    }) else {
        tokio::time::sleep(wait).await;
        return;
    };
    let until = tokio::time::Instant::now() + wait;
    loop {
        let next = (tokio::time::Instant::now() + PORT_LOOK_EVERY).min(until);
        tokio::time::sleep_until(next).await;
        if next >= until {
            return;
        }
        let look = tokio::time::timeout(
            Duration::from_secs(1),
            tokio::net::TcpStream::connect(addr.as_str()),
        )
        .await;
        if matches!(look, Ok(Ok(_))) {
            tracing::info!("realtime: {addr} accepts again; reconnecting now");
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

/// The socket, as tokio-tungstenite opens it.
type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a WebSocket with the hotel's trust settings (`crate::trust`), as HTTPS does; a
/// certificate problem comes back in words.
pub async fn open_socket(url: &str) -> Result<Socket, String> {
    let tls = crate::trust::client_config()
        .ok()
        .map(tokio_tungstenite::Connector::Rustls);
    tokio_tungstenite::connect_async_tls_with_config(url, None, false, tls)
        .await
        .map(|(ws, _)| ws)
        .map_err(|e| crate::trust::certificate_problem(&e).unwrap_or_else(|| e.to_string()))
}

struct Link<'a> {
    config: &'a LiveConfig,
    api: &'a StaffApi,
    tx: &'a Reporter,
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
            LinkState::Live
        } else {
            LinkState::Partial
        };
        self.tx.send(LiveEvent::Link(state));
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

    /// Opens the socket and reads `connection_established`: the socket id and the activity
    /// timeout to keep.
    async fn connect(&self) -> Result<(Socket, String, Duration), Ended> {
        let config = self.config;
        let connect = tokio::time::timeout(Duration::from_secs(10), open_socket(&config.url)).await;
        let mut ws = match connect {
            Ok(Ok(ws)) => ws,
            Ok(Err(why)) => return Err(Ended::Backoff(format!("connect: {why}"))),
            Err(_) => return Err(Ended::Backoff("connect timed out".into())),
        };
        // The first frame must be connection_established.
        let first = tokio::time::timeout(Duration::from_secs(10), ws.next()).await;
        let (socket_id, server_timeout) = match first {
            Ok(Some(Ok(WsMessage::Text(t)))) => match decode_frame(&t) {
                Some(f) if f.name() == EventName::Established => match f.established() {
                    Some(e) => (e.socket_id, e.activity_timeout),
                    None => {
                        return Err(Ended::Backoff("connection_established without data".into()));
                    }
                },
                Some(f) if f.name() == EventName::Error => {
                    let e = f.error();
                    let code = e.code.unwrap_or(0);
                    let msg = e.message.unwrap_or_default();
                    return Err(match close_action(code) {
                        CloseAction::Stop => Ended::Stop(format!("{msg} ({code})")),
                        CloseAction::Immediately => Ended::Immediately,
                        CloseAction::Backoff => Ended::Backoff(msg),
                    });
                }
                _ => return Err(Ended::Backoff("unexpected first frame".into())),
            },
            _ => return Err(Ended::Backoff("no connection_established".into())),
        };
        let activity = server_timeout
            .map(Duration::from_secs)
            .unwrap_or(config.activity_timeout)
            .min(config.activity_timeout)
            .max(Duration::from_secs(1));
        Ok((ws, socket_id, activity))
    }

    async fn session(
        &self,
        staff_id: StaffId,
        following: &mut Following,
        control: &mut mpsc::UnboundedReceiver<Watch>,
        resync: bool,
    ) -> Ended {
        let config = self.config;
        let tx = self.tx;
        let (mut ws, socket_id, activity) = match self.connect().await {
            Ok(c) => c,
            Err(ended) => return ended,
        };
        let mine = format!("{}.staff-{staff_id}-notifications", config.hotel);
        // Staff chat's counters come on a channel named with a hyphen, not guest chat's dot.
        let team = format!("{}-staff-{staff_id}-notifications", config.hotel);
        for channel in [mine, team] {
            if ws.send(subscribe_frame(&channel, None)).await.is_err() {
                return Ended::Backoff("send failed".into());
            }
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
            tx.send(LiveEvent::Resync);
        }

        self.serve(&mut ws, activity, following, &mut subscribed, control)
            .await
    }

    /// Reads frames until the socket ends: pings answered, errors weighed, events reported,
    /// new things to follow subscribed, a silent server pinged and then left.
    async fn serve(
        &self,
        ws: &mut Socket,
        activity: Duration,
        following: &mut Following,
        subscribed: &mut Subscribed,
        control: &mut mpsc::UnboundedReceiver<Watch>,
    ) -> Ended {
        let config = self.config;
        let tx = self.tx;
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
                    if !self.follow(ws, &new, following, subscribed).await {
                        return Ended::Backoff("send failed".into());
                    }
                    if !new.bookings.is_empty() {
                        self.report(following, subscribed);
                    }
                }
                msg = ws.next() => {
                    last_frame = Instant::now();
                    ping_sent = None;
                    let text = match text_of(msg) {
                        Ok(Some(text)) => text,
                        Ok(None) => continue,
                        Err(ended) => return ended,
                    };
                    let Some(frame) = decode_frame(&text) else {
                        tracing::warn!("realtime: undecodable frame ignored");
                        continue;
                    };
                    if let Some(ended) = self.on_frame(ws, &frame, tx).await {
                        return ended;
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

    /// One frame: a ping answered, an error weighed, events reported. Some: the link ends.
    async fn on_frame(&self, ws: &mut Socket, frame: &Frame, tx: &Reporter) -> Option<Ended> {
        match frame.name() {
            EventName::Ping => {
                let pong = WsMessage::Text(r#"{"event":"pusher:pong","data":{}}"#.into());
                if ws.send(pong).await.is_err() {
                    return Some(Ended::Backoff("send failed".into()));
                }
            }
            EventName::Error => {
                let e = frame.error();
                let code = e.code.unwrap_or(0);
                let msg = e.message.unwrap_or_default();
                tracing::warn!("realtime error {code}: {msg}");
                if (4000..4100).contains(&code) {
                    return Some(Ended::Stop(format!("{msg} ({code})")));
                }
            }
            _ => {
                for e in events_for(frame) {
                    if !tx.send(e) {
                        return Some(Ended::Stop("the inbox closed".into()));
                    }
                }
            }
        }
        None
    }
}

/// A socket message's text; Ok(None) for frames that carry none, Err when the socket ended.
fn text_of(
    msg: Option<Result<WsMessage, tokio_tungstenite::tungstenite::Error>>,
) -> Result<Option<String>, Ended> {
    match msg {
        Some(Ok(WsMessage::Text(t))) => Ok(Some(t.to_string())),
        Some(Ok(WsMessage::Close(frame))) => {
            let (code, reason) = frame
                .map(|f| (u16::from(f.code), f.reason.to_string()))
                .unwrap_or((1005, String::new()));
            Err(match close_action(code) {
                CloseAction::Stop => Ended::Stop(format!("server closed: {reason} ({code})")),
                CloseAction::Immediately => Ended::Immediately,
                CloseAction::Backoff => Ended::Backoff(format!("closed {code} {reason}")),
            })
        }
        Some(Ok(_)) => Ok(None),
        Some(Err(e)) => Err(Ended::Backoff(format!("socket: {e}"))),
        None => Err(Ended::Backoff("socket ended".into())),
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
        assert_eq!(c.data, serde_json::Value::Null);
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
