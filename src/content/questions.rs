//! Question groups (`question-groups/<id>/<id>.md`): frontmatter with a list of
//! questions whose long answers live in separate files under `content/`.
//!
//! An answer that is only a file name is a reference, not text. It is resolved here
//! so that the API and search see the answer itself; a name that points nowhere is
//! reported and served as written rather than dropped.

use std::path::{Component, Path};

use serde_json::Value;

use super::frontmatter::{self, Fields};
use super::model::{Question, QuestionGroup};
use super::source::Ctx;

/// Whether an answer is a reference to a file rather than prose.
fn answer_file(answer: &str) -> Option<&str> {
    let a = answer.trim();
    let looks_like_file = a.len() > 3
        && a.get(a.len() - 3..)
            .is_some_and(|ext| ext.eq_ignore_ascii_case(".md"))
        && !a.contains(char::is_whitespace);
    // Only plain relative paths: an answer must not read outside `content/`.
    let safe = Path::new(a)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    (looks_like_file && safe).then_some(a)
}

pub(crate) fn load(ctx: &mut Ctx, dir: &Path, id: &str) -> Option<QuestionGroup> {
    let md_abs = dir.join(format!("{id}.md"));
    if !md_abs.is_file() {
        let rel = ctx.rel(dir);
        ctx.warn(
            &rel,
            None,
            format!("question group has no `{id}.md`; skipped"),
        );
        return None;
    }
    let source = ctx.read(&md_abs)?;
    let doc = frontmatter::parse_document(&source.text);
    if let Some(e) = &doc.error {
        ctx.error(
            &source.rel,
            e.line,
            format!("{}; question group skipped", e.message),
        );
        return None;
    }
    let mut fields = doc.fields;
    let title = fields.string("title").unwrap_or_else(|| id.to_string());
    let description = fields.string("description").unwrap_or_default();
    let brief_title = fields.string("briefTitle");
    let brief_description = fields.string("briefDescription");
    let order = fields.number("order");
    let tags = fields.strings("tags");
    let seo = fields.seo();
    let related_roadmaps = fields.strings("relatedRoadmaps");
    let questions_line = fields.line_of("questions");
    let raw_questions = fields.take("questions");
    let (extra, problems) = fields.finish();
    for (m, l) in problems {
        ctx.warn(&source.rel, l, m);
    }

    let mut questions = Vec::new();
    let items = match raw_questions {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            ctx.warn(&source.rel, None, "no `questions` list");
            Vec::new()
        }
        Some(_) => {
            ctx.warn(&source.rel, questions_line, "`questions` should be a list");
            Vec::new()
        }
    };
    let content = dir.join("content");
    for (n, item) in items.into_iter().enumerate() {
        let Value::Object(map) = item else {
            ctx.warn(
                &source.rel,
                questions_line,
                format!("question #{} is not a mapping; skipped", n + 1),
            );
            continue;
        };
        let mut q = Fields::from_map(map);
        let Some(question) = q.string("question").filter(|s| !s.trim().is_empty()) else {
            ctx.warn(
                &source.rel,
                questions_line,
                format!("question #{} has no `question`; skipped", n + 1),
            );
            continue;
        };
        let answer = match q.take("answer") {
            Some(Value::String(s)) => s,
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("\n\n"),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let topics = q.strings("topics");
        let answer = match answer_file(&answer) {
            Some(name) => {
                let abs = content.join(name);
                if abs.is_file() {
                    match ctx.read(&abs) {
                        Some(f) => f.text.trim().to_string(),
                        None => answer,
                    }
                } else {
                    ctx.warn(
                        &source.rel,
                        questions_line,
                        format!("answer of {question:?} names `{name}`, which is not in `content/`; served as written"),
                    );
                    answer
                }
            }
            None => answer,
        };
        questions.push(Question {
            question: question.trim().to_string(),
            html: super::markdown::to_html(&answer),
            answer,
            topics,
        });
    }
    Some(QuestionGroup {
        id: id.to_string(),
        title,
        description,
        brief_title,
        brief_description,
        order,
        tags,
        seo,
        questions,
        related_roadmaps,
        extra,
        file: source.rel.clone(),
        modified: source.modified,
    })
}

#[cfg(test)]
mod tests {
    use super::answer_file;

    #[test]
    fn answer_references() {
        assert_eq!(answer_file("closure.md"), Some("closure.md"));
        assert_eq!(answer_file(" closure.md\n"), Some("closure.md"));
        assert_eq!(answer_file("Use the file closure.md"), None);
        assert_eq!(answer_file("../secret.md"), None);
        assert_eq!(answer_file("/etc/x.md"), None);
        assert_eq!(answer_file("a€x"), None);
    }
}
