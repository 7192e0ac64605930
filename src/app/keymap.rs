//! The one keymap: the app dispatches through it, and the help overlay and hint bar are drawn
//! from it, so they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::Capability;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize, serde::Serialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    NextPane,
    PrevPane,
    Up,
    Down,
    Open,
    NextUnread,
    Filter,
    PageUp,
    PageDown,
    HalfPageUp,
    HalfPageDown,
    Top,
    Bottom,
    Write,
    QuoteReply,
    Send,
    Newline,
    Leave,
    Editor,
    Canned,
    Claim,
    OpenRoom,
    Retry,
    ClearQuote,
    Suspend,
    Attach,
    Edit,
    Delete,
    HardDelete,
    DeleteAttachment,
    Copy,
    ToggleOrder,
    SendAndNext,
    Search,
    HandOff,
    QuoteAnswer,
    Team,
    Done,
    Later,
    Undo,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    List,
    Thread,
    Composer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}
const fn alt(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::ALT,
    }
}
const fn ch(c: char) -> Key {
    k(KeyCode::Char(c))
}

pub struct Binding {
    pub keys: &'static [Key],
    /// How the keys are written in help.
    pub label: &'static str,
    pub action: Action,
    pub scopes: &'static [Scope],
    pub help: &'static str,
    /// Shown in the hint bar when its scope is focused.
    pub hint: bool,
    /// The capability the staff member needs for this action (hidden without it).
    pub needs: Option<Capability>,
}

macro_rules! bind {
    ([$($scope:ident),+], $label:literal, $action:ident, $help:literal, $hint:literal, [$($key:expr),+ $(,)?] $(, $needs:ident)?) => {
        Binding {
            keys: &[$($key),+],
            label: $label,
            action: Action::$action,
            scopes: &[$(Scope::$scope),+],
            help: $help,
            hint: $hint,
            needs: bind!(@needs $($needs)?),
        }
    };
    (@needs) => { None };
    (@needs $needs:ident) => { Some(Capability::$needs) };
}

