//! The colleagues watch (`app::colleagues`) without a network: the requests it asks for, tick
//! by tick, over simulated minutes. However many guests wait, an idle desk asks for less than
//! one request a second; with nobody waiting it asks for nothing.

use chrono::{Duration, FixedOffset, TimeZone, Utc};
use frontdesk::api::{Conversation, Message};
use frontdesk::app::{App, Clock, Command, Connection, Event, Job};
use frontdesk::model::{ConversationId, StaffId};
use serde_json::json;

fn app(conversations: i64) -> App {
    let me = frontdesk::app::Me {
        staff_id: StaffId(1),
        name: "frontdesk".into(),
        hotel_name: "Hotel Killarney".into(),
        capabilities: vec!["chat.message.send".into(), "chat.conversation.read".into()],
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 8, 12, 0, 0).unwrap();
    let mut a = App::new(
        me,
        Clock {
            now,
            offset: FixedOffset::east_opt(0).unwrap(),
        },
        (120, 40),
    );
    let convs: Vec<Conversation> = (1..=conversations)
        .map(|i| {
            serde_json::from_value(json!({"id": i, "room_number": 100 + i,
                "last_message": "hi", "last_message_time": now - Duration::minutes(30),
                "unread_count": 0}))
            .unwrap()
        })
        .collect();
    a.update(Event::ConversationsLoaded(Ok(convs)));
    a.update(Event::Connection(Connection::LivePartial));
    a
}

fn message(id: i64, conv: i64, sender: &str, at: chrono::DateTime<Utc>) -> Message {
    serde_json::from_value(
        json!({"id": id, "conversation_id": conv, "room": 1000 + conv,
        "sender_type": sender, "message": "Could I have towels?",
        "staff": if sender == "staff" { json!(2) } else { json!(null) },
        "staff_name": if sender == "staff" { json!("Frank Manager") } else { json!(null) },
        "timestamp": at, "read_by_staff": true}),
    )
    .unwrap()
}

/// The first `waiting` conversations' guests wait (read by staff, so no count can fall).
fn with_waiting(a: &mut App, waiting: i64) {
    let now = a.clock.now;
    for conv in 1..=waiting {
        a.update(Event::Refreshed {
            conversation: ConversationId(conv),
            limit: 10,
            result: Ok(vec![
                message(conv * 10, conv, "staff", now - Duration::minutes(40)),
                message(conv * 10 + 1, conv, "guest", now - Duration::minutes(30)),
            ]),
        });
    }
}

/// Runs the watch for `secs` of simulated time; counts the reads it asks for.
fn requests_over(a: &mut App, secs: i64) -> (usize, Vec<ConversationId>) {
    let start = a.clock.now;
    let mut count = 0;
    let mut read = Vec::new();
    for s in 1..=secs {
        for c in a.update(Event::Watch(start + Duration::seconds(s))) {
            match c {
                Command::Job(Job::Refresh { conversation, .. }) => {
                    count += 1;
                    read.push(conversation);
                    // The page answers at once: nothing changed.
                    a.update(Event::Refreshed {
                        conversation,
                        limit: 3,
                        result: Ok(vec![]),
                    });
                }
                Command::Job(Job::LoadUnreadCounts) => count += 1,
                _ => {}
            }
        }
    }
    (count, read)
}

#[test]
fn an_idle_desk_stays_under_one_request_a_second_however_many_wait() {
    for waiting in [0, 1, 5, 30, 100] {
        let mut a = app(200);
        with_waiting(&mut a, waiting);
        assert_eq!(a.waiting().len(), waiting as usize);
        let (n, read) = requests_over(&mut a, 600);
        assert!(n <= 600, "{waiting} waiting: {n} requests in 600 s");
        if waiting == 0 {
            assert_eq!(n, 0, "nobody waits: nothing to read");
        } else {
            // Every waiting guest is looked at, none more than every 12 s.
            for conv in 1..=waiting {
                let times = read.iter().filter(|c| c.0 == conv).count();
                assert!(times >= 1, "{waiting} waiting: {conv} never read");
                assert!(times <= 50, "{waiting} waiting: {conv} read {times} times");
            }
        }
    }
}

