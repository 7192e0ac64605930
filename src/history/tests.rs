//! The same checks against both stores, then what only the file can get wrong.

use chrono::{Duration, TimeZone};

use super::*;

pub(crate) fn at(minutes_ago: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 14, 0, 0).unwrap() - Duration::minutes(minutes_ago)
}

pub(crate) fn conversation(id: i64, room: i64, guest: &str, minutes_ago: i64) -> Conversation {
    serde_json::from_value(serde_json::json!({
        "id": id, "room_number": room, "guest_name": guest,
        "last_message": "", "last_message_time": at(minutes_ago), "unread_count": 0
    }))
    .unwrap()
}

pub(crate) fn message(id: i64, conv: i64, text: &str, minutes_ago: i64) -> Message {
    serde_json::from_value(serde_json::json!({
        "id": id, "conversation_id": conv, "sender_type": "guest", "message": text,
        "timestamp": at(minutes_ago), "guest_name": null, "room_number": null,
        "attachments": []
    }))
    .unwrap()
}

fn with_file(mut m: Message, name: &str) -> Message {
    m.attachments =
        vec![serde_json::from_value(serde_json::json!({"id": 1, "file_name": name})).unwrap()];
    m
}

/// A small hotel: room 102 asked about the airport taxi, 204 wrote in Irish, 301 sent a file.
fn seeded(h: &mut dyn History) {
    h.keep_list(
        &[
            conversation(1, 102, "Aoife Murphy", 10),
            conversation(2, 204, "Seán Ó Briain", 60),
            conversation(3, 301, "Zoë Müller", 60 * 24 * 40),
        ],
        at(0),
    )
    .unwrap();
    h.keep_messages(
        ConversationId(1),
        &[
            message(10, 1, "Could you book an airport taxi for 6am?", 30),
            message(11, 1, "And two more towels please", 10),
        ],
        true,
    )
    .unwrap();
    h.keep_messages(
        ConversationId(2),
        &[message(20, 2, "Is the CAFÉ open? Fáilte!", 60)],
        false,
    )
    .unwrap();
    h.keep_messages(
        ConversationId(3),
        &[with_file(
            message(30, 3, "here is my passport", 60 * 24 * 40),
            "passport-scan.pdf",
        )],
        false,
    )
    .unwrap();
}

fn found(h: &dyn History, q: &str) -> Vec<i64> {
    h.search(q, 50)
        .unwrap()
        .iter()
        .map(|h| h.message.0)
        .collect()
}

fn both() -> Vec<(&'static str, Box<dyn History>, tempfile::TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let (sqlite, said) = SqliteHistory::open(&dir.path().join("desk").join(FILE_NAME)).unwrap();
    assert_eq!(said, None);
    let mut out: Vec<(&'static str, Box<dyn History>, tempfile::TempDir)> = vec![
        (
            "memory",
            Box::new(MemoryHistory::default()),
            tempfile::tempdir().unwrap(),
        ),
        ("sqlite", Box::new(sqlite), dir),
    ];
    for (_, h, _) in out.iter_mut() {
        seeded(h.as_mut());
    }
    out
}

#[test]
fn search_finds_words_by_prefix_ignoring_accents_and_case_newest_first() {
    for (name, h, _dir) in both() {
        assert_eq!(found(h.as_ref(), "airp tax"), vec![10], "{name}");
        assert_eq!(found(h.as_ref(), "AIRPORT"), vec![10], "{name}");
        assert_eq!(found(h.as_ref(), "cafe failte"), vec![20], "{name}");
        assert_eq!(
            found(h.as_ref(), "sean"),
            vec![20],
            "{name}: the guest's name"
        );
        assert_eq!(
            found(h.as_ref(), "102"),
            vec![11, 10],
            "{name}: the room, newest first"
        );
        assert_eq!(
            found(h.as_ref(), "passport-scan"),
            vec![30],
            "{name}: a file name"
        );
        assert_eq!(
            found(h.as_ref(), "towels taxi"),
            Vec::<i64>::new(),
            "{name}"
        );
        assert_eq!(found(h.as_ref(), "  "), Vec::<i64>::new(), "{name}");
        // Whatever is typed is words, never query syntax.
        for hostile in [
            "\"",
            "taxi\" OR \"towels",
            "NEAR(a b)",
            "*",
            "body:taxi",
            "a' --",
        ] {
            assert!(h.search(hostile, 50).is_ok(), "{name}: {hostile:?}");
        }
        let hit = &h.search("taxi", 50).unwrap()[0];
        assert_eq!(hit.room, Some(RoomNumber(102)), "{name}");
        assert_eq!(hit.guest.as_deref(), Some("Aoife Murphy"), "{name}");
        assert_eq!(hit.conversation, ConversationId(1), "{name}");
    }
}

