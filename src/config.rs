//! The TOML configuration. Every key is documented, with its default, in `config.example.toml`.
//! Unknown keys and bad values are refused with the file, line and key: the app does not guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::api::{AuthScheme, PathForm};
use crate::app::keymap::{Action, Keymap};
use crate::model::NotifyMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColourMode {
    /// Colour unless NO_COLOR is set.
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ThemeConfig {
    pub colour: ColourMode,
    /// Colour names from the 16 basic ones: black, red, green, yellow, blue, magenta, cyan,
    /// gray, darkgray, lightred, lightgreen, lightyellow, lightblue, lightmagenta, lightcyan, white.
    pub guest: Option<String>,
    pub staff: Option<String>,
    pub accent: Option<String>,
    pub unread: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RealtimeConfig {
    pub enabled: bool,
    /// A Pusher-protocol WebSocket URL; wins over key + cluster.
    pub url: Option<String>,
    /// Hosted Pusher: the app key and cluster (e.g. "eu").
    pub pusher_key: Option<String>,
    pub pusher_cluster: Option<String>,
    /// Where private channels are signed, relative to the server.
    pub auth_endpoint: String,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            url: None,
            pusher_key: None,
            pusher_cluster: None,
            auth_endpoint: "/api/notifications/pusher/auth/".into(),
        }
    }
}

impl RealtimeConfig {
    /// The WebSocket URL to use, if realtime is configured at all.
    pub fn ws_url(&self) -> Option<String> {
        if !self.enabled {
            return None;
        }
        if let Some(u) = &self.url {
            return Some(u.clone());
        }
        match (&self.pusher_key, &self.pusher_cluster) {
            (Some(k), Some(c)) => Some(crate::live::LiveConfig::hosted_url(k, c)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: Option<String>,
    pub hotel: Option<String>,
    pub api_paths: PathForm,
    pub auth_scheme: AuthScheme,
    pub history_page_size: u32,
    pub poll_seconds: u64,
    pub list_poll_seconds: u64,
    pub request_timeout_seconds: u64,
    pub notifications: NotifyMode,
    pub allow_insecure: bool,
    /// A PEM file with the hotel's own CA certificate, trusted beside the system's.
    pub ca_file: Option<PathBuf>,
    pub canned_replies: Vec<String>,
    /// A waiting guest's row is marked after this many minutes.
    pub attention_minutes: u32,
    /// ... marked urgent and announced once after this many.
    pub urgent_minutes: u32,
    /// A guest who only thanks or closes after a staff reply is not waiting.
    pub thanks_end_wait: bool,
    /// `{first_name}` is the full name for names written family name first (CJK, Vietnamese).
    pub full_name_for_family_name_first: bool,
    /// Guest text is personal data: the desk's history keeps messages this many days (0:
    /// keeps none).
    pub retention_days: u32,
    pub realtime: RealtimeConfig,
    pub theme: ThemeConfig,
    pub keys: BTreeMap<Action, Vec<String>>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            server: None,
            hotel: None,
            api_paths: PathForm::Auto,
            auth_scheme: AuthScheme::Token,
            history_page_size: 30,
            poll_seconds: 5,
            list_poll_seconds: 120,
            request_timeout_seconds: 15,
            notifications: NotifyMode::Bell,
            allow_insecure: false,
            ca_file: None,
            // None unless the hotel writes its own: another hotel's Wi-Fi name is one Enter away.
            canned_replies: Vec::new(),
            attention_minutes: 5,
            urgent_minutes: 15,
            thanks_end_wait: true,
            full_name_for_family_name_first: true,
            retention_days: 30,
            realtime: RealtimeConfig::default(),
            theme: ThemeConfig::default(),
            keys: BTreeMap::new(),
        }
    }
}

/// The demo hotel's canned replies, for `frontdesk demo` only (`assets/canned-replies.txt`,
/// one a line).
pub fn demo_canned() -> Vec<String> {
    include_str!("../assets/canned-replies.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// serde's "unknown variant `beep`, expected one of `off`, `bell`, ..." with the nearest
/// choice named first: "`beep` is not a choice here: did you mean `bell`? ...".
fn did_you_mean(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown variant `") else {
        return message.to_string();
    };
    let Some((given, choices)) = rest.split_once('`') else {
        return message.to_string();
    };
    let nearest = choices
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|choice| (strsim::damerau_levenshtein(given, choice), choice))
        .min();
    match nearest {
        Some((distance, choice)) if distance <= 3 && distance < given.len().max(2) => {
            format!("`{given}` is not a choice here: did you mean `{choice}`? ({message})")
        }
        _ => message.to_string(),
    }
}

/// A configuration problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line where `key = ...` is set (for errors found after parsing).
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let leaf = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(leaf)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
        .map(|i| i + 1)
}

