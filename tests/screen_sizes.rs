//! Every screen and popup at the sizes desks use (80x24, 100x30, 200x50): what a part of the
//! screen must say (a warning, the clock, the guest's name, "(edited)", a file limit) is on
//! screen whole, and the help reaches every key by the keys it names.

mod common;

use chrono::{FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{Conversation, Message};
use frontdesk::app::{App, Clock, Event, Focus, Me};
use frontdesk::model::{ConversationId, HandOffTo, StaffId};
use serde_json::json;

const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (200, 50)];

fn app(size: (u16, u16)) -> App {
    let me = Me {
        staff_id: StaffId(1),
        name: "frontdesk".into(),
        hotel_name: "Hotel Killarney & Lakeside Conference Centre".into(),
        capabilities: [
            "chat.conversation.read",
            "chat.message.send",
            "chat.conversation.assign",
            "chat.attachment.upload",
        ]
        .map(String::from)
        .to_vec(),
    };
    let now = Utc.with_ymd_and_hms(2026, 12, 8, 3, 12, 0).unwrap();
    let mut a = App::new(
        me,
        Clock {
            now,
            offset: FixedOffset::east_opt(0).unwrap(),
        },
        size,
    );
    let conv = |id: i64, room: i64, name: &str, unread: u32| -> Conversation {
        serde_json::from_value(json!({"id": id, "room_number": room, "guest_name": name,
            "last_message": "Could we have two more towels, please?", "unread_count": unread,
            "last_message_time": now - chrono::Duration::minutes(id * 7)}))
        .unwrap()
    };
    a.update(Event::ConversationsLoaded(Ok(vec![
        conv(1, 105, "Bartholomew Fitzgerald-Ó Súilleabháin", 3),
        conv(2, 108, "Zoë Papadopoulos", 0),
        conv(3, 104, "陈 伟", 1),
    ])));
    a.my_full_name = Some("Fiona Desk".into());
    // A colleague holds 105 and 108: the holder gives way to the guest's name.
    for (conv, msg) in [(1, 10), (2, 20)] {
        a.update(Event::Refreshed {
            conversation: ConversationId(conv),
            limit: 10,
            result: Ok(vec![
                message(msg, conv, "staff", 2, false),
                message(msg + 1, conv, "guest", 0, false),
            ]),
        });
    }
    a
}

fn message(id: i64, conv: i64, sender: &str, staff: i64, edited: bool) -> Message {
    serde_json::from_value(
        json!({"id": id, "conversation_id": conv, "sender_type": sender,
        "message": "Of course, two towels are on their way to your room right now.",
        "staff": if sender == "staff" { json!(staff) } else { json!(null) },
        "staff_name": if staff == 2 { "Frank Manager of the Front Office" } else { "Fiona Desk" },
        "timestamp": "2026-12-08T03:00:00Z", "read_by_staff": true, "is_edited": edited}),
    )
    .unwrap()
}

fn draw(a: &App) -> String {
    common::screen_of(a)
}

