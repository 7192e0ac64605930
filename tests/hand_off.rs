//! A guest's request handed to housekeeping from room 102's thread, on both profiles: keys
//! `f`, `Housekeeping`, Enter, Enter; a colleague answers through `send-message/` with
//! `reply_to`; the answer shows in the guest's thread and `h` puts it into the reply.

mod common;

use common::Harness;
use crossterm::event::KeyCode;
use frontdesk::app::{Event, Focus, Overlay, PollKind};
use frontdesk::model::RoomNumber;
use frontdesk_demo::Profile;

const PROFILES: [Profile; 2] = [Profile::Friendly, Profile::Deployment];

/// `frontdesk handover --json --since 2h` from the real binary, as the front desk.
async fn handover_json(d: &frontdesk_demo::RunningDemo) -> serde_json::Value {
    let (ok, report) = common::frontdesk_json_at(
        &d.base_url,
        &d.hotel,
        &d.ws_url,
        &["handover", "--json", "--since", "2h"],
    )
    .await;
    assert!(ok, "{report}");
    report
}

#[tokio::test]
async fn a_request_handed_to_housekeeping_comes_back_answered_on_both_profiles() {
    for profile in PROFILES {
        let d = common::demo_for(profile, None).await;
        let mut h = Harness::new(&d, "frontdesk", None).await;
        assert!(h.until(10, |a| a.list_loaded).await);
        let conv = h.app.current_conversation_of_room(RoomNumber(102)).unwrap();
        h.open(conv, Focus::Thread).await;

        // The keystrokes: f, "Housekeeping", Enter (picks the team), Enter (sends).
        let mut keys = 0;
        h.key(KeyCode::Char('f'));
        keys += 1;
        assert!(
            h.until(
                5,
                |a| matches!(&a.overlay, Overlay::HandOff(p) if !p.shown().is_empty())
            )
            .await,
            "{profile:?}: colleagues listed"
        );
        h.typed("Housekeeping");
        keys += "Housekeeping".len();
        h.key(KeyCode::Enter);
        keys += 1;
        let to = h.app.composer.hand_off.clone().expect("writing a hand-off");
        assert_eq!(to.label, "Housekeeping", "{profile:?}");
        let written = frontdesk::hand_off::parse(h.app.composer.text()).expect("parsable");
        assert_eq!(written.room, RoomNumber(102));
        assert_eq!(written.guest_message, to.guest_message);
        let s = common::screen_of(&h.app);
        assert!(
            s.contains("To colleagues, not the guest: hand-off to Housekeeping"),
            "{s}"
        );
        assert!(
            s.contains("Enter sends the hand-off to your colleagues"),
            "{s}"
        );
        h.key(KeyCode::Enter);
        keys += 1;
        assert!(
            h.until(10, |a| a.hand_offs.list.len() == 1).await,
            "{profile:?}: handed on ({:?})",
            h.app.notice
        );
        assert_eq!(keys, 15, "from the guest's thread to the hand-off sent");
        assert!(h.app.composer.text().is_empty() && h.app.composer.hand_off.is_none());
        assert!(
            !h.app.waiting().iter().any(|(c, _)| *c == conv),
            "{profile:?}: handed off, not waiting on the desk"
        );
        let sent = h.app.hand_offs.list[0].clone();
        assert!(
            common::screen_of(&h.app).contains("· waiting"),
            "{profile:?}"
        );
        // The shift's handover lists it, and not as a guest waiting on the desk.
        let report = handover_json(&d).await;
        let handed = report["hand_offs"].as_array().expect("hand_offs");
        assert!(
            handed.iter().any(|r| r["room"] == 102
                && r["to"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("Housekeeping"))),
            "{profile:?}: {report}"
        );
        assert!(
            !report["waiting"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["room"] == 102),
            "{profile:?}: {report}"
        );

        // Orla answers in the staff conversation, replying to the hand-off.
        let (orla, _) = common::signed_in(&d, "hksuper").await;
        let answered_at = std::time::Instant::now();
        orla.team_send(
            sent.thread,
            "On my way with towels, 10 minutes.",
            Some(sent.sent),
        )
        .await
        .unwrap();
        let mut shown = false;
        for _ in 0..10 {
            h.handle(Event::Poll(PollKind::HandOffs));
            if h.until(1, |a| a.hand_offs.list[0].answer.is_some()).await {
                shown = true;
                break;
            }
        }
        assert!(shown, "{profile:?}: the answer came back");
        eprintln!(
            "{profile:?}: answer in the app {:?} after the colleague's send",
            answered_at.elapsed()
        );
        let s = common::screen_of(&h.app);
        assert!(s.contains("← Orla Quinn"), "{s}");
        assert!(s.contains("On my way with towels"), "{s}");
        // One key puts the answer into the reply to the guest.
        h.key(KeyCode::Char('h'));
        assert_eq!(h.app.focus, Focus::Composer);
        // Offered above the reply for the clerk to put in the desk's words, never as them.
        assert_eq!(h.app.composer.text(), "", "{profile:?}");
        let offered = h.app.composer.answer.clone().expect("offered");
        assert!(
            offered.starts_with("Housekeeping (")
                && offered.ends_with(": On my way with towels, 10 minutes."),
            "{offered}"
        );
        let s = common::screen_of(&h.app);
        assert!(s.contains("↳ to put in your words: Housekeeping ("), "{s}");
        d.stop().await;
    }
}

