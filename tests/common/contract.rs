//! The staff-chat contract's captured calls, and whether a call the client made is one of
//! them (method, endpoint, query keys, body keys).

use serde_json::Value;

pub const SAMPLES: &str = "../shared/contract/staff-chat/samples";

pub fn samples() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(SAMPLES)
        .expect("the staff-chat samples beside the repository")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            (
                e.file_name().to_string_lossy().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The endpoint a path names, ids and the hotel replaced: `conversations/{id}/messages/`.
pub fn endpoint(path: &str) -> String {
    let rel = path.split("/staff_chat/").nth(1).unwrap_or(path);
    rel.split('/')
        .map(|p| if p.parse::<i64>().is_ok() { "{id}" } else { p })
        .collect::<Vec<_>>()
        .join("/")
}

fn query_keys(q: Option<&str>) -> Vec<String> {
    let mut keys: Vec<String> = q
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split('=').next().unwrap_or("").to_string())
        .collect();
    keys.sort();
    keys
}

fn body_keys(b: &Value) -> Vec<String> {
    let mut keys: Vec<String> = b
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

pub async fn staff_calls(base: &str) -> Vec<Value> {
    reqwest::get(format!("{base}/api/demo/staff-calls"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Whether a call the client made is one the samples show: the same method and endpoint,
/// the same query keys, and body keys the sample's body has too.
pub fn in_samples(call: &Value, samples: &[(String, Value)]) -> bool {
    let path = call["path"].as_str().unwrap_or("");
    samples.iter().any(|(_, s)| {
        let r = &s["request"];
        let (sample_path, sample_query) = {
            let p = r["path"].as_str().unwrap_or("");
            match p.split_once('?') {
                Some((p, q)) => (p.to_string(), Some(q.to_string())),
                None => (p.to_string(), None),
            }
        };
        let status = s["response"]["status"].as_u64().unwrap_or(0);
        r["method"] == call["method"]
            && (200..300).contains(&status)
            && endpoint(&sample_path) == endpoint(path)
            && query_keys(sample_query.as_deref()) == query_keys(call["query"].as_str())
            && body_keys(&call["body"])
                .iter()
                .all(|k| body_keys(&r["body"]).contains(k))
    })
}
