//! YAML frontmatter: splitting it from the body, parsing it, and reading typed fields
//! out of it while keeping every unknown field.
//!
//! Frontmatter is written by hand in many forks, so the reader is lenient: a number
//! where a string was expected is accepted as that string, a lone string where a list
//! was expected is a one-item list, and anything that cannot be used is reported as a
//! problem rather than failing the file. Fields the model does not know end up in
//! `extra` so the API can still expose them.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::model::{Extra, Seo};

/// Why a frontmatter block could not be used. `line` is 1-based in the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FrontmatterError {
    pub message: String,
    pub line: Option<usize>,
}

/// A file cut at its frontmatter fences.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    /// The YAML between the fences, `None` when the file has no frontmatter.
    pub yaml: Option<&'a str>,
    /// 1-based line of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// 1-based line where `body` starts.
    pub body_line: usize,
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Cuts `text` at its `---` fences. A file that does not start with a fence simply
/// has no frontmatter; one that opens a fence and never closes it is an error,
/// because guessing where the YAML ends would silently eat the body.
pub fn split(text: &str) -> Result<Split<'_>, FrontmatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_end = text.find('\n').unwrap_or(text.len());
    if !is_fence(&text[..first_end]) {
        return Ok(Split {
            yaml: None,
            yaml_line: 1,
            body: text,
            body_line: 1,
        });
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut pos = yaml_start;
    let mut line_no = 2;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if is_fence(&text[pos..end]) {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: Some(&text[yaml_start..pos]),
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line_no + 1,
            });
        }
        pos = end + 1;
        line_no += 1;
    }
    Err(FrontmatterError {
        message: "frontmatter opened with `---` is never closed".to_string(),
        line: Some(1),
    })
}

/// Parses a YAML mapping into JSON values, with `@currentYear@` already replaced.
/// `first_line` is the file line of the YAML's first line, so errors point into the
/// file and not into the snippet.
pub fn parse_yaml(yaml: &str, first_line: usize) -> Result<Map<String, Value>, FrontmatterError> {
    if yaml.trim().is_empty() {
        return Ok(Map::new());
    }
    check_limits(yaml, first_line)?;
    let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(yaml).map_err(|e| {
        // The parser counts a lone `\r` as a line break, where editors and the rest
        // of the loader count `\n` only (a fuzzed file of 79 lines got an error at
        // line 85): the line is taken from the error's byte offset instead.
        let line = e.location().map(|l| {
            let line = yaml
                .get(..l.index())
                .map_or(l.line(), |before| before.matches('\n').count() + 1);
            first_line + line.saturating_sub(1)
        });
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        FrontmatterError {
            message: format!("invalid YAML frontmatter: {message}"),
            line,
        }
    })?;
    let mut json = yaml_to_json(value);
    replace_current_year(&mut json, current_year());
    match json {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        other => Err(FrontmatterError {
            message: format!(
                "frontmatter must be a mapping of fields, found {}",
                kind_name(&other)
            ),
            line: Some(first_line),
        }),
    }
}

/// Deepest nesting accepted in frontmatter. Real frontmatter nests three or four
/// levels (`seo: keywords: - ...`); a parser fed thousands of levels spends
/// seconds (quadratic in the depth) before failing, on every reload.
pub const MAX_YAML_DEPTH: usize = 32;

/// Largest frontmatter block read, in bytes: real ones are a few kilobytes.
pub const MAX_YAML_BYTES: usize = 256 * 1024;

/// [`check_limits`] for other YAML files (`faqs.yaml`): the same size and nesting
/// bounds, as a message and the 1-based line where the limit was crossed.
pub fn yaml_limits(yaml: &str) -> Result<(), (String, Option<usize>)> {
    check_limits(yaml, 1).map_err(|e| (e.message.replace("frontmatter", "YAML"), e.line))
}

/// Checks size and nesting before handing YAML to the parser, in one linear pass:
/// indentation levels, `- ` items opened on one line, and `[`/`{` flow brackets
/// outside quotes all count as a level.
fn check_limits(yaml: &str, first_line: usize) -> Result<(), FrontmatterError> {
    if yaml.len() > MAX_YAML_BYTES {
        return Err(FrontmatterError {
            message: format!(
                "frontmatter is {} bytes, over the limit of {MAX_YAML_BYTES}",
                yaml.len()
            ),
            line: Some(first_line),
        });
    }
    let too_deep = |i: usize| FrontmatterError {
        message: format!("frontmatter nests deeper than {MAX_YAML_DEPTH} levels"),
        line: Some(first_line + i),
    };
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = line.len() - trimmed.len();
        while indents.last().is_some_and(|&top| top > indent) {
            indents.pop();
        }
        if indents.last() != Some(&indent) {
            indents.push(indent);
        }
        let mut items = 0;
        let mut rest = trimmed;
        while let Some(r) = rest.strip_prefix('-') {
            if !(r.is_empty() || r.starts_with([' ', '\t'])) {
                break;
            }
            items += 1;
            rest = r.trim_start_matches([' ', '\t']);
        }
        let mut quote: Option<char> = None;
        for c in rest.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                (None, '#') => break,
                _ => {}
            }
            if indents.len() + items + flow > MAX_YAML_DEPTH {
                return Err(too_deep(i));
            }
        }
        if indents.len() + items + flow > MAX_YAML_DEPTH {
            return Err(too_deep(i));
        }
    }
    Ok(())
}

