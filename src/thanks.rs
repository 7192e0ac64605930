//! Whether a guest's message only thanks or closes ("Thanks, it works now.", "merci 🙏",
//! "ありがとうございます"). Written after a staff reply, such a message asks nothing, so the
//! guest is not waiting. Every desk decides it the same way from the same text, with no note.
//!
//! The rule: no question mark in any script; at most `MAX_CHARS` characters; once emoji,
//! punctuation and known closing phrases are taken out, nothing but filler words is left;
//! and at least one phrase was a thanks or an acknowledgement. A request in the same message
//! ("thanks! and the spa?", "thanks, can you send towels") leaves words that are not filler,
//! so the guest still waits.

use unicode_normalization::UnicodeNormalization;

/// Longer messages nearly always carry a request; a short false "waiting" costs less than a
/// missed one.
const MAX_CHARS: usize = 80;

/// Thanks and acknowledgements, lower case, longest first within a language so that "thank
/// you very much" is taken whole. Scripts without spaces (Chinese, Japanese) are matched as
/// substrings, the others as whole words.
const CLOSINGS: &[&str] = &[
    // English
    "thank you very much",
    "thank you so much",
    "thanks a lot",
    "thanks so much",
    "many thanks",
    "thank you",
    "thankyou",
    "thanks",
    "thank",
    "thanx",
    "thx",
    "ty",
    "cheers",
    "much appreciated",
    "appreciated",
    "appreciate it",
    "ok great",
    "okay",
    "ok",
    "k",
    "great",
    "perfect",
    "lovely",
    "brilliant",
    "wonderful",
    "awesome",
    "excellent",
    "super",
    "fantastic",
    "amazing",
    "got it",
    "noted",
    "all good",
    "all sorted",
    "sorted",
    "fine",
    "no worries",
    "no problem",
    "it works now",
    "works now",
    "it works",
    "that works",
    "that's great",
    "thats great",
    "that's perfect",
    "sounds good",
    "good night",
    "goodnight",
    // Irish
    "go raibh míle maith agat",
    "go raibh maith agaibh",
    "go raibh maith agat",
    "gura míle",
    // French
    "merci beaucoup",
    "merci bien",
    "merci",
    "parfait",
    "d'accord",
    "très bien",
    // German
    "vielen dank",
    "danke schön",
    "danke schon",
    "dankeschön",
    "danke sehr",
    "danke",
    "alles klar",
    "prima",
    // Spanish
    "muchas gracias",
    "mil gracias",
    "gracias",
    "perfecto",
    "vale",
    // Italian
    "grazie mille",
    "grazie",
    "perfetto",
    // Portuguese
    "muito obrigado",
    "muito obrigada",
    "obrigado",
    "obrigada",
    "perfeito",
    // Dutch, Scandinavian, Polish
    "dank je wel",
    "dank u wel",
    "bedankt",
    "tusen takk",
    "tack så mycket",
    "tack",
    "takk",
    "tak",
    "dziękuję",
    // Chinese
    "非常感谢",
    "谢谢你",
    "谢谢您",
    "谢谢",
    "謝謝",
    "感谢",
    "好的",
    // Japanese
    "ありがとうございました",
    "ありがとうございます",
    "ありがとう",
    "どうも",
    "了解です",
    "わかりました",
    // Korean
    "감사합니다",
    "고맙습니다",
    "고마워요",
    "알겠습니다",
    // Arabic
    "شكرا جزيلا",
    "شكراً",
    "شكرا",
    // Hebrew
    "תודה רבה",
    "תודה",
    // Russian, Ukrainian
    "большое спасибо",
    "спасибо",
    "дякую",
    // Vietnamese
    "cảm ơn nhiều",
    "cám ơn",
    "cảm ơn",
    "cam on",
    // Greek
    "ευχαριστώ πολύ",
    "ευχαριστώ",
    "ευχαριστω",
    // Turkish, Hindi
    "teşekkürler",
    "teşekkür ederim",
    "धन्यवाद",
];

