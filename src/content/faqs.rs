//! FAQ sources: `faqs.astro` (a TypeScript array literal inside Astro frontmatter)
//! and the hand-written alternatives `faqs.yaml` / `faqs.json`.
//!
//! `faqs.astro` is code, not data, but only a tiny, regular subset of JavaScript is
//! used in practice: an array of objects with string values. Running a JS engine for
//! that would be absurd, and regexes break on escaped quotes, backticks and trailing
//! commas, so this module carries a small tokenizer and a recursive-descent parser
//! for JSON-like literals with JavaScript's lexical conveniences.

use serde_json::{Map, Value};

use super::model::Faq;

/// Why a FAQ file could not be read; `line` is 1-based in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FaqError {
    pub message: String,
    pub line: Option<usize>,
}

fn err(message: impl Into<String>, line: usize) -> FaqError {
    FaqError {
        message: message.into(),
        line: Some(line),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Punct(char),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    line: usize,
}

/// Tokenizes the JavaScript subset. `line0` is the file line of the first char.
fn tokenize(src: &str, line0: usize) -> Result<Vec<Token>, FaqError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = line0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                let start = line;
                i += 2;
                loop {
                    match chars.get(i) {
                        None => return Err(err("unterminated /* comment", start)),
                        Some('*') if chars.get(i + 1) == Some(&'/') => {
                            i += 2;
                            break;
                        }
                        Some('\n') => {
                            line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
            }
            '\'' | '"' | '`' => {
                let start = line;
                let (s, next, lines) = read_string(&chars, i, c).map_err(|m| err(m, start))?;
                line += lines;
                i = next;
                out.push(Token {
                    tok: Tok::Str(s),
                    line: start,
                });
            }
            c if c.is_ascii_digit()
                || (c == '-' || c == '.')
                    && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) =>
            {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().filter(|c| **c != '_').collect();
                let n = text.parse::<f64>().unwrap_or(f64::NAN);
                out.push(Token {
                    tok: Tok::Num(n),
                    line,
                });
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$')
                {
                    i += 1;
                }
                out.push(Token {
                    tok: Tok::Ident(chars[start..i].iter().collect()),
                    line,
                });
            }
            c => {
                out.push(Token {
                    tok: Tok::Punct(c),
                    line,
                });
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Reads a quoted string starting at `chars[start]` (the quote). Returns the value,
/// the index after the closing quote, and how many newlines it spanned.
fn read_string(
    chars: &[char],
    start: usize,
    quote: char,
) -> Result<(String, usize, usize), String> {
    let mut s = String::new();
    let mut i = start + 1;
    let mut lines = 0;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(format!("unterminated string starting with {quote}"));
        };
        i += 1;
        match c {
            c if c == quote => return Ok((s, i, lines)),
            '\n' if quote != '`' => return Err("line break inside a quoted string".to_string()),
            '\n' => {
                lines += 1;
                s.push('\n');
            }
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    return Err("unterminated string (ends with a backslash)".to_string());
                };
                i += 1;
                match e {
                    'n' => s.push('\n'),
                    't' => s.push('\t'),
                    'r' => s.push('\r'),
                    'b' => s.push('\u{8}'),
                    'f' => s.push('\u{c}'),
                    'v' => s.push('\u{b}'),
                    '0' => s.push('\0'),
                    '\n' => lines += 1, // line continuation
                    'x' => {
                        let hex: String = chars.get(i..i + 2).unwrap_or(&[]).iter().collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(ch) if hex.len() == 2 => {
                                s.push(ch);
                                i += 2;
                            }
                            _ => s.push('x'),
                        }
                    }
                    'u' => {
                        let (code, used) = if chars.get(i) == Some(&'{') {
                            let end = chars[i..].iter().position(|c| *c == '}');
                            match end {
                                Some(end) => {
                                    let hex: String = chars[i + 1..i + end].iter().collect();
                                    (u32::from_str_radix(&hex, 16).ok(), end + 1)
                                }
                                None => (None, 0),
                            }
                        } else {
                            let hex: String = chars.get(i..i + 4).unwrap_or(&[]).iter().collect();
                            (
                                u32::from_str_radix(&hex, 16)
                                    .ok()
                                    .filter(|_| hex.len() == 4),
                                4,
                            )
                        };
                        match code.and_then(char::from_u32) {
                            Some(ch) => {
                                s.push(ch);
                                i += used;
                            }
                            // Lone surrogates and bad escapes: keep the text readable.
                            None => s.push('\u{fffd}'),
                        }
                    }
                    other => s.push(other),
                }
            }
            c => s.push(c),
        }
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    last_line: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn line(&self) -> usize {
        self.toks.get(self.pos).map_or(self.last_line, |t| t.line)
    }

    fn bump(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.tok.clone());
        self.pos += 1;
        t
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, FaqError> {
        if depth > 64 {
            return Err(err("literal nested too deeply", self.line()));
        }
        let line = self.line();
        match self.bump() {
            Some(Tok::Str(s)) => {
                // `'a' + 'b'`: concatenation is common when long answers are wrapped.
                let mut s = s;
                while self.eat('+') {
                    match self.bump() {
                        Some(Tok::Str(more)) => s.push_str(&more),
                        _ => return Err(err("expected a string after `+`", self.line())),
                    }
                }
                Ok(Value::String(s))
            }
            Some(Tok::Num(n)) => {
                Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
            }
            Some(Tok::Ident(id)) => match id.as_str() {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                "null" | "undefined" => Ok(Value::Null),
                other => Err(err(
                    format!(
                        "`{other}` is a variable or expression; only literal values are supported"
                    ),
                    line,
                )),
            },
            Some(Tok::Punct('[')) => {
                let mut items = Vec::new();
                loop {
                    if self.eat(']') {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    if self.eat(',') {
                        continue;
                    }
                    if self.eat(']') {
                        break;
                    }
                    return Err(err("expected `,` or `]` in array", self.line()));
                }
                Ok(Value::Array(items))
            }
            Some(Tok::Punct('{')) => {
                let mut map = Map::new();
                loop {
                    if self.eat('}') {
                        break;
                    }
                    let key_line = self.line();
                    let key = match self.bump() {
                        Some(Tok::Ident(k)) | Some(Tok::Str(k)) => k,
                        Some(Tok::Num(n)) => n.to_string(),
                        _ => return Err(err("expected a property name", key_line)),
                    };
                    if !self.eat(':') {
                        return Err(err(format!("expected `:` after `{key}`"), self.line()));
                    }
                    let v = self.value(depth + 1)?;
                    map.insert(key, v);
                    if self.eat(',') {
                        continue;
                    }
                    if self.eat('}') {
                        break;
                    }
                    return Err(err("expected `,` or `}` in object", self.line()));
                }
                Ok(Value::Object(map))
            }
            Some(Tok::Punct(c)) => Err(err(format!("unexpected `{c}`"), line)),
            None => Err(err("unexpected end of file", line)),
        }
    }
}

