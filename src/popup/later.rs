//! "Later": until when a guest's request is put aside. A time of day (`05:45`, `545`), or a
//! while from now (`30m`, `2h`). The prompt says what it will mean before Enter.

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Paragraph};

use super::{Outcome, Popup, Reaction, centered, clears_line, typed};
use crate::theme::Theme;

/// "05:45" and "2h" are short; more is a slip.
const MAX_CHARS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaterPrompt {
    pub text: String,
    /// Whose request: "Room 104 · Seán Ó Briain".
    pub about: String,
    pub now: DateTime<Utc>,
    pub offset: FixedOffset,
}

/// The moment `text` names, seen from `now` in the desk's zone: the next time that clock
/// shows HH:MM (tomorrow if it has passed today), or now plus a while. Up to 7 days.
pub fn until(text: &str, now: DateTime<Utc>, offset: FixedOffset) -> Result<DateTime<Utc>, String> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return Err("give a time such as 05:45, or a while such as 30m or 2h".into());
    }
    if let Some(n) = t.strip_suffix('m').or_else(|| t.strip_suffix("min")) {
        let n: i64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: minutes as 30m"))?;
        return span(now, Duration::minutes(n), text);
    }
    if let Some(n) = t.strip_suffix('h') {
        let n: i64 = n
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: hours as 2h"))?;
        return span(now, Duration::hours(n), text);
    }
    let digits: String = t.chars().filter(char::is_ascii_digit).collect();
    let clock = if t.contains(':') {
        NaiveTime::parse_from_str(&t, "%H:%M").ok()
    } else if (3..=4).contains(&digits.len()) && digits.len() == t.len() {
        let (h, m) = digits.split_at(digits.len() - 2);
        NaiveTime::from_hms_opt(h.parse().unwrap_or(99), m.parse().unwrap_or(99), 0)
    } else {
        None
    };
    let clock = clock.ok_or_else(|| format!("{text:?} is not a time: 05:45, 545, 30m or 2h"))?;
    let local = now.with_timezone(&offset);
    let mut day = local.date_naive();
    if clock <= local.time() {
        day = day.succ_opt().unwrap_or(day);
    }
    day.and_time(clock)
        .and_local_timezone(offset)
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{text:?} is not a time on this desk's clock"))
}

fn span(now: DateTime<Utc>, d: Duration, text: &str) -> Result<DateTime<Utc>, String> {
    if d <= Duration::zero() || d > Duration::days(7) {
        return Err(format!("{text:?}: from 1 minute to 7 days"));
    }
    Ok(now + d)
}

impl LaterPrompt {
    fn meaning(&self) -> String {
        match until(&self.text, self.now, self.offset) {
            Ok(t) => format!(
                "until {}",
                t.with_timezone(&self.offset).format("%H:%M %a %-d %b")
            ),
            Err(_) if self.text.is_empty() => "05:45, 545, 30m or 2h".into(),
            Err(e) => e,
        }
    }
}

impl Popup for LaterPrompt {
    fn on_key(&mut self, key: KeyEvent) -> Reaction {
        match key.code {
            KeyCode::Esc => Reaction::Close(Outcome::Nothing),
            KeyCode::Enter => match until(&self.text, self.now, self.offset) {
                Ok(at) => Reaction::Close(Outcome::LaterUntil(at)),
                // The prompt already says what is wrong; it stays open to be mended.
                Err(_) => Reaction::Ignored,
            },
            KeyCode::Backspace => {
                self.text.pop();
                Reaction::Redraw
            }
            _ if clears_line(&key) => {
                self.text.clear();
                Reaction::Redraw
            }
            _ => match typed(&key) {
                Some(c)
                    if (c.is_ascii_alphanumeric() || c == ':')
                        && self.text.chars().count() < MAX_CHARS =>
                {
                    self.text.push(c);
                    Reaction::Redraw
                }
                _ => Reaction::Ignored,
            },
        }
    }

    fn on_paste(&mut self, text: &str) -> Reaction {
        for c in text
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == ':')
        {
            if self.text.chars().count() < MAX_CHARS {
                self.text.push(c);
            }
        }
        Reaction::Redraw
    }

    fn hint(&self) -> &'static str {
        "a time (05:45) or a while (30m, 2h) · Enter puts it aside · Esc cancels"
    }

    fn draw(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let r = centered(area, 52, 4);
        frame.render_widget(Clear, r);
        let about = crate::text::line_preview(&self.about, 48);
        frame.render_widget(
            Paragraph::new(vec![
                format!("Later: {}▏", self.text).into(),
                ratatui::text::Line::styled(self.meaning(), theme.dim),
            ])
            .block(theme.block(format!(" {about} "), true)),
            r,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_time_of_day_is_the_next_one_and_a_while_counts_from_now() {
        let dublin = FixedOffset::east_opt(0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 8, 22, 10, 0).unwrap();
        let at = |t| until(t, now, dublin);
        let tomorrow = Utc.with_ymd_and_hms(2026, 12, 9, 5, 45, 0).unwrap();
        assert_eq!(at("05:45"), Ok(tomorrow));
        assert_eq!(at("545"), Ok(tomorrow));
        assert_eq!(
            at("23:00"),
            Ok(Utc.with_ymd_and_hms(2026, 12, 8, 23, 0, 0).unwrap())
        );
        assert_eq!(at("30m"), Ok(now + Duration::minutes(30)));
        assert_eq!(at("2h"), Ok(now + Duration::hours(2)));
        let plus_one = FixedOffset::east_opt(3600).unwrap();
        assert_eq!(
            until("07:00", now, plus_one),
            Ok(Utc.with_ymd_and_hms(2026, 12, 9, 6, 0, 0).unwrap())
        );
        for bad in ["", "25:00", "0m", "9d", "soon", "12345"] {
            assert!(at(bad).is_err(), "{bad:?}");
        }
    }
}
