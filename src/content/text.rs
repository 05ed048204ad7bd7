//! Text that may be a part of a larger text already held.
//!
//! A topic keeps its file as written (`rawMarkdown`), its body without the heading
//! and the resource list (`markdown`), and the body's first paragraph (`summary`).
//! Most bodies are one stretch of the file and most summaries the start of the plain
//! text, so holding each as its own string would keep the same bytes twice: at the
//! size of the whole roadmap.sh that is 5 MB of a 100 MB budget.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A string shared with the text it was cut from, or held alone.
#[derive(Clone)]
pub struct Text {
    whole: Arc<str>,
    start: u32,
    end: u32,
}

impl Text {
    /// `part` as a stretch of `whole` where `whole` contains it, else on its own.
    pub fn within(whole: &Arc<str>, part: &str) -> Text {
        if part.is_empty() {
            return Text::default();
        }
        let at = whole.find(part);
        match at.and_then(|s| Some((u32::try_from(s).ok()?, u32::try_from(s + part.len()).ok()?))) {
            Some((start, end)) => Text {
                whole: Arc::clone(whole),
                start,
                end,
            },
            None => Text::from(part),
        }
    }

    pub fn as_str(&self) -> &str {
        // The range was cut at a match of a whole `&str`, so it lies on char
        // boundaries; `get` keeps this total all the same.
        self.whole
            .get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::from(Arc::<str>::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text::from(Arc::<str>::from(s))
    }
}

impl From<Arc<str>> for Text {
    fn from(whole: Arc<str>) -> Text {
        // Longer than 4 GiB cannot be read (the loader's file size limit is far
        // below); the range then covers what fits.
        let end = u32::try_from(whole.len()).unwrap_or(u32::MAX);
        Text {
            whole,
            start: 0,
            end,
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// Written as the string it reads as, whether shared or not.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Text, D::Error> {
        String::deserialize(deserializer).map(Text::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_found_in_the_whole_shares_it() {
        let whole: Arc<str> = Arc::from("# JWT\n\nTokens, signed.\n\n- [a](b)\n");
        let body = Text::within(&whole, "Tokens, signed.");
        assert_eq!(body, "Tokens, signed.");
        assert!(Arc::ptr_eq(&body.whole, &whole));
        // Not a stretch of the whole (text joined around a list): held alone.
        let joined = Text::within(&whole, "Tokens, signed. More");
        assert_eq!(joined, "Tokens, signed. More");
        assert!(!Arc::ptr_eq(&joined.whole, &whole));
        assert_eq!(Text::within(&whole, ""), "");
    }

    #[test]
    fn serializes_as_the_string_it_reads_as() {
        let whole: Arc<str> = Arc::from("héllo wörld");
        let part = Text::within(&whole, "wörld");
        let json = serde_json::to_string(&part).unwrap();
        assert_eq!(json, "\"wörld\"");
        let back: Text = serde_json::from_str(&json).unwrap();
        assert_eq!(back, part);
        assert_eq!(
            serde_json::to_string(&Arc::<str>::from("wörld")).unwrap(),
            json
        );
    }
}
