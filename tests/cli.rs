//! The command line as an admin uses it: login against `frontdesk serve-demo`, the saved
//! session's file mode, config errors with line numbers, environment overrides, logout.

use frontdesk::model::{ConversationId, StaffId};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve_demo() -> Server {
    let mut child = Command::new(BIN)
        .args(["serve-demo", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut url = String::new();
    for line in BufReader::new(out).lines().map_while(Result::ok) {
        if let Some(u) = line.strip_prefix("FRONTDESK_SERVER=") {
            url = u.to_string();
            break;
        }
    }
    Server { child, url }
}

/// Runs frontdesk with its XDG directories inside `home`, nothing inherited that matters.
fn frontdesk(home: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `frontdesk login` with the password on standard input.
fn sign_in(home: &Path, server: &str, hotel: &str, user: &str, password: &str) -> Output {
    frontdesk(
        home,
        &[
            "login",
            "--server",
            server,
            "--hotel",
            hotel,
            "--username",
            user,
            "--password-stdin",
        ],
        &format!("{password}\n"),
        &[],
    )
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn session_file(home: &Path) -> std::path::PathBuf {
    home.join("data/frontdesk/session.json")
}

#[test]
fn login_saves_an_owner_only_session_and_logout_removes_it() {
    let demo = serve_demo();
    let home = tempfile::tempdir().unwrap();
    let out = sign_in(
        home.path(),
        &demo.url,
        "hotel-killarney",
        "frontdesk",
        "demo",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Signed in as frontdesk at Hotel Killarney"),
        "{}",
        text(&out)
    );
    let path = session_file(home.path());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let saved: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let token = saved["token"].as_str().unwrap().to_string();
    assert_eq!(saved["api_paths"], "hotels");
    // A demo names its realtime link at sign-in: the inbox starts live, no config written.
    let live = saved["realtime_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(live.starts_with("ws://127.0.0.1:"), "{saved}");
    assert!(
        text(&out).contains("live updates come from"),
        "{}",
        text(&out)
    );
    assert_eq!(saved["department"], "front_office");

    // `config` shows the session, never the token.
    let out = frontdesk(home.path(), &["config"], "", &[]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains(&format!("server = {}", demo.url)), "{shown}");
    assert!(shown.contains("hotel = hotel-killarney"));
    assert!(shown.contains("token = ********"), "{shown}");
    assert!(!shown.contains(&token), "the token leaked: {shown}");
    assert!(shown.contains("frontdesk at hotel-killarney"));
    assert!(shown.contains(&format!("realtime = {live}")), "{shown}");

    // The log never holds the token either.
    let log = std::fs::read_to_string(home.path().join("state/frontdesk/frontdesk.log"))
        .unwrap_or_default();
    assert!(!log.contains(&token));

    // A session others can read is refused, as ssh refuses keys.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = frontdesk(home.path(), &[], "", &[]);
        assert!(!out.status.success());
        assert!(text(&out).contains("chmod 600"), "{}", text(&out));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }

    let out = frontdesk(home.path(), &["logout"], "", &[]);
    assert!(out.status.success());
    assert!(!path.exists());
    let out = frontdesk(home.path(), &[], "", &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("frontdesk login"), "{}", text(&out));
}

#[test]
fn login_failures_say_what_is_wrong() {
    let demo = serve_demo();
    let home = tempfile::tempdir().unwrap();
    let login = |user: &str, hotel: &str, server: &str, password: &str| {
        sign_in(home.path(), server, hotel, user, password)
    };
    let out = login("frontdesk", "hotel-killarney", &demo.url, "wrong");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("Wrong username or password"),
        "{}",
        text(&out)
    );

    // An account without a staff profile (the deployment answers its sign-in 404): the
    // address is right, and the message says who can mend it.
    let out = login("nostaff", "hotel-killarney", &demo.url, "demo");
    assert!(!out.status.success());
    assert!(
        text(&out).contains("nostaff has an account") && text(&out).contains("no staff profile"),
        "{}",
        text(&out)
    );
    assert!(!text(&out).contains("Check the address"), "{}", text(&out));

    let out = login("housekeeping", "hotel-killarney", &demo.url, "demo");
    assert!(
        text(&out).contains("no permission to read guest chat"),
        "{}",
        text(&out)
    );

    let out = login("otherdesk", "hotel-killarney", &demo.url, "demo");
    assert!(
        text(&out).contains("works at Other Hotel (other-hotel), not hotel-killarney"),
        "{}",
        text(&out)
    );

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = login(
        "frontdesk",
        "hotel-killarney",
        &format!("http://127.0.0.1:{port}"),
        "demo",
    );
    assert!(text(&out).contains("Cannot reach"), "{}", text(&out));

    // A web server that is not this API: the demo's media path answers 404 for the login.
    let out = login(
        "frontdesk",
        "hotel-killarney",
        &format!("{}/media", demo.url),
        "demo",
    );
    assert!(
        text(&out).contains("does not answer like a hotel staff API"),
        "{}",
        text(&out)
    );

    let out = login(
        "frontdesk",
        "hotel-killarney",
        "http://hotel.example.com",
        "demo",
    );
    assert!(text(&out).contains("not encrypted"), "{}", text(&out));
    assert!(
        !session_file(home.path()).exists(),
        "no failure saves a session"
    );
}

#[test]
fn config_errors_name_file_line_and_key() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("frontdesk.toml");
    std::fs::write(
        &file,
        "hotel = \"hotel-killarney\"\n\n[realtime]\nurll = \"ws://127.0.0.1:1\"\n",
    )
    .unwrap();
    let out = frontdesk(
        home.path(),
        &["--config", file.to_str().unwrap(), "config"],
        "",
        &[],
    );
    assert!(!out.status.success(), "the app refuses to start");
    let t = text(&out);
    assert!(t.contains(&format!("{}:4:", file.display())), "{t}");
    assert!(t.contains("urll"), "{t}");

    std::fs::write(&file, "poll_seconds = 0\n").unwrap();
    let out = frontdesk(
        home.path(),
        &["--config", file.to_str().unwrap(), "config"],
        "",
        &[],
    );
    assert!(
        text(&out).contains(":1: poll_seconds: 0 is out of range"),
        "{}",
        text(&out)
    );

    // The shipped example is a valid config.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let out = frontdesk(
        home.path(),
        &["--config", example.to_str().unwrap(), "config"],
        "",
        &[],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn environment_overrides_the_saved_values() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("config/frontdesk/config.toml");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(
        &file,
        "server = \"https://from-config.example\"\nhotel = \"config-hotel\"\n",
    )
    .unwrap();
    let out = frontdesk(home.path(), &["config"], "", &[]);
    assert!(
        text(&out).contains("server = https://from-config.example"),
        "{}",
        text(&out)
    );
    let out = frontdesk(
        home.path(),
        &["config"],
        "",
        &[
            ("FRONTDESK_SERVER", "https://from-env.example"),
            ("FRONTDESK_HOTEL", "env-hotel"),
            ("FRONTDESK_TOKEN", "0123456789abcdef"),
        ],
    );
    let t = text(&out);
    assert!(t.contains("server = https://from-env.example"), "{t}");
    assert!(t.contains("hotel = env-hotel"), "{t}");
    assert!(
        t.contains("token = ********cdef (16 characters) (from FRONTDESK_TOKEN)"),
        "{t}"
    );
    assert!(!t.contains("0123456789abcdef"));
}

#[test]
fn help_and_version_for_every_command() {
    let home = tempfile::tempdir().unwrap();
    let out = frontdesk(home.path(), &["--version"], "", &[]);
    assert!(text(&out).contains(env!("CARGO_PKG_VERSION")));
    // Each command lists only its own flags, each with a description.
    let foreign: [(&str, &[&str]); 7] = [
        (
            "demo",
            &[
                "--server",
                "--hotel",
                "--api-paths",
                "--allow-insecure",
                "--pusher-url",
            ],
        ),
        (
            "serve-demo",
            &[
                "--server",
                "--hotel",
                "--notify",
                "--api-paths",
                "--allow-insecure",
                "--config",
            ],
        ),
        ("login", &["--notify", "--pusher-url"]),
        ("logout", &["--notify", "--server", "--pusher-url"]),
        ("config", &[]),
        ("handover", &["--notify", "--pusher-url"]),
        ("completions", &["--server", "--notify"]),
    ];
    for (cmd, not_here) in foreign {
        let out = frontdesk(home.path(), &[cmd, "--help"], "", &[]);
        assert!(out.status.success(), "{cmd} --help");
        let help = text(&out);
        assert!(help.contains("Usage:"), "{cmd}");
        for flag in not_here {
            assert!(
                !help.contains(&format!("{flag} ")),
                "{cmd} --help lists {flag}:\n{help}"
            );
        }
        let lines: Vec<&str> = help.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let option = line.trim_start();
            if option.starts_with("--") || option.starts_with("-h,") {
                // The description follows on the same line, or on the next.
                let same = option
                    .split_once("  ")
                    .is_some_and(|(_, d)| !d.trim().is_empty());
                let next = lines.get(i + 1).map(|l| l.trim()).unwrap_or("");
                let below = !next.is_empty() && !next.starts_with('[') && !next.starts_with('-');
                assert!(same || below, "{cmd}: {line:?} has no description");
            }
        }
    }
}

#[test]
fn a_token_from_the_environment_needs_a_staff_id() {
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("FRONTDESK_SERVER", "http://127.0.0.1:9"),
        ("FRONTDESK_HOTEL", "hotel-killarney"),
        ("FRONTDESK_TOKEN", "0123456789abcdef"),
    ];
    let out = frontdesk(home.path(), &[], "", &env);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains("FRONTDESK_TOKEN needs FRONTDESK_STAFF_ID"),
        "{t}"
    );
    let mut bad = env.to_vec();
    bad.push(("FRONTDESK_STAFF_ID", "zero"));
    let out = frontdesk(home.path(), &[], "", &bad);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("is not a staff number"),
        "{}",
        text(&out)
    );
}