#[rustfmt::skip]
pub static KEYMAP: &[Binding] = &[
    bind!([Everywhere], "Ctrl-C", Quit, "quit", false, [ctrl('c')]),
    bind!([List], "q", Quit, "quit (asks if replies are unsent)", true, [ch('q')]),
    bind!([List, Thread], "?", Help, "show or hide this help", true, [ch('?')]),
    bind!([Everywhere], "Ctrl-Z", Suspend, "suspend to the shell (fg resumes)", false, [ctrl('z')]),
    bind!([Everywhere], "F1", Help, "show or hide this help", false, [k(KeyCode::F(1))]),
    bind!([Everywhere], "Tab", NextPane, "next pane", false, [k(KeyCode::Tab)]),
    bind!([Everywhere], "Shift-Tab", PrevPane, "previous pane", false, [Key { code: KeyCode::BackTab, mods: KeyModifiers::SHIFT }, k(KeyCode::BackTab)]),
    bind!([List], "j/↓", Down, "next conversation", false, [ch('j'), k(KeyCode::Down)]),
    bind!([List], "k/↑", Up, "previous conversation", false, [ch('k'), k(KeyCode::Up)]),
    bind!([List], "Enter", Open, "open the conversation and reply", true, [k(KeyCode::Enter)]),
    bind!([List, Thread], "n", NextUnread, "next waiting guest, then unread", true, [ch('n')]),
    bind!([List], "w", ToggleOrder, "waiting first / newest first", true, [ch('w')]),
    bind!([List, Thread], "/", Filter, "filter by room or guest", true, [ch('/')]),
    bind!([List, Thread], "s", Search, "search every kept message", true, [ch('s')]),
    bind!([List, Thread], "T", Team, "colleagues' conversations (Team)", true, [ch('T')]),
    bind!([List, Thread], "o", OpenRoom, "open or start a room's thread", true, [ch('o')], ConversationRead),
    bind!([List, Thread], "c", Claim, "claim the conversation", true, [ch('c')], ConversationAssign),
    bind!([List, Thread], "m", Done, "done: no answer needed (all desks)", true, [ch('m')]),
    bind!([List, Thread], "z", Later, "later: put aside until a time", true, [ch('z')]),
    bind!([List, Thread], "u", Undo, "undo done or later", false, [ch('u')]),
    bind!([Thread], "j/↓", Down, "select the next message", false, [ch('j'), k(KeyCode::Down)]),
    bind!([Thread], "k/↑", Up, "select the previous message", false, [ch('k'), k(KeyCode::Up)]),
    bind!([Thread], "i/Enter", Write, "write a reply", true, [ch('i'), k(KeyCode::Enter)], MessageSend),
    bind!([Thread], "r", QuoteReply, "reply quoting the selected message", true, [ch('r')], MessageSend),
    bind!([Thread], "t", Canned, "insert a canned reply", false, [ch('t')], MessageSend),
    bind!([Thread], "R", Retry, "retry a failed reply", false, [ch('R')], MessageSend),
    bind!([Thread], "Esc/q", Leave, "back to the list", false, [k(KeyCode::Esc), ch('q')]),
    bind!([List], "Esc", Leave, "clear the filter", false, [k(KeyCode::Esc)]),
    bind!([Everywhere], "PgUp", PageUp, "scroll the thread up a page", false, [k(KeyCode::PageUp)]),
    bind!([Everywhere], "PgDn", PageDown, "scroll the thread down a page", false, [k(KeyCode::PageDown)]),
    bind!([Thread], "Home/g", Top, "first loaded message", false, [k(KeyCode::Home), ch('g')]),
    bind!([Thread], "End/G", Bottom, "newest message", false, [k(KeyCode::End), ch('G')]),
    bind!([List], "Home/g", Top, "first conversation", false, [k(KeyCode::Home), ch('g')]),
    bind!([List], "End/G", Bottom, "last conversation", false, [k(KeyCode::End), ch('G')]),
    bind!([List, Thread], "Ctrl-D", HalfPageDown, "half a page down", false, [ctrl('d')]),
    bind!([List, Thread], "Ctrl-U", HalfPageUp, "half a page up", false, [ctrl('u')]),
    bind!([Composer], "Enter", Send, "send the reply", true, [k(KeyCode::Enter)], MessageSend),
    bind!([Composer], "Ctrl-N", SendAndNext, "send, then next waiting guest", true, [ctrl('n')], MessageSend),
    bind!([Composer], "Alt-Enter", Newline, "new line", true, [alt(KeyCode::Enter), Key { code: KeyCode::Enter, mods: KeyModifiers::SHIFT }, ctrl('j')]),
    bind!([Composer], "Ctrl-E", Editor, "edit the reply in $EDITOR", true, [ctrl('e')]),
    bind!([Composer], "Ctrl-T", Canned, "insert a canned reply", true, [ctrl('t')]),
    bind!([Composer], "Ctrl-X", ClearQuote, "stop quoting", false, [ctrl('x')]),
    bind!([Thread], "a", Attach, "send files (Tab completes paths)", true, [ch('a')], AttachmentUpload),
    bind!([Composer], "Ctrl-A", Attach, "send files with this text", true, [ctrl('a')], AttachmentUpload),
    bind!([Thread], "e", Edit, "edit your selected message", false, [ch('e')], MessageSend),
    bind!([Thread], "d", Delete, "delete the selected message", false, [ch('d')], MessageSend),
    bind!([Thread], "D", HardDelete, "delete the message for good", false, [ch('D')], MessageModerate),
    bind!([Thread], "x", DeleteAttachment, "delete the message's attachment", false, [ch('x')], AttachmentDelete),
    bind!([Thread], "y", Copy, "copy link or text (OSC 52)", false, [ch('y')]),
    bind!([Thread], "f", HandOff, "hand the request on to colleagues", true, [ch('f')]),
    bind!([Thread], "h", QuoteAnswer, "show their answer, to rephrase", false, [ch('h')], MessageSend),
    bind!([Composer], "Esc", Leave, "leave the composer (draft kept)", true, [k(KeyCode::Esc)]),
];

impl Binding {
    pub fn applies_in(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }
}

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    // Shifted letters arrive as uppercase with SHIFT; compare without SHIFT for chars.
    let mods = match ev.code {
        KeyCode::Char(_) => ev.modifiers - KeyModifiers::SHIFT,
        _ => ev.modifiers,
    };
    key.code == ev.code && key.mods == mods
}