#[test]
fn the_list_threads_and_recent_messages_come_back_as_kept() {
    for (name, h, _dir) in both() {
        let list = h.list(at(60 * 24 * 30)).unwrap();
        let mut ids: Vec<i64> = list.conversations.iter().map(|c| c.id.0).collect();
        ids.sort();
        assert_eq!(
            ids,
            vec![1, 2],
            "{name}: older than the window is not shown"
        );
        assert_eq!(list.as_of, Some(at(0)), "{name}");
        let thread = h.thread(ConversationId(1), None, 1).unwrap();
        assert_eq!(
            thread.iter().map(|m| m.id.0).collect::<Vec<_>>(),
            vec![11],
            "{name}"
        );
        let from = h
            .thread(ConversationId(1), Some(MessageId(10)), 50)
            .unwrap();
        assert_eq!(from.len(), 2, "{name}");
        let recent = h.recent(at(120), 12).unwrap();
        assert_eq!(recent.len(), 2, "{name}");
        assert_eq!(
            recent[0].conversation,
            ConversationId(1),
            "{name}: newest first"
        );
        assert!(recent[0].from_start, "{name}: kept from its first message");
        assert!(!recent[1].from_start, "{name}");
        // Kept again, a message is replaced, not doubled.
        let mut h = h;
        let mut edited = message(11, 1, "And three towels please", 10);
        edited.is_edited = true;
        h.keep_messages(ConversationId(1), &[edited], false)
            .unwrap();
        assert_eq!(h.counts().unwrap().messages, 4, "{name}");
        assert_eq!(found(h.as_ref(), "three"), vec![11], "{name}");
        assert_eq!(found(h.as_ref(), "two"), Vec::<i64>::new(), "{name}");
        h.remove_message(MessageId(11)).unwrap();
        assert_eq!(found(h.as_ref(), "three"), Vec::<i64>::new(), "{name}");
    }
}

#[test]
fn retention_and_forgetting_remove_text_and_its_index() {
    for (name, mut h, _dir) in both() {
        let removed = h.purge_before(at(60 * 24 * 30)).unwrap();
        assert_eq!(
            removed,
            Removed {
                conversations: 1,
                messages: 1
            },
            "{name}"
        );
        assert_eq!(found(h.as_ref(), "passport"), Vec::<i64>::new(), "{name}");
        let removed = h.forget_room(RoomNumber(102)).unwrap();
        assert_eq!(
            removed,
            Removed {
                conversations: 1,
                messages: 2
            },
            "{name}"
        );
        assert_eq!(found(h.as_ref(), "taxi"), Vec::<i64>::new(), "{name}");
        assert_eq!(
            found(h.as_ref(), "cafe"),
            vec![20],
            "{name}: another room stays"
        );
        let removed = h.forget_all().unwrap();
        assert_eq!(
            removed,
            Removed {
                conversations: 1,
                messages: 1
            },
            "{name}"
        );
        assert_eq!(h.counts().unwrap(), Counts::default(), "{name}");
    }
}

#[test]
fn the_backfill_goes_to_the_newest_conversation_not_kept_from_its_start() {
    for (name, mut h, _dir) in both() {
        let (gap, open, active) = h.next_gap(at(60 * 24)).unwrap();
        assert_eq!((open, active), (1, 2), "{name}");
        assert_eq!(
            gap,
            Some(Gap {
                conversation: ConversationId(2),
                before: Some(MessageId(20))
            }),
            "{name}"
        );
        h.keep_messages(ConversationId(2), &[], true).unwrap();
        assert_eq!(h.next_gap(at(60 * 24)).unwrap(), (None, 0, 2), "{name}");
    }
}

#[cfg(unix)]
#[test]
fn the_file_and_its_directory_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk").join(FILE_NAME);
    let (mut h, _) = SqliteHistory::open(&path).unwrap();
    seeded(&mut h);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    for side in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(side);
        let p = std::path::PathBuf::from(p);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{}", p.display());
        }
    }
}

#[test]
fn a_damaged_or_foreign_file_is_moved_aside_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    // Not a database at all.
    std::fs::write(&path, b"this is not sqlite, it is a guest's note").unwrap();
    let (mut h, said) = SqliteHistory::open(&path).unwrap();
    let said = said.expect("said");
    assert!(said.contains("moved aside"), "{said}");
    seeded(&mut h);
    assert_eq!(found(&h, "taxi"), vec![10]);
    drop(h);
    // Another program's database.
    let other = dir.path().join("other.sqlite3");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x');")
        .unwrap();
    drop(c);
    let (_, said) = SqliteHistory::open(&other).unwrap();
    assert!(said.expect("said").contains("another program"));
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("corrupt-"))
        .count();
    assert_eq!(aside, 2, "both files kept aside, not deleted");
    // One from a newer version.
    let newer = dir.path().join("newer.sqlite3");
    let h = SqliteHistory::create_at_version(&newer, SCHEMA_VERSION).unwrap();
    h.execute_raw("PRAGMA user_version = 99").unwrap();
    drop(h);
    let (_, said) = SqliteHistory::open(&newer).unwrap();
    assert!(said.expect("said").contains("newer frontdesk"));
}