/// With the realtime link, the answer arrives on the staff conversation's public channel with
/// no read at all, on both profiles; a guest event on the same channel name never becomes
/// an answer. Prints the time from the colleague's send to the app (20 hand-offs).
#[tokio::test]
async fn answers_arrive_live_on_both_profiles() {
    for profile in PROFILES {
        let d = common::demo_for(profile, None).await;
        let live = frontdesk::live::LiveConfig::new(&d.ws_url, &d.hotel);
        let mut h = Harness::new(&d, "frontdesk", Some(live)).await;
        assert!(h.until(10, |a| a.list_loaded).await);
        let conv = h.app.current_conversation_of_room(RoomNumber(102)).unwrap();
        h.open(conv, Focus::Thread).await;
        let (orla, _) = common::signed_in(&d, "hksuper").await;
        let mut took = Vec::new();
        for i in 0..20 {
            h.key(KeyCode::Char('f'));
            assert!(
                h.until(
                    5,
                    |a| matches!(&a.overlay, Overlay::HandOff(p) if !p.shown().is_empty())
                )
                .await
            );
            h.typed("Housekeeping");
            h.key(KeyCode::Enter);
            h.key(KeyCode::Enter);
            assert!(h.until(10, |a| a.hand_offs.list.len() == i + 1).await);
            let sent = h.app.hand_offs.list[i].clone();
            if i == 0 {
                // The subscription is made when the hand-off is confirmed: let it land.
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                // Room 101's guest conversation has the staff conversation's number: the
                // guest's event comes on the very channel the answer will (quirk 15).
                assert_eq!(
                    h.app
                        .current_conversation_of_room(RoomNumber(101))
                        .map(|c| c.0),
                    Some(sent.thread.0),
                    "{profile:?}: the collision this checks"
                );
                common::guest_says(&d.base_url, 101, "hello").await;
            }
            let start = std::time::Instant::now();
            orla.team_send(sent.thread, &format!("On my way ({i})"), Some(sent.sent))
                .await
                .unwrap();
            // No poll is sent: only the live event can bring it.
            assert!(
                h.until(5, |a| a.hand_offs.list[i].answer.is_some()).await,
                "{profile:?}: answer {i} did not arrive live"
            );
            took.push(start.elapsed().as_secs_f64() * 1e3);
            assert_eq!(
                h.app.hand_offs.list[i].answer.as_ref().unwrap().text,
                format!("On my way ({i})")
            );
        }
        assert_eq!(
            common::request_count(&d.base_url, "staff-messages").await,
            0,
            "{profile:?}: nothing was read: the answers came live"
        );
        took.sort_by(f64::total_cmp);
        eprintln!(
            "{profile:?}: colleague's send to the app, 20 hand-offs: median {:.1} ms, worst {:.1} ms",
            took[took.len() / 2],
            took[took.len() - 1]
        );
        d.stop().await;
    }
}

