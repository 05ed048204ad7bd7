//! Text analysis shared by indexing and querying.
//!
//! A general-purpose tokenizer splits `C++`, `C#`, `.NET`, `Node.js`, `CI/CD` and
//! `HTTP/2` into letters and digits, which makes `C++` indistinguishable from `C` and
//! `Node.js` from `Node`. This tokenizer keeps such names whole. When indexing, a
//! compound word is emitted whole, joined (`nodejs`, `cicd`) and as its parts (`node`,
//! `js`), so that every way of typing it finds it; when querying, only the whole form
//! is used, so that the query `C++` does not match every `C`.
//! Names ending in `+` or `#` (`C++`, `C#`, `F#`) have no parts: their letter alone
//! names something else.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// Name of the analyzer of fields matched exactly, by prefix and with typos.
pub const RAW: &str = "dev_raw";
/// Name of the analyzer of fields matched by English stem.
pub const STEM: &str = "dev_stem";

/// Longest token kept; longer runs are noise (hashes, base64) and bloat the index.
const MAX_TOKEN_CHARS: usize = 48;

/// Splits text into words, keeping developer names whole (see the module docs).
#[derive(Clone, Debug)]
pub struct DevTokenizer {
    /// Index side: also emit the joined form and the parts of compound words.
    pub emit_parts: bool,
}

/// The token stream of [`DevTokenizer`]: tokens are computed eagerly, texts are short.
pub struct DevTokenStream {
    tokens: Vec<Token>,
    index: usize,
    /// Returned by `token()` before the first `advance()`, which tantivy never does.
    empty: Token,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Characters that join two word characters into one compound (`node.js`, `ci/cd`,
/// `real-time`, `n+1`, `don't`).
fn is_connector(c: char) -> bool {
    matches!(c, '.' | '/' | '-' | '+' | '#' | '\'' | '_' | '\u{2019}')
}

/// One compound word found in a text: byte range and the ranges of its parts.
struct Compound<'a> {
    from: usize,
    to: usize,
    parts: &'a [(usize, usize)],
    /// Ends in `+` or `#` (`c++`, `c#`): the parts must not be emitted.
    suffixed: bool,
    /// Starts with a `.` (`.net`).
    dotted: bool,
}

/// The character that starts at byte `i` of `text` (a boundary before its end) and its
/// length in bytes.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    match text.as_bytes().get(i) {
        Some(&b) if b < 0x80 => (char::from(b), 1),
        _ => text
            .get(i..)
            .and_then(|rest| rest.chars().next())
            .map_or(('\0', 1), |c| (c, c.len_utf8())),
    }
}

/// Calls `f` with every compound word of `text`, in order. Walks the bytes once,
/// decoding only non-ASCII characters, with one buffer of parts for the whole text:
/// indexing, snippets and suggestions tokenize every text through here, and a vector
/// of every character plus one of parts per word was most of their cost.
fn scan(text: &str, mut f: impl FnMut(&Compound<'_>)) {
    let n = text.len();
    let bytes = text.as_bytes();
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < n {
        let (c, len) = char_at(text, i);
        if !is_word_char(c) {
            i += len;
            continue;
        }
        // A leading dot belongs to the word when it follows a non-word character:
        // `.NET`, `.env`; not the end of a sentence (`end.Next` is caught below).
        let dotted = i > 0
            && bytes[i - 1] == b'.'
            && text[..i - 1]
                .chars()
                .next_back()
                .is_none_or(|p| !is_word_char(p) && !is_connector(p));
        let start_byte = if dotted { i - 1 } else { i };
        parts.clear();
        let mut j = i;
        loop {
            let part_start = j;
            while j < n {
                let (c, l) = char_at(text, j);
                if !is_word_char(c) {
                    break;
                }
                j += l;
            }
            parts.push((part_start, j));
            // A connector continues the compound only when a word character follows.
            if j < n {
                let (c, l) = char_at(text, j);
                if is_connector(c) && j + l < n && is_word_char(char_at(text, j + l).0) {
                    j += l;
                    continue;
                }
            }
            break;
        }
        let mut end_byte = j;
        // Trailing `+`/`#` runs (`c++`, `c#`), only when not followed by a word char.
        let mut k = j;
        while k < n && matches!(bytes[k], b'+' | b'#') {
            k += 1;
        }
        let suffixed = k > j && (k >= n || !is_word_char(char_at(text, k).0));
        if suffixed {
            end_byte = k;
            j = k;
        }
        f(&Compound {
            from: start_byte,
            to: end_byte,
            parts: &parts,
            suffixed,
            dotted,
        });
        i = j.max(i + len);
    }
}

fn push(tokens: &mut Vec<Token>, text: String, from: usize, to: usize, position: usize) {
    if text.is_empty() || text.chars().count() > MAX_TOKEN_CHARS {
        return;
    }
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    });
}