/// Returns the text between the Astro frontmatter fences and the line it starts on.
fn astro_script(text: &str) -> (&str, usize) {
    let mut offset = 0;
    let mut open: Option<(usize, usize)> = None;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            match open {
                None => open = Some((offset + line.len(), n + 2)),
                Some((start, first_line)) => return (&text[start..offset], first_line),
            }
        }
        offset += line.len();
    }
    match open {
        Some((start, first_line)) => (&text[start..], first_line),
        None => (text, 1),
    }
}

/// Parses a `faqs.astro` file: finds `faqs = [...]` in its frontmatter script and
/// reads the literal. `import` lines and type annotations are skipped naturally
/// because only the tokens after `faqs ... =` are parsed.
pub fn parse_astro(text: &str) -> Result<Vec<Faq>, FaqError> {
    let (script, first_line) = astro_script(text);
    let toks = tokenize(script, first_line)?;
    let last_line = toks.last().map_or(first_line, |t| t.line);
    let start = toks
        .iter()
        .position(|t| t.tok == Tok::Ident("faqs".to_string()))
        .ok_or_else(|| err("no `faqs` array found", first_line))?;
    let eq = toks[start..]
        .iter()
        .position(|t| t.tok == Tok::Punct('='))
        .map(|i| start + i)
        .ok_or_else(|| err("`faqs` is declared but never assigned", toks[start].line))?;
    let mut parser = Parser {
        toks,
        pos: eq + 1,
        last_line,
    };
    let value = parser.value(0)?;
    from_value(value, first_line)
}

