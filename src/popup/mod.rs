//! Popups over the panes, one type each behind [`Popup`]: its own keys, what it draws and
//! its hint line. A popup changes only itself; what the inbox must do about it leaves as an
//! [`Outcome`], which `app` acts on. Keys that work everywhere (Ctrl-C, Ctrl-Z) are taken
//! from the keymap before a popup sees them.

mod attach;
mod canned;
mod confirm;
mod filter;
mod hand_off;
mod help;
mod later;
mod room;
mod search;
mod sign_in;
mod team;

pub use attach::Attach;
pub use canned::CannedPicker;
pub use confirm::{Confirm, Confirmed};
pub use filter::Filter;
pub use hand_off::{Choice, HandOffPicker};
pub use help::{Help, HelpSection};
pub use later::{LaterPrompt, until as later_until};
pub use room::RoomPrompt;
pub use search::{Found, Search};
pub use sign_in::SignIn;
pub use team::{TeamFocus, TeamPane, TeamScreen};

use crossterm::event::{KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;

use crate::theme::Theme;

pub trait Popup {
    /// A key the keymap's global keys did not take.
    fn on_key(&mut self, key: KeyEvent) -> Reaction;
    /// Pasted text; most popups take none.
    fn on_paste(&mut self, _text: &str) -> Reaction {
        Reaction::Ignored
    }
    /// The hint line's text while the popup is open.
    fn hint(&self) -> &'static str;
    /// Draws over `area` (the whole screen).
    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme);
}

/// What a key did to a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reaction {
    /// Nothing changed: no redraw.
    Ignored,
    /// The popup changed itself.
    Redraw,
    /// Stays open; the inbox acts on the outcome.
    Tell(Outcome),
    /// Closes; then the inbox acts on the outcome.
    Close(Outcome),
}

/// What the inbox must do because of a popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Nothing,
    /// The filter's text is now this.
    FilterTyped(String),
    /// Move the list's highlight by this many rows.
    MoveSelection(isize),
    /// Open the highlighted conversation.
    OpenSelected,
    /// Open this room (digits, perhaps empty).
    RoomTyped(String),
    /// Insert this text into the reply.
    InsertCanned(String),
    SignIn {
        password: String,
    },
    /// Closed without signing in.
    SignInLater,
    /// Complete this path (Tab).
    CompletePath(String),
    /// Send these files, with the reply's text.
    Upload(Vec<String>),
    Confirmed(Confirmed),
    /// A question answered no.
    Cancelled,
    /// A line for the notice bar.
    Say(&'static str),
    /// The search's text is now this.
    SearchTyped(String),
    /// Write a hand-off to these colleagues.
    HandOffTo(crate::model::HandOffTo),
    /// Team view: read this staff conversation (and mark it read).
    OpenTeamThread(crate::api::staff_models::TeamThreadId),
    /// Team view: the page before this message.
    OlderTeamPage {
        thread: crate::api::staff_models::TeamThreadId,
        before: Option<crate::api::staff_models::TeamMessageId>,
    },
    /// Team view: send this to the colleagues.
    SendTeam {
        thread: crate::api::staff_models::TeamThreadId,
        text: String,
        reply_to: Option<crate::api::staff_models::TeamMessageId>,
    },
    /// Team view closed: what was typed, kept for the next time.
    TeamClosed(std::collections::HashMap<crate::api::staff_models::TeamThreadId, String>),
    /// Put the open or selected guest's request aside until then.
    LaterUntil(chrono::DateTime<chrono::Utc>),
    /// Open the conversation at this message.
    OpenFound {
        conversation: crate::model::ConversationId,
        message: crate::model::MessageId,
    },
}

/// The popup open over the panes, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Overlay {
    #[default]
    None,
    Help(Help),
    Filter(Filter),
    RoomPrompt(RoomPrompt),
    Later(LaterPrompt),
    Canned(CannedPicker),
    /// The server refused our token: sign in again without leaving the inbox.
    SignIn(SignIn),
    Attach(Attach),
    Confirm(Confirm),
    Search(Search),
    HandOff(HandOffPicker),
    Team(TeamScreen),
}

impl Overlay {
    pub fn popup(&self) -> Option<&dyn Popup> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Help(p) => p,
            Overlay::Filter(p) => p,
            Overlay::RoomPrompt(p) => p,
            Overlay::Later(p) => p,
            Overlay::Canned(p) => p,
            Overlay::SignIn(p) => p,
            Overlay::Attach(p) => p,
            Overlay::Confirm(p) => p,
            Overlay::Search(p) => p,
            Overlay::HandOff(p) => p,
            Overlay::Team(p) => p,
        })
    }

    pub fn popup_mut(&mut self) -> Option<&mut dyn Popup> {
        Some(match self {
            Overlay::None => return None,
            Overlay::Help(p) => p,
            Overlay::Filter(p) => p,
            Overlay::RoomPrompt(p) => p,
            Overlay::Later(p) => p,
            Overlay::Canned(p) => p,
            Overlay::SignIn(p) => p,
            Overlay::Attach(p) => p,
            Overlay::Confirm(p) => p,
            Overlay::Search(p) => p,
            Overlay::HandOff(p) => p,
            Overlay::Team(p) => p,
        })
    }

    pub fn is_open(&self) -> bool {
        !matches!(self, Overlay::None)
    }
}

/// A box of `w` by `h` in the middle of `area`, cut to fit.
pub(crate) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// ↑/↓ in a list of `count` choices: the highlight moves and stops at either end.
fn move_choice(selected: &mut usize, down: bool, count: usize) -> Reaction {
    *selected = if down {
        (*selected + 1).min(count.saturating_sub(1))
    } else {
        selected.saturating_sub(1)
    };
    Reaction::Redraw
}

/// Ctrl-U: clears a prompt's line, as it does in the reply box and in a shell.
fn clears_line(key: &KeyEvent) -> bool {
    key.code == crossterm::event::KeyCode::Char('u')
        && key.modifiers.contains(KeyModifiers::CONTROL)
}

/// A key that types a character (Ctrl and Alt chords do not).
fn typed(key: &KeyEvent) -> Option<char> {
    match key.code {
        crossterm::event::KeyCode::Char(c)
            if !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

/// Pasted text on one line: CR and LF become spaces.
fn one_line_paste(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .trim()
        .replace('\n', " ")
}
