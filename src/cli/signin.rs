//! Signing in and out: the login command, its messages, the checks on who signed in, and what
//! becomes of unsent replies at logout.

use super::*;

/// At logout: the signed-in staff member's replies that are not confirmed yet are sent now,
/// kept for their next sign-in, or discarded, as they choose. Never left for the next person.
pub(crate) async fn settle_unsent(
    session: &crate::store::Session,
    choice: Option<Unsent>,
) -> Result<()> {
    let desk = desk_dir(&session.server, &session.hotel, session.staff_id);
    let outbox = crate::store::OutboxStore::new(&desk);
    let entries = outbox.load().value;
    let (mine, others): (Vec<_>, Vec<_>) = entries
        .into_iter()
        .partition(|p| p.staff_id.is_none_or(|id| id == session.staff_id));
    let n = mine.len();
    if n == 0 {
        return Ok(());
    }
    let replies = if n == 1 { "reply is" } else { "replies are" };
    let kept: Vec<crate::app::PendingReply> =
        match choice.map_or_else(|| ask_unsent(session, n), Ok)? {
            Unsent::Keep => {
                println!(
                    "{n} unsent {replies} kept for {}'s next sign-in ({}).",
                    session.username,
                    outbox.path().display()
                );
                return Ok(());
            }
            Unsent::Discard => {
                println!(
                    "Discarded {n} unsent {}.",
                    if n == 1 { "reply" } else { "replies" }
                );
                Vec::new()
            }
            Unsent::Send => send_unsent(session, mine).await,
        };
    let mut all = kept;
    all.extend(others);
    outbox
        .save(&all)
        .wrap_err_with(|| format!("saving {}", outbox.path().display()))?;
    Ok(())
}

/// Asks at a terminal what becomes of `n` unsent replies; without one, they are kept.
fn ask_unsent(session: &crate::store::Session, n: usize) -> Result<Unsent> {
    if !std::io::stdin().is_terminal() {
        return Ok(Unsent::Keep);
    }
    let replies = if n == 1 { "reply is" } else { "replies are" };
    eprint!(
        "{n} {replies} not confirmed yet. [s]end now, [k]eep for {}'s next sign-in, or [d]iscard? ",
        session.username
    );
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(match line.trim().chars().next() {
        Some('s' | 'S') => Unsent::Send,
        Some('d' | 'D') => Unsent::Discard,
        _ => Unsent::Keep,
    })
}

/// Sends each reply, looking first whether it arrived already; returns those not sent.
async fn send_unsent(
    session: &crate::store::Session,
    mine: Vec<crate::app::PendingReply>,
) -> Vec<crate::app::PendingReply> {
    let n = mine.len();
    let mut c = ApiConfig::new(&session.server, &session.hotel, &session.token);
    c.paths = session.api_paths;
    let api = StaffApi::new(c);
    let mut left = Vec::new();
    for p in mine {
        let identity = crate::api::ReplyIdentity {
            staff_id: session.staff_id,
            text: p.text.clone(),
            after_id: p.after_id,
            first_attempt: p.first_attempt,
        };
        if let Err(e) = api
            .deliver(p.conversation, p.reply_to, &identity, p.attempted)
            .await
        {
            eprintln!(
                "Not sent: {:?} ({})",
                crate::text::one_line(&p.text),
                e.summary()
            );
            left.push(p);
        }
    }
    println!("Sent {} of {n}.", n - left.len());
    if !left.is_empty() {
        println!(
            "{} kept for {}'s next sign-in.",
            left.len(),
            session.username
        );
    }
    left
}

/// A demo server on this machine says where its realtime link is (a call the deployment does
/// not have: a 404 there, and nothing is asked of any server but a loopback one).
async fn demo_realtime(server: &str) -> Option<String> {
    if !is_loopback(server) {
        return None;
    }
    let url = format!("{}/api/demo/realtime", server.trim_end_matches('/'));
    let http = api::client::http_client(Duration::from_secs(2), Duration::from_secs(3));
    let answer: serde_json::Value = http.get(url).send().await.ok()?.json().await.ok()?;
    answer["url"]
        .as_str()
        .filter(|u| u.starts_with("ws://") && is_loopback(u) && u.len() < 500)
        .map(str::to_string)
}

