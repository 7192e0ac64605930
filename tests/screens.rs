//! Screens drawn on ratatui's TestBackend: insta snapshots of the main states, and random
//! states at every size from 1x1 to 300x100 drawn without a panic.

use chrono::{FixedOffset, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use frontdesk::api::{ApiError, Conversation, ErrorKind, Message};
use frontdesk::app::{App, Clock, Event, Focus, Me};
use frontdesk::model::{ConversationId, StaffId};
use frontdesk::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

fn me() -> Me {
    Me {
        staff_id: StaffId(1),
        name: "Fiona Desk".into(),
        hotel_name: "Hotel Killarney".into(),
        capabilities: [
            "chat.conversation.read",
            "chat.message.send",
            "chat.conversation.assign",
        ]
        .map(String::from)
        .to_vec(),
    }
}

fn clock() -> Clock {
    Clock {
        now: Utc.with_ymd_and_hms(2026, 11, 24, 14, 30, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    }
}

fn conv(
    id: i64,
    room: i64,
    name: Option<&str>,
    last: &str,
    minutes_ago: i64,
    unread: u32,
) -> Conversation {
    serde_json::from_value(json!({
        "id": id, "room_number": room, "guest_name": name, "last_message": last,
        "last_message_time": (clock().now - chrono::Duration::minutes(minutes_ago)).to_rfc3339(),
        "has_unread": false, "unread_count": unread,
    }))
    .unwrap()
}

fn msg(id: i64, conv: i64, sender: &str, text: &str, minutes_ago: i64) -> Message {
    let staff =
        (sender == "staff").then(|| json!({"name": "Fiona Desk", "role": "Front Desk Agent"}));
    serde_json::from_value(json!({
        "id": id, "conversation_id": conv, "sender_type": sender, "message": text, "room_number": 101,
        "guest_name": "Aoife Murphy", "staff": if sender == "staff" { json!(1) } else { json!(null) },
        "staff_info": staff, "read_by_staff": true,
        "timestamp": (clock().now - chrono::Duration::minutes(minutes_ago)).to_rfc3339(),
    }))
    .unwrap()
}

fn hotel(size: (u16, u16)) -> App {
    let mut app = App::new(me(), clock(), size);
    let list = vec![
        conv(
            1,
            101,
            Some("Aoife Murphy"),
            "Hi, could I get extra towels in room 101?",
            3,
            2,
        ),
        conv(
            2,
            201,
            None,
            "Hello from room 201 (no active booking)",
            240,
            1,
        ),
        conv(
            3,
            104,
            Some("陈 伟"),
            "你好，请问可以延迟退房到下午两点吗？",
            60 * 26,
            0,
        ),
        conv(
            4,
            106,
            Some("محمد العلي"),
            "مرحبا، هل يمكنني الحصول على مكواة؟",
            12,
            1,
        ),
        conv(
            5,
            305,
            Some("Rosa 🌹 Fernández"),
            "🎉🎂 It's my partner's birthday — any chance of a cake?",
            60 * 24 * 20,
            0,
        ),
    ];
    app.update(Event::ConversationsLoaded(Ok(list)));
    app
}

fn open_101(app: &mut App) {
    app.open_conversation(ConversationId(1), Focus::Composer);
    let mut page = vec![
        msg(10, 1, "guest", "Hello! We arrived last night.", 60 * 20),
        msg(
            11,
            1,
            "system",
            "Fiona Desk has joined the conversation.",
            60 * 19,
        ),
        msg(
            12,
            1,
            "staff",
            "Welcome to Hotel Killarney! How can I help?",
            60 * 19,
        ),
        msg(
            13,
            1,
            "guest",
            "Hi, could I get extra towels in room 101?",
            3,
        ),
    ];
    let mut hostile = msg(
        14,
        1,
        "guest",
        "evil\u{1b}[2J\u{1b}]0;pwned\u{7} text \u{202e}reversed",
        2,
    );
    hostile.read_by_staff = false;
    page.push(hostile);
    app.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 30,
        result: Ok(page),
    });
}

fn draw(app: &App, theme: &Theme) -> String {
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        render(f, app, theme);
    })
    .unwrap();
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