#[test]
fn a_file_from_the_first_schema_is_migrated_and_its_messages_become_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let old = SqliteHistory::create_at_version(&path, 1).unwrap();
    let c = serde_json::to_string(&conversation(1, 102, "Aoife Murphy", 10)).unwrap();
    let m = serde_json::to_string(&message(10, 1, "airport taxi at six", 10)).unwrap();
    old.execute_raw(&format!(
        "INSERT INTO conversations (id, room_number, last_activity, json) VALUES (1, 102, {}, '{}');
         INSERT INTO messages (id, conversation_id, at, json) VALUES (10, 1, {}, '{}');",
        at(10).timestamp_millis(),
        c.replace('\'', "''"),
        at(10).timestamp_millis(),
        m.replace('\'', "''"),
    ))
    .unwrap();
    drop(old);
    let (h, said) = SqliteHistory::open(&path).unwrap();
    assert_eq!(said, None, "an older file is upgraded, not moved aside");
    assert_eq!(found(&h, "taxi"), vec![10]);
    assert_eq!(found(&h, "murphy"), vec![10]);
    assert_eq!(h.counts().unwrap().messages, 1);
}

#[test]
fn a_message_reads_back_as_it_was_kept_with_or_without_its_optional_fields() {
    let full: Message = serde_json::from_value(serde_json::json!({
        "id": 5, "conversation_id": 1, "room": 3, "room_number": 102, "booking": 9,
        "booking_id": "BK-1", "sender_type": "staff", "staff": 2, "staff_name": "Orla",
        "guest_name": "Aoife", "staff_info": {"name": "Orla", "role": "Porter"},
        "message": "On my way", "timestamp": at(3), "read_by_staff": true, "is_edited": true,
        "is_deleted": false, "reply_to": 4,
        "reply_to_message": {"id": 4, "message": "towels?", "sender_type": "guest"},
        "attachments": [{"id": 1, "file_name": "a.pdf", "file_size": 10}]
    }))
    .unwrap();
    let bare = message(6, 1, "hi", 2);
    for (name, mut h, _dir) in both() {
        h.keep_messages(ConversationId(1), &[full.clone(), bare.clone()], false)
            .unwrap();
        let back = h.thread(ConversationId(1), Some(MessageId(5)), 2).unwrap();
        assert_eq!(back, vec![full.clone(), bare.clone()], "{name}");
    }
}

#[test]
fn search_labels_an_earlier_stay_as_the_thread_does_not_with_the_new_guests_name() {
    for (name, mut h, _dir) in both() {
        // Room 103 turned over: conversation 3 is Maeve's earlier stay, 30 Astrid's, and the
        // server puts Astrid's name on both (contract 4.9).
        h.keep_list(
            &[
                conversation(3, 103, "Astrid Lindqvist", 90),
                conversation(30, 103, "Astrid Lindqvist", 5),
            ],
            at(0),
        )
        .unwrap();
        let mut old = message(31, 3, "The TV remote in 103 is not working", 90);
        old.booking_id = Some("BK-2026-0003".into());
        old.guest_name = Some("Astrid Lindqvist".into());
        let mut new = message(301, 30, "Is the TV remote new?", 5);
        new.guest_name = Some("Astrid Lindqvist".into());
        h.keep_messages(ConversationId(3), &[old], true).unwrap();
        h.keep_messages(ConversationId(30), &[new], true).unwrap();
        let hits = h.search("remote", 10).unwrap();
        assert_eq!(hits.len(), 2, "{name}");
        let earlier = hits
            .iter()
            .find(|h| h.conversation == ConversationId(3))
            .unwrap();
        assert_eq!(
            earlier.guest.as_deref(),
            Some("earlier stay, BK-2026-0003"),
            "{name}"
        );
        assert_eq!(
            earlier.author, "Guest of an earlier stay (BK-2026-0003)",
            "{name}"
        );
        let current = hits
            .iter()
            .find(|h| h.conversation == ConversationId(30))
            .unwrap();
        assert_eq!(current.guest.as_deref(), Some("Astrid Lindqvist"), "{name}");
    }
}