/// Parses "x", "ctrl-e", "alt-enter", "pgup", "f1", "shift-tab" and the like.
pub fn parse_key(text: &str) -> Result<Key, String> {
    let lower = text.trim().to_ascii_lowercase();
    let mut mods = KeyModifiers::NONE;
    let mut rest = lower.as_str();
    loop {
        if let Some(r) = rest.strip_prefix("ctrl-") {
            mods |= KeyModifiers::CONTROL;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("alt-") {
            mods |= KeyModifiers::ALT;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("shift-") {
            mods |= KeyModifiers::SHIFT;
            rest = r;
        } else {
            break;
        }
    }
    let code = match rest {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "space" => KeyCode::Char(' '),
        f if f.starts_with('f')
            && f.len() > 1
            && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) =>
        {
            KeyCode::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            // A single character keeps its case: "G" differs from "g".
            let original = text.trim();
            let ch_part = &original[original.len() - rest.len()..];
            let mut chars = ch_part.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "{text:?} is not a key (try \"x\", \"ctrl-e\", \"alt-enter\", \"pgup\", \"f1\")"
                    ));
                }
            }
        }
    };
    if code == KeyCode::BackTab {
        mods |= KeyModifiers::SHIFT;
    }
    if let KeyCode::Char(_) = code {
        mods -= KeyModifiers::SHIFT;
    }
    Ok(Key { code, mods })
}

/// One binding as configured: the default row with its keys possibly replaced.
#[derive(Debug, Clone)]
pub struct Row {
    pub keys: Vec<Key>,
    pub label: String,
    pub base: &'static Binding,
}

impl Row {
    pub fn applies_in(&self, scope: Scope) -> bool {
        self.base.applies_in(scope)
    }
}

/// The keymap in force: the defaults, with the config's `[keys]` applied.
#[derive(Debug, Clone)]
pub struct Keymap {
    rows: Vec<Row>,
}

impl std::fmt::Debug for Binding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.action)
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            rows: KEYMAP
                .iter()
                .map(|b| Row {
                    keys: b.keys.to_vec(),
                    label: b.label.to_string(),
                    base: b,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// Applies `action = ["key", ...]` overrides; refuses a key bound twice in one scope.
    pub fn with_overrides(overrides: &[(Action, Vec<String>)]) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (action, keys) in overrides {
            if keys.is_empty() {
                return Err(format!(
                    "keys.{}: give at least one key",
                    action_name(*action)
                ));
            }
            let parsed = keys
                .iter()
                .map(|k| parse_key(k))
                .collect::<Result<Vec<Key>, String>>()
                .map_err(|e| format!("keys.{}: {e}", action_name(*action)))?;
            let mut found = false;
            for row in map.rows.iter_mut().filter(|r| r.base.action == *action) {
                row.keys = parsed.clone();
                row.label = keys.join("/");
                found = true;
            }
            if !found {
                return Err(format!("keys.{}: no such action", action_name(*action)));
            }
            map.check_conflicts()
                .map_err(|e| format!("keys.{}: {e}", action_name(*action)))?;
        }
        Ok(map)
    }

    fn check_conflicts(&self) -> Result<(), String> {
        for (i, a) in self.rows.iter().enumerate() {
            for b in &self.rows[i + 1..] {
                let shared_scope = a.base.scopes.iter().any(|s| b.applies_in(*s));
                if shared_scope
                    && a.base.action != b.base.action
                    && let Some(k) = a.keys.iter().find(|k| b.keys.contains(k))
                {
                    return Err(format!(
                        "{} would do both {} and {}",
                        key_name(k),
                        action_name(a.base.action),
                        action_name(b.base.action)
                    ));
                }
            }
        }
        Ok(())
    }

    /// The action for a key in this scope (its own bindings first, then the global ones).
    pub fn lookup(
        &self,
        scope: Scope,
        ev: &KeyEvent,
        allowed: &dyn Fn(Capability) -> bool,
    ) -> Option<Action> {
        let usable = |r: &&Row| r.base.needs.is_none_or(allowed);
        let hit = |r: &&Row, s: Scope| r.applies_in(s) && r.keys.iter().any(|key| matches(key, ev));
        self.rows
            .iter()
            .filter(usable)
            .find(|r| hit(r, scope))
            .or_else(|| {
                self.rows
                    .iter()
                    .filter(usable)
                    .find(|r| hit(r, Scope::Everywhere))
            })
            .map(|r| r.base.action)
    }

    /// The rows to list in help or the hint bar, for a staff member's capabilities.
    pub fn visible<'a>(
        &'a self,
        allowed: &'a dyn Fn(Capability) -> bool,
    ) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.base.needs.is_none_or(allowed))
    }
}