fn key(c: KeyCode) -> Event {
    Event::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

#[test]
fn conversation_list() {
    let app = hotel((100, 16));
    let screen = draw(&app, &Theme::plain());
    // Sorted by activity: 101 (3m), 106 (12m), 201 (4h), 104 (yesterday), 305.
    let rows: Vec<&str> = screen
        .lines()
        .filter(|l| {
            l.contains(" 101 ")
                || l.contains(" 106 ")
                || l.contains(" 201 ")
                || l.contains(" 104 ")
                || l.contains(" 305 ")
        })
        .collect();
    assert!(
        rows[0].contains("101") && rows[1].contains("106") && rows[2].contains("201"),
        "{screen}"
    );
    insta::assert_snapshot!("list", screen);
}

#[test]
fn thread_with_hostile_text() {
    let mut app = hotel((110, 24));
    open_101(&mut app);
    let screen = draw(&app, &Theme::plain());
    assert!(!screen.contains('\u{1b}'), "no escape reaches the terminal");
    assert!(!screen.contains('\u{202e}'));
    assert!(screen.contains("Room 101 · Aoife Murphy"));
    insta::assert_snapshot!("thread", screen);
}

#[test]
fn empty_hotel() {
    let mut app = App::new(me(), clock(), (100, 12));
    app.update(Event::ConversationsLoaded(Ok(vec![])));
    let screen = draw(&app, &Theme::plain());
    assert!(screen.contains("No conversations yet"));
    insta::assert_snapshot!("empty", screen);
}

#[test]
fn narrow_shows_one_pane() {
    let mut app = hotel((60, 20));
    open_101(&mut app);
    let screen = draw(&app, &Theme::plain());
    assert!(
        !screen.contains("Conversations ("),
        "the list is hidden while reading"
    );
    insta::assert_snapshot!("narrow_thread", screen);
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Esc));
    let screen = draw(&app, &Theme::plain());
    assert!(screen.contains("Conversations ("));
}

#[test]
fn help_is_the_keymap() {
    // Tall enough for every binding at once (a shorter screen scrolls the help).
    let mut app = hotel((100, 60));
    app.update(Event::Key(KeyEvent::new(
        KeyCode::Char('?'),
        KeyModifiers::NONE,
    )));
    let screen = draw(&app, &Theme::plain());
    for b in frontdesk::app::keymap::KEYMAP
        .iter()
        .filter(|b| b.needs.is_none_or(|c| app.me.can(c)))
    {
        assert!(screen.contains(b.help), "help lacks {:?}", b.help);
    }
    insta::assert_snapshot!("help", screen);
}

#[test]
fn errors_are_readable_lines() {
    let mut app = hotel((100, 12));
    let err = ApiError::new(
        "GET",
        "/api/staff/hotel/x/chat/conversations/",
        ErrorKind::Server(500),
    );
    app.update(Event::ConversationsLoaded(Err(err)));
    let screen = draw(&app, &Theme::plain());
    assert!(
        screen.contains("Loading conversations: server error 500"),
        "{screen}"
    );
    insta::assert_snapshot!("error", screen);
}

#[test]
fn random_states_at_every_size_never_panic() {
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n.max(1)
    };
    let nasty = [
        "",
        "\u{1b}[31mred",
        "👨‍👩‍👧👨‍👩‍👧",
        "e\u{301}",
        "你好世界你好世界",
        "مرحبا",
        &"x".repeat(5000),
        "a\nb\nc\n\n",
        "\u{0}\u{7f}\u{9b}",
    ];
    for w in (1..=300u16)
        .step_by(7)
        .chain([1, 2, 3, 19, 20, 89, 90, 300])
    {
        for h in (1..=100u16).step_by(9).chain([1, 2, 4, 5, 100]) {
            let mut app = hotel((w, h));
            if rand(2) == 0 {
                open_101(&mut app);
                let m = msg(
                    20 + rand(100) as i64,
                    1,
                    ["guest", "staff", "system"][rand(3) as usize],
                    nasty[rand(nasty.len() as u64) as usize],
                    1,
                );
                app.update(Event::LiveMessage(Box::new(m)));
            }
            for _ in 0..rand(6) {
                let k = [
                    KeyCode::PageUp,
                    KeyCode::PageDown,
                    KeyCode::Up,
                    KeyCode::Down,
                    KeyCode::Tab,
                    KeyCode::Char('?'),
                    KeyCode::Char('x'),
                    KeyCode::Esc,
                ][rand(8) as usize];
                app.update(key(k));
            }
            let theme = if rand(2) == 0 {
                Theme::plain()
            } else {
                Theme::colour()
            };
            let screen = draw(&app, &theme);
            assert_eq!(screen.lines().count(), h as usize);
        }
    }
}

