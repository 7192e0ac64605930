//! How a guest is greeted (`{first_name}` in a canned reply). Most names the desk meets are
//! written given name first, and "Good morning Seán" is right. Chinese, Japanese and Korean
//! names are written family name first ("陈伟", "김민준", "田中 花子"), and so are Vietnamese ones
//! ("Nguyễn Văn An"): their first word is the family name, and greeting a guest by it alone
//! is impolite. For those the full name is used, unless the hotel's config asks for the
//! first field (`full_name_for_family_name_first = false`).

/// Family names that begin Vietnamese names, written family name first (the commonest, which
/// cover most Vietnamese guests).
const VIETNAMESE_FAMILY: &[&str] = &[
    "nguyễn", "trần", "lê", "phạm", "hoàng", "huỳnh", "phan", "vũ", "võ", "đặng", "bùi", "đỗ",
    "hồ", "ngô", "dương", "lý", "đinh", "trương", "đoàn", "lâm",
];

/// Written without spaces between words, family name first.
fn east_asian(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xAC00..=0xD7AF    // Hangul syllables
        | 0x1100..=0x11FF    // Hangul jamo
        | 0xF900..=0xFAFF) // CJK compatibility ideographs
}

/// Whether a name is written family name first.
pub fn family_name_first(full: &str) -> bool {
    if full.chars().any(east_asian) {
        return true;
    }
    let first = full.split_whitespace().next().unwrap_or("").to_lowercase();
    full.split_whitespace().count() >= 2 && VIETNAMESE_FAMILY.contains(&first.as_str())
}

/// The name to greet the guest by: the given name where the name is written given name
/// first, else the full name (or the first field, when `full_for_family_first` is off).
pub fn greeting_name(full: &str, first_field: Option<&str>, full_for_family_first: bool) -> String {
    let full = full.trim();
    let first = first_field
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .or_else(|| full.split_whitespace().next())
        .unwrap_or(full);
    if full_for_family_first && (family_name_first(full) || family_name_first(first)) {
        return full.to_string();
    }
    first.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_name_first_names_greet_by_the_given_name_and_family_first_by_the_full_name() {
        // (name as the server gives it, its first field, greeting)
        let table: &[(&str, Option<&str>, &str)] = &[
            ("Seán Ó Briain", Some("Seán"), "Seán"),
            ("Maeve Byrne", None, "Maeve"),
            ("Chloé Nørgaard", Some("Chloé"), "Chloé"),
            ("Jürgen Müller", Some("Jürgen"), "Jürgen"),
            ("محمد العلي", Some("محمد"), "محمد"),
            ("Priya Raghunathan", Some("Priya"), "Priya"),
            ("Dmitri Иванов", Some("Dmitri"), "Dmitri"),
            ("Ana García", Some("Ana"), "Ana"),
            ("陈 伟", Some("陈"), "陈 伟"),
            ("陈伟", None, "陈伟"),
            ("김 민준", Some("김"), "김 민준"),
            ("김민준", None, "김민준"),
            ("田中 花子", Some("田中"), "田中 花子"),
            ("Yuki 田中", Some("Yuki"), "Yuki 田中"),
            ("Nguyễn Văn An", Some("Nguyễn"), "Nguyễn Văn An"),
            ("Trần Thị Lan", None, "Trần Thị Lan"),
            ("Lê", None, "Lê"),
            ("Leonard Lee", Some("Leonard"), "Leonard"),
        ];
        for (full, first, want) in table {
            assert_eq!(greeting_name(full, *first, true), *want, "{full}");
        }
        // The hotel may ask for the first field everywhere.
        assert_eq!(greeting_name("陈 伟", Some("陈"), false), "陈");
    }
}
