//! The 2023 layout: a Balsamiq mockup JSON whose named controls are the topics.
//!
//! A control name `NNN-a:b:c` encodes both the tree (`c` inside `b` inside `a`) and
//! where the text lives (`content/*-a/*-b/NNN-c.md`). Folder prefixes are not in the
//! name, and real content drifts from the JSON (`100-version-control-systems:git`
//! lives in `101-git.md`; two files may share a number), so files are matched by slug
//! first and number second rather than by building one exact path.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use serde_json::Value;

use super::paths::{humanize, split_number_prefix, strip_md};
use super::topics::{ContentDir, Draft, Entry, dfs_order};

/// A named control, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    pub name: String,
    /// The first text inside the control (what the roadmap image shows).
    pub label: Option<String>,
}

/// Why a mockup JSON could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MockupError(pub String);

/// Control names that are not topics: links to other pages and the progress
/// checkboxes of best practices (`check:<topic>`, which mirror a topic).
fn is_topic_name(name: &str) -> bool {
    !name.starts_with("ext_link:") && !name.starts_with("check:")
}

/// Balsamiq converted from XML turns a single child into an object instead of a
/// one-item array; both are accepted.
fn as_list(v: &Value) -> &[Value] {
    match v {
        Value::Array(items) => items.as_slice(),
        Value::Object(_) => std::slice::from_ref(v),
        _ => &[],
    }
}

fn child_controls(control: &Value) -> &[Value] {
    control
        .get("children")
        .and_then(|c| c.get("controls"))
        .and_then(|c| c.get("control"))
        .map_or(&[], as_list)
}

fn first_text(control: &Value, depth: usize) -> Option<String> {
    if depth > 32 {
        return None;
    }
    for child in child_controls(control) {
        if let Some(text) = child
            .get("properties")
            .and_then(|p| p.get("text"))
            .and_then(Value::as_str)
        {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if !text.is_empty() {
                return Some(text);
            }
        }
        if let Some(t) = first_text(child, depth + 1) {
            return Some(t);
        }
    }
    None
}

/// All topic controls of a mockup, de-duplicated by name, in document order.
pub fn controls(json: &Value) -> Result<Vec<Control>, MockupError> {
    let top = json
        .get("mockup")
        .and_then(|m| m.get("controls"))
        .and_then(|c| c.get("control"))
        .ok_or_else(|| MockupError("no `mockup.controls.control` list".to_string()))?;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Value, usize)> = as_list(top).iter().rev().map(|c| (c, 0)).collect();
    while let Some((control, depth)) = stack.pop() {
        let name = control
            .get("properties")
            .and_then(|p| p.get("controlName"))
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("");
        if !name.is_empty() && is_topic_name(name) && seen.insert(name.to_string()) {
            out.push(Control {
                name: name.to_string(),
                label: first_text(control, 0),
            });
        }
        if depth < 64 {
            stack.extend(child_controls(control).iter().rev().map(|c| (c, depth + 1)));
        }
    }
    Ok(out)
}

/// The most parts a control name may have (`a:b:c` has three); a longer one is
/// ignored with a diagnostic like a name with an empty part.
pub const MAX_NAME_PARTS: usize = 32;

/// `NNN-a:b:c` taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlName {
    pub number: Option<u32>,
    pub parts: Vec<String>,
}

/// Parses a control name; `None` when a part is empty (`100-a::b`), which no file
/// could match, or when it has more than [`MAX_NAME_PARTS`] parts.
pub fn parse_name(name: &str) -> Option<ControlName> {
    let (number, rest) = split_number_prefix(name);
    // Ancestors are looked up by every prefix of the path, which is quadratic in its
    // length: a name of a million `:` would take hours. Real names have at most four.
    if rest.matches(':').count() >= MAX_NAME_PARTS {
        return None;
    }
    let parts: Vec<String> = rest.split(':').map(|p| p.trim().to_string()).collect();
    if parts.iter().any(String::is_empty) {
        return None;
    }
    Some(ControlName { number, parts })
}

/// The drafts of a mockup roadmap, their parents and depth-first order.
pub(crate) struct Built {
    pub drafts: Vec<Draft>,
    pub parents: Vec<Option<usize>>,
    pub order: Vec<usize>,
    /// Control names that could not be parsed.
    pub bad_names: Vec<String>,
}