pub fn colour_by_name(name: &str) -> Option<ratatui::style::Color> {
    use ratatui::style::Color::*;
    Some(
        match name
            .to_ascii_lowercase()
            .replace(['_', '-', ' '], "")
            .as_str()
        {
            "black" => Black,
            "red" => Red,
            "green" => Green,
            "yellow" => Yellow,
            "blue" => Blue,
            "magenta" => Magenta,
            "cyan" => Cyan,
            "gray" | "grey" => Gray,
            "darkgray" | "darkgrey" => DarkGray,
            "lightred" => LightRed,
            "lightgreen" => LightGreen,
            "lightyellow" => LightYellow,
            "lightblue" => LightBlue,
            "lightmagenta" => LightMagenta,
            "lightcyan" => LightCyan,
            "white" => White,
            _ => return None,
        },
    )
}

impl Config {
    /// Parses and checks a config file's text.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let err = |line: Option<usize>, message: String| ConfigError {
            path: path.to_path_buf(),
            line,
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(text, s.start));
            err(line, did_you_mean(e.message().trim()))
        })?;
        Config::check_values(&config)
            .map_err(|(key, message)| err(line_of_key(text, key), format!("{key}: {message}")))?;
        config.keymap().map_err(|e| {
            let key = e.split(':').next().unwrap_or("keys").to_string();
            err(line_of_key(text, &key), e)
        })?;
        Ok(config)
    }

    /// Values out of range or of the wrong form: the key and what is wrong.
    fn check_values(config: &Config) -> Result<(), (&'static str, String)> {
        if !(5..=500).contains(&config.history_page_size) {
            return Err((
                "history_page_size",
                format!("{} is out of range (5 to 500)", config.history_page_size),
            ));
        }
        if !(2..=3600).contains(&config.poll_seconds) {
            return Err((
                "poll_seconds",
                format!("{} is out of range (2 to 3600)", config.poll_seconds),
            ));
        }
        if !(30..=3600).contains(&config.list_poll_seconds) {
            return Err((
                "list_poll_seconds",
                format!("{} is out of range (30 to 3600)", config.list_poll_seconds),
            ));
        }
        if !(1..=300).contains(&config.request_timeout_seconds) {
            return Err((
                "request_timeout_seconds",
                format!(
                    "{} is out of range (1 to 300)",
                    config.request_timeout_seconds
                ),
            ));
        }
        if let Some(s) = &config.server
            && !(s.starts_with("http://") || s.starts_with("https://"))
        {
            return Err((
                "server",
                format!("{s:?} must start with https:// (or http:// on loopback)"),
            ));
        }
        if let Some(u) = &config.realtime.url
            && !(u.starts_with("ws://") || u.starts_with("wss://"))
        {
            return Err((
                "realtime.url",
                format!("{u:?} must start with wss:// (or ws:// on loopback)"),
            ));
        }
        for (key, value) in [
            ("theme.guest", &config.theme.guest),
            ("theme.staff", &config.theme.staff),
            ("theme.accent", &config.theme.accent),
            ("theme.unread", &config.theme.unread),
            ("theme.error", &config.theme.error),
        ] {
            if let Some(v) = value
                && colour_by_name(v).is_none()
            {
                return Err((
                    key,
                    format!("{v:?} is not one of the 16 basic colour names"),
                ));
            }
        }
        if !(1..=1440).contains(&config.attention_minutes) {
            return Err((
                "attention_minutes",
                format!("{} is out of range (1 to 1440)", config.attention_minutes),
            ));
        }
        if !(config.attention_minutes..=1440).contains(&config.urgent_minutes) {
            return Err((
                "urgent_minutes",
                format!(
                    "{} must be from attention_minutes ({}) to 1440",
                    config.urgent_minutes, config.attention_minutes
                ),
            ));
        }
        if config.retention_days > 3650 {
            return Err((
                "retention_days",
                format!(
                    "{} is out of range (0 keeps no history, up to 3650)",
                    config.retention_days
                ),
            ));
        }
        if config.canned_replies.iter().any(|c| c.trim().is_empty()) {
            return Err(("canned_replies", "an entry is empty".into()));
        }
        Ok(())
    }

    /// Loads `path`; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(ConfigError {
                path: path.to_path_buf(),
                line: None,
                message: e.to_string(),
            }),
        }
    }

    pub fn thresholds(&self) -> crate::app::Thresholds {
        crate::app::Thresholds {
            attention: chrono::Duration::minutes(self.attention_minutes.into()),
            urgent: chrono::Duration::minutes(self.urgent_minutes.into()),
            thanks_end_wait: self.thanks_end_wait,
            full_name_for_family_first: self.full_name_for_family_name_first,
        }
    }

    pub fn keymap(&self) -> Result<Keymap, String> {
        let overrides: Vec<(Action, Vec<String>)> =
            self.keys.iter().map(|(a, k)| (*a, k.clone())).collect();
        Keymap::with_overrides(&overrides)
    }

    pub fn theme(&self) -> crate::ui::Theme {
        use crate::ui::Theme;
        let colour = match self.theme.colour {
            ColourMode::Never => false,
            ColourMode::Always => true,
            ColourMode::Auto => !Theme::no_color_env(),
        };
        if !colour {
            return Theme::plain();
        }
        let mut t = Theme::colour();
        let set = |style: &mut ratatui::style::Style, name: &Option<String>| {
            if let Some(c) = name.as_deref().and_then(colour_by_name) {
                *style = style.fg(c);
            }
        };
        set(&mut t.guest, &self.theme.guest);
        set(&mut t.staff, &self.theme.staff);
        set(&mut t.accent, &self.theme.accent);
        set(&mut t.unread, &self.theme.unread);
        set(&mut t.error, &self.theme.error);
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("/etc/frontdesk.toml"), text)
    }

    #[test]
    fn the_demo_canned_replies_come_from_assets_each_whole() {
        let c = demo_canned();
        assert_eq!(c.len(), 6, "{c:?}");
        assert!(
            c.iter()
                .any(|l| l.contains("{first_name}") && l.starts_with("Thank you"))
        );
    }

    #[test]
    fn a_misspelt_choice_names_the_nearest_one() {
        let e = parse("notifications = \"beep\"\n").unwrap_err();
        assert!(e.message.contains("did you mean `bell`?"), "{}", e.message);
        assert_eq!(e.line, Some(1));
        let e = parse("[keys]\nnext_unred = [\"n\"]\n").unwrap_err();
        assert!(
            e.message.contains("did you mean `next_unread`?"),
            "{}",
            e.message
        );
        // Nothing near: the choices, and no guess.
        let e = parse("notifications = \"carrier-pigeon\"\n").unwrap_err();
        assert!(!e.message.contains("did you mean"), "{}", e.message);
        assert!(e.message.contains("`desktop`"), "{}", e.message);
    }

    #[test]
    fn the_example_file_is_valid_and_complete() {
        let text = include_str!("../config.example.toml");
        let c = parse(text).unwrap();
        assert_eq!(c.history_page_size, 30);
        // Every top-level key of the struct is documented in the example.
        for key in [
            "server",
            "hotel",
            "api_paths",
            "auth_scheme",
            "history_page_size",
            "poll_seconds",
            "list_poll_seconds",
            "request_timeout_seconds",
            "notifications",
            "allow_insecure",
            "ca_file",
            "canned_replies",
            "attention_minutes",
            "urgent_minutes",
            "thanks_end_wait",
            "full_name_for_family_name_first",
            "[realtime]",
            "enabled",
            "url",
            "pusher_key",
            "pusher_cluster",
            "auth_endpoint",
            "[theme]",
            "colour",
            "guest",
            "staff",
            "accent",
            "unread",
            "error",
            "[keys]",
        ] {
            assert!(
                text.contains(key),
                "config.example.toml does not document {key}"
            );
        }
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let e = parse("hotel = \"x\"\n\npage_size = 10\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("unknown field `page_size`"), "{e}");
        assert!(e.to_string().starts_with("/etc/frontdesk.toml:3: "));
    }

    #[test]
    fn wrong_types_name_the_line() {
        let e = parse("poll_seconds = \"often\"\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = parse("[realtime]\nenabled = true\nurl = 5\n").unwrap_err();
        assert_eq!(e.line, Some(3));
        let e = parse("notifications = \"loud\"\n").unwrap_err();
        assert!(
            e.message.contains("loud") || e.message.contains("variant"),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_key_and_line() {
        let e = parse("server = \"https://h\"\nhistory_page_size = 1\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.starts_with("history_page_size:"), "{e}");
        let e = parse("server = \"hotel.example.com\"\n").unwrap_err();
        assert!(e.message.starts_with("server:"), "{e}");
        let e = parse("[theme]\nguest = \"chartreuse\"\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        let e = parse("[keys]\nnext_unread = [\"j\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = parse("[keys]\nfly = [\"x\"]\n").unwrap_err();
        assert!(e.message.contains("fly"), "{e}");
    }

    #[test]
    fn missing_file_is_the_defaults() {
        let c = Config::load(Path::new("/nonexistent/frontdesk/config.toml")).unwrap();
        assert_eq!(c.poll_seconds, 5);
        assert!(
            c.canned_replies.is_empty(),
            "the demo's replies are not a hotel's"
        );
    }

    #[test]
    fn realtime_url_from_key_and_cluster() {
        let c = parse("[realtime]\npusher_key = \"abc\"\npusher_cluster = \"eu\"\n").unwrap();
        assert!(
            c.realtime
                .ws_url()
                .unwrap()
                .starts_with("wss://ws-eu.pusher.com/app/abc?protocol=7")
        );
        let c = parse("[realtime]\nenabled = false\nurl = \"ws://127.0.0.1:1/app/k\"\n").unwrap();
        assert_eq!(c.realtime.ws_url(), None);
    }
}
