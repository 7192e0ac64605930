//! Guest text is hostile until sanitised, and wraps by grapheme width. Everything the UI draws
//! from the network goes through [`sanitize`]; layout uses [`wrap`].

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Longest text drawn from one message; the rest is summarised, so a 100 KB line cannot stall
/// the frame.
pub const MAX_DRAWN_CHARS: usize = 8_000;

fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // Bidi embeddings, overrides and isolates can reorder what the desk sees.
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
        // Invisible characters that hide text; ZWJ/ZWNJ stay for emoji and scripts.
        | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}'
        // Line and paragraph separators would break the row model.
        | '\u{2028}' | '\u{2029}')
}

/// "4m", "1h 05m", "2d 3h": a wait, always in minutes or longer units, never a clock time.
pub fn wait_length(d: chrono::Duration) -> String {
    let mins = d.num_minutes().max(0);
    match mins {
        0 => "<1m".into(),
        1..=59 => format!("{mins}m"),
        60..=1439 => format!("{}h {:02}m", mins / 60, mins % 60),
        _ => format!("{}d {}h", mins / 1440, (mins % 1440) / 60),
    }
}

/// Characters that make a grapheme's width a matter of opinion between terminals: the zero
/// width joiner of emoji sequences, the emoji presentation selector (VS16), skin tones,
/// regional indicators (flags), the keycap mark and tag characters (subdivision flags).
fn disputed(c: char) -> bool {
    matches!(c,
        '\u{200d}' | '\u{fe0f}' | '\u{20e3}'
        | '\u{1f3fb}'..='\u{1f3ff}' | '\u{1f1e6}'..='\u{1f1ff}' | '\u{e0020}'..='\u{e007f}'
        // Halfwidth (han)dakuten: one column in some terminals, none in others.
        | '\u{ff9e}' | '\u{ff9f}')
}

/// A pictograph that a ZWJ joins into an emoji sequence (in other scripts ZWJ shapes letters
/// and stays).
fn pictograph(c: char) -> bool {
    matches!(c, '\u{2600}'..='\u{27bf}' | '\u{2b00}'..='\u{2bff}' | '\u{1f000}'..='\u{1faff}')
}

/// One grapheme in the form every terminal draws at the width ratatui gives it. Terminals
/// disagree on the rest: a ZWJ family is 2 columns in some and 8 in others, VS16 1 or 2, a flag
/// 1, 2 or 4. So a family becomes its members side by side, a flag its letters ("[IE]"), and
/// selectors, skin tones, keycaps and tags are left off the base they modify ("❤️" → "❤",
/// "👍🏽" → "👍", "1️⃣" → "1"), and halfwidth katakana with a voicing mark is composed ("ｶﾞ" →
/// "ガ").
fn settle(g: &str, out: &mut String) {
    if !g.chars().any(disputed) {
        out.push_str(g);
        return;
    }
    // "ｶﾞ" is "ガ" in the form every terminal measures alike.
    if g.contains(['\u{ff9e}', '\u{ff9f}']) {
        use unicode_normalization::UnicodeNormalization;
        out.extend(g.nfkc());
        return;
    }
    let flags: String = g
        .chars()
        .filter_map(|c| match c {
            '\u{1f1e6}'..='\u{1f1ff}' => char::from_u32('A' as u32 + (c as u32 - 0x1f1e6)),
            _ => None,
        })
        .collect();
    match flags.len() {
        0 => {}
        1 => return out.push_str(&flags),
        _ => return out.push_str(&format!("[{flags}]")),
    }
    let emoji = g.chars().any(pictograph);
    let mut first = true;
    for c in g.chars() {
        let keep = match c {
            '\u{200d}' => !emoji,
            '\u{fe0f}' | '\u{20e3}' | '\u{e0020}'..='\u{e007f}' => false,
            // A lone skin-tone swatch is an emoji of its own.
            '\u{1f3fb}'..='\u{1f3ff}' => first,
            _ => true,
        };
        if keep {
            out.push(c);
        }
        first = false;
    }
}