/// A frontmatter that does not parse as a whole is read field by field: each
/// top-level key with its indented lines is parsed on its own, so one unclosed quote
/// in `relatedRoadmaps` costs that field, not the roadmap's title and description.
/// The error names the fields left out.
fn recover(
    yaml: &str,
    first_line: usize,
    error: FrontmatterError,
) -> (Map<String, Value>, Option<FrontmatterError>) {
    if check_limits(yaml, first_line).is_err() {
        return (Map::new(), Some(error));
    }
    let lines: Vec<&str> = yaml.lines().collect();
    let starts: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i];
            !l.is_empty() && !l.starts_with([' ', '\t', '-', '#']) && l.contains(':')
        })
        .collect();
    if starts.len() < 2 {
        return (Map::new(), Some(error));
    }
    let mut map = Map::new();
    let mut lost: Vec<(String, usize)> = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        let block = lines[start..end].join("\n");
        let key = lines[start]
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['\'', '"'])
            .to_string();
        match parse_yaml(&block, first_line + start) {
            Ok(part) => map.extend(part),
            Err(_) => lost.push((key, first_line + start)),
        }
    }
    if map.is_empty() || lost.is_empty() {
        return (Map::new(), Some(error));
    }
    let names: Vec<String> = lost.iter().map(|(k, _)| format!("`{k}`")).collect();
    let message = format!(
        "{}; left out {} and read the other fields",
        error.message,
        names.join(", ")
    );
    (
        map,
        Some(FrontmatterError {
            message,
            line: error.line.or(lost.first().map(|(_, l)| *l)),
        }),
    )
}

/// Converts by hand rather than through serde so that YAML-only shapes (non-string
/// keys, tags, NaN) degrade to something JSON can hold instead of failing the file.
pub fn yaml_to_json(value: serde_yaml_ng::Value) -> Value {
    use serde_yaml_ng::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(mapping) => {
            let mut map = Map::new();
            for (k, v) in mapping {
                let key = match yaml_to_json(k) {
                    Value::String(s) => s,
                    Value::Null => "null".to_string(),
                    other => other.to_string(),
                };
                map.insert(key, yaml_to_json(v));
            }
            Value::Object(map)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

/// roadmap.sh pages render `@currentYear@` as the current year at build time; the
/// API does the same at load time so clients never see the placeholder.
pub fn replace_current_year(value: &mut Value, year: i32) {
    match value {
        Value::String(s) if s.contains("@currentYear@") => {
            *s = s.replace("@currentYear@", &year.to_string());
        }
        Value::Array(items) => items.iter_mut().for_each(|v| replace_current_year(v, year)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_current_year(v, year)),
        _ => {}
    }
}

/// The current UTC year, computed from the clock so that no date crate is needed.
pub fn current_year() -> i32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64).0
}

/// Days since 1970-01-01 to (year, month, day), after Howard Hinnant's algorithm.
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (y as i32, m, d)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Top-level keys and their file lines, found by scanning the YAML text: serde keeps
/// no positions, and a warning about a field is far more useful with a line.
fn key_lines(yaml: &str, first_line: usize) -> HashMap<String, usize> {
    let mut lines = HashMap::new();
    for (i, line) in yaml.lines().enumerate() {
        if line.starts_with([' ', '\t', '-', '#']) {
            continue;
        }
        if let Some(colon) = line.find(':') {
            let key = line[..colon].trim().trim_matches(['\'', '"']);
            if !key.is_empty() {
                lines.entry(key.to_string()).or_insert(first_line + i);
            }
        }
    }
    lines
}

/// A frontmatter mapping from which the loader takes the fields it knows; whatever
/// is left becomes `extra`. Type problems are collected, not raised, so one odd field
/// never costs the rest of the file.
#[derive(Debug, Default)]
pub struct Fields {
    map: Map<String, Value>,
    lines: HashMap<String, usize>,
    /// Problems found while taking fields: message and file line where known.
    pub problems: Vec<(String, Option<usize>)>,
}