/// Tokenizes `text` the way [`DevTokenizer`] does, without the lower-casing and folding
/// filters. Exposed for snippets and suggestions, which work on the same words.
pub fn raw_tokens(text: &str, emit_parts: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut position = 0;
    scan(text, |compound| {
        let whole = &text[compound.from..compound.to];
        let is_compound = compound.parts.len() > 1 || compound.suffixed || compound.dotted;
        push(
            &mut tokens,
            whole.to_string(),
            compound.from,
            compound.to,
            position,
        );
        if is_compound && emit_parts && !compound.suffixed {
            if compound.parts.len() > 1 {
                let joined: String = compound.parts.iter().map(|&(a, b)| &text[a..b]).collect();
                push(&mut tokens, joined, compound.from, compound.to, position);
            }
            for &(a, b) in compound.parts {
                push(&mut tokens, text[a..b].to_string(), a, b, position);
            }
        }
        position += 1;
    });
    tokens
}

/// Calls `f(from, to, word)` for every word the index side emits for `text` (compounds
/// whole, joined and as parts), lower-cased and accent-folded: what the index holds,
/// without building tokens. Snippets scan many texts per query; this is their hot loop.
pub fn for_each_word(text: &str, mut f: impl FnMut(usize, usize, &str)) {
    let mut buf = String::new();
    let mut joined = String::new();
    let mut emit = |from: usize, to: usize, word: &str, buf: &mut String| {
        if word.is_empty() {
            return;
        }
        buf.clear();
        if word.is_ascii() {
            if word.len() > MAX_TOKEN_CHARS {
                return;
            }
            buf.push_str(word);
            buf.make_ascii_lowercase();
        } else {
            if word.chars().count() > MAX_TOKEN_CHARS {
                return;
            }
            for w in query_words(word) {
                buf.push_str(&w);
            }
        }
        f(from, to, buf);
    };
    scan(text, |compound| {
        let whole = &text[compound.from..compound.to];
        emit(compound.from, compound.to, whole, &mut buf);
        let is_compound = compound.parts.len() > 1 || compound.suffixed || compound.dotted;
        if is_compound && !compound.suffixed {
            if compound.parts.len() > 1 {
                joined.clear();
                for &(a, b) in compound.parts {
                    joined.push_str(&text[a..b]);
                }
                emit(compound.from, compound.to, &joined, &mut buf);
            }
            for &(a, b) in compound.parts {
                emit(a, b, &text[a..b], &mut buf);
            }
        }
    });
}

