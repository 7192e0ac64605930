//! Which servers' certificates are trusted, for HTTPS and the live socket alike: the
//! operating system's trust store (which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`), the
//! bundled Mozilla roots when the system has none, and one extra CA of the hotel's own
//! (`ca_file` in the config, or `--ca-file`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

static EXTRA_CA: OnceLock<Option<PathBuf>> = OnceLock::new();
static CONFIG: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();

/// Names the hotel's own CA, once, before the first connection. Later calls change nothing.
pub fn use_extra_ca(path: Option<PathBuf>) {
    let _ = EXTRA_CA.set(path);
}

/// The TLS settings every connection uses, built once. An error says what is wrong with the
/// CA file in words.
pub fn client_config() -> Result<Arc<rustls::ClientConfig>, String> {
    CONFIG
        .get_or_init(|| build(EXTRA_CA.get().and_then(Option::as_deref)).map(Arc::new))
        .clone()
}

/// Reads a PEM file of certificates, with a sentence for each way it can be wrong.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Result<Vec<_>, _> = CertificateDer::pem_file_iter(path)
        .map_err(|e| format!("the CA file {} could not be read: {e}", path.display()))?
        .collect();
    let certs = certs.map_err(|e| {
        format!(
            "the CA file {} is not a PEM certificate file: {e}",
            path.display()
        )
    })?;
    if certs.is_empty() {
        return Err(format!(
            "the CA file {} holds no certificate (expected -----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(certs)
}

fn build(extra: Option<&Path>) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for e in &native.errors {
        tracing::warn!("system trust store: {e}");
    }
    let (added, _) = roots.add_parsable_certificates(native.certs);
    if added == 0 {
        tracing::info!("no system CA certificates found: using the bundled Mozilla roots");
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    if let Some(path) = extra {
        for cert in read_ca_file(path)? {
            roots.add(cert).map_err(|e| {
                format!(
                    "the CA file {} holds a certificate that cannot be used: {e}",
                    path.display()
                )
            })?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS could not start: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

const CA_HINT: &str = "If the hotel's server uses a certificate of its own CA, give that CA's certificate with --ca-file or ca_file in the config (or SSL_CERT_FILE).";

fn untrusted() -> String {
    format!(
        "the server's certificate was not issued by a certificate authority this computer trusts. {CA_HINT}"
    )
}

const EXPIRED: &str = "the server's certificate has expired (or this computer's clock is wrong)";
const OTHER_NAME: &str = "the server's certificate is for another name than the address given";

/// A certificate failure in words, from anywhere in an error's chain. reqwest and
/// tungstenite wrap rustls's error, not always so that it can be reached by type, so the
/// chain's text is read too.
pub fn certificate_problem(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut e: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut text = String::new();
    while let Some(cur) = e {
        if let Some(tls) = cur.downcast_ref::<rustls::Error>() {
            return Some(in_words(tls));
        }
        if let Some(io) = cur.downcast_ref::<std::io::Error>()
            && let Some(tls) = io.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(in_words(tls));
        }
        text.push_str(&cur.to_string().to_lowercase());
        text.push_str(": ");
        e = cur.source();
    }
    in_text(&text)
}

/// The same from an error's text (rustls's `Debug` names: `UnknownIssuer`, `Expired`, ...).
fn in_text(chain: &str) -> Option<String> {
    let has = |needle: &str| chain.contains(needle);
    if has("unknownissuer") || has("unknown issuer") {
        Some(untrusted())
    } else if has("invalid peer certificate") && has("expired") {
        Some(EXPIRED.into())
    } else if has("invalid peer certificate") && has("notvalidforname") {
        Some(OTHER_NAME.into())
    } else if has("invalid peer certificate") {
        Some(format!(
            "the server's certificate is not valid ({}). {CA_HINT}",
            chain.trim_end_matches(": ")
        ))
    } else {
        None
    }
}

fn in_words(e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => untrusted(),
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => EXPIRED.into(),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => OTHER_NAME.into(),
        rustls::Error::InvalidCertificate(other) => {
            format!("the server's certificate is not valid ({other:?}). {CA_HINT}")
        }
        other => format!("the secure connection failed: {other}"),
    }
}
