//! A hotel behind its own certificate authority: a CA and a server certificate made here
//! (rcgen), a TLS endpoint on 127.0.0.1 in front of the demo server, and the client trusting
//! that CA through `--ca-file`, `ca_file` or `SSL_CERT_FILE`: sign-in, the list and the live
//! socket over TLS. A wrong CA, a port without TLS, an SSH port and an address without a
//! scheme each get one sentence that says what is wrong.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use common::Harness;
use frontdesk::api::{ApiConfig, StaffApi};
use frontdesk::app::{Connection, Me};
use frontdesk::live::LiveConfig;
use frontdesk_demo::{DemoConfig, RunningDemo};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;

const BIN: &str = env!("CARGO_BIN_EXE_frontdesk");

/// A CA, and a certificate it issued for 127.0.0.1 and localhost.
struct Pki {
    ca_pem: String,
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

fn pki(name: &str) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, name);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        cert: cert.der().clone(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// TLS on 127.0.0.1 in front of `to` (HTTP and WebSocket alike): returns its port.
async fn tls_in_front(pki: &Pki, to: std::net::SocketAddr) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![pki.cert.clone()], pki.key.clone_key())
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut plain) = tokio::net::TcpStream::connect(to).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    port
}

/// A port that answers like an SSH server.
async fn ssh_banner() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = tcp.write_all(b"SSH-2.0-OpenSSH_9.6p1 Debian-4\r\n").await;
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
    });
    port
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `frontdesk login` with the password on standard input and nothing inherited but PATH.
fn login(server: &str, extra: &[&str], env: &[(&str, &Path)]) -> (bool, String) {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(BIN);
    cmd.args(["login", "--server", server, "--hotel", "hotel-killarney"])
        .args(["--username", "frontdesk", "--password-stdin"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        // No system CA directory either: only what the test names is trusted.
        .env("SSL_CERT_DIR", home.path().join("no-certs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(b"demo\n").unwrap();
    let out: Output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), said)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hotel_with_its_own_ca_is_trusted_only_when_named_and_every_failure_is_a_sentence() {
    let demo: RunningDemo = frontdesk_demo::start(DemoConfig::default()).await.unwrap();
    let hotel_ca = pki("Hotel Killarney IT CA");
    let other_ca = pki("Somebody Else's CA");
    let port = tls_in_front(&hotel_ca, demo.addr).await;
    let https = format!("https://127.0.0.1:{port}");
    let dir = tempfile::tempdir().unwrap();
    let ca = write(dir.path(), "hotel-ca.pem", &hotel_ca.ca_pem);
    let wrong = write(dir.path(), "other-ca.pem", &other_ca.ca_pem);
    let not_pem = write(dir.path(), "notes.txt", "this is not a certificate\n");

    // Named by --ca-file, by ca_file in the config, or by SSL_CERT_FILE: signed in.
    let config = write(dir.path(), "config.toml", &format!("ca_file = {:?}\n", ca));
    for (how, extra, env) in [
        ("--ca-file", vec!["--ca-file", ca.to_str().unwrap()], vec![]),
        (
            "ca_file",
            vec!["--config", config.to_str().unwrap()],
            vec![],
        ),
        (
            "SSL_CERT_FILE",
            vec![],
            vec![("SSL_CERT_FILE", ca.as_path())],
        ),
    ] {
        let server = https.clone();
        let extra: Vec<String> = extra.into_iter().map(String::from).collect();
        let env: Vec<(&'static str, PathBuf)> =
            env.into_iter().map(|(k, v)| (k, v.to_path_buf())).collect();
        let (ok, said) = blocking(move || {
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let env: Vec<(&str, &Path)> = env.iter().map(|(k, v)| (*k, v.as_path())).collect();
            login(&server, &extra, &env)
        })
        .await;
        assert!(ok, "{how}: {said}");
    }

    // Not named, or the wrong CA: refused, and the sentence names the certificate problem.
    for extra in [
        vec![],
        vec!["--ca-file".to_string(), wrong.display().to_string()],
    ] {
        let server = https.clone();
        let (ok, said) = blocking(move || {
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            login(&server, &extra, &[])
        })
        .await;
        assert!(!ok);
        assert!(
            said.contains(
                "certificate was not issued by a certificate authority this computer trusts"
            ) && said.contains("--ca-file"),
            "{said}"
        );
    }
    // A CA file that is not one: said before anything connects.
    let server = https.clone();
    let bad = not_pem.display().to_string();
    let (ok, said) = blocking(move || login(&server, &["--ca-file", &bad], &[])).await;
    assert!(!ok && said.contains("holds no certificate"), "{said}");

    // https:// to the plain HTTP port, an SSH port, and no scheme at all.
    let plain = format!("https://127.0.0.1:{}", demo.addr.port());
    let (ok, said) = blocking(move || login(&plain, &[], &[])).await;
    assert!(!ok && said.contains("does not speak TLS"), "{said}");
    let ssh = format!("http://127.0.0.1:{}", ssh_banner().await);
    let (ok, said) = blocking(move || login(&ssh, &[], &[])).await;
    assert!(!ok && said.contains("not with HTTP"), "{said}");
    let bare = format!("127.0.0.1:{port}");
    let (ok, said) = blocking(move || login(&bare, &[], &[])).await;
    assert!(
        !ok && said.contains("did you mean https://127.0.0.1"),
        "{said}"
    );

    // In this process: the list over HTTPS and the live socket over WSS.
    frontdesk::trust::use_extra_ca(Some(ca.clone()));
    let l = frontdesk::api::login(&https, "frontdesk", "demo")
        .await
        .unwrap();
    let api = StaffApi::new(ApiConfig::new(&https, &l.hotel_slug, &l.token));
    let me = Me {
        staff_id: l.staff_id,
        name: l.username.clone(),
        hotel_name: l.hotel_display_name(),
        capabilities: l.allowed_capabilities.clone(),
    };
    let wss = demo
        .ws_url
        .replace("ws://", "wss://")
        .replace(&demo.addr.port().to_string(), &port.to_string());
    let mut h = Harness::on(api, me, Some(LiveConfig::new(&wss, &demo.hotel)));
    assert!(
        h.until(10, |a| a.list_loaded && !a.conversations.is_empty())
            .await
    );
    assert!(
        h.until(10, |a| a.connection == Connection::Live).await,
        "the live socket over TLS: {:?}",
        h.app.connection
    );
    demo.stop().await;
}
