//! Files a reply carries: path completion for the attach prompt, and the contract's limits
//! (50 MB, the extension list) checked before anything is uploaded.

use std::path::{Path, PathBuf};

use crate::api::UploadFile;

pub const MAX_BYTES: u64 = 50 * 1024 * 1024;
pub const EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "pdf", "doc", "docx", "xls", "xlsx", "txt", "csv",
];

fn expand(input: &str) -> PathBuf {
    match input.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| PathBuf::from(h).join(rest))
            .unwrap_or_else(|| PathBuf::from(input)),
        None => PathBuf::from(input),
    }
}

/// Completes the last path component: the longest prefix all matches share, and the matches
/// (folders end with `/`).
pub fn complete(input: &str) -> (String, Vec<String>) {
    let (dir_part, prefix) = match input.rfind('/') {
        Some(i) => (&input[..=i], &input[i + 1..]),
        None => ("", input),
    };
    let dir = if dir_part.is_empty() {
        PathBuf::from(".")
    } else {
        expand(dir_part)
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return (input.to_string(), Vec::new());
    };
    let mut choices: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|t| t.is_dir()).unwrap_or(false);
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect();
    choices.sort();
    let Some(first) = choices.first() else {
        return (input.to_string(), choices);
    };
    let mut common = first.clone();
    for c in &choices[1..] {
        while !c.starts_with(common.as_str()) {
            common.pop();
        }
    }
    (format!("{dir_part}{common}"), choices)
}

fn human(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}

/// Checks one file against the limits, then reads it.
pub fn load(input: &str) -> Result<UploadFile, String> {
    let path = expand(input.trim());
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .ok_or_else(|| format!("{input}: not a file name"))?;
    let meta = std::fs::metadata(&path).map_err(|e| format!("{input}: {e}"))?;
    if meta.is_dir() {
        return Err(format!("{input} is a folder, not a file"));
    }
    check(&name, meta.len())?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{input}: {e}"))?;
    Ok(UploadFile { name, bytes })
}

/// The contract's limits, on a name and a size.
pub fn check(name: &str, size: u64) -> Result<(), String> {
    let ext = Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return Err(format!(
            "{name}: {} files are not accepted (allowed: {})",
            if ext.is_empty() {
                "extensionless".to_string()
            } else {
                format!(".{ext}")
            },
            EXTENSIONS.join(" ")
        ));
    }
    if size > MAX_BYTES {
        return Err(format!("{name} is {}; the limit is 50 MB", human(size)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_checked_before_reading() {
        assert!(check("folio.PDF", 10).is_ok());
        assert!(
            check("bad.exe", 10)
                .unwrap_err()
                .contains(".exe files are not accepted")
        );
        assert!(check("README", 10).unwrap_err().contains("extensionless"));
        assert!(
            check("scan.pdf", MAX_BYTES + 1)
                .unwrap_err()
                .contains("limit is 50 MB")
        );
        assert!(check("scan.pdf", MAX_BYTES).is_ok());
    }

    #[test]
    fn big_files_are_refused_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("huge.pdf");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(MAX_BYTES + 1024).unwrap(); // sparse: nothing is written
        let e = load(p.to_str().unwrap()).unwrap_err();
        assert!(e.contains("50 MB"), "{e}");
        let e = load(dir.path().to_str().unwrap()).unwrap_err();
        assert!(e.contains("folder"), "{e}");
        assert!(load("/nonexistent/x.pdf").is_err());
    }

    #[test]
    fn completion_extends_to_the_shared_prefix() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["invoice-101.pdf", "invoice-102.pdf", "menu.txt"] {
            std::fs::write(dir.path().join(n), "x").unwrap();
        }
        std::fs::create_dir(dir.path().join("scans")).unwrap();
        let base = format!("{}/", dir.path().display());
        let (done, choices) = complete(&format!("{base}inv"));
        assert_eq!(done, format!("{base}invoice-10"));
        assert_eq!(choices.len(), 2);
        let (done, _) = complete(&format!("{base}m"));
        assert_eq!(done, format!("{base}menu.txt"));
        let (done, _) = complete(&format!("{base}sc"));
        assert_eq!(done, format!("{base}scans/"));
        let (done, choices) = complete(&format!("{base}zzz"));
        assert_eq!(done, format!("{base}zzz"));
        assert!(choices.is_empty());
    }
}