/// Words that may stand beside a closing phrase without asking anything.
const FILLER: &[&str] = &[
    "a",
    "again",
    "all",
    "and",
    "for",
    "everything",
    "help",
    "your",
    "you",
    "very",
    "much",
    "so",
    "lot",
    "really",
    "now",
    "it",
    "works",
    "working",
    "that",
    "this",
    "is",
    "was",
    "great",
    "good",
    "just",
    "oh",
    "ah",
    "hi",
    "hello",
    "mate",
    "guys",
    "team",
    "staff",
    "x",
    "xx",
    "xxx",
    "lol",
    "haha",
    "too",
    "as",
    "well",
    "kind",
    "indeed",
    "sir",
    "madam",
    "dear",
    "de",
    "la",
    "à",
    "vous",
    "toi",
    "tout",
    "pour",
    "für",
    "alles",
    "por",
    "todo",
    "per",
    "tutto",
    "you're",
    "youre",
    "the",
    "best",
    "star",
    "stars",
    "fixed",
    "done",
    "received",
    "большое",
    "جزيلا",
    "جزيلاً",
];

/// Question marks in the scripts guests write.
const QUESTION_MARKS: &[char] = &[
    '?', '？', '؟', ';', /* Greek question mark, after NFC */
];

/// Whether the text only thanks or closes.
pub fn only_thanks(text: &str) -> bool {
    let text: String = text.nfc().collect::<String>().to_lowercase();
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > MAX_CHARS {
        return false;
    }
    // The Greek question mark is U+037E; NFC turns it into ';', which elsewhere is rare in a
    // short thanks, so any ';' counts as a question.
    if trimmed.contains(QUESTION_MARKS) || trimmed.contains('\u{37e}') {
        return false;
    }
    // Emoji, symbols and punctuation become spaces; apostrophes stay inside words.
    let mut rest: String = trimmed
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || c == '’' || c.is_whitespace() {
                if c == '’' { '\'' } else { c }
            } else if is_mark(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    rest = format!(
        " {} ",
        rest.split_whitespace().collect::<Vec<_>>().join(" ")
    );
    let mut closed = false;
    for phrase in CLOSINGS {
        if spaceless(phrase) {
            if rest.contains(phrase) {
                rest = rest.replace(phrase, " ");
                closed = true;
            }
        } else {
            let word = format!(" {phrase} ");
            while rest.contains(&word) {
                rest = rest.replacen(&word, "  ", 1);
                closed = true;
            }
        }
    }
    closed && rest.split_whitespace().all(|w| FILLER.contains(&w))
}

/// Combining marks stay with their letters (Vietnamese, Hindi, Arabic vowel signs).
fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0900..=0x097F)
}

/// Chinese and Japanese write without spaces: their phrases match anywhere.
fn spaceless(phrase: &str) -> bool {
    phrase
        .chars()
        .any(|c| matches!(c as u32, 0x3040..=0x30FF | 0x4E00..=0x9FFF | 0x3400..=0x4DBF))
}

#[cfg(test)]
mod tests {
    use super::only_thanks;

    #[test]
    fn closings_in_the_languages_guests_write_end_the_wait() {
        for text in [
            "Thanks, it works now.",
            "thanks!",
            "Thank you so much 🙏",
            "ok great",
            "OK 👍",
            "Perfect, thank you!",
            "Cheers",
            "merci beaucoup !",
            "Merci 😊",
            "Danke schön",
            "danke",
            "¡Muchas gracias!",
            "gracias",
            "grazie mille",
            "Obrigado!",
            "obrigada",
            "Go raibh maith agat",
            "谢谢",
            "谢谢你！",
            "ありがとうございます",
            "ありがとう😊",
            "감사합니다",
            "شكرا",
            "شكراً جزيلاً",
            "תודה רבה",
            "Спасибо!",
            "спасибо большое",
            "Cảm ơn",
            "cảm ơn nhiều!",
            "Ευχαριστώ",
            "Great, thanks again for your help!",
            "Thanks a lot, all good now 👌",
            "Lovely, thank you x",
        ] {
            assert!(only_thanks(text), "{text:?} only thanks");
        }
    }

    #[test]
    fn a_request_or_a_question_beside_the_thanks_still_waits() {
        for text in [
            "thanks! and the spa?",
            "Thanks, can you also send two towels",
            "merci, et le petit déjeuner ?",
            "Danke. Wann ist das Frühstück",
            "谢谢，还有毛巾吗？",
            "Could we have two more towels?",
            "The wifi does not work",
            "ok but the shower is still cold",
            "Thank you. Room 204 also needs a kettle",
            "no",
            "",
            "   ",
            "🙏",
            "Is the pool open;",
            "Thanks thanks thanks thanks thanks thanks thanks thanks thanks thanks thanks thanks thanks",
        ] {
            assert!(!only_thanks(text), "{text:?} asks something");
        }
    }
}