/// A file with frontmatter, parsed as far as it could be.
#[derive(Debug)]
pub struct Document<'a> {
    pub fields: Fields,
    pub body: &'a str,
    pub body_line: usize,
    /// Set when the frontmatter was present but (partly) unusable; `fields` then
    /// holds the top-level fields that could still be read on their own.
    pub error: Option<FrontmatterError>,
    /// Whether the file had a frontmatter block at all.
    pub has_frontmatter: bool,
}

/// Splits and parses in one go. Never fails: a broken frontmatter yields the fields
/// that could be recovered plus `error`, and the body is still returned when the
/// fences were found.
pub fn parse_document(text: &str) -> Document<'_> {
    match split(text) {
        Err(error) => Document {
            fields: Fields::default(),
            body: "",
            body_line: 1,
            error: Some(error),
            has_frontmatter: true,
        },
        Ok(split) => {
            let Some(yaml) = split.yaml else {
                return Document {
                    fields: Fields::default(),
                    body: split.body,
                    body_line: split.body_line,
                    error: None,
                    has_frontmatter: false,
                };
            };
            let (map, error) = match parse_yaml(yaml, split.yaml_line) {
                Ok(map) => (map, None),
                Err(e) => recover(yaml, split.yaml_line, e),
            };
            let fields = Fields {
                map,
                lines: key_lines(yaml, split.yaml_line),
                problems: Vec::new(),
            };
            Document {
                fields,
                body: split.body,
                body_line: split.body_line,
                error,
                has_frontmatter: true,
            }
        }
    }
}

impl Fields {
    /// Whether the mapping has `key` (not yet taken).
    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Wraps an already parsed mapping (for example one entry of a YAML list).
    pub fn from_map(map: Map<String, Value>) -> Self {
        Fields {
            map,
            lines: HashMap::new(),
            problems: Vec::new(),
        }
    }

    /// File line of a top-level key, when known.
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.lines.get(key).copied()
    }

    fn problem(&mut self, key: &str, message: String) {
        let line = self.line_of(key);
        self.problems.push((message, line));
    }

    /// Removes and returns a raw value.
    pub fn take(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    /// Puts a value (back) into what will become `extra`.
    pub fn put(&mut self, key: &str, value: Value) {
        self.map.insert(key.to_string(), value);
    }

    /// A string field; numbers and booleans are accepted as their text. A value of
    /// another shape is reported and kept in `extra`.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.remove(key)? {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                self.problem(
                    key,
                    format!(
                        "field `{key}` should be a string, found {}",
                        kind_name(&other)
                    ),
                );
                self.map.insert(key.to_string(), other);
                None
            }
        }
    }

    /// A list of strings; a single string counts as a list of one.
    pub fn strings(&mut self, key: &str) -> Vec<String> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::String(s)) => vec![s],
            Some(Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut bad = false;
                for item in items {
                    match item {
                        Value::String(s) => out.push(s),
                        Value::Number(n) => out.push(n.to_string()),
                        Value::Bool(b) => out.push(b.to_string()),
                        _ => bad = true,
                    }
                }
                if bad {
                    self.problem(
                        key,
                        format!(
                            "field `{key}` should be a list of strings; other items were skipped"
                        ),
                    );
                }
                out
            }
            Some(other) => {
                self.problem(
                    key,
                    format!(
                        "field `{key}` should be a list of strings, found {}",
                        kind_name(&other)
                    ),
                );
                self.map.insert(key.to_string(), other);
                Vec::new()
            }
        }
    }

    /// A boolean; `"true"`/`"false"` strings are accepted since hand-written YAML
    /// often quotes them.
    pub fn bool(&mut self, key: &str) -> Option<bool> {
        match self.map.remove(key)? {
            Value::Null => None,
            Value::Bool(b) => Some(b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            other => {
                self.problem(
                    key,
                    format!(
                        "field `{key}` should be true or false, found {}",
                        kind_name(&other)
                    ),
                );
                self.map.insert(key.to_string(), other);
                None
            }
        }
    }

    /// A number; a numeric string is accepted.
    pub fn number(&mut self, key: &str) -> Option<f64> {
        match self.map.remove(key)? {
            Value::Null => None,
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().parse::<f64>().is_ok() => s.trim().parse().ok(),
            other => {
                self.problem(
                    key,
                    format!(
                        "field `{key}` should be a number, found {}",
                        kind_name(&other)
                    ),
                );
                self.map.insert(key.to_string(), other);
                None
            }
        }
    }

    /// The `seo` block. Extra keys inside it (`ogImageUrl`, ...) are dropped from the
    /// typed value but the whole block is kept in `extra` as well, so nothing is lost.
    pub fn seo(&mut self) -> Option<Seo> {
        let value = self.map.remove("seo")?;
        let Value::Object(map) = &value else {
            if !value.is_null() {
                self.problem(
                    "seo",
                    format!(
                        "field `seo` should be a mapping, found {}",
                        kind_name(&value)
                    ),
                );
                self.map.insert("seo".to_string(), value);
            }
            return None;
        };
        let mut inner = Fields::from_map(map.clone());
        let seo = Seo {
            title: inner.string("title"),
            description: inner.string("description"),
            keywords: inner.strings("keywords"),
        };
        for (message, _) in inner.problems {
            self.problem("seo", format!("in `seo`: {message}"));
        }
        if !inner.map.is_empty() {
            self.map.insert("seo".to_string(), value);
        }
        Some(seo)
    }

    /// Whatever was not taken: kept verbatim for the API.
    pub fn into_extra(self) -> Extra {
        self.map
    }

    /// Takes the fields and reports the problems in one move, for callers that have
    /// finished reading typed fields.
    pub fn finish(self) -> (Extra, Vec<(String, Option<usize>)>) {
        (self.map, self.problems)
    }
}

