//! Every 2xx body captured from the running backend decodes into the client's models.

use std::path::Path;

use frontdesk::api::*;
use frontdesk::model::{ConversationId, MessageId};
use serde_json::Value;

fn samples() -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rest");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let v: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            (name, v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Decodes a 2xx staff-chat body by its endpoint. Returns false for calls the client does not make.
fn decode(method: &str, path: &str, body: &Value) -> Result<bool, String> {
    let b = body.clone();
    let err = |e: serde_json::Error| e.to_string();
    let p = path.split('?').next().unwrap_or(path);
    match (method, p) {
        ("POST", "/api/staff/login/") => serde_json::from_value::<Login>(b)
            .map(|_| ())
            .map_err(err)?,
        ("GET", p) if p.ends_with("/chat/conversations/") => {
            let list: Vec<Conversation> = serde_json::from_value(b).map_err(err)?;
            assert!(!list.is_empty());
        }
        ("GET", p) if p.ends_with("/unread-count/") => serde_json::from_value::<UnreadCounts>(b)
            .map(|_| ())
            .map_err(err)?,
        ("GET", p) if p.ends_with("/messages/") => serde_json::from_value::<Vec<Message>>(b)
            .map(|_| ())
            .map_err(err)?,
        ("POST", p) if p.ends_with("/messages/send/") => serde_json::from_value::<SendResult>(b)
            .map(|_| ())
            .map_err(err)?,
        ("POST", p) if p.ends_with("/mark-read/") => serde_json::from_value::<MarkReadResult>(b)
            .map(|_| ())
            .map_err(err)?,
        ("POST", p) if p.ends_with("/assign-staff/") => serde_json::from_value::<ClaimResult>(b)
            .map(|_| ())
            .map_err(err)?,
        ("POST", p) if p.contains("/from-room/") => serde_json::from_value::<FromRoomResult>(b)
            .map(|_| ())
            .map_err(err)?,
        ("POST", p) if p.ends_with("/upload-attachment/") => {
            serde_json::from_value::<UploadResult>(b)
                .map(|_| ())
                .map_err(err)?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

#[test]
fn every_2xx_staff_sample_decodes() {
    let mut decoded = 0;
    for (name, v) in samples() {
        let status = v["response"]["status"].as_u64().unwrap();
        if !(200..300).contains(&status) {
            continue;
        }
        let method = v["request"]["method"].as_str().unwrap();
        let path = v["request"]["path"].as_str().unwrap();
        if path.starts_with("/api/guest/") || path.contains("fcm-token") {
            continue;
        }
        match decode(method, path, &v["response"]["body"]) {
            Ok(true) => decoded += 1,
            Ok(false) => panic!("{name}: a 2xx staff call the test does not know: {method} {path}"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
    assert!(decoded >= 25, "only {decoded} samples decoded");
}

#[test]
fn models_keep_what_matters() {
    let (_, v) = samples()
        .into_iter()
        .find(|(n, _)| n.starts_with("78-"))
        .unwrap();
    let r: UploadResult = serde_json::from_value(v["response"]["body"].clone()).unwrap();
    assert_eq!(r.attachments[0].file_name, "folio.txt");
    assert_eq!(r.attachments[0].file_size, 27);
    assert_eq!(r.message.sender_type, SenderType::Staff);
    assert_eq!(
        r.message.booking_id, None,
        "staff messages carry no booking_id"
    );
    assert_eq!(r.message.author(), "Fiona Desk (Front Desk Agent)");

    let (_, v) = samples()
        .into_iter()
        .find(|(n, _)| n.starts_with("90-"))
        .unwrap();
    let list: Vec<Conversation> = serde_json::from_value(v["response"]["body"].clone()).unwrap();
    let no_guest = list.iter().find(|c| c.guest_name.is_none()).unwrap();
    assert_eq!(
        no_guest.display_name(),
        format!("Room {}", no_guest.room_number)
    );
    assert!(
        list.iter().all(|c| !c.has_unread),
        "the deployment always says false"
    );
    assert!(list.iter().any(|c| c.unread_count > 0));
    assert!(list.iter().all(|c| c.last_message_time.is_some()));

    let (_, v) = samples()
        .into_iter()
        .find(|(n, _)| n.starts_with("01-"))
        .unwrap();
    let login: Login = serde_json::from_value(v["response"]["body"].clone()).unwrap();
    assert!(login.can(frontdesk::model::Capability::MessageSend));
    assert!(!login.can(frontdesk::model::Capability::MessageModerate));
    assert_eq!(login.hotel_display_name(), "Hotel Killarney");
}

#[test]
fn realtime_payloads_become_messages() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realtime");
    let mut created = 0;
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        for line in std::fs::read_to_string(e.path())
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
        {
            let v: Value = serde_json::from_str(line).unwrap();
            if v["event"] == "chat.message.created" || v["event"] == "realtime_event" {
                let m = frontdesk::live::message_from_payload(&v["data"]["payload"])
                    .unwrap_or_else(|| panic!("{}: {line}", e.path().display()));
                assert!(m.id > MessageId(0));
                created += 1;
            }
        }
    }
    assert!(created >= 10);
}

/// Every event the running backend published in the captured calls goes through the same
/// decoding and mapping the live client uses, and becomes the app event it should.
#[test]
fn every_captured_event_maps_to_what_the_app_needs() {
    use frontdesk::app::Event;
    use frontdesk::live::{decode_frame, events_for};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/realtime");
    let mut mapped = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let captured: Value = serde_json::from_str(line).unwrap();
            let event = captured["event"].as_str().unwrap();
            // As it arrives on the socket: `data` JSON-encoded in a string.
            let raw = serde_json::json!({
                "event": event,
                "channel": captured["channels"][0],
                "data": captured["data"].to_string(),
            });
            let frame = decode_frame(&raw.to_string()).expect("a captured frame decodes");
            // As the app receives them.
            let events: Vec<Event> = events_for(&frame).into_iter().map(Event::from).collect();
            let data = &captured["data"];
            let conversation = data["conversation_id"]
                .as_i64()
                .or_else(|| data["payload"]["conversation_id"].as_i64())
                .map(ConversationId);
            let name = entry.file_name().to_string_lossy().to_string();
            match event {
                "new-guest-message" => assert!(
                    matches!(events.as_slice(), [Event::GuestWrote { conversation: c, booking: Some(_), .. }] if Some(*c) == conversation),
                    "{name}: {events:?}"
                ),
                "chat.message.created" | "realtime_event" => assert!(
                    matches!(events.as_slice(),
                        [Event::LiveMessage(m)] if m.conversation_id == conversation && m.id == MessageId(data["payload"]["id"].as_i64().unwrap()))
                        || matches!(events.as_slice(), [Event::GuestWrote { conversation: c, .. }] if Some(*c) == conversation),
                    "{name}: {events:?}"
                ),
                "messages-read-by-staff" => assert!(
                    matches!(events.as_slice(), [Event::LiveRead { conversation: c }] if Some(*c) == conversation),
                    "{name}: {events:?}"
                ),
                // Read by the guest: nothing for the staff side to do.
                "chat.message.read" => assert!(events.is_empty(), "{name}: {events:?}"),
                other => panic!("{name}: an event the contract does not list: {other}"),
            }
            mapped += events.len();
        }
    }
    assert!(mapped >= 30, "only {mapped} app events from the captures");
}