/// A hand-off made at one desk shows at another desk signed in to the same account (and after
/// a restart, which is the same thing: nothing is kept locally), read back from the staff
/// conversation's text, with its answer once it comes; on both profiles. (Staff chat shows a
/// conversation only to its members, so a colleague on another account cannot see it.)
#[tokio::test]
async fn a_hand_off_made_at_another_desk_shows_with_its_answer() {
    for profile in PROFILES {
        let d = common::demo_for(profile, None).await;
        let mut first = Harness::new(&d, "frontdesk", None).await;
        assert!(first.until(10, |a| a.list_loaded).await);
        let conv = first
            .app
            .current_conversation_of_room(RoomNumber(102))
            .unwrap();
        first.open(conv, Focus::Thread).await;
        first.key(KeyCode::Char('f'));
        assert!(
            first
                .until(
                    5,
                    |a| matches!(&a.overlay, Overlay::HandOff(p) if !p.shown().is_empty())
                )
                .await
        );
        first.typed("Maintenance");
        first.key(KeyCode::Enter);
        first.key(KeyCode::Enter);
        assert!(first.until(10, |a| a.hand_offs.list.len() == 1).await);
        let made = first.app.hand_offs.list[0].clone();
        drop(first);

        // The night desk starts on the same account: the hand-off is there, waiting.
        let mut other = Harness::new(&d, "frontdesk", None).await;
        assert!(
            other
                .until(10, |a| a.list_loaded && !a.hand_offs.list.is_empty())
                .await,
            "{profile:?}: found at another desk"
        );
        let seen = other.app.hand_offs.list[0].clone();
        assert_eq!(seen.guest_conversation, conv);
        assert_eq!((seen.thread, seen.sent), (made.thread, made.sent));
        assert!(seen.answer.is_none());
        assert!(
            seen.to.names.contains(&"Ava Doyle".to_string()),
            "{:?}",
            seen.to
        );
        assert!(!other.app.waiting().iter().any(|(c, _)| *c == conv));
        // Ava answers; the other desk hears it at its next read.
        let (ava, _) = common::signed_in(&d, "maintenance").await;
        ava.team_send(made.thread, "Kettle replaced.", Some(made.sent))
            .await
            .unwrap();
        other.handle(Event::Poll(PollKind::HandOffs));
        assert!(
            other
                .until(5, |a| a.hand_offs.list[0].answer.is_some())
                .await
        );
        assert_eq!(
            other.app.hand_offs.list[0].answer.as_ref().unwrap().text,
            "Kettle replaced."
        );
        // Every staff-chat call the desks made (staff list, get-or-create, send, the
        // conversations and pages read back) is one the contract's samples show.
        let samples = common::contract::samples();
        let calls = common::contract::staff_calls(&d.base_url).await;
        assert!(calls.len() >= 6, "{calls:?}");
        for call in &calls {
            assert!(
                common::contract::in_samples(call, &samples),
                "{profile:?}: a call no sample shows: {call}"
            );
        }
        d.stop().await;
    }
}

/// An answer followed in the same batch by an event that changes nothing on screen (the
/// team-count hint that comes with it) is still drawn at once: the batch's frame follows
/// every event in it, not the last one.
#[test]
fn an_answer_in_a_batch_is_drawn_whatever_follows_it() {
    use frontdesk::api::staff_models::{TeamMessage, TeamMessageId, TeamThreadId};
    use frontdesk::app::{App, Clock, HandOff, Me};
    let now = chrono::Utc::now();
    let mut app = App::new(
        Me {
            staff_id: frontdesk::model::StaffId(1),
            name: "Fiona Desk".into(),
            hotel_name: "Hotel Killarney".into(),
            capabilities: vec![],
        },
        Clock {
            now,
            offset: chrono::FixedOffset::east_opt(0).unwrap(),
        },
        (120, 40),
    );
    app.hand_offs.list.push(HandOff {
        guest_conversation: frontdesk::model::ConversationId(7),
        to: frontdesk::model::HandOffTo {
            label: "Housekeeping".into(),
            people: vec![frontdesk::model::StaffId(5)],
            names: vec!["Orla Quinn".into()],
            guest_message: None,
        },
        thread: TeamThreadId(1),
        sent: TeamMessageId(10),
        at: now,
        answer: None,
    });
    let answer = TeamMessage {
        id: TeamMessageId(11),
        conversation: TeamThreadId(1),
        sender: frontdesk::model::StaffId(5),
        sender_name: "Orla Quinn".into(),
        message: "On my way".into(),
        timestamp: now,
        reply_to: Some(TeamMessageId(10)),
        is_deleted: false,
    };
    app.dirty = false;
    let batch = [
        Event::TeamMessage(Box::new(answer)),
        Event::Poll(PollKind::TeamUnread),
    ];
    let mut each = Vec::new();
    let mut events = batch.into_iter();
    let first = events.next().unwrap();
    let (_, changed) = frontdesk::inbox::handle_batch(first, events, |ev| {
        let c = app.update(ev);
        each.push(app.dirty);
        (c, app.dirty)
    });
    assert_eq!(each, vec![true, false], "the hint alone changes nothing");
    assert!(changed, "the batch's frame is drawn");
    assert!(app.hand_offs.list[0].answer.is_some());
}