pub(crate) fn me_from(login: &Login) -> Me {
    Me {
        staff_id: login.staff_id,
        name: login.username.clone(),
        hotel_name: login.hotel_display_name(),
        capabilities: login.allowed_capabilities.clone(),
    }
}

pub(crate) fn me_from_session(s: &Session) -> Me {
    Me {
        staff_id: s.staff_id,
        name: s.username.clone(),
        hotel_name: s.hotel_name.clone(),
        capabilities: s.capabilities.clone(),
    }
}

/// `FRONTDESK_STAFF_ID`, which a token from the environment needs.
pub fn env_staff_id() -> Result<StaffId, String> {
    let raw = std::env::var("FRONTDESK_STAFF_ID").ok();
    match raw.as_deref().map(str::trim).map(str::parse::<i64>) {
        Some(Ok(id)) if id > 0 => Ok(StaffId(id)),
        Some(_) => Err(format!(
            "FRONTDESK_STAFF_ID={:?} is not a staff number. Set it to yours (it is in the answer of the sign-in call as staff_id), or sign in with `frontdesk login`.",
            raw.unwrap_or_default()
        )),
        None => Err(
            "FRONTDESK_TOKEN needs FRONTDESK_STAFF_ID, your staff number (the sign-in answer's staff_id), so that your own messages are known as yours. Or sign in with `frontdesk login` and leave FRONTDESK_TOKEN unset.".into(),
        ),
    }
}

/// A clear sentence for each way signing in can fail.
pub fn login_message(server: &str, user: &str, err: &api::ApiError) -> String {
    match &err.kind {
        ErrorKind::Unauthorised(_) => format!("Wrong username or password for {user} at {server}."),
        ErrorKind::NoConnection(why) => {
            let why = why.trim_end_matches('.');
            if why.contains(". ") || why.starts_with("the ") {
                // Already a sentence with what to try.
                format!("Cannot reach {server}: {why}.")
            } else {
                format!("Cannot reach {server}: {why}. Check the address and the network.")
            }
        }
        ErrorKind::Timeout => {
            format!("{server} did not answer in time. Try again, or check the address.")
        }
        // The password was right; the account is not a staff member's (the deployment's login
        // answers 404 for it). The address is right: say who can mend it.
        ErrorKind::NotFound(reason) if reason.to_lowercase().contains("staff profile") => format!(
            "{user} has an account at {server} but no staff profile there, so frontdesk cannot sign in as {user}. Ask the hotel's administrator to add a staff profile (the server said: {reason})"
        ),
        ErrorKind::NotFound(_)
        | ErrorKind::BadResponse(_)
        | ErrorKind::Rejected { status: 405, .. } => format!(
            "{server} does not answer like a hotel staff API ({}). Check the address.",
            err.summary()
        ),
        ErrorKind::Rejected { reason, .. } => format!("The server refused the sign-in: {reason}"),
        ErrorKind::Forbidden(reason) => format!("{user} may not sign in: {reason}"),
        ErrorKind::Server(status) => {
            format!("{server} had an internal error ({status}); try again later.")
        }
        ErrorKind::Redirected(to) => {
            let origin = reqwest::Url::parse(to)
                .ok()
                .map(|u| u.origin().ascii_serialization())
                .filter(|o| o != "null");
            match origin {
                Some(o) => format!(
                    "{server} sent the sign-in to {to}. Nothing was sent there. If that is your hotel's server, sign in with --server {o}"
                ),
                None => format!(
                    "{server} answered the sign-in with a redirect ({to}); nothing was sent there."
                ),
            }
        }
    }
}

