//! Staff-to-staff chat (the hand-off's road to housekeeping and maintenance): the contract's
//! captured answers decode; the client against the demo, on both profiles, makes only calls
//! the samples show; the deployment's quirks are there; a colleague answers in the demo.

mod common;

use std::time::Duration;

use common::contract::{SAMPLES, endpoint, in_samples, samples, staff_calls};
use frontdesk::api::staff_models::*;
use frontdesk_demo::{Profile, RunningDemo};
use serde_json::Value;

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];
#[test]
fn every_captured_answer_the_hand_off_reads_decodes() {
    let mut decoded = 0;
    for (name, s) in samples() {
        let req = &s["request"];
        let resp = &s["response"];
        let ok = resp["status"]
            .as_u64()
            .is_some_and(|c| (200..300).contains(&c));
        if !ok || !req["path"].as_str().unwrap_or("").contains("/staff_chat/") {
            continue;
        }
        let body = resp["body"].clone();
        let (method, end) = (
            req["method"].as_str().unwrap_or(""),
            endpoint(req["path"].as_str().unwrap_or("")),
        );
        let what = match (method, end.split('?').next().unwrap_or("")) {
            ("GET", "staff-list/") => {
                serde_json::from_value::<Vec<Colleague>>(body["results"].clone()).map(|_| ())
            }
            ("POST", "conversations/") => serde_json::from_value::<TeamThread>(body).map(|_| ()),
            ("POST", "conversations/{id}/send-message/") => {
                serde_json::from_value::<TeamMessage>(body).map(|_| ())
            }
            ("GET", "conversations/{id}/messages/") => {
                serde_json::from_value::<TeamPage>(body).map(|_| ())
            }
            ("GET", "conversations/unread-count/") => {
                serde_json::from_value::<TeamUnread>(body).map(|_| ())
            }
            _ => continue,
        };
        assert!(what.is_ok(), "{name}: {what:?}");
        decoded += 1;
    }
    assert!(decoded >= 20, "only {decoded} samples decoded");
}

async fn demo(profile: Profile, answer_after: Option<Duration>) -> RunningDemo {
    common::demo_for(profile, answer_after).await
}

#[tokio::test]
async fn a_hand_off_makes_only_calls_the_samples_show_on_both_profiles() {
    let samples = samples();
    for profile in PROFILES {
        let d = demo(profile, Some(Duration::from_millis(200))).await;
        let (desk, login) = common::signed_in(&d, "frontdesk").await;
        let me = login.staff_id;
        let team = desk.colleagues("Housekeeping").await.unwrap();
        assert!(
            team.iter().all(|c| c.department_name() == "Housekeeping"),
            "{profile:?}: {team:?}"
        );
        let orla = team
            .iter()
            .find(|c| c.full_name == "Orla Quinn")
            .expect("the housekeeping supervisor");
        assert!(!team.iter().any(|c| c.id == me), "the caller is left out");
        // My own id among the colleagues is never sent (quirk 6.4).
        let thread = desk
            .team_thread_with(me, &[orla.id, me], "Room 102")
            .await
            .unwrap();
        let again = desk
            .team_thread_with(me, &[orla.id], "Another title")
            .await
            .unwrap();
        assert_eq!(again.id, thread.id, "{profile:?}: one per member set");
        assert_eq!(again.title, "Room 102", "{profile:?}: the old title stays");
        let text = "Room 102 (Seán Ó Briain): \"Could we have two more towels?\"";
        let sent = desk.team_send(thread.id, text, None).await.unwrap();
        assert_eq!(sent.sender, me);
        // The demo's colleague answers, replying to the hand-off.
        let mut answer = None;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let page = desk.team_messages(thread.id, 20, None).await.unwrap();
            answer = page.messages.into_iter().find(|m| m.sender != me);
            if answer.is_some() {
                break;
            }
        }
        let answer = answer.expect("Orla answered");
        assert_eq!(answer.reply_to, Some(sent.id), "{profile:?}");
        assert_eq!(answer.sender, orla.id);
        let unread = desk.team_unread().await.unwrap();
        assert_eq!(unread.total_unread, 1, "{profile:?}");
        desk.team_mark_read(thread.id).await.unwrap();
        assert_eq!(desk.team_unread().await.unwrap().total_unread, 0);
        let older = desk
            .team_messages(thread.id, 1, Some(answer.id))
            .await
            .unwrap();
        assert_eq!(
            older.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
            vec![sent.id]
        );

        let made = staff_calls(&d.base_url).await;
        assert!(made.len() >= 9, "{profile:?}: {made:?}");
        for call in &made {
            assert!(
                in_samples(call, &samples),
                "{profile:?}: a call no sample shows: {call}"
            );
            // The legacy send is in the samples too, and publishes nothing (quirk 6.7).
            assert!(
                !call["path"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("/send_message/"),
                "the legacy send: {call}"
            );
            let body = &call["body"];
            if let Some(ids) = body["participant_ids"].as_array() {
                assert!(!ids.contains(&Value::from(me.0)), "own id sent: {call}");
            }
        }
        d.stop().await;
    }
}