pub(crate) fn build(controls: &[Control], content: Option<&ContentDir>) -> Built {
    let mut names: Vec<(ControlName, &Control)> = Vec::new();
    let mut bad_names = Vec::new();
    for c in controls {
        match parse_name(&c.name) {
            Some(n) => names.push((n, c)),
            None => bad_names.push(c.name.clone()),
        }
    }
    // Path (a/b/c) -> first control with that path, and its number.
    let mut by_path: HashMap<String, usize> = HashMap::new();
    for (i, (n, _)) in names.iter().enumerate() {
        by_path.entry(n.parts.join("/")).or_insert(i);
    }
    let number_of = |path: &str| by_path.get(path).and_then(|&i| names[i].0.number);

    let mut claimed: HashSet<PathBuf> = HashSet::new();
    let mut slugs = SlugIndex::default();
    let mut drafts = Vec::with_capacity(names.len());
    let mut parents = Vec::with_capacity(names.len());
    let mut keys: Vec<Vec<(u32, String)>> = Vec::with_capacity(names.len());
    for (n, control) in &names {
        let path = n.parts.join("/");
        // Parent: the nearest ancestor path that is itself a control.
        let parent = (1..n.parts.len())
            .rev()
            .find_map(|len| by_path.get(&n.parts[..len].join("/")).copied());
        parents.push(parent);

        let (file, dir_numbers) = match content {
            Some(content) => resolve(content, &mut slugs, n, &number_of, &claimed),
            None => (None, Vec::new()),
        };
        if let Some(f) = &file {
            claimed.insert(f.clone());
        }
        let mut key = Vec::with_capacity(n.parts.len());
        for (i, part) in n.parts.iter().enumerate() {
            let number = if i + 1 == n.parts.len() {
                n.number
            } else {
                number_of(&n.parts[..=i].join("/")).or(dir_numbers.get(i).copied().flatten())
            };
            key.push((number.unwrap_or(u32::MAX), part.clone()));
        }
        keys.push(key);

        let last = n.parts.last().map_or("", String::as_str);
        let expected = {
            let mut e = String::from("content/");
            for p in &n.parts[..n.parts.len() - 1] {
                e.push_str(&format!("*-{p}/"));
            }
            match n.number {
                Some(num) => e.push_str(&format!("{num}-{last}.md")),
                None => e.push_str(&format!("{last}.md")),
            }
            e
        };
        drafts.push(Draft {
            id: path,
            source_id: Some(control.name.clone()),
            label: control.label.clone(),
            fallback_title: humanize(last),
            file,
            expected: Some(expected),
        });
    }
    let order = dfs_order(&mut parents, |a, b| {
        keys[a].cmp(&keys[b]).then_with(|| a.cmp(&b))
    });
    Built {
        drafts,
        parents,
        order,
        bad_names,
    }
}

/// Finds the file of a control. Returns it (relative to `content/`) and the number
/// prefixes of the folders walked through, which order ancestors that are not
/// controls themselves.
fn resolve(
    content: &ContentDir,
    slugs: &mut SlugIndex,
    name: &ControlName,
    number_of: &dyn Fn(&str) -> Option<u32>,
    claimed: &HashSet<PathBuf>,
) -> (Option<PathBuf>, Vec<Option<u32>>) {
    let mut dir = PathBuf::new();
    let mut numbers = Vec::new();
    let last = name.parts.len() - 1;
    for (i, part) in name.parts[..last].iter().enumerate() {
        let want = number_of(&name.parts[..=i].join("/"));
        let entries = slugs.get(content, &dir, part);
        let found = best(entries.filter(|e| e.is_dir), part, want, |e| {
            split_number_prefix(&e.name)
        });
        match found {
            Some(e) => {
                numbers.push(split_number_prefix(&e.name).0);
                dir.push(&e.name);
            }
            None => return (None, numbers),
        }
    }
    let part = &name.parts[last];
    let entries: Vec<&Entry> = slugs.get(content, &dir, part).collect();
    // Candidates with a rank: exact number beats another number; a `.md` file beats
    // a folder's `index.md`, which beats a file without the `.md` ending; a file
    // another control already took comes last.
    let mut best_pick: Option<((u8, u8, u8), PathBuf)> = None;
    for e in entries {
        let (candidate, kind, base) = if e.is_dir {
            let index = dir.join(&e.name).join("index.md");
            if !content.has_file(&index) {
                continue;
            }
            (index, 1, e.name.as_str())
        } else {
            let (stem, is_md) = strip_md(&e.name);
            if is_md {
                (dir.join(&e.name), 0, stem)
            } else {
                // `101-dns` or `101-dns.txt`: compare without any extension.
                let stem = e.name.split('.').next().unwrap_or(&e.name);
                (dir.join(&e.name), 2, stem)
            }
        };
        let (num, slug) = split_number_prefix(base);
        if slug != part {
            continue;
        }
        let number_rank = u8::from(num != name.number);
        let taken = u8::from(claimed.contains(&candidate));
        let rank = (taken, number_rank, kind);
        if best_pick.as_ref().is_none_or(|(r, _)| rank < *r) {
            best_pick = Some((rank, candidate));
        }
    }
    (best_pick.map(|(_, p)| p), numbers)
}

