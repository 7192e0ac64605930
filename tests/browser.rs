//! Another staff client against the demo: a page served from another loopback port, run by
//! headless Chromium, signs in, lists the conversations and sends a reply through `fetch`
//! with the `Authorization: Token` header, as the hotel's web staff UI does. It works only if
//! the demo answers preflights and marks its answers for the page's origin (contract 4.14),
//! and its login answer carries what the web UI draws the chat screen from (4.15).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use frontdesk_demo::{DemoConfig, Profile, ServedPaths};

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// The page: plain JavaScript, reporting into the DOM that Chromium dumps.
fn page(api: &str, base_path: &str) -> String {
    format!(
        r#"<!doctype html><html><body><pre id="out">started</pre><script>
const api = "{api}";
const chat = api + "{base_path}/hotel-killarney/chat/";
(async () => {{
  try {{
    const login = await (await fetch(api + "/api/staff/login/", {{
      method: "POST", headers: {{"Content-Type": "application/json"}},
      body: JSON.stringify({{username: "frontdesk", password: "demo"}})}})).json();
    const auth = {{"Authorization": "Token " + login.token}};
    const list = await (await fetch(chat + "conversations/", {{headers: auth}})).json();
    const conv = list.find(c => c.room_number === 102);
    const sent = await fetch(chat + "conversations/" + conv.id + "/messages/send/", {{
      method: "POST", headers: {{...auth, "Content-Type": "application/json"}},
      body: JSON.stringify({{message: "Sent from a browser"}})}});
    document.getElementById("out").textContent = "RESULT " + JSON.stringify({{
      chat_screen: !!(login.rbac && login.rbac.chat && login.rbac.chat.visible && login.rbac.chat.read),
      nav: (login.navigation_items || []).map(n => n.slug),
      conversations: list.length, sent: sent.status}});
  }} catch (e) {{
    document.getElementById("out").textContent = "ERROR " + e;
  }}
}})();
</script></body></html>"#
    )
}

/// Serves `html` to every GET on a loopback port until dropped (bounded: 20 requests).
fn serve_page(html: String) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    listener.set_nonblocking(false).unwrap();
    let join = std::thread::spawn(move || {
        for stream in listener.incoming().take(20) {
            let Ok(mut s) = stream else { break };
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut buf = [0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            if n == 0 || buf.starts_with(b"STOP") {
                break;
            }
            let body = html.as_bytes();
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(head.as_bytes());
            let _ = s.write_all(body);
        }
    });
    (port, join)
}

#[tokio::test]
async fn the_web_staff_ui_way_works_against_both_profiles() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED: no Chromium (`.ci/run` installs Debian's chromium)");
        return;
    };
    for profile in [Profile::Friendly, Profile::Deployment] {
        let (paths, base_path) = match profile {
            Profile::Friendly => (ServedPaths::Hotels, "/api/staff/hotels"),
            Profile::Deployment => (ServedPaths::Hotel, "/api/staff/hotel"),
        };
        let d = frontdesk_demo::start(DemoConfig {
            profile,
            paths,
            ..Default::default()
        })
        .await
        .unwrap();
        let (port, server) = serve_page(page(&d.base_url, base_path));
        let profile_dir = tempfile::tempdir().unwrap();
        let out = tokio::task::spawn_blocking({
            let dir = profile_dir.path().to_path_buf();
            move || {
                std::process::Command::new(browser)
                    .args([
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-extensions",
                        "--disable-background-networking",
                        "--virtual-time-budget=15000",
                        "--dump-dom",
                    ])
                    .arg(format!("--user-data-dir={}", dir.display()))
                    .arg(format!("http://127.0.0.1:{port}/"))
                    .output()
                    .unwrap()
            }
        })
        .await
        .unwrap();
        // The page server ends on this.
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"STOP");
        }
        let _ = server.join();
        let dom = String::from_utf8_lossy(&out.stdout).to_string();
        let result = dom
            .split("<pre id=\"out\">")
            .nth(1)
            .and_then(|r| r.split("</pre>").next())
            .and_then(|r| r.strip_prefix("RESULT "))
            .map(|r| r.replace("&quot;", "\""))
            .unwrap_or_else(|| {
                panic!(
                    "{profile:?}: the page did not finish: {dom}\n{}",
                    String::from_utf8_lossy(&out.stderr)
                        .lines()
                        .take(20)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
        let v: serde_json::Value = serde_json::from_str(&result).unwrap();
        assert_eq!(v["chat_screen"], true, "{profile:?}: {v}");
        assert_eq!(v["nav"], serde_json::json!(["home", "chat"]), "{profile:?}");
        assert!(
            v["conversations"].as_u64().unwrap() > 10,
            "{profile:?}: {v}"
        );
        assert_eq!(v["sent"], 200, "{profile:?}: {v}");
        // The server has the browser's reply.
        let (manager, _) = common::signed_in(&d, "manager").await;
        let list = manager.conversations().await.unwrap();
        assert!(
            list.iter()
                .any(|c| c.last_message.as_deref() == Some("Sent from a browser")),
            "{profile:?}: the reply is not on the server"
        );
        d.stop().await;
    }
}

#[tokio::test]
async fn preflights_are_answered_for_allowed_origins_only() {
    let d = frontdesk_demo::start(DemoConfig {
        profile: Profile::Deployment,
        paths: ServedPaths::Hotel,
        allowed_origins: vec!["https://staff.hotel.example".into()],
        ..Default::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        http.request(
            reqwest::Method::OPTIONS,
            format!(
                "{}/api/staff/hotel/hotel-killarney/chat/conversations/",
                d.base_url
            ),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
    };
    for allowed in [
        "http://127.0.0.1:5173",
        "http://localhost:3000",
        "https://staff.hotel.example",
    ] {
        let r = preflight(allowed).await.unwrap();
        assert_eq!(r.status(), 200);
        let h = r.headers();
        assert_eq!(h["access-control-allow-origin"], allowed);
        let headers = h["access-control-allow-headers"].to_str().unwrap();
        for needed in [
            "authorization",
            "x-hotel-id",
            "x-hotel-slug",
            "x-guest-chat-session",
        ] {
            assert!(headers.contains(needed), "{headers}");
        }
    }
    let r = preflight("https://evil.example").await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    d.stop().await;
}