#[tokio::test]
async fn the_deployment_profile_has_the_staff_chat_quirks() {
    let d = demo(Profile::Deployment, None).await;
    let (_, login) = common::signed_in(&d, "frontdesk").await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let base = format!("{}/api/staff/hotel/hotel-killarney/staff_chat", d.base_url);
    let get = |p: String| {
        http.get(p)
            .header("Authorization", format!("Token {}", login.token))
            .send()
    };
    let r = get(format!(
        "{base}/conversations/conversations-with-unread-count/"
    ))
    .await
    .unwrap();
    assert_eq!(r.status(), 500, "quirk 6.1");
    let r = get(format!("{base}/conversations/unread-count"))
        .await
        .unwrap();
    assert_eq!(r.status(), 301, "quirk 6.14");
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .ends_with("/conversations/unread-count/")
    );
    let r = http
        .post(format!("{base}/conversations/"))
        .header("Authorization", format!("Token {}", login.token))
        .json(&serde_json::json!({"participant_ids": [5]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    for bad in ["limit=abc", "limit=-5", "before_id=abc"] {
        let r = get(format!("{base}/conversations/{id}/messages/?{bad}"))
            .await
            .unwrap();
        assert_eq!(r.status(), 500, "quirk 6.5: {bad}");
    }
    let r = get(format!("{base}/conversations/{id}/messages/?limit=0"))
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["messages"], serde_json::json!([]));
    assert_eq!(page["has_more"], true, "quirk 6.6");
    // Housekeeping staff have staff chat but no guest chat.
    let (_, hk) = common::signed_in(&d, "hksuper").await;
    let r = http
        .get(format!(
            "{}/api/staff/hotel/hotel-killarney/chat/conversations/",
            d.base_url
        ))
        .header("Authorization", format!("Token {}", hk.token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(!hk.can(frontdesk::model::Capability::ConversationRead));
    d.stop().await;
}

/// Every event of the captured staff-chat session goes where it belongs: each
/// `message_created` becomes a staff-chat message with its id, conversation, sender and
/// reply; each unread counter a hint to read the count; no staff event becomes a guest
/// message, and the guest chat's `realtime_event` on the same channel names never becomes a
/// staff message (quirk 15).
#[test]
fn the_captured_staff_chat_session_maps_to_what_the_desk_needs() {
    use frontdesk::live::{LiveEvent, decode_frame, events_for};
    let tap = std::fs::read_to_string(format!("{SAMPLES}/realtime-session-tap.jsonl")).unwrap();
    let (mut created, mut counters, mut guest_side) = (0, 0, 0);
    for line in tap.lines().filter(|l| !l.trim().is_empty()) {
        let raw: Value = serde_json::from_str(line).unwrap();
        let frame = decode_frame(&raw.to_string()).expect("a captured frame decodes");
        let events = events_for(&frame);
        let data: Value =
            serde_json::from_str(raw["data"].as_str().unwrap_or("{}")).unwrap_or_default();
        match raw["event"].as_str().unwrap_or("") {
            "realtime_staff_chat_message_created" => {
                created += 1;
                let [LiveEvent::TeamMessage(m)] = events.as_slice() else {
                    panic!("{line}: {events:?}");
                };
                let p = &data["payload"];
                assert_eq!(m.id.0, p["id"].as_i64().unwrap());
                assert_eq!(m.conversation.0, p["conversation_id"].as_i64().unwrap());
                assert_eq!(m.sender.0, p["sender_id"].as_i64().unwrap());
                assert_eq!(m.reply_to.map(|r| r.0), p["reply_to"]["id"].as_i64());
            }
            "realtime_staff_chat_unread_updated" => {
                counters += 1;
                assert!(
                    matches!(events.as_slice(), [LiveEvent::TeamUnreadChanged]),
                    "{line}"
                );
            }
            _ => {
                if data["category"] == "guest_chat" {
                    guest_side += 1;
                }
                assert!(
                    !events
                        .iter()
                        .any(|e| matches!(e, LiveEvent::TeamMessage(_))),
                    "{line}"
                );
            }
        }
    }
    assert!(created >= 10 && counters >= 10, "{created} {counters}");
    eprintln!("{created} staff messages, {counters} counters, {guest_side} guest events checked");
}

/// Quirk 6.2: in a group, the list's `unread_count` counts what not every other member has
/// read, so on the deployment it still says 1 after I read; `unread-count/` says 0 on both.
#[tokio::test]
async fn the_lists_group_count_is_wrong_only_on_the_deployment() {
    for profile in PROFILES {
        let d = demo(profile, None).await;
        let (desk, login) = common::signed_in(&d, "frontdesk").await;
        let (orla, _) = common::signed_in(&d, "hksuper").await;
        let group = desk
            .team_thread_with(
                login.staff_id,
                &[frontdesk::model::StaffId(5), frontdesk::model::StaffId(6)],
                "Housekeeping desk",
            )
            .await
            .unwrap();
        assert!(group.is_group);
        orla.team_send(group.id, "Linen delivery at 3", None)
            .await
            .unwrap();
        desk.team_mark_read(group.id).await.unwrap();
        assert_eq!(desk.team_unread().await.unwrap().total_unread, 0);
        let list: Value = reqwest::Client::new()
            .get(format!(
                "{}/api/staff/hotel/hotel-killarney/staff_chat/conversations/",
                d.base_url
            ))
            .header("Authorization", format!("Token {}", login.token))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let listed = list["results"][0]["unread_count"].as_u64();
        let expected = match profile {
            Profile::Friendly => 0,
            Profile::Deployment => 1,
        };
        assert_eq!(listed, Some(expected), "{profile:?}: {list}");
        d.stop().await;
    }
}
