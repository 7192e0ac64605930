//! The one keymap: the app dispatches through it, and the help overlay and hint bar are drawn
//! from it, so they cannot drift apart.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    pub needs: Option<&'static str>,
}

macro_rules! bind {
    ([$($scope:ident),+], $label:literal, $action:ident, $help:literal, $hint:literal, [$($key:expr),+ $(,)?] $(, $needs:literal)?) => {
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
    (@needs $needs:literal) => { Some($needs) };
}

#[rustfmt::skip]
pub static KEYMAP: &[Binding] = &[
    bind!([Everywhere], "Ctrl-C", Quit, "quit", false, [ctrl('c')]),
    bind!([List, Thread], "q", Quit, "quit", true, [ch('q')]),
    bind!([List, Thread], "?", Help, "show or hide this help", true, [ch('?')]),
    bind!([Everywhere], "F1", Help, "show or hide this help", false, [k(KeyCode::F(1))]),
    bind!([Everywhere], "Tab", NextPane, "next pane", false, [k(KeyCode::Tab)]),
    bind!([Everywhere], "Shift-Tab", PrevPane, "previous pane", false, [Key { code: KeyCode::BackTab, mods: KeyModifiers::SHIFT }, k(KeyCode::BackTab)]),
    bind!([List], "j/↓", Down, "next conversation", false, [ch('j'), k(KeyCode::Down)]),
    bind!([List], "k/↑", Up, "previous conversation", false, [ch('k'), k(KeyCode::Up)]),
    bind!([List], "Enter", Open, "open the conversation and reply", true, [k(KeyCode::Enter)]),
    bind!([List, Thread], "n", NextUnread, "next unread conversation", true, [ch('n')]),
    bind!([List], "/", Filter, "filter by room or guest", true, [ch('/')]),
    bind!([List], "o", OpenRoom, "open or start a room's thread", true, [ch('o')], "chat.conversation.read"),
    bind!([List, Thread], "c", Claim, "claim the conversation", true, [ch('c')], "chat.conversation.assign"),
    bind!([Thread], "j/↓", Down, "select the next message", false, [ch('j'), k(KeyCode::Down)]),
    bind!([Thread], "k/↑", Up, "select the previous message", false, [ch('k'), k(KeyCode::Up)]),
    bind!([Thread], "i/Enter", Write, "write a reply", true, [ch('i'), k(KeyCode::Enter)], "chat.message.send"),
    bind!([Thread], "r", QuoteReply, "reply quoting the selected message", true, [ch('r')], "chat.message.send"),
    bind!([Thread], "t", Canned, "insert a canned reply", false, [ch('t')], "chat.message.send"),
    bind!([Thread], "R", Retry, "retry a failed reply", false, [ch('R')], "chat.message.send"),
    bind!([Thread], "Esc", Leave, "back to the list", false, [k(KeyCode::Esc)]),
    bind!([Everywhere], "PgUp", PageUp, "scroll the thread up a page", false, [k(KeyCode::PageUp)]),
    bind!([Everywhere], "PgDn", PageDown, "scroll the thread down a page", false, [k(KeyCode::PageDown)]),
    bind!([Thread], "Home/g", Top, "first loaded message", false, [k(KeyCode::Home), ch('g')]),
    bind!([Thread], "End/G", Bottom, "newest message", false, [k(KeyCode::End), ch('G')]),
    bind!([Composer], "Enter", Send, "send the reply", true, [k(KeyCode::Enter)], "chat.message.send"),
    bind!([Composer], "Alt-Enter", Newline, "new line", true, [alt(KeyCode::Enter), Key { code: KeyCode::Enter, mods: KeyModifiers::SHIFT }, ctrl('j')]),
    bind!([Composer], "Ctrl-E", Editor, "edit the reply in $EDITOR", true, [ctrl('e')]),
    bind!([Composer], "Ctrl-T", Canned, "insert a canned reply", true, [ctrl('t')]),
    bind!([Composer], "Ctrl-X", ClearQuote, "stop quoting", false, [ctrl('x')]),
    bind!([Composer], "Esc", Leave, "leave the composer (the draft is kept)", true, [k(KeyCode::Esc)]),
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

/// The action for a key in this scope (its own bindings first, then the global ones).
pub fn lookup(scope: Scope, ev: &KeyEvent, allowed: &dyn Fn(&str) -> bool) -> Option<Action> {
    let usable = |b: &&Binding| b.needs.is_none_or(allowed);
    KEYMAP
        .iter()
        .filter(usable)
        .find(|b| b.applies_in(scope) && b.keys.iter().any(|key| matches(key, ev)))
        .or_else(|| {
            KEYMAP.iter().filter(usable).find(|b| {
                b.applies_in(Scope::Everywhere) && b.keys.iter().any(|key| matches(key, ev))
            })
        })
        .map(|b| b.action)
}

/// The bindings to list in help or the hint bar, for a staff member's capabilities.
pub fn visible<'a>(
    allowed: &'a dyn Fn(&str) -> bool,
) -> impl Iterator<Item = &'static Binding> + 'a {
    KEYMAP.iter().filter(move |b| b.needs.is_none_or(allowed))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn scope_first_then_global() {
        let all = |_: &str| true;
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
        let none = |_: &str| false;
        assert_eq!(
            lookup(
                Scope::Thread,
                &key(KeyCode::Char('c'), KeyModifiers::NONE),
                &none
            ),
            None
        );
        assert!(visible(&none).all(|b| b.action != Action::Claim));
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