#[test]
fn logout_settles_unsent_replies_and_never_hands_them_on() {
    let demo = serve_demo();
    let home = tempfile::tempdir().unwrap();
    let login_as = |user: &str| {
        let out = sign_in(home.path(), &demo.url, "hotel-killarney", user, "demo");
        assert!(out.status.success(), "{}", text(&out));
    };
    login_as("frontdesk");
    let desk = frontdesk::cli::desk_dir_in(
        &home.path().join("data/frontdesk"),
        &demo.url,
        "hotel-killarney",
        StaffId(1),
    );
    let outbox = frontdesk::store::OutboxStore::new(&desk);
    let entry = |text: &str| frontdesk::app::PendingReply {
        local_id: 1,
        conversation: ConversationId(1),
        text: text.into(),
        reply_to: None,
        first_attempt: chrono::Utc::now(),
        after_id: None,
        staff_id: Some(StaffId(1)),
        attempted: false,
        state: Default::default(),
    };
    outbox.save(&[entry("Your taxi is booked")]).unwrap();

    // No terminal, no choice given: kept, and said.
    let out = frontdesk(home.path(), &["logout"], "", &[]);
    assert!(
        text(&out).contains("1 unsent reply is kept for frontdesk"),
        "{}",
        text(&out)
    );
    assert_eq!(outbox.load().value.len(), 1);

    // The next person's desk is another directory: the manager never sees it.
    login_as("manager");
    let managers = frontdesk::cli::desk_dir_in(
        &home.path().join("data/frontdesk"),
        &demo.url,
        "hotel-killarney",
        StaffId(2),
    );
    assert_ne!(managers, desk);
    assert!(
        frontdesk::store::OutboxStore::new(&managers)
            .load()
            .value
            .is_empty()
    );
    let out = frontdesk(home.path(), &["logout"], "", &[]);
    assert!(out.status.success(), "{}", text(&out));

    // Back as its author, sent at logout: stored once, under the right name.
    login_as("frontdesk");
    let out = frontdesk(home.path(), &["logout", "--unsent", "send"], "", &[]);
    assert!(text(&out).contains("Sent 1 of 1"), "{}", text(&out));
    assert!(outbox.load().value.is_empty());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stored = rt.block_on(async {
        let l = frontdesk::api::login(&demo.url, "frontdesk", "demo")
            .await
            .unwrap();
        let api = frontdesk::api::StaffApi::new(frontdesk::api::ApiConfig::new(
            &demo.url,
            "hotel-killarney",
            &l.token,
        ));
        api.messages(ConversationId(1), 20, None).await.unwrap()
    });
    let copies: Vec<_> = stored
        .iter()
        .filter(|m| m.message == "Your taxi is booked")
        .collect();
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].staff, Some(StaffId(1)));

    // Discard.
    login_as("frontdesk");
    outbox.save(&[entry("Never mind")]).unwrap();
    let out = frontdesk(home.path(), &["logout", "--unsent", "discard"], "", &[]);
    assert!(
        text(&out).contains("Discarded 1 unsent reply"),
        "{}",
        text(&out)
    );
    assert!(outbox.load().value.is_empty());
}