fn key_name(k: &Key) -> String {
    let mut out = String::new();
    if k.mods.contains(KeyModifiers::CONTROL) {
        out.push_str("ctrl-");
    }
    if k.mods.contains(KeyModifiers::ALT) {
        out.push_str("alt-");
    }
    match k.code {
        KeyCode::Char(c) => out.push(c),
        other => out.push_str(&format!("{other:?}").to_lowercase()),
    }
    format!("the key {out:?}")
}

pub fn action_name(a: Action) -> String {
    serde_json::to_value(a)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| format!("{a:?}"))
}

/// The default keymap's lookup (for callers without a configured keymap).
impl Keymap {
    /// The keys that act everywhere, popups included (quit, suspend): resolved before any
    /// popup's own keys, so Ctrl-C quits wherever the desk is.
    pub fn global(&self, ev: &KeyEvent, allowed: &dyn Fn(Capability) -> bool) -> Option<Action> {
        self.rows
            .iter()
            .filter(|r| r.base.needs.is_none_or(allowed))
            .filter(|r| matches!(r.base.action, Action::Quit | Action::Suspend))
            .find(|r| r.applies_in(Scope::Everywhere) && r.keys.iter().any(|k| matches(k, ev)))
            .map(|r| r.base.action)
    }
}

pub fn lookup(scope: Scope, ev: &KeyEvent, allowed: &dyn Fn(Capability) -> bool) -> Option<Action> {
    Keymap::default().lookup(scope, ev, allowed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn scope_first_then_global() {
        let all = |_: Capability| true;
        assert_eq!(
            lookup(
                Scope::List,
                &key(KeyCode::Char('j'), KeyModifiers::NONE),
                &all
            ),
            Some(Action::Down)
        );
        assert_eq!(
            lookup(
                Scope::Composer,
                &key(KeyCode::Char('j'), KeyModifiers::NONE),
                &all
            ),
            None
        );
        assert_eq!(
            lookup(
                Scope::Composer,
                &key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                &all
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            lookup(
                Scope::Thread,
                &key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                &all
            ),
            Some(Action::Bottom)
        );
    }

    #[test]
    fn capabilities_hide_actions() {
        let none = |_: Capability| false;
        assert_eq!(
            lookup(
                Scope::Thread,
                &key(KeyCode::Char('c'), KeyModifiers::NONE),
                &none
            ),
            None
        );
        assert!(
            Keymap::default()
                .visible(&none)
                .all(|r| r.base.action != Action::Claim)
        );
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        for (i, a) in KEYMAP.iter().enumerate() {
            for b in &KEYMAP[i + 1..] {
                if !a.scopes.iter().any(|s| b.applies_in(*s)) {
                    continue;
                }
                for ka in a.keys {
                    assert!(
                        !b.keys.contains(ka),
                        "{} and {} share a key",
                        a.label,
                        b.label
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod override_tests {
    use super::*;

    #[test]
    fn keys_parse() {
        assert_eq!(
            parse_key("ctrl-e").unwrap(),
            Key {
                code: KeyCode::Char('e'),
                mods: KeyModifiers::CONTROL
            }
        );
        assert_eq!(
            parse_key("G").unwrap(),
            Key {
                code: KeyCode::Char('G'),
                mods: KeyModifiers::NONE
            }
        );
        assert_eq!(
            parse_key("alt-enter").unwrap(),
            Key {
                code: KeyCode::Enter,
                mods: KeyModifiers::ALT
            }
        );
        assert_eq!(parse_key("f5").unwrap().code, KeyCode::F(5));
        assert!(parse_key("ctrl-").is_err());
        assert!(parse_key("banana").is_err());
    }

    #[test]
    fn overrides_replace_keys_and_labels() {
        let map = Keymap::with_overrides(&[(Action::NextUnread, vec!["v".into()])]).unwrap();
        let all = |_: Capability| true;
        let v = KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE);
        let n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(map.lookup(Scope::List, &v, &all), Some(Action::NextUnread));
        assert_eq!(map.lookup(Scope::List, &n, &all), None);
        assert!(
            map.visible(&all)
                .any(|r| r.label == "v" && r.base.action == Action::NextUnread)
        );
    }

    #[test]
    fn conflicting_overrides_are_refused() {
        let e = Keymap::with_overrides(&[(Action::NextUnread, vec!["j".into()])]).unwrap_err();
        assert!(e.contains("next_unread") && e.contains("down"), "{e}");
    }
}