impl Tokenizer for DevTokenizer {
    type TokenStream<'a> = DevTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DevTokenStream {
        DevTokenStream {
            tokens: raw_tokens(text, self.emit_parts),
            index: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for DevTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.index.checked_sub(1) {
            Some(i) => self.tokens.get(i).unwrap_or(&self.empty),
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.index.checked_sub(1) {
            Some(i) if i < self.tokens.len() => &mut self.tokens[i],
            _ => &mut self.empty,
        }
    }
}

/// The analyzer of a field or a query: `stem` adds English stemming, `emit_parts`
/// selects the index side (see the module docs).
pub fn analyzer(stem: bool, emit_parts: bool) -> TextAnalyzer {
    let base = TextAnalyzer::builder(DevTokenizer { emit_parts })
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    if stem {
        base.filter(Stemmer::new(Language::English)).build()
    } else {
        base.build()
    }
}

/// Lower-cased, accent-folded words of `text`, query side (compounds whole).
pub fn query_words(text: &str) -> Vec<String> {
    QUERY.with(|a| {
        let mut a = a.borrow_mut();
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    })
}

thread_local! {
    /// Building an analyzer allocates its filter chain; per-call construction was
    /// the largest cost of a search request.
    static STEMMER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(
        TextAnalyzer::builder(tantivy::tokenizer::RawTokenizer::default())
            .filter(Stemmer::new(Language::English))
            .build(),
    );
    static QUERY: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(analyzer(false, false));
}

/// The English stem of one already normalized word.
pub fn stem(word: &str) -> String {
    STEMMER.with(|a| {
        let mut a = a.borrow_mut();
        let mut stream = a.token_stream(word);
        stream
            .next()
            .map(|t| t.text.clone())
            .unwrap_or_else(|| word.to_string())
    })
}

/// Words that carry no meaning in a search for developer content. Dropped from a
/// query unless nothing else is left, so that natural questions ("how does the
/// internet work") match on their content words.
pub fn is_stopword(word: &str) -> bool {
    matches!(
        word,
        "a" | "an"
            | "and"
            | "are"
            | "as"
            | "at"
            | "be"
            | "by"
            | "can"
            | "do"
            | "does"
            | "for"
            | "from"
            | "how"
            | "i"
            | "in"
            | "into"
            | "is"
            | "it"
            | "its"
            | "of"
            | "on"
            | "or"
            | "should"
            | "the"
            | "to"
            | "what"
            | "whats"
            | "when"
            | "where"
            | "which"
            | "who"
            | "why"
            | "with"
            | "you"
            | "your"
            | "my"
            | "me"
            | "we"
            | "vs"
            | "versus"
            | "about"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_words(text: &str) -> Vec<String> {
        let mut a = analyzer(false, true);
        let mut stream = a.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    /// The scanner as it was before [`scan`] walked bytes: the reference it must match.
    struct OldCompound {
        from: usize,
        to: usize,
        parts: Vec<(usize, usize)>,
        /// Ends in `+` or `#` (`c++`, `c#`): the parts must not be emitted.
        suffixed: bool,
        /// Starts with a `.` (`.net`).
        dotted: bool,
    }

    fn old_scan(text: &str) -> Vec<OldCompound> {
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let (_, c) = chars[i];
            if !is_word_char(c) {
                i += 1;
                continue;
            }
            // A leading dot belongs to the word when it follows a non-word character:
            // `.NET`, `.env`; not the end of a sentence (`end.Next` is caught below).
            let dotted = i > 0
                && chars[i - 1].1 == '.'
                && (i < 2 || !is_word_char(chars[i - 2].1) && !is_connector(chars[i - 2].1));
            let start_byte = if dotted { chars[i - 1].0 } else { chars[i].0 };
            let mut parts = Vec::new();
            let mut j = i;
            loop {
                let part_start = chars[j].0;
                while j < chars.len() && is_word_char(chars[j].1) {
                    j += 1;
                }
                let part_end = if j < chars.len() {
                    chars[j].0
                } else {
                    text.len()
                };
                parts.push((part_start, part_end));
                // A connector continues the compound only when a word character follows.
                if j + 1 < chars.len() && is_connector(chars[j].1) && is_word_char(chars[j + 1].1) {
                    j += 1;
                    continue;
                }
                break;
            }
            let mut end_byte = if j < chars.len() {
                chars[j].0
            } else {
                text.len()
            };
            // Trailing `+`/`#` runs (`c++`, `c#`), only when not followed by a word char.
            let mut k = j;
            while k < chars.len() && matches!(chars[k].1, '+' | '#') {
                k += 1;
            }
            let suffixed = k > j && (k >= chars.len() || !is_word_char(chars[k].1));
            if suffixed {
                end_byte = if k < chars.len() {
                    chars[k].0
                } else {
                    text.len()
                };
                j = k;
            }
            out.push(OldCompound {
                from: start_byte,
                to: end_byte,
                parts,
                suffixed,
                dotted,
            });
            i = j.max(i + 1);
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(20_000))]

        /// Random strings of every character class the scanner tells apart.
        #[test]
        fn the_byte_scanner_finds_what_the_character_scanner_found(
            chars in proptest::collection::vec(
                proptest::sample::select("aZ9é中ß .-/+#'_\u{2019},;\n\t!".chars().collect::<Vec<char>>()),
                0..16,
            )
        ) {
            let text: String = chars.into_iter().collect();
            let mut got = Vec::new();
            scan(&text, |c| {
                got.push((c.from, c.to, c.parts.to_vec(), c.suffixed, c.dotted))
            });
            let want: Vec<_> = old_scan(&text)
                .into_iter()
                .map(|c| (c.from, c.to, c.parts, c.suffixed, c.dotted))
                .collect();
            proptest::prop_assert_eq!(got, want, "{:?}", text);
        }
    }

    #[test]
    fn keeps_developer_names_whole() {
        assert_eq!(query_words("C++ and C#"), ["c++", "and", "c#"]);
        assert_eq!(query_words("Node.js"), ["node.js"]);
        assert_eq!(query_words(".NET Core"), [".net", "core"]);
        assert_eq!(query_words("CI/CD, HTTP/2."), ["ci/cd", "http/2"]);
        assert_eq!(query_words("OAuth 2.0"), ["oauth", "2.0"]);
        assert_eq!(query_words("the end. Next"), ["the", "end", "next"]);
    }

    #[test]
    fn index_side_adds_joined_form_and_parts_but_not_for_suffixed_names() {
        assert_eq!(index_words("Node.js"), ["node.js", "nodejs", "node", "js"]);
        assert_eq!(index_words("C++"), ["c++"]);
        assert_eq!(index_words("C#"), ["c#"]);
    }

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(query_words("Café ÉCOLE"), ["cafe", "ecole"]);
    }

    #[test]
    fn stems_english() {
        assert_eq!(stem("caching"), stem("cache"));
    }
}
