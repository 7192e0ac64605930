//! Render, update and merge costs on ratatui's TestBackend: `cargo bench --bench render`.
//! The thread sizes show that a frame costs what is visible, not what is loaded.

use chrono::{Duration, FixedOffset, TimeZone, Utc};
use frontdesk::api::{Conversation, Message};
use frontdesk::app::{App, Clock, Event, Focus, Me};
use frontdesk::model::{ConversationId, StaffId};
use frontdesk::tui::Screen;
use frontdesk::ui::{Theme, render};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use serde_json::json;

fn main() {
    divan::main();
}

fn clock() -> Clock {
    Clock {
        now: Utc.with_ymd_and_hms(2026, 11, 24, 14, 30, 0).unwrap(),
        offset: FixedOffset::east_opt(0).unwrap(),
    }
}

fn message(id: i64, conv: i64) -> Message {
    let guest = id % 3 != 0;
    serde_json::from_value(json!({
        "id": id, "conversation_id": conv, "room_number": 101,
        "sender_type": if guest { "guest" } else { "staff" },
        "staff": if guest { json!(null) } else { json!(1) },
        "staff_info": if guest { json!(null) } else { json!({"name": "Fiona Desk", "role": "Front Desk Agent"}) },
        "guest_name": "Aoife Murphy", "read_by_staff": true,
        "message": format!("Message {id}: could we have some more towels and a late checkout, please? 你好 👋"),
        "timestamp": (clock().now - Duration::minutes(20_000 - id)).to_rfc3339(),
    }))
    .unwrap()
}

/// A hotel of `conversations` rows with conversation 1 open, holding `messages` messages.
fn hotel(conversations: i64, messages: i64) -> App {
    let me = Me {
        staff_id: StaffId(1),
        name: "Fiona".into(),
        hotel_name: "Hotel Killarney".into(),
        capabilities: vec!["chat.message.send".into()],
    };
    let mut app = App::new(me, clock(), (200, 60));
    let list: Vec<Conversation> = (1..=conversations)
        .map(|i| {
            serde_json::from_value(json!({
                "id": i, "room_number": 100 + i, "guest_name": format!("Guest {i}"),
                "last_message": "Could I get extra towels?", "unread_count": i % 4,
                "last_message_time": (clock().now - Duration::minutes(i)).to_rfc3339(),
            }))
            .unwrap()
        })
        .collect();
    app.update(Event::ConversationsLoaded(Ok(list)));
    app.open_conversation(ConversationId(1), Focus::Thread);
    app.update(Event::PageLoaded {
        conversation: ConversationId(1),
        limit: 30,
        result: Ok((1..=messages).map(|id| message(id, 1)).collect()),
    });
    app
}

#[divan::bench(args = [100, 10_000])]
fn frame_200x60_newest(bencher: divan::Bencher, messages: i64) {
    let app = hotel(2_000, messages);
    let theme = Theme::colour();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    bencher.bench_local(|| {
        // A fresh buffer each time: the whole frame is computed, as after a change.
        term.draw(|f| {
            render(f, &app, &theme);
        })
        .unwrap();
    });
}

#[divan::bench(args = [100, 10_000])]
fn frame_200x60_scrolled_to_the_middle(bencher: divan::Bencher, messages: i64) {
    let mut app = hotel(2_000, messages);
    for _ in 0..(messages / 20) {
        app.update(Event::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::PageUp,
            crossterm::event::KeyModifiers::NONE,
        )));
    }
    let theme = Theme::colour();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    bencher.bench_local(|| {
        term.draw(|f| {
            render(f, &app, &theme);
        })
        .unwrap();
    });
}

#[divan::bench(args = [10, 100, 1_000, 10_000])]
fn frame_list_only(bencher: divan::Bencher, conversations: i64) {
    let app = hotel(conversations, 30);
    let theme = Theme::colour();
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    bencher.bench_local(|| {
        term.draw(|f| {
            render(f, &app, &theme);
        })
        .unwrap();
    });
}

#[divan::bench(args = [100, 10_000])]
fn update_one_live_message(bencher: divan::Bencher, messages: i64) {
    let mut next = 1_000_000;
    let mut app = hotel(2_000, messages);
    bencher.bench_local(|| {
        next += 1;
        app.update(Event::LiveMessage(Box::new(message(next, 1))))
    });
}

#[divan::bench]
fn merge_a_page_into_10k(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            let mut t = frontdesk::app::thread::Thread::new(ConversationId(1));
            t.merge((10_001..=20_000).map(|id| message(id, 1)));
            (
                t,
                (9_971..=10_000)
                    .map(|id| message(id, 1))
                    .collect::<Vec<_>>(),
            )
        })
        .bench_local_values(|(mut t, page)| {
            t.apply_page(page, 30);
            t
        });
}

#[divan::bench]
fn a_burst_of_1000_live_events(bencher: divan::Bencher) {
    bencher
        .with_inputs(|| {
            (
                hotel(2_000, 30),
                (5_000..6_000).map(|id| message(id, 1)).collect::<Vec<_>>(),
            )
        })
        .bench_local_values(|(mut app, msgs)| {
            for m in msgs {
                app.update(Event::LiveMessage(Box::new(m)));
            }
            app
        });
}

/// What ratatui's frame itself costs (buffer swap, diff) with nothing drawn: the floor.
#[divan::bench]
fn empty_frame_200x60(bencher: divan::Bencher) {
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    bencher.bench_local(|| {
        term.draw(|_| {}).unwrap();
    });
}

/// The hotel with its open thread of 100 messages, before and after the 101st arrives.
fn before_and_after_a_message(conversations: i64) -> (App, App) {
    let before = hotel(conversations, 100);
    let mut after = hotel(conversations, 100);
    after.update(Event::LiveMessage(Box::new(message(101, 1))));
    (before, after)
}

/// A new message in the open thread, through the painter that turns frames into the
/// terminal's bytes (ratatui's diff, the choice to scroll, the encoding): frames alternate
/// between the thread before and after it, beside a short list and a full one.
#[divan::bench(args = [8, 2_000])]
fn a_new_message_painted_200x60(bencher: divan::Bencher, conversations: i64) {
    let (before, after) = before_and_after_a_message(conversations);
    let theme = Theme::colour();
    let mut screen = Screen::of_size(std::io::sink(), Rect::new(0, 0, 200, 60)).unwrap();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let app = if flip { &after } else { &before };
        screen.frame(|f| render(f, app, &theme)).unwrap();
    });
}

/// The same frames through ratatui's own crossterm backend (what wrote frames before the
/// painter): the painter's cost is the difference.
#[divan::bench(args = [8, 2_000])]
fn a_new_message_ratatui_backend_200x60(bencher: divan::Bencher, conversations: i64) {
    let (before, after) = before_and_after_a_message(conversations);
    let theme = Theme::colour();
    let mut term = Terminal::with_options(
        ratatui::backend::CrosstermBackend::new(std::io::sink()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(Rect::new(0, 0, 200, 60)),
        },
    )
    .unwrap();
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        let app = if flip { &after } else { &before };
        term.draw(|f| {
            render(f, app, &theme);
        })
        .unwrap();
    });
}
