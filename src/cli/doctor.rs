//! `frontdesk doctor`: what the person installing frontdesk checks when it does not connect.
//! One line per check, in the order things depend on each other, each with what to do.

use std::time::Duration;

use futures_util::StreamExt;
use serde::Serialize;

use super::*;
use crate::live::{EventName, decode_frame};
use crate::tui::Multiplexer;

#[derive(Args, Debug, Clone)]
pub struct DoctorArgs {
    /// The same as JSON, for scripts.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connect: Connect,
    #[command(flatten)]
    pub inbox: InboxFlags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    /// Works.
    Ok,
    /// Works in a lesser way (polling instead of live, no clipboard): the inbox still runs.
    Warn,
    /// The inbox cannot work until this is fixed.
    Fail,
    /// Cannot be told from here.
    Unknown,
}

#[derive(Debug, Serialize)]
struct Check {
    check: &'static str,
    verdict: Verdict,
    says: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    todo: Option<String>,
}

fn check(check: &'static str, verdict: Verdict, says: impl Into<String>) -> Check {
    Check {
        check,
        verdict,
        says: says.into(),
        todo: None,
    }
}

impl Check {
    fn todo(mut self, what: impl Into<String>) -> Check {
        self.todo = Some(what.into());
        self
    }
}

pub async fn doctor_command(cli: &Cli, args: &DoctorArgs) -> Result<()> {
    let mut checks = Vec::new();
    server_checks(cli, &mut checks).await;
    checks.extend(terminal_checks(cli));
    checks.push(data_dir_check());
    if args.json {
        let failed = checks.iter().any(|c| c.verdict == Verdict::Fail);
        let out = serde_json::json!({ "ok": !failed, "checks": checks });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).wrap_err("writing the report")?
        );
    } else {
        for c in &checks {
            let mark = match c.verdict {
                Verdict::Ok => "✓",
                Verdict::Warn => "!",
                Verdict::Fail => "✗",
                Verdict::Unknown => "?",
            };
            print!("{mark} {}: {}", c.check, crate::text::one_line(&c.says));
            match &c.todo {
                Some(t) => println!(" — {}", crate::text::one_line(t)),
                None => println!(),
            }
        }
    }
    if checks.iter().any(|c| c.verdict == Verdict::Fail) {
        std::process::exit(1);
    }
    Ok(())
}

/// The config, the server, the path form, the token, the rights, the socket, the signer: each
/// needs the one before, so the first that fails ends them.
async fn server_checks(cli: &Cli, out: &mut Vec<Check>) {
    let Some(server) = config_and_server(cli, out).await else {
        return;
    };
    let Some((signed, conversations)) = account(cli, &server, out).await else {
        return;
    };
    live_checks(&signed, &conversations, out).await;
}

/// The config parses and the server answers: returns the server.
async fn config_and_server(cli: &Cli, out: &mut Vec<Check>) -> Option<String> {
    let path = config_path(cli);
    let e = match effective(cli) {
        Ok(e) => e,
        Err(err) => {
            out.push(
                check("config", Verdict::Fail, err.to_string())
                    .todo("fix the line named, or move the file aside to use the defaults"),
            );
            return None;
        }
    };
    let source = if path.exists() {
        path.display().to_string()
    } else {
        format!("{} does not exist: the defaults", path.display())
    };
    out.push(check("config", Verdict::Ok, source));
    let Some(server) = e.server.clone() else {
        out.push(
            check("server", Verdict::Fail, "no server is set")
                .todo("frontdesk login --server https://… --hotel …"),
        );
        return None;
    };
    if let Err(why) = check_transport(&server, e.allow_insecure) {
        out.push(check("server", Verdict::Fail, why));
        return None;
    }
    let http = api::client::http_client(Duration::from_secs(5), Duration::from_secs(15));
    match http.get(format!("{server}/api/staff/login/")).send().await {
        Ok(r) => {
            out.push(check(
                "server",
                Verdict::Ok,
                format!(
                    "{server} answers (HTTP {} to the sign-in address)",
                    r.status().as_u16()
                ),
            ));
            Some(server)
        }
        Err(err) => {
            out.push(
                check(
                    "server",
                    Verdict::Fail,
                    format!("{server}: {}", api::client::connection_problem(&err)),
                )
                .todo("check the address in `frontdesk config`"),
            );
            None
        }
    }
}