/// The staff member must belong to this hotel and be allowed to read guest chat.
pub fn check_login(login: &Login, user: &str, hotel: &str) -> Result<(), String> {
    if login.hotel_slug != hotel {
        return Err(format!(
            "{user} works at {} ({}), not {hotel}. Sign in with --hotel {}.",
            login.hotel_display_name(),
            login.hotel_slug,
            login.hotel_slug
        ));
    }
    if !login.can(crate::model::Capability::ConversationRead) {
        return Err(format!(
            "{user} has no permission to read guest chat (chat.conversation.read). Ask a manager to grant it."
        ));
    }
    Ok(())
}

pub(crate) fn prompt(question: &str) -> Result<String> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// Reads a password without echo (raw mode), restoring the terminal on every path.
pub(crate) fn read_password(question: &str) -> Result<String> {
    use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    crossterm::terminal::enable_raw_mode()?;
    let mut pw = String::new();
    let result = loop {
        match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(()),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Err(eyre!("cancelled"));
                }
                KeyCode::Backspace => {
                    pw.pop();
                }
                KeyCode::Char(c) => pw.push(c),
                _ => {}
            },
            Ok(Event::Paste(p)) => pw.push_str(p.trim_end_matches(['\r', '\n'])),
            Ok(_) => {}
            Err(e) => break Err(e.into()),
        }
    };
    let _ = crossterm::terminal::disable_raw_mode();
    eprintln!();
    result.map(|()| pw)
}

pub(crate) async fn login_command(cli: &Cli, args: &LoginArgs) -> Result<()> {
    let e = effective(cli)?;
    let interactive = !args.password_stdin;
    let server = match e.server.clone() {
        Some(s) => s,
        None if interactive => prompt("Hotel server (https://…): ")?,
        None => {
            return Err(eyre!(
                "no server: pass --server URL or set FRONTDESK_SERVER"
            ));
        }
    };
    let server = server.trim_end_matches('/').to_string();
    check_transport(&server, e.allow_insecure).map_err(|m| eyre!(m))?;
    let user = match args
        .username
        .clone()
        .or_else(|| std::env::var("FRONTDESK_USERNAME").ok())
    {
        Some(u) => u,
        None if interactive => prompt("Username: ")?,
        None => return Err(eyre!("no username: pass --username")),
    };
    let password = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        read_password(&format!("Password for {user}: "))?
    };
    if password.is_empty() {
        return Err(eyre!("no password given"));
    }
    let http = api::client::http_client(
        Duration::from_secs(5),
        Duration::from_secs(e.config.request_timeout_seconds),
    );
    let login = api::login(&server, &user, &password)
        .await
        .map_err(|err| eyre!(login_message(&server, &user, &err)))?;
    let hotel = e.hotel.clone().unwrap_or_else(|| login.hotel_slug.clone());
    check_login(&login, &user, &hotel).map_err(|m| eyre!(m))?;
    // Prove the chat answers, and learn which base path it lives under.
    let api = StaffApi::with_http(api_config(&e, &server, &hotel, &login.token), http);
    api.conversations().await.map_err(|err| match &err.kind {
        ErrorKind::Forbidden(reason) => eyre!("{user} may not open the chat of {hotel}: {reason}"),
        _ => eyre!("signed in, but the chat did not answer: {err}"),
    })?;
    let session = Session {
        server: server.clone(),
        hotel: hotel.clone(),
        token: login.token.clone(),
        staff_id: login.staff_id,
        username: login.username.clone(),
        hotel_name: login.hotel_display_name(),
        capabilities: login.allowed_capabilities.clone(),
        api_paths: api.resolved_paths(),
        department: login.department_slug.clone(),
        realtime_url: demo_realtime(&server).await,
    };
    let store = SessionStore::new(&data_dir());
    store
        .save(&session)
        .wrap_err_with(|| format!("saving {}", store.path().display()))?;
    tracing::info!("signed in as {user} at {hotel} ({server})");
    if let Some(url) = &session.realtime_url {
        println!(
            "This is a demo server: its live updates come from {url} (kept with the session)."
        );
    }
    println!(
        "Signed in as {user} at {} ({server}). Saved to {} (owner-only). Run `frontdesk` to open the inbox.",
        session.hotel_name,
        store.path().display()
    );
    Ok(())
}
