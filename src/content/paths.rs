//! Small helpers on file names shared by every source format.
//!
//! roadmap.sh encodes order and identity in file names (`103-learn-a-language`,
//! `jwt@R12sArWVpbIs_PHxBqVaR.md`), so the same few string rules are needed by the
//! mockup, graph and files-only loaders alike.

use std::path::Path;

/// Whether a directory entry is editor or OS debris rather than content.
///
/// The loader runs on every hot reload, while an editor has the file open, so swap
/// files, backups and lock files show up mid-edit and must not become topics or
/// diagnostics. `4913` is the probe file vim creates to test directory writability.
pub fn is_junk(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name == "4913"
        || name.ends_with(".swp")
        || name.ends_with(".swo")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "Thumbs.db"
}

/// Splits `103-learn-a-language` into `(Some(103), "learn-a-language")`.
///
/// Only digits followed by a dash count as a prefix, so a slug such as `2fa` or
/// `100` keeps its digits.
pub fn split_number_prefix(name: &str) -> (Option<u32>, &str) {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0
        && name.as_bytes().get(digits) == Some(&b'-')
        && name.len() > digits + 1
        && let Ok(n) = name[..digits].parse::<u32>()
    {
        return (Some(n), &name[digits + 1..]);
    }
    (None, name)
}

/// The file name without a trailing `.md` (case-insensitive), and whether it had one.
pub fn strip_md(name: &str) -> (&str, bool) {
    let lower_ends = name.len() > 3
        && name.is_char_boundary(name.len() - 3)
        && name[name.len() - 3..].eq_ignore_ascii_case(".md");
    if lower_ends {
        (&name[..name.len() - 3], true)
    } else {
        (name, false)
    }
}

/// Turns a label into a URL-safe slug: lower-case ASCII letters and digits joined by
/// single dashes (`"CI / CD"` -> `ci-cd`). Used when a topic has no file whose name
/// could give it a readable id.
pub fn slugify(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    let mut dash = false;
    for c in label.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            for l in c.to_lowercase() {
                out.push(l);
            }
        } else {
            dash = true;
        }
    }
    out
}

/// Turns a slug back into something a person can read (`how-does-the-internet-work`
/// -> `How does the internet work`), the last resort for a topic with no title.
pub fn humanize(slug: &str) -> String {
    let words: Vec<&str> = slug
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = words.join(" ");
    if let Some(first) = out.chars().next() {
        let upper: String = first.to_uppercase().collect();
        out.replace_range(..first.len_utf8(), &upper);
    }
    out
}

/// The file name of a path as UTF-8, if it has one.
pub fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// Forward-slash path, so that ids and diagnostics look the same on every platform.
pub fn to_slash(path: &Path) -> String {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(split_number_prefix("103-php"), (Some(103), "php"));
        assert_eq!(split_number_prefix("php"), (None, "php"));
        assert_eq!(split_number_prefix("2fa"), (None, "2fa"));
        assert_eq!(split_number_prefix("100-"), (None, "100-"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("CI / CD"), "ci-cd");
        assert_eq!(slugify("  What is HTTP? "), "what-is-http");
        assert_eq!(humanize("what-is-http"), "What is http");
        assert_eq!(strip_md("a.MD"), ("a", true));
        assert_eq!(strip_md("a"), ("a", false));
    }

    #[test]
    fn junk() {
        for j in [".#a.md", "a.md~", "4913", ".a.md.swp", ".DS_Store"] {
            assert!(is_junk(j), "{j}");
        }
        assert!(!is_junk("100-a.md"));
    }
}