/// Reads `faqs.yaml`: a list of `{question, answer}`, or `{faqs: [...]}`.
pub fn parse_yaml(text: &str) -> Result<Vec<Faq>, FaqError> {
    // The YAML parser spends seconds on a few hundred kilobytes of nesting before it
    // fails: refuse what no FAQ list looks like first.
    super::frontmatter::yaml_limits(text).map_err(|(message, line)| FaqError { message, line })?;
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(text).map_err(|e| FaqError {
        line: e.location().map(|l| l.line()),
        message: {
            let mut m = e.to_string();
            if let Some(i) = m.find(" at line ") {
                m.truncate(i);
            }
            format!("invalid YAML: {m}")
        },
    })?;
    let mut json = super::frontmatter::yaml_to_json(value);
    super::frontmatter::replace_current_year(&mut json, super::frontmatter::current_year());
    from_value(json, 1)
}

/// Reads `faqs.json`: same shape as the YAML form.
pub fn parse_json(text: &str) -> Result<Vec<Faq>, FaqError> {
    let json: Value = serde_json::from_str(text).map_err(|e| FaqError {
        line: Some(e.line()),
        message: format!("invalid JSON: {e}"),
    })?;
    from_value(json, 1)
}

fn from_value(value: Value, line: usize) -> Result<Vec<Faq>, FaqError> {
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut map) => match map.remove("faqs") {
            Some(Value::Array(items)) => items,
            _ => return Err(err("expected a list of {question, answer}", line)),
        },
        Value::Null => Vec::new(),
        _ => return Err(err("expected a list of {question, answer}", line)),
    };
    let mut faqs = Vec::with_capacity(list.len());
    for (n, item) in list.into_iter().enumerate() {
        let Value::Object(mut map) = item else {
            return Err(err(format!("FAQ #{} is not an object", n + 1), line));
        };
        let question = match map.remove("question") {
            Some(Value::String(q)) if !q.trim().is_empty() => q.trim().to_string(),
            _ => return Err(err(format!("FAQ #{} has no question", n + 1), line)),
        };
        let answer = match map.remove("answer") {
            Some(Value::String(a)) => vec![a],
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let html = super::markdown::to_html(&answer.join("\n\n"));
        faqs.push(Faq {
            question,
            answer,
            html,
        });
    }
    Ok(faqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn astro_literal() {
        let src = r#"---
import type { FAQType } from '../../components/FAQs/FAQs.astro';
// a comment
export const faqs: FAQType[] = [
  {
    question: 'Isn\'t it "odd"?',
    answer: [
      "Yes, it's [odd](https://example.org).", /* inline */
      `Back
ticks with \` inside`,
      'joined ' + "parts",
    ],
  },
  { 'question': "Second", answer: 'single', },
];
---
<p>markup</p>
"#;
        let faqs = parse_astro(src).expect("parses");
        assert_eq!(faqs.len(), 2);
        assert_eq!(faqs[0].question, "Isn't it \"odd\"?");
        assert_eq!(faqs[0].answer[0], "Yes, it's [odd](https://example.org).");
        assert_eq!(faqs[0].answer[1], "Back\nticks with ` inside");
        assert_eq!(faqs[0].answer[2], "joined parts");
        assert_eq!(faqs[1].answer, vec!["single".to_string()]);
    }

    #[test]
    fn astro_errors_have_lines() {
        let e =
            parse_astro("---\nexport const faqs = [\n  { question: 'a', answer: [x] },\n];\n---\n")
                .expect_err("variable");
        assert_eq!(e.line, Some(3));
        let e =
            parse_astro("---\nexport const faqs = [\n  { question: 'a\n---\n").expect_err("open");
        assert_eq!(e.line, Some(3));
        assert!(parse_astro("---\n---\n").is_err());
    }

    #[test]
    fn yaml_and_json() {
        let y = parse_yaml("- question: Q1\n  answer: A\n- question: Q2\n  answer: [B, C]\n")
            .expect("yaml");
        assert_eq!(y[1].answer.len(), 2);
        let j = parse_json(r#"{"faqs":[{"question":"Q","answer":"A"}]}"#).expect("json");
        assert_eq!(j[0].question, "Q");
    }

    #[test]
    fn deeply_nested_yaml_is_refused_before_parsing() {
        let e = parse_yaml(&"[".repeat(200_000)).expect_err("refused");
        assert!(
            e.message.contains("bytes") || e.message.contains("deeper"),
            "{e}"
        );
        let e = parse_yaml(&"[".repeat(100)).expect_err("refused");
        assert!(e.message.contains("deeper than"), "{e}");
    }
}