fn key(a: &mut App, code: KeyCode) {
    a.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn whole(screen: &str, size: (u16, u16), phrases: &[&str]) {
    for p in phrases {
        assert!(
            screen.contains(p),
            "{size:?}: {p:?} is cut or missing:\n{screen}"
        );
    }
}

#[test]
fn the_list_keeps_the_clock_the_link_and_the_guests_names_whole() {
    for size in SIZES {
        let a = app(size);
        let s = draw(&a);
        whole(
            &s,
            size,
            &[
                "03:12 UTC+00:00",
                "○ connecting",
                "Zoë Papadopoulos",
                "陈 伟",
            ],
        );
        // The longest name gives way only after the holder has.
        whole(&s, size, &["Bartholomew Fitz"]);
    }
}

#[test]
fn a_selected_edited_message_keeps_its_marks() {
    for size in SIZES {
        let mut a = app(size);
        a.open_conversation(ConversationId(3), Focus::Thread);
        a.update(Event::PageLoaded {
            conversation: ConversationId(3),
            limit: 30,
            result: Ok(vec![
                message(30, 3, "guest", 0, false),
                message(31, 3, "staff", 1, true),
            ]),
        });
        a.focus = Focus::Thread;
        key(&mut a, KeyCode::Char('k'));
        let s = draw(&a);
        whole(&s, size, &["· you (edited)", "Reply to Room 104 · 陈 伟"]);
    }
}

#[test]
fn a_hand_off_box_says_first_that_it_goes_to_colleagues() {
    for size in SIZES {
        let mut a = app(size);
        a.open_conversation(ConversationId(2), Focus::Composer);
        a.composer.hand_off = Some(HandOffTo {
            label: "Housekeeping".into(),
            people: vec![StaffId(5), StaffId(3)],
            names: vec!["Orla Quinn".into(), "Hannah Keeper".into()],
            guest_message: None,
        });
        let s = draw(&a);
        whole(&s, size, &["To colleagues, not the guest"]);
    }
}

#[test]
fn the_send_files_prompt_says_its_limits_whole() {
    for size in SIZES {
        let mut a = app(size);
        a.open_conversation(ConversationId(2), Focus::Thread);
        key(&mut a, KeyCode::Char('a'));
        let s = draw(&a);
        whole(&s, size, &["50 MB", "csv", "Esc cancels"]);
    }
}

#[test]
fn the_help_reaches_every_key_by_the_keys_it_names() {
    for size in SIZES {
        let mut a = app(size);
        key(&mut a, KeyCode::Char('?'));
        let mut seen = String::new();
        for _ in 0..60 {
            seen.push_str(&draw(&a));
            key(&mut a, KeyCode::Char('j'));
        }
        for b in frontdesk::app::keymap::KEYMAP
            .iter()
            .filter(|b| b.needs.is_none_or(|c| a.me.can(c)))
        {
            assert!(
                seen.contains(b.help),
                "{size:?}: help never shows {:?}",
                b.help
            );
        }
        // PgDn scrolls, and does not close it.
        key(&mut a, KeyCode::PageDown);
        assert!(a.overlay.is_open(), "{size:?}");
        key(&mut a, KeyCode::Char('x'));
        assert!(!a.overlay.is_open(), "{size:?}: another key closes it");
    }
}

#[test]
fn a_saved_hand_off_is_marked_apart_from_a_reply_draft() {
    for size in SIZES {
        let mut a = app(size);
        let to = HandOffTo {
            label: "Housekeeping".into(),
            people: vec![StaffId(5)],
            names: vec!["Orla Quinn".into()],
            guest_message: None,
        };
        a.drafts.insert(
            ConversationId(2),
            frontdesk::model::Draft {
                text: "[Room 108 · Zoë Papadopoulos] towels".into(),
                reply_to: None,
                hand_off: Some(to),
            },
        );
        a.drafts.insert(
            ConversationId(3),
            frontdesk::model::Draft {
                text: "Good morning".into(),
                reply_to: None,
                hand_off: None,
            },
        );
        let s = draw(&a);
        // The guest's name first; the marks where the row has room for them.
        whole(&s, size, &["Zoë Papadopoulos", "陈 伟"]);
        if size.0 >= 200 {
            whole(&s, size, &["Zoë Papadopoulos ✎ hand-off", "陈 伟 ✎ draft"]);
        }
    }
}

#[test]
fn every_prompt_and_its_hint_read_whole() {
    use frontdesk::app::Overlay;
    use frontdesk::popup::{
        CannedPicker, Confirm, Confirmed, HandOffPicker, LaterPrompt, RoomPrompt, Search, SignIn,
    };
    for size in SIZES {
        let mut a = app(size);
        let now = a.clock.now;
        let offset = a.clock.offset;
        let popups: Vec<(Overlay, Vec<&str>)> = vec![
            (
                Overlay::RoomPrompt(RoomPrompt::default()),
                vec!["Room number:", "Enter opens it"],
            ),
            (
                Overlay::Later(LaterPrompt {
                    text: "0545".into(),
                    about: "Room 104 · 陈 伟".into(),
                    now,
                    offset,
                }),
                vec!["Later: 0545", "until 05:45", "Enter puts it aside"],
            ),
            (
                Overlay::Confirm(Confirm::new(
                    "Frank Manager is handling this conversation. Claim it anyway? y/n",
                    Confirmed::Quit,
                )),
                vec!["Claim it anyway? y/n", "y yes"],
            ),
            (
                Overlay::Canned(CannedPicker::new(vec![
                    "Fresh towels are on their way.".into(),
                ])),
                vec!["Fresh towels are on their way.", "Esc closes"],
            ),
            (
                Overlay::Search(Search::new("120 kept messages".into())),
                vec!["Find:", "Esc closes"],
            ),
            (
                Overlay::HandOff(HandOffPicker::loading()),
                vec!["Enter writes the hand-off"],
            ),
            (
                Overlay::SignIn(SignIn::new("frontdesk", Some("Invalid token.".into()))),
                vec!["Enter signs in"],
            ),
        ];
        for (overlay, phrases) in popups {
            a.overlay = overlay;
            let s = draw(&a);
            whole(&s, size, &phrases);
        }
    }
}