/// Makes text inert for a terminal: control characters (C0 except newline, DEL, C1), escape
/// sequences' introducers, bidi overrides and invisible characters are removed or shown as
/// visible symbols. Tabs become spaces; CR is dropped. Emoji whose width terminals disagree on
/// are settled into forms they all draw alike (see `settle`), so no row can drift.
pub fn sanitize(input: &str) -> Cow<'_, str> {
    let mut emoji = false;
    let mut unsafe_chars = false;
    for c in input.chars() {
        emoji |= disputed(c);
        unsafe_chars |= is_unsafe(c) || c == '\t' || c == '\r';
    }
    if !emoji && !unsafe_chars {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        match c {
            '\t' => out.push_str("    "),
            '\r' => {}
            // ESC shows as a visible symbol, so staff can tell something odd was sent.
            '\u{1b}' => out.push('␛'),
            c if is_unsafe(c) => {}
            c => out.push(c),
        }
    }
    if emoji {
        let mut settled = String::with_capacity(out.len());
        for g in out.graphemes(true) {
            settle(g, &mut settled);
        }
        out = settled;
    }
    Cow::Owned(out)
}

/// Sanitises and flattens to one line (for previews and names).
/// Text folded for matching: compatibility-decomposed, combining marks dropped, lower case,
/// so "sean" finds "Seán", "fernandez" "Fernández", "muller" "Müller" and full-width digits
/// find room numbers, in every script.
pub fn fold(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    input
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn one_line(input: &str) -> String {
    let clean = sanitize(input);
    let mut out = String::with_capacity(clean.len());
    let mut last_space = false;
    for c in clean.chars().take(MAX_DRAWN_CHARS) {
        let c = if c == '\n' { ' ' } else { c };
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    out.trim().to_string()
}

/// One sanitised line of at most `max` cells, "…" when cut. Reads only as much of `input` as
/// it needs, so a 100 KB message costs no more than a short one.
pub fn line_preview(input: &str, max: usize) -> String {
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut last_space = true;
    let mut cut = false;
    // Enough characters for `max` cells plus what sanitising and folding remove.
    let head: String = input.chars().take(max * 4 + 16).collect();
    let clean = sanitize(&head);
    for g in clean.graphemes(true) {
        let g = if g == "\n" || g == "\r\n" { " " } else { g };
        if g == " " && last_space {
            continue;
        }
        last_space = g == " ";
        let w = g.width();
        if used + w > max {
            cut = true;
            break;
        }
        used += w;
        out.push_str(g);
    }
    if !cut && head.len() < input.len() {
        cut = true;
    }
    let mut out = out.trim_end().to_string();
    if cut {
        // Make room for the ellipsis.
        while width(&out) + 1 > max {
            if out.pop().is_none() {
                break;
            }
        }
        out.push('…');
    }
    out
}

/// Parts of one line, each with how readily it gives way (0: never; higher: sooner). The
/// parts are joined in order; while the line is wider than `max`, the part that gives way
/// soonest (the last of them on a tie) is left out whole, never cut mid-word. What must stay
/// is cut at the end only when nothing else is left to leave out.
pub fn fit_parts(parts: &[(&str, u8)], max: usize) -> String {
    fit_sides(parts, &[], max).0
}

/// A line with a left and a right side (a header), fitted as one: the parts of both sides
/// give way in one order, so a count on the right outlasts a name on the left. Returns the
/// two sides; together with a space between them they fit `max`.
pub fn fit_sides(left: &[(&str, u8)], right: &[(&str, u8)], max: usize) -> (String, String) {
    let all: Vec<(&str, u8)> = left.iter().chain(right).copied().collect();
    let mut kept: Vec<bool> = all.iter().map(|(p, _)| !p.is_empty()).collect();
    let side = |kept: &[bool], range: std::ops::Range<usize>| -> String {
        range.filter(|i| kept[*i]).map(|i| all[i].0).collect()
    };
    loop {
        let l = side(&kept, 0..left.len());
        let r = side(&kept, left.len()..all.len());
        let gap = usize::from(!l.is_empty() && !r.is_empty());
        if width(&l) + width(&r) + gap <= max {
            return (l, r);
        }
        let next = all
            .iter()
            .enumerate()
            .filter(|(i, (_, give))| kept[*i] && *give > 0)
            .max_by_key(|(i, (_, give))| (*give, *i))
            .map(|(i, _)| i);
        match next {
            Some(i) => kept[i] = false,
            None => {
                let rw = width(&r).min(max);
                return (
                    truncate(&l, max.saturating_sub(rw + gap)),
                    truncate(&r, max),
                );
            }
        }
    }
}

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// Cuts to at most `max` cells, adding "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > max.saturating_sub(1) {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push('…');
    out
}

/// Wraps sanitised text into lines of at most `max` cells where the Unicode line-breaking
/// rules allow (UAX 14, `unicode-linebreak`): never before "." or ",", never inside a word,
/// between CJK characters; inside a word only when it is longer than a line. Spaces at a
/// break hang and are dropped. Never splits a grapheme.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut line_w = 0;
        let mut start = 0;
        for (end, opportunity) in unicode_linebreak::linebreaks(para) {
            let unit = &para[start..end];
            start = end;
            let body_w = width(unit.trim_end());
            if line_w + body_w > max && !line.is_empty() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line_w = 0;
            }
            if body_w <= max.saturating_sub(line_w) {
                line.push_str(unit);
                line_w += width(unit);
            } else {
                // Longer than a line: break between graphemes.
                for g in unit.graphemes(true) {
                    let gw = g.width();
                    if line_w + gw > max && !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0;
                    }
                    line.push_str(g);
                    line_w += gw;
                }
            }
            if opportunity == unicode_linebreak::BreakOpportunity::Mandatory && end < para.len() {
                lines.push(std::mem::take(&mut line).trim_end().to_string());
                line_w = 0;
            }
        }
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// The drawable body of a message: sanitised, and cut at [`MAX_DRAWN_CHARS`].
pub fn body(text: &str) -> Cow<'_, str> {
    let clean = sanitize(text);
    if clean.len() <= MAX_DRAWN_CHARS {
        return clean;
    }
    let total = clean.chars().count();
    if total <= MAX_DRAWN_CHARS {
        return clean;
    }
    let kept: String = clean.chars().take(MAX_DRAWN_CHARS).collect();
    Cow::Owned(format!(
        "{kept}…\n[{} more characters not shown]",
        total - MAX_DRAWN_CHARS
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_terminals_disagree_on_are_drawn_in_forms_they_agree_on() {
        for (sent, shown) in [
            (
                "family 👩\u{200d}👩\u{200d}👧\u{200d}👦 here",
                "family 👩👩👧👦 here",
            ),
            ("from 🇮🇪 and 🇯🇵", "from [IE] and [JP]"),
            ("I ❤\u{fe0f} it, bed 🛏\u{fe0f}", "I ❤ it, bed 🛏"),
            ("thumbs 👍🏽👍🏿", "thumbs 👍👍"),
            ("room 1\u{fe0f}\u{20e3}0\u{fe0f}\u{20e3}", "room 10"),
            (
                "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} fans",
                "🏴 fans",
            ),
            ("chef 🧑\u{200d}🍳", "chef 🧑🍳"),
            ("ｶﾞｽ", "ガｽ"),
        ] {
            assert_eq!(sanitize(sent), shown, "{sent:?}");
            // What is left is measured alike char by char and as clusters.
            let parts: usize = shown
                .chars()
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                .sum();
            assert_eq!(width(&sanitize(sent)), parts, "{sent:?}");
        }
        // ZWJ that shapes a script stays; plain text is not copied.
        assert_eq!(sanitize("क्\u{200d}ष"), "क्\u{200d}ष");
        assert!(matches!(sanitize("plain words, é 中文"), Cow::Borrowed(_)));
    }

    #[test]
    fn folding_ignores_accents_and_case_in_every_script() {
        assert!(fold("Seán Ó Briain").contains(&fold("sean o")));
        assert!(fold("Fernández").contains("fernandez"));
        assert_eq!(fold("ÉLODIE"), "elodie");
        assert_eq!(fold("Ελένη"), fold("ελενη"));
        assert_eq!(fold("Йо"), "ио");
        assert_eq!(fold("１０３"), "103");
        assert_eq!(fold("陈"), "陈");
    }

    #[test]
    fn escapes_are_inert() {
        let s =
            sanitize("hi\x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07 \u{9b}31m\u{202e}evil\u{200b}");
        assert!(!s.chars().any(|c| c.is_control() && c != '\n'));
        assert!(!s.contains('\u{202e}'));
        assert!(!s.contains('\u{200b}'));
        assert!(s.contains('␛'));
    }

    #[test]
    fn zwj_emoji_is_never_cut_by_wrapping() {
        let family = "👨‍👩‍👧";
        // Drawn as its members (terminals disagree on the sequence's width) ...
        assert_eq!(sanitize(family), "👨👩👧");
        // ... and never cut inside when wrapping measures it whole.
        assert_eq!(width(family), 2);
        let lines = wrap(&format!("{family}{family}{family}"), 4);
        assert_eq!(lines, vec![format!("{family}{family}"), family.to_string()]);
    }

    #[test]
    fn cjk_wraps_by_width() {
        let lines = wrap("你好你好你好", 5);
        assert_eq!(lines, vec!["你好", "你好", "你好"]);
        for l in &lines {
            assert!(width(l) <= 5);
        }
    }

    #[test]
    fn the_least_important_part_gives_way_first_and_whole() {
        let parts = [
            (" frontdesk", 5),
            (" · Hotel Killarney", 3),
            (" · Fiona Desk", 4),
            (" · 03:12 UTC+00:00", 0),
        ];
        assert_eq!(
            fit_parts(&parts, 80),
            " frontdesk · Hotel Killarney · Fiona Desk · 03:12 UTC+00:00"
        );
        assert_eq!(
            fit_parts(&parts, 50),
            " · Hotel Killarney · Fiona Desk · 03:12 UTC+00:00"
        );
        assert_eq!(
            fit_parts(&parts, 40),
            " · Hotel Killarney · 03:12 UTC+00:00"
        );
        assert_eq!(fit_parts(&parts, 20), " · 03:12 UTC+00:00");
        assert_eq!(fit_parts(&parts, 10), " · 03:12 …");
    }

    #[test]
    fn punctuation_never_starts_a_line() {
        // From the width of its longest unbreakable run ("10:30 , ") up.
        for max in 8..30 {
            for line in wrap(
                "Breakfast is served until 10:30 , and the spa opens at 9 .",
                max,
            ) {
                assert!(
                    !line.starts_with(['.', ',']),
                    "width {max}: {line:?} starts with punctuation"
                );
            }
        }
        assert_eq!(wrap("Yes, towels.", 5), ["Yes,", "towel", "s."]);
    }

    #[test]
    fn words_wrap_at_spaces() {
        assert_eq!(
            wrap("the quick brown fox", 10),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(wrap("", 10), vec![""]);
    }

    #[test]
    fn long_words_break() {
        let lines = wrap(&"x".repeat(25), 10);
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| width(l) <= 10));
    }

    #[test]
    fn combining_marks_count_once() {
        let s = "e\u{301}e\u{301}";
        assert_eq!(width(s), 2);
        assert_eq!(wrap(s, 1), vec!["e\u{301}", "e\u{301}"]);
    }

    #[test]
    fn truncate_marks_cut() {
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hi", 6), "hi");
        assert_eq!(truncate("你好你好", 5), "你好…");
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(line_preview("hello\n\n  world", 20), "hello world");
        assert_eq!(line_preview("hello world", 6), "hello…");
        assert_eq!(
            line_preview(&"x".repeat(100_000), 10),
            format!("{}…", "x".repeat(9))
        );
        assert_eq!(line_preview("你好你好", 5), "你好…");
        assert!(!line_preview("a\u{1b}[2Jb", 10).contains('\u{1b}'));
        assert_eq!(line_preview("abc", 0), "");
    }

    #[test]
    fn huge_bodies_are_summarised() {
        let big = "a".repeat(100_000);
        let b = body(&big);
        assert!(b.len() < 9_000);
        assert!(b.contains("92000 more characters"));
    }
}