#[test]
fn without_a_terminal_the_inbox_says_so() {
    let home = tempfile::tempdir().unwrap();
    let out = frontdesk(home.path(), &["demo", "--guest-every", "0"], "", &[]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("the inbox needs a terminal"), "{t}");
    assert!(!t.contains("os error 6"), "{t}");
}

#[test]
fn handover_without_a_server_fails_with_one_clear_line() {
    let home = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let out = frontdesk(
        home.path(),
        &["handover"],
        "",
        &[
            ("FRONTDESK_SERVER", url.as_str()),
            ("FRONTDESK_HOTEL", "hotel-killarney"),
            ("FRONTDESK_USERNAME", "frontdesk"),
            ("FRONTDESK_PASSWORD", "demo"),
        ],
    );
    assert!(!out.status.success());
    let said = text(&out);
    assert!(said.contains(&url), "{said}");
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        said.lines().filter(|l| !l.trim().is_empty()).count() <= 3,
        "{said}"
    );
}

/// Logout asks what becomes of the desk's history: kept when nobody can be asked (and said),
/// removed with `--history forget`.
#[test]
fn logout_keeps_or_forgets_the_desks_history_as_asked() {
    use frontdesk::history::History;
    let demo = serve_demo();
    let home = tempfile::tempdir().unwrap();
    let login = || {
        let out = sign_in(
            home.path(),
            &demo.url,
            "hotel-killarney",
            "frontdesk",
            "demo",
        );
        assert!(out.status.success(), "{}", text(&out));
    };
    login();
    let desk = frontdesk::cli::desk_dir_in(
        &home.path().join("data/frontdesk"),
        &demo.url,
        "hotel-killarney",
        StaffId(1),
    );
    let path = frontdesk::history::path_in(&desk);
    let keep_one = || {
        let (mut h, _) = frontdesk::history::SqliteHistory::open(&path).unwrap();
        let m: frontdesk::api::Message = serde_json::from_value(serde_json::json!({
            "id": 7, "conversation_id": 1, "sender_type": "guest",
            "message": "Passport number is X1234567", "timestamp": chrono::Utc::now()
        }))
        .unwrap();
        h.keep_messages(ConversationId(1), &[m], false).unwrap();
    };
    keep_one();
    let out = frontdesk(home.path(), &["logout"], "", &[]);
    assert!(text(&out).contains("history is kept in"), "{}", text(&out));
    assert!(path.exists());
    login();
    let out = frontdesk(home.path(), &["logout", "--history", "forget"], "", &[]);
    assert!(
        text(&out).contains("Removed the desk's history (1 message)"),
        "{}",
        text(&out)
    );
    assert!(!path.exists(), "the file is gone");
    let out = frontdesk(home.path(), &["search", "passport"], "", &[]);
    assert!(
        text(&out).contains("No kept message matches"),
        "{}",
        text(&out)
    );
}