/// The entries of each listed folder by slug (as `resolve` compares them), so that
/// finding a control's file costs the entries with its slug, not the whole folder
/// (26,000 controls over one folder of 26,000 files compared every pair).
#[derive(Default)]
struct SlugIndex {
    dirs: HashMap<PathBuf, HashMap<String, Vec<usize>>>,
}

impl SlugIndex {
    /// The slug an entry answers to: its name without the number prefix and, for a
    /// file, without its extension.
    fn slug(e: &Entry) -> &str {
        let base = if e.is_dir {
            e.name.as_str()
        } else {
            match strip_md(&e.name) {
                (stem, true) => stem,
                _ => e.name.split('.').next().unwrap_or(&e.name),
            }
        };
        split_number_prefix(base).1
    }

    /// Entries of `dir` whose slug is `part`, in name order.
    fn get<'c>(
        &mut self,
        content: &'c ContentDir,
        dir: &std::path::Path,
        part: &str,
    ) -> impl Iterator<Item = &'c Entry> + use<'c> {
        let entries = content.entries(dir);
        let by_slug = self.dirs.entry(dir.to_path_buf()).or_insert_with(|| {
            let mut m: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, e) in entries.iter().enumerate() {
                m.entry(Self::slug(e).to_string()).or_default().push(i);
            }
            m
        });
        let found = by_slug.get(part).cloned().unwrap_or_default();
        found.into_iter().filter_map(move |i| entries.get(i))
    }
}

/// The entry whose slug is `part`, preferring the wanted number, then name order.
fn best<'e>(
    entries: impl Iterator<Item = &'e Entry>,
    part: &str,
    want: Option<u32>,
    split: impl Fn(&Entry) -> (Option<u32>, &str),
) -> Option<&'e Entry> {
    let mut pick: Option<(bool, &Entry)> = None;
    for e in entries {
        let (num, slug) = split(e);
        if slug != part {
            continue;
        }
        let exact = want.is_some() && num == want;
        match pick {
            None => pick = Some((exact, e)),
            Some((false, _)) if exact => pick = Some((exact, e)),
            _ => {}
        }
    }
    pick.map(|(_, e)| e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("104-apis:authentication:jwt"),
            Some(ControlName {
                number: Some(104),
                parts: vec!["apis".into(), "authentication".into(), "jwt".into()]
            })
        );
        assert_eq!(parse_name("use-https").map(|n| n.number), Some(None));
        assert_eq!(parse_name("100-a::b"), None);
    }

    #[test]
    fn collects_controls() {
        let j = json!({"mockup": {"controls": {"control": [
            {"properties": {"controlName": "100-a"}, "children": {"controls": {"control": [
                {"properties": {"text": "  A  title "}},
                {"properties": {"controlName": "100-a:b"}}
            ]}}},
            {"properties": {"controlName": "100-a"}},
            {"properties": {"controlName": "ext_link:roadmap.sh"}},
            {"properties": {"controlName": "check:a"}},
            {"properties": {}}
        ]}}});
        let c = controls(&j).expect("ok");
        let names: Vec<&str> = c.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["100-a", "100-a:b"]);
        assert_eq!(c[0].label.as_deref(), Some("A title"));
        assert!(controls(&json!({"nodes": []})).is_err());
    }
}