/// Signed in, the token accepted, the path form learned and the rights enough to read.
async fn account(
    cli: &Cli,
    server: &str,
    out: &mut Vec<Check>,
) -> Option<(SignedIn, Vec<crate::api::Conversation>)> {
    let signed = match signed_in(cli).await {
        Ok(s) => s,
        Err(err) => {
            out.push(check("sign-in", Verdict::Fail, err.to_string()).todo("frontdesk login"));
            return None;
        }
    };
    let conversations = match signed.api.conversations().await {
        Ok(c) => c,
        Err(err) => {
            let refused = err.is_unauthorised();
            let says = if refused {
                format!("{server} refuses the saved token")
            } else {
                err.summary()
            };
            let c = check("token", Verdict::Fail, says);
            out.push(if refused {
                c.todo("sign in again: frontdesk login")
            } else {
                c
            });
            return None;
        }
    };
    let form = match signed.api.resolved_paths() {
        PathForm::Hotel => "/api/staff/hotel/… (the running deployment's form)",
        PathForm::Hotels => "/api/staff/hotels/… (the published form)",
        PathForm::Auto => "not learned",
    };
    out.push(check("path form", Verdict::Ok, form));
    out.push(check(
        "token",
        Verdict::Ok,
        format!("accepted: {} conversations listed", conversations.len()),
    ));
    let rights = rights_check(&signed.me, &signed.hotel);
    let readable = rights.verdict != Verdict::Fail;
    out.push(rights);
    readable.then_some((signed, conversations))
}

fn rights_check(me: &Me, hotel: &str) -> Check {
    let can = |c: Capability| me.capabilities.iter().any(|x| x == c.as_str());
    if !can(Capability::ConversationRead) {
        check(
            "rights",
            Verdict::Fail,
            format!("{} may not read guest chat in {hotel}", me.name),
        )
        .todo("ask the hotel's admin for guest chat access")
    } else if !can(Capability::MessageSend) {
        check(
            "rights",
            Verdict::Warn,
            format!("{} may read guest chat in {hotel} but not answer", me.name),
        )
    } else {
        check(
            "rights",
            Verdict::Ok,
            format!("{} reads and answers guest chat in {hotel}", me.name),
        )
    }
}

/// The live socket, then whether its private channels are signed.
async fn live_checks(
    signed: &SignedIn,
    conversations: &[crate::api::Conversation],
    out: &mut Vec<Check>,
) {
    let poll = signed.e.config.poll_seconds;
    let Some(url) = signed.e.pusher_url.clone() else {
        out.push(
            check(
                "realtime",
                Verdict::Warn,
                format!("not configured: the inbox reads the open thread every {poll} s"),
            )
            .todo("set [realtime] url, or pusher_key and pusher_cluster, in the config"),
        );
        return;
    };
    match socket_id(&url, &signed.hotel).await {
        Ok(socket) => {
            out.push(check("realtime", Verdict::Ok, format!("{url} connects")));
            out.push(signing_check(&signed.api, conversations, &signed.hotel, &socket, poll).await);
        }
        Err(why) => out.push(
            check("realtime", Verdict::Warn, format!("{url}: {why}")).todo(format!(
                "until it connects, the inbox reads the open thread every {poll} s"
            )),
        ),
    }
}

/// Opens the socket and reads `connection_established`.
async fn socket_id(url: &str, hotel: &str) -> Result<String, String> {
    let live = crate::live::LiveConfig::new(url, hotel);
    let mut ws = tokio::time::timeout(Duration::from_secs(10), crate::live::open_socket(&live.url))
        .await
        .map_err(|_| "no answer in 10 s".to_string())??;
    let first = tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .map_err(|_| "connected, but the server said nothing in 10 s".to_string())?;
    match first {
        Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) => match decode_frame(&t) {
            Some(f) if f.name() == EventName::Established => f
                .established()
                .map(|e| e.socket_id)
                .ok_or_else(|| "connection_established without a socket id".into()),
            _ => Err("the first frame was not connection_established".into()),
        },
        _ => Err("the socket closed before saying anything".into()),
    }
}

/// Signs one private channel of a current stay, as the inbox would.
async fn signing_check(
    api: &StaffApi,
    conversations: &[crate::api::Conversation],
    hotel: &str,
    socket: &str,
    poll: u64,
) -> Check {
    let mut booking = None;
    for c in conversations.iter().take(10) {
        if let Ok(page) = api.messages(c.id, 10, None).await
            && let Some(b) = page.iter().rev().find_map(|m| m.booking_id.clone())
        {
            booking = Some(b);
            break;
        }
    }
    let Some(booking) = booking else {
        return check(
            "private channels",
            Verdict::Unknown,
            "no guest stay to try signing with yet",
        );
    };
    let channel = format!("private-hotel-{hotel}-guest-chat-booking-{booking}");
    match api.pusher_auth(socket, &channel).await {
        Ok(_) => check(
            "private channels",
            Verdict::Ok,
            "signed: colleagues' replies arrive at once",
        ),
        Err(err) => check(
            "private channels",
            Verdict::Warn,
            format!(
                "no ({}): you will see colleagues' replies by polling every {poll} s",
                err.summary()
            ),
        )
        .todo("the server refuses to sign private channels for staff; nothing to do at this desk"),
    }
}