/// Normalizes a date as written in frontmatter (`2024-02-27`, `2024-2-7`,
/// `2024/02/27`, `2024-02-27T10:00:00Z`) to `YYYY-MM-DD`; `None` if it does not look
/// like a calendar date.
pub fn normalize_date(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let date_part = raw.split(['T', ' ']).next().unwrap_or(raw);
    let mut parts = date_part.split(['-', '/']);
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=9999).contains(&y) || !(1..=12).contains(&m) {
        return None;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if !(1..=days).contains(&d) {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let flow = format!(
            "title: x\nlist: {}1{}\n",
            "[".repeat(5000),
            "]".repeat(5000)
        );
        let e = parse_yaml(&flow, 2).expect_err("too deep");
        assert!(e.message.contains("nests deeper"), "{}", e.message);
        let mut block = String::from("title: x\n");
        for depth in 0..100 {
            block.push_str(&" ".repeat(depth * 2));
            block.push_str(&format!("k{depth}:\n"));
        }
        let e = parse_yaml(&block, 2).expect_err("too deep");
        assert!(e.message.contains("nests deeper"), "{}", e.message);
        let dashes = format!("title: x\nlist:\n{}a\n", "- ".repeat(100));
        assert!(parse_yaml(&dashes, 2).is_err());
        let fine = "title: x\nseo:\n  keywords:\n    - 'a [b] {c}'\n    - d\n";
        assert!(parse_yaml(fine, 2).is_ok());
    }

    #[test]
    fn oversized_frontmatter_is_refused() {
        let big = format!("title: '{}'\n", "x".repeat(MAX_YAML_BYTES));
        let e = parse_yaml(&big, 2).expect_err("too big");
        assert!(e.message.contains("over the limit"), "{}", e.message);
    }

    use super::*;

    #[test]
    fn splits_and_parses() {
        let doc =
            parse_document("---\ntitle: 'A @currentYear@'\norder: 2\nfoo: [1]\n---\n# Body\n");
        assert!(doc.error.is_none());
        let mut f = doc.fields;
        let year = current_year().to_string();
        assert_eq!(f.string("title"), Some(format!("A {year}")));
        assert_eq!(f.number("order"), Some(2.0));
        assert_eq!(f.line_of("foo"), Some(4));
        assert_eq!(doc.body, "# Body\n");
        assert_eq!(doc.body_line, 6);
        assert!(f.into_extra().contains_key("foo"));
    }

    #[test]
    fn no_frontmatter_and_unclosed() {
        let doc = parse_document("# Just markdown\n");
        assert!(!doc.has_frontmatter);
        assert_eq!(doc.body, "# Just markdown\n");
        assert!(parse_document("---\ntitle: x\n").error.is_some());
    }

    #[test]
    fn yaml_error_has_file_line() {
        let doc = parse_document("---\ntitle: ok\ndescription: 'open\n  bad: [\n---\nbody");
        let err = doc.error.expect("error");
        assert!(err.line.is_some_and(|l| l >= 2), "{err:?}");
        assert!(!err.message.contains(" at line "));
    }

    #[test]
    fn dates() {
        assert_eq!(normalize_date("2024-2-7"), Some("2024-02-07".into()));
        assert_eq!(normalize_date("2024/02/27"), Some("2024-02-27".into()));
        assert_eq!(
            normalize_date("2024-02-27T10:00:00Z"),
            Some("2024-02-27".into())
        );
        assert_eq!(normalize_date("2023-02-29"), None);
        assert_eq!(normalize_date("soon"), None);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }
}
