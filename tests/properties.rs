//! Property tests (cargo fuzz needs a nightly toolchain this machine cannot fetch): the Pusher
//! frame decoder, the API decoders, the sanitiser and the wrapper on arbitrary input.

use frontdesk::api::{Conversation, Message};
use frontdesk::live::{Frame, decode_frame, events_for};
use frontdesk::text::{sanitize, width, wrap};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Arbitrary JSON, a few levels deep, with strings that include controls and escapes.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
        "\\PC{0,10}\u{1b}\\[[0-9;]{0,5}m".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("conversation_id".to_string()),
                    Just("message".to_string()),
                    Just("timestamp".to_string()),
                    Just("sender_type".to_string()),
                    Just("attachments".to_string()),
                    Just("payload".to_string()),
                    Just("category".to_string()),
                    Just("message_id".to_string()),
                    Just("room_number".to_string()),
                    Just("booking_id".to_string()),
                    "[a-z_]{1,12}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn frames_decode_only_with_an_event_name(text in ".{0,200}") {
        // Arbitrary text: a frame comes back only when it is JSON with a string "event".
        if let Some(f) = decode_frame(&text) {
            let v: Value = serde_json::from_str(&text).expect("decoded frames are JSON");
            prop_assert_eq!(v.get("event").and_then(Value::as_str), Some(f.event.as_str()));
        }
    }

    #[test]
    fn structured_frames_decode_and_map(event in prop_oneof![
            Just("new-guest-message"), Just("realtime_event"), Just("chat.message.created"),
            Just("messages-read-by-staff"), Just("chat.message.read"), Just("chat.message.edited"),
            Just("pusher:ping"), Just("other")],
        data in any_json(), as_string in any::<bool>()) {
        let data_field = if as_string { Value::String(data.to_string()) } else { data.clone() };
        let raw = json!({"event": event, "channel": "c", "data": data_field}).to_string();
        let frame = decode_frame(&raw).expect("a well-formed frame decodes");
        prop_assert_eq!(&frame.event, event);
        // Whatever the payload, mapping to app events never panics.
        let _ = events_for(&frame);
        let _ = events_for(&Frame { event: event.to_string(), channel: None, data });
    }

    #[test]
    fn api_decoders_accept_only_what_has_the_keys(v in any_json()) {
        // A message needs a numeric id and a conversation a numeric id and room: any object
        // decoded must have them; the rest is refused, never a panic. (serde also reads a
        // struct from an array, by position; only objects are checked by key.)
        if !v.is_object() && !v.is_array() {
            prop_assert!(serde_json::from_value::<Message>(v.clone()).is_err());
            prop_assert!(serde_json::from_value::<Conversation>(v.clone()).is_err());
        }
        if let Ok(m) = serde_json::from_value::<Message>(v.clone())
            && v.is_object()
        {
            prop_assert_eq!(v.get("id").and_then(Value::as_i64), Some(m.id.0));
        }
        if let Ok(c) = serde_json::from_value::<Conversation>(v.clone())
            && v.is_object()
        {
            prop_assert_eq!(v.get("id").and_then(Value::as_i64), Some(c.id.0));
            prop_assert_eq!(v.get("room_number").and_then(Value::as_i64), Some(c.room_number.0));
        }
        if let Ok(list) = serde_json::from_value::<Vec<Message>>(v.clone()) {
            prop_assert_eq!(v.as_array().map(Vec::len), Some(list.len()));
        }
        if let Ok(l) = serde_json::from_value::<frontdesk::api::Login>(v.clone())
            && v.is_object()
        {
            prop_assert_eq!(v.get("token").and_then(Value::as_str), Some(l.token.as_str()));
        }
    }

    #[test]
    fn sanitised_text_has_no_terminal_controls(s in "\\PC{0,30}[\u{0}-\u{1f}\u{7f}-\u{9f}\u{202a}-\u{202e}\u{2066}-\u{2069}\u{200b}]{0,10}\\PC{0,30}") {
        let clean = sanitize(&s);
        for c in clean.chars() {
            prop_assert!(c == '\n' || !c.is_control(), "control {:?} survived", c);
            let bidi = ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
            prop_assert!(!bidi, "bidi control {:?} survived", c);
        }
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_visible_character(s in "\\PC{0,120}", max in 1usize..40) {
        let clean = sanitize(&s).into_owned();
        let lines = wrap(&clean, max);
        for l in &lines {
            // Only a line of one grapheme may be wider than the limit: graphemes are not split.
            let graphemes = unicode_segmentation::UnicodeSegmentation::graphemes(l.as_str(), true).count();
            prop_assert!(width(l) <= max || graphemes == 1, "{:?} is wider than {}", l, max);
        }
        let kept: String = lines.concat().chars().filter(|c| !c.is_whitespace()).collect();
        let original: String = clean.chars().filter(|c| !c.is_whitespace()).collect();
        prop_assert_eq!(kept, original);
    }
}