fn tmux_option(name: &str) -> Option<String> {
    let out = std::process::Command::new("tmux")
        .args(["show", "-gv", name])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

fn terminal_checks(cli: &Cli) -> Vec<Check> {
    let mux = crate::tui::multiplexer();
    vec![
        colours_check(),
        links_check(mux),
        clipboard_check(mux),
        notifications_check(cli, mux),
    ]
}

fn colours_check() -> Check {
    let colours = if env("NO_COLOR").is_some() {
        "off (NO_COLOR): rows are marked by bold, reverse and dim alone".to_string()
    } else {
        format!(
            "frontdesk uses the 16 basic colours; TERM={}",
            env("TERM").unwrap_or_else(|| "unset".into())
        )
    };
    check("colours", Verdict::Ok, colours)
}

fn links_check(mux: Option<Multiplexer>) -> Check {
    let known = env("KITTY_WINDOW_ID").is_some()
        || env("WT_SESSION").is_some()
        || env("VTE_VERSION").is_some()
        || matches!(
            env("TERM_PROGRAM").as_deref(),
            Some("iTerm.app" | "WezTerm" | "vscode" | "ghostty")
        );
    match (mux, known) {
        (Some(Multiplexer::Tmux), _) => check(
            "links (OSC 8)",
            Verdict::Unknown,
            "inside tmux: clickable only with tmux 3.4 or later and a terminal that supports them; elsewhere the address shows as text",
        ),
        (_, true) => check(
            "links (OSC 8)",
            Verdict::Ok,
            "this terminal makes them clickable",
        ),
        _ => check(
            "links (OSC 8)",
            Verdict::Unknown,
            "unknown for this terminal; where unsupported the address shows as text",
        ),
    }
}

fn clipboard_check(mux: Option<Multiplexer>) -> Check {
    if mux != Some(Multiplexer::Tmux) {
        return check(
            "clipboard (OSC 52)",
            Verdict::Unknown,
            "depends on the terminal (most modern ones allow it)",
        );
    }
    match tmux_option("set-clipboard").as_deref() {
        Some("on" | "external") => {
            check("clipboard (OSC 52)", Verdict::Ok, "tmux passes copies on")
        }
        Some(other) => check(
            "clipboard (OSC 52)",
            Verdict::Warn,
            format!("tmux set-clipboard is {other}: y will not copy"),
        )
        .todo("tmux set -g set-clipboard on"),
        None => check("clipboard (OSC 52)", Verdict::Unknown, "tmux did not say"),
    }
}

fn notifications_check(cli: &Cli, mux: Option<Multiplexer>) -> Check {
    let notify = cli
        .inbox_flags()
        .notify
        .or_else(|| effective(cli).ok().map(|e| e.notify))
        .unwrap_or_default();
    if !matches!(notify, NotifyMode::Desktop | NotifyMode::Both) {
        return check(
            "desktop notifications",
            Verdict::Ok,
            format!("not used (notifications = {notify:?}; the bell rings)").to_lowercase(),
        );
    }
    match mux {
        Some(Multiplexer::Tmux) => match tmux_option("allow-passthrough").as_deref() {
            Some("on" | "all") => check(
                "desktop notifications",
                Verdict::Ok,
                "wrapped for tmux, which passes them on",
            ),
            _ => check(
                "desktop notifications",
                Verdict::Warn,
                "tmux drops them unless passthrough is allowed",
            )
            .todo("tmux set -g allow-passthrough on"),
        },
        Some(Multiplexer::Screen) => check(
            "desktop notifications",
            Verdict::Unknown,
            "wrapped for screen; whether the terminal shows them is unknown",
        ),
        None => check(
            "desktop notifications",
            Verdict::Unknown,
            "sent as OSC 777 and OSC 9; shown by kitty, WezTerm, iTerm2, foot and others",
        ),
    }
}

/// Drafts, the outbox and the session are guests' and staff's words: owner-only.
fn data_dir_check() -> Check {
    let dir = data_dir();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(&dir) else {
            return check(
                "data directory",
                Verdict::Ok,
                format!("{} is not created yet (it will be 0700)", dir.display()),
            );
        };
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return check(
                "data directory",
                Verdict::Fail,
                format!("{} is readable by others (mode {mode:o})", dir.display()),
            )
            .todo(format!("chmod -R go-rwx {}", dir.display()));
        }
        check(
            "data directory",
            Verdict::Ok,
            format!("{} is private (mode {mode:o})", dir.display()),
        )
    }
    #[cfg(not(unix))]
    check(
        "data directory",
        Verdict::Unknown,
        dir.display().to_string(),
    )
}