#[test]
fn attachment_links_are_placed_for_osc8_and_hostile_urls_are_not() {
    let mut app = hotel((120, 30));
    app.open_conversation(ConversationId(1), Focus::Thread);
    let mut with_file = msg(30, 1, "staff", "Your invoice", 5);
    with_file.attachments = serde_json::from_value(json!([
        {"id": 1, "file_url": "https://files.example/invoice-101.pdf", "file_name": "invoice-101.pdf", "file_type": "pdf", "file_size": 91234},
        {"id": 2, "file_url": "https://evil.example/\u{1b}]0;x\u{7}", "file_name": "x.pdf", "file_type": "pdf", "file_size": 1}
    ]))
    .unwrap();
    app.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 30,
        result: Ok(vec![with_file]),
    });
    let (w, h) = app.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let mut spots = Vec::new();
    t.draw(|f| spots = render(f, &app, &Theme::plain()).links)
        .unwrap();
    assert_eq!(
        spots.len(),
        1,
        "only the safe URL becomes a hyperlink: {spots:?}"
    );
    let s = &spots[0];
    assert_eq!(s.url, "https://files.example/invoice-101.pdf");
    let buf = t.backend().buffer();
    let cells: String = (0..s.shown.chars().count() as u16)
        .map(|i| buf[(s.x + i, s.y)].symbol().to_string())
        .collect();
    assert_eq!(
        cells, s.shown,
        "the spot covers exactly the drawn link text"
    );
}

#[test]
fn help_scrolls_on_a_small_terminal() {
    let mut app = hotel((80, 24));
    app.update(key(KeyCode::Char('?')));
    let first = draw(&app, &Theme::plain());
    assert!(first.contains("other keys close"), "{first}");
    assert!(!first.contains("scroll the thread down a page"));
    for _ in 0..5 {
        app.update(key(KeyCode::PageDown));
    }
    let later = draw(&app, &Theme::plain());
    assert!(later.contains("scroll the thread down a page"), "{later}");
    app.update(key(KeyCode::Char('x')));
    assert_eq!(app.overlay, frontdesk::app::Overlay::None);
}

#[test]
fn a_dead_server_and_a_stale_list_are_said() {
    use frontdesk::app::{Connection, POLL_LIMIT};
    let mut app = hotel((120, 20));
    app.update(Event::Connection(Connection::Polling));
    app.list_updated = Some(app.clock.now);
    let id = app.order[0];
    app.open_conversation(id, frontdesk::app::Focus::Thread);
    app.update(Event::Refreshed {
        conversation: id,
        limit: POLL_LIMIT,
        result: Err(ApiError::new(
            "GET",
            "/x",
            ErrorKind::NoConnection("refused".into()),
        )),
    });
    let screen = draw(&app, &Theme::plain());
    assert!(
        screen.contains("✕ server unreachable since 14:30"),
        "{screen}"
    );
    assert!(screen.contains("updated 14:30"), "{screen}");
    assert!(
        screen.contains("14:30 UTC+00:00"),
        "the desk's zone: {screen}"
    );
}

#[test]
fn hints_at_80_columns_are_whole_and_end_with_help() {
    let app = hotel((80, 24));
    let allowed = |c: frontdesk::model::Capability| app.me.can(c);
    let line = frontdesk::ui::hint_line(&app, frontdesk::app::keymap::Scope::List, &allowed, 80);
    assert!(frontdesk::text::width(&line) <= 80, "{line}");
    assert!(
        line.starts_with("Enter open"),
        "the most useful first: {line}"
    );
    assert!(line.ends_with("? help"), "{line}");
    assert!(!line.contains('…'), "no hint cut in half: {line}");
}

#[test]
fn a_long_question_keeps_its_y_n_on_screen() {
    let mut app = hotel((80, 24));
    app.overlay = frontdesk::app::Overlay::Confirm(frontdesk::popup::Confirm::new(
        "This is an earlier stay in room 103: that guest has checked out, and the reply reaches nobody in the room now. Send anyway? y/n",
        frontdesk::app::Confirmed::SendToEarlierStay,
    ));
    let screen = draw(&app, &Theme::plain());
    assert!(screen.contains("Send anyway? y/n"), "{screen}");
}