#[test]
fn a_colleague_reading_a_guest_makes_the_conversation_hot_for_a_while() {
    let mut a = app(50);
    with_waiting(&mut a, 30);
    let cmds = a.update(Event::LiveRead {
        conversation: ConversationId(7),
    });
    assert!(
        cmds.contains(&Command::Job(Job::Refresh {
            conversation: ConversationId(7),
            limit: 3
        })),
        "read at once: {cmds:?}"
    );
    a.update(Event::Refreshed {
        conversation: ConversationId(7),
        limit: 3,
        result: Ok(vec![]),
    });
    let (_, read) = requests_over(&mut a, 60);
    let hot = read.iter().filter(|c| c.0 == 7).count();
    assert!(hot >= 10, "read every few seconds while hot: {hot} in 60 s");
    // Two minutes on, it is one of the thirty again.
    let (_, read) = requests_over(&mut a, 120);
    let (_, read_later) = requests_over(&mut a, 60);
    assert!(read.iter().filter(|c| c.0 == 7).count() >= 10);
    assert!(
        read_later.iter().filter(|c| c.0 == 7).count() <= 2,
        "{read_later:?}"
    );
}

#[test]
fn an_unread_count_that_falls_reads_that_rooms_waiting_conversation() {
    let mut a = app(10);
    with_waiting(&mut a, 3);
    let counts = |n: u32| {
        Ok(frontdesk::api::UnreadCounts {
            unread_counts: [("1002".to_string(), n), ("1003".to_string(), 1)]
                .into_iter()
                .collect(),
        })
    };
    a.update(Event::UnreadCounts(counts(2)));
    let cmds = a.update(Event::UnreadCounts(counts(0)));
    assert_eq!(
        cmds,
        vec![Command::Job(Job::Refresh {
            conversation: ConversationId(2),
            limit: 3
        })],
        "room key 1002 is conversation 2's"
    );
}

#[test]
fn a_hot_conversation_is_read_no_more_once_it_is_answered() {
    let mut a = app(50);
    with_waiting(&mut a, 10);
    for conv in 1..=6 {
        a.update(Event::LiveRead {
            conversation: ConversationId(conv),
        });
        a.update(Event::Refreshed {
            conversation: ConversationId(conv),
            limit: 3,
            result: Ok(vec![]),
        });
    }
    // Five are answered at once; the sixth is still waiting.
    let now = a.clock.now;
    for conv in 1..=5 {
        a.update(Event::Refreshed {
            conversation: ConversationId(conv),
            limit: 3,
            result: Ok(vec![message(conv * 10 + 5, conv, "staff", now)]),
        });
    }
    assert_eq!(a.colleagues.hot().count(), 6);
    let (_, read) = requests_over(&mut a, 30);
    assert_eq!(a.colleagues.hot().collect::<Vec<_>>(), [ConversationId(6)]);
    assert!(
        read.iter().filter(|c| c.0 <= 5).count() == 0,
        "answered conversations were read again: {read:?}"
    );
    // The one left is read every few seconds (3 s, with the others' turns between), not
    // six times less often.
    assert!(read.iter().filter(|c| c.0 == 6).count() >= 6, "{read:?}");
}

#[test]
fn a_later_that_comes_due_redraws_at_once() {
    use frontdesk::api::staff_models::{TeamMessage, TeamThread};
    let mut a = app(5);
    with_waiting(&mut a, 1);
    let now = a.clock.now;
    let line = frontdesk::desk_log::compose(
        &frontdesk::desk_log::Line {
            mark: frontdesk::desk_log::Mark::Later {
                until: now + Duration::seconds(30),
            },
            conversation: ConversationId(1),
            room: frontdesk::model::RoomNumber(101),
            guest: "Aoife".into(),
            upto: Some(frontdesk::model::MessageId(11)),
        },
        |t| t.to_string(),
    );
    let thread: TeamThread =
        serde_json::from_value(json!({"id": 9, "title": "Front desk log", "participants": []}))
            .unwrap();
    let m: TeamMessage = serde_json::from_value(json!({"id": 1, "conversation": 9, "sender": 2,
        "sender_name": "Frank Manager", "message": line, "timestamp": now}))
    .unwrap();
    a.update(Event::DeskLogRead(Ok(vec![(thread, vec![m])])));
    assert!(a.waiting().is_empty(), "aside until its time");
    a.update(Event::Watch(now + Duration::seconds(10)));
    assert!(!a.dirty, "nothing to draw before its time");
    let cmds = a.update(Event::Watch(now + Duration::seconds(31)));
    assert!(a.dirty, "due now: drawn at once");
    assert_eq!(a.waiting().len(), 1);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Command::Effect(frontdesk::app::Effect::Notify { .. }))),
        "{cmds:?}"
    );
}
