//! Loader behaviour on the fixtures in `tests/fixtures` (described in its README):
//! counts, ids, order, tree, resources, FAQs, related roadmaps, and one diagnostic
//! per deliberately broken file while everything else still loads.

use std::fs;
use std::path::{Path, PathBuf};

use roadmap_api::content::{
    self, Catalog, Diagnostic, Layout, LoadError, Roadmap, RoadmapKind, Severity,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> Catalog {
    content::load(&fixture(name)).expect("fixture loads")
}

fn roadmap<'c>(c: &'c Catalog, id: &str) -> &'c Roadmap {
    c.roadmaps
        .iter()
        .chain(&c.best_practices)
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no roadmap {id}"))
}

fn ids(r: &Roadmap) -> Vec<&str> {
    r.topics.iter().map(|t| t.id.as_str()).collect()
}

fn diag<'c>(c: &'c Catalog, file: &str) -> Vec<&'c Diagnostic> {
    c.diagnostics
        .iter()
        .filter(|d| *d.file == *Path::new(file))
        .collect()
}

fn one_diag<'c>(c: &'c Catalog, file: &str, needle: &str) -> &'c Diagnostic {
    let found: Vec<_> = diag(c, file)
        .into_iter()
        .filter(|d| d.message.contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one diagnostic on {file} containing {needle:?}, got {:#?}",
        c.diagnostics
    );
    found[0]
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn temp_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixture(name), dir.path());
    dir
}

// ---------------------------------------------------------------- 2023 layout

#[test]
fn layout_2023_catalog_shape() {
    let c = load("layout-2023");
    let roadmap_ids: Vec<&str> = c.roadmaps.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roadmap_ids, ["web-basics", "api-design", "broken-meta"]);
    let bp: Vec<&str> = c.best_practices.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(bp, ["security-checklist"]);
    assert!(c.roadmaps.iter().all(|r| r.kind == RoadmapKind::Roadmap));
    assert_eq!(c.best_practices[0].kind, RoadmapKind::BestPractice);

    let layouts: Vec<Layout> = c.roadmaps.iter().map(|r| r.layout).collect();
    assert_eq!(
        layouts,
        [Layout::Mockup2023, Layout::FilesOnly, Layout::FilesOnly]
    );
    let counts: Vec<usize> = c.roadmaps.iter().map(|r| r.topics.len()).collect();
    assert_eq!(counts, [10, 4, 1]);
    assert_eq!(c.root, fixture("layout-2023"));
}

#[test]
fn layout_2023_mockup_topics_tree_and_order() {
    let c = load("layout-2023");
    let r = roadmap(&c, "web-basics");
    assert_eq!(
        ids(r),
        [
            "internet",
            "internet/http",
            "internet/dns",
            "internet/tls",
            "internet/tls/certificates",
            "html",
            "css",
            "css/selectors",
            "css/layout",
            "css/grid",
        ]
    );
    // ext_link control and the duplicate `101-html` are not extra topics.
    assert!(!r.topic_index.contains_key("ext_link:roadmap.sh/backend"));
    assert_eq!(r.roots, [0, 5, 6]);
    let internet = &r.topics[0];
    assert_eq!(internet.children, [1, 2, 3]);
    assert_eq!(internet.depth, 0);
    assert_eq!(internet.parent, None);
    let tls = &r.topics[3];
    assert_eq!(tls.parent, Some(0));
    assert_eq!(tls.children, [4]);
    let certs = &r.topics[4];
    assert_eq!((certs.parent, certs.depth), (Some(3), 2));
    assert_eq!(r.topics[6].children, [7, 8, 9]);

    // Both the readable id and the control name find a topic.
    assert_eq!(r.topic_index["internet/tls/certificates"], 4);
    assert_eq!(r.topic_index["100-internet:tls:certificates"], 4);
    assert_eq!(r.topic_index["101-html"], 5);
    assert_eq!(r.topics[5].source_id.as_deref(), Some("101-html"));
    assert_eq!(r.topic_index.len(), 20);

    assert_eq!(
        internet.file.as_deref(),
        Some(Path::new(
            "roadmaps/web-basics/content/100-internet/index.md"
        ))
    );
    assert!(internet.modified.is_some());
    assert_eq!(
        r.topics[5].file.as_deref(),
        Some(Path::new("roadmaps/web-basics/content/101-html.md"))
    );
}

#[test]
fn layout_2023_topic_markdown_and_resources() {
    let c = load("layout-2023");
    let r = roadmap(&c, "web-basics");
    let http = &r.topics[r.topic_index["internet/http"]];
    assert_eq!(http.title, "HTTP");
    assert_eq!(
        &*http.markdown,
        "HTTP is the request and response protocol that browsers use to fetch pages.\n\
         Every request has a method, a path and headers.\n\nServers answer with a status code."
    );
    assert!(http.raw_markdown.starts_with("# HTTP\n"));
    assert!(
        http.raw_markdown
            .contains("- [HTTP overview](https://example.org/http)")
    );
    assert_eq!(
        &*http.summary,
        "HTTP is the request and response protocol that browsers use to fetch pages. \
         Every request has a method, a path and headers."
    );
    assert_eq!(http.resources.len(), 2);
    assert_eq!(http.resources[0].kind, "link");
    assert_eq!(http.resources[0].title, "HTTP overview");
    assert_eq!(http.resources[0].url, "https://example.org/http");
    assert_eq!(http.resources[1].title, "Status codes (list)");
    assert_eq!(http.resources[1].url, "https://example.org/status_(codes)");

    // No `.md` ending: still loaded.
    let dns = &r.topics[r.topic_index["internet/dns"]];
    assert_eq!(dns.title, "DNS");
    assert_eq!(dns.resources.len(), 1);

    // No heading: title from the JSON label, body kept.
    let sel = &r.topics[r.topic_index["css/selectors"]];
    assert_eq!(sel.title, "Selectors");
    assert_eq!(
        &*sel.markdown,
        "Selectors pick the elements that a rule applies to."
    );
    assert_eq!(sel.resources.len(), 1);

    // Empty file: served with its title.
    let layout = &r.topics[r.topic_index["css/layout"]];
    assert_eq!(layout.title, "Layout");
    assert!(layout.markdown.is_empty() && layout.resources.is_empty());
    assert!(layout.file.is_some());

    // In the JSON without a file: title only.
    let grid = &r.topics[r.topic_index["102-css:grid"]];
    assert_eq!(grid.title, "CSS Grid");
    assert!(grid.file.is_none() && grid.raw_markdown.is_empty());
}

#[test]
fn layout_2023_roadmap_frontmatter() {
    let c = load("layout-2023");
    let r = roadmap(&c, "web-basics");
    assert_eq!(r.title, "Web Basics");
    assert_eq!(
        r.description,
        "How the web works, from cables to style sheets"
    );
    assert_eq!(r.brief_title.as_deref(), Some("Web"));
    let year = current_year();
    assert_eq!(
        r.brief_description.as_deref(),
        Some(format!("A short tour of the web in {year}").as_str())
    );
    assert_eq!(r.order, Some(1.0));
    assert!(r.is_new && !r.is_upcoming && r.has_topics);
    assert_eq!(r.tags, ["roadmap", "beginner"]);
    let seo = r.seo.as_ref().expect("seo");
    assert_eq!(seo.title.as_deref(), Some("Web Basics Roadmap"));
    assert_eq!(seo.keywords, ["web roadmap", "learn the web"]);
    let q = r.question.as_ref().expect("intro question");
    assert_eq!(q.title, "What is the Web?");
    assert!(q.description.contains("## Who uses it?"));
    assert_eq!(r.related_questions, ["web-questions"]);
    assert!(r.extra.contains_key("jsonUrl"));
    assert_eq!(r.extra["dimensions"]["width"], 800);
    assert!(!r.extra.contains_key("title"));
    assert_eq!(r.file, Path::new("roadmaps/web-basics/web-basics.md"));
    assert!(r.modified.is_some());
}

#[test]
fn layout_2023_faqs_astro_and_yaml() {
    let c = load("layout-2023");
    let r = roadmap(&c, "web-basics");
    let questions: Vec<&str> = r.faqs.iter().map(|f| f.question.as_str()).collect();
    assert_eq!(
        questions,
        [
            "Do I need to learn everything here?",
            "What's the best first step?",
            "How long does it take?",
        ]
    );
    assert_eq!(
        r.faqs[0].answer,
        [
            "No. Pick what your work needs and come back for the rest.",
            "It's fine to skip the \"advanced\" parts at first.",
        ]
    );
    assert_eq!(
        r.faqs[1].answer[0],
        "Read the [HTTP](https://example.org/http) topic, then build a page with `<h1>` in it."
    );
    assert_eq!(
        r.faqs[1].answer[1],
        "Use the browser's developer tools a lot."
    );
    assert_eq!(
        r.faqs[2].answer,
        ["A few weeks for the basics, longer for the rest."]
    );

    let api = roadmap(&c, "api-design");
    assert_eq!(api.faqs.len(), 2);
    assert_eq!(api.faqs[0].answer, ["No, RPC and GraphQL are common too."]);
    assert_eq!(api.faqs[1].answer.len(), 2);
    assert!(api.question.is_none());
}

#[test]
fn layout_2023_related_roadmaps() {
    let c = load("layout-2023");
    let r = roadmap(&c, "web-basics");
    assert_eq!(
        r.related_ids,
        ["api-design", "ghost-roadmap", "broken-meta"]
    );
    let related: Vec<(&str, &str, &str, &str)> = r
        .related
        .iter()
        .map(|x| {
            (
                x.id.as_str(),
                x.title.as_str(),
                x.brief_title.as_str(),
                x.brief_description.as_str(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            (
                "api-design",
                "API Design",
                "APIs",
                "Designing HTTP APIs that people enjoy using"
            ),
            ("broken-meta", "broken-meta", "broken-meta", ""),
        ]
    );
    let d = one_diag(&c, "roadmaps/web-basics/web-basics.md", "ghost-roadmap");
    assert_eq!((d.severity, d.line), (Severity::Warning, Some(28)));

    let api = roadmap(&c, "api-design");
    assert_eq!(api.related.len(), 1);
    assert_eq!(api.related[0].brief_title, "Web");
}

#[test]
fn layout_2023_files_only_roadmap() {
    let c = load("layout-2023");
    let r = roadmap(&c, "api-design");
    assert_eq!(
        ids(r),
        ["basics", "basics/rest", "basics/rpc", "versioning"]
    );
    assert_eq!(r.roots, [0, 3]);
    assert_eq!(r.topics[0].children, [1, 2]);
    assert_eq!(r.topics[2].parent, Some(0));
    assert!(r.topics.iter().all(|t| t.source_id.is_none()));
    assert_eq!(r.topic_index.len(), 4);
    assert!(r.has_topics);
}

#[test]
fn layout_2023_broken_frontmatter_still_loads() {
    let c = load("layout-2023");
    let r = roadmap(&c, "broken-meta");
    // `title` and `description` have unclosed quotes; `order` is read on its own.
    assert_eq!(r.title, "broken-meta");
    assert_eq!(r.order, Some(3.0));
    assert_eq!(ids(r), ["only-topic"]);
    assert_eq!(r.topics[0].title, "Only Topic");
    let d = one_diag(&c, "roadmaps/broken-meta/broken-meta.md", "invalid YAML");
    assert_eq!((d.severity, d.line), (Severity::Error, Some(5)));
}

#[test]
fn layout_2023_best_practice() {
    let c = load("layout-2023");
    let bp = roadmap(&c, "security-checklist");
    assert_eq!(bp.layout, Layout::Mockup2023);
    assert_eq!(ids(bp), ["rotate-secrets", "use-https"]);
    assert!(!bp.topic_index.contains_key("check:use-https"));
    assert_eq!(bp.topics[1].title, "Use HTTPS");
    assert_eq!(&*bp.topics[1].summary, "Serve every endpoint over HTTPS.");
    assert_eq!(bp.brief_title.as_deref(), Some("Security"));
    assert!(diag(&c, "best-practices/security-checklist/content/index.md").is_empty());
}

#[test]
fn layout_2023_diagnostics_for_each_broken_file() {
    let c = load("layout-2023");
    let dns = one_diag(
        &c,
        "roadmaps/web-basics/content/100-internet/101-dns",
        ".md",
    );
    assert_eq!(dns.severity, Severity::Warning);
    // The chart's label names the topic, so a missing heading loses nothing.
    let sel = one_diag(
        &c,
        "roadmaps/web-basics/content/102-css/100-selectors.md",
        "heading",
    );
    assert_eq!((sel.severity, sel.line), (Severity::Info, Some(1)));
    let empty = one_diag(
        &c,
        "roadmaps/web-basics/content/102-css/101-layout.md",
        "empty",
    );
    assert_eq!(empty.severity, Severity::Warning);
    let missing = one_diag(&c, "roadmaps/web-basics/web-basics.json", "102-css:grid");
    assert_eq!(missing.severity, Severity::Warning);
    one_diag(
        &c,
        "roadmaps/web-basics/content/104-extras.md",
        "not referenced",
    );
    let answer = one_diag(
        &c,
        "question-groups/web-questions/web-questions.md",
        "missing-answer.md",
    );
    assert_eq!(answer.line, Some(8));
    assert_eq!(c.diagnostics.len(), 8, "{:#?}", c.diagnostics);
    assert_eq!(
        c.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count(),
        1
    );
    // Paths are relative to the root; ignored folders say nothing.
    for d in &c.diagnostics {
        assert!(d.file.is_relative(), "{d:?}");
        for ignored in ["authors", "link-groups", "projects", "changelogs"] {
            assert!(!d.file.starts_with(ignored), "{d:?}");
        }
    }
}

#[test]
fn layout_2023_guides_videos_questions_synonyms() {
    let c = load("layout-2023");
    let guides: Vec<(&str, Option<&str>, Option<&str>)> = c
        .guides
        .iter()
        .map(|g| (g.slug.as_str(), g.date.as_deref(), g.author.as_deref()))
        .collect();
    assert_eq!(
        guides,
        [
            (
                "http-caching-explained",
                Some("2024-03-05"),
                Some("Ada Writer")
            ),
            ("choosing-a-database", Some("2023-07-01"), Some("sam")),
        ]
    );
    let g = &c.guides[0];
    assert_eq!(g.title, "HTTP Caching Explained");
    assert!(g.markdown.starts_with("Caching saves a copy"));
    assert!(g.markdown.contains("## Cache-Control"));
    assert_eq!(g.tags, ["guide", "textual-guide"]);
    assert_eq!(
        g.seo.as_ref().and_then(|s| s.description.as_deref()),
        Some("Cache headers in practice")
    );
    assert_eq!(g.extra["author"]["url"], "https://example.org/ada");
    assert_eq!(g.extra["type"], "textual");
    assert_eq!(
        c.guides[1].title,
        format!("Choosing a Database in {}", current_year())
    );
    assert_eq!(
        g.file,
        Path::new("guides/http-caching-explained.md").to_path_buf()
    );

    assert_eq!(c.videos.len(), 1);
    let v = &c.videos[0];
    assert_eq!(v.slug, "dns-in-five-minutes");
    assert_eq!(v.duration.as_deref(), Some("5 minutes"));
    assert_eq!(v.date.as_deref(), Some("2022-05-10"));
    assert!(v.markdown.contains("<iframe"));

    assert_eq!(c.question_groups.len(), 1);
    let q = &c.question_groups[0];
    assert_eq!(q.id, "web-questions");
    assert_eq!(q.title, "Web Questions");
    assert_eq!(q.brief_title.as_deref(), Some("Web"));
    assert_eq!(q.questions.len(), 3);
    assert_eq!(
        q.questions[0].answer,
        "It fetches documents over HTTP and renders them."
    );
    assert!(
        q.questions[1]
            .answer
            .starts_with("The DOM is the tree of objects")
    );
    assert_eq!(q.questions[1].topics, ["Browser", "Intermediate"]);
    assert_eq!(q.questions[2].answer, "missing-answer.md");

    assert_eq!(
        c.synonyms,
        [
            vec!["js", "javascript", "ecmascript"],
            vec!["k8s", "kubernetes"]
        ]
    );
}

// ---------------------------------------------------------------- 2025 layout

#[test]
fn layout_2025_catalog_shape() {
    let c = load("layout-2025");
    let roadmap_ids: Vec<&str> = c.roadmaps.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(roadmap_ids, ["backend-lite", "devops-lite", "broken-front"]);
    let counts: Vec<usize> = c.roadmaps.iter().map(|r| r.topics.len()).collect();
    assert_eq!(counts, [9, 3, 0]);
    let layouts: Vec<Layout> = c.roadmaps.iter().map(|r| r.layout).collect();
    assert_eq!(
        layouts,
        [Layout::Graph2025, Layout::FilesOnly, Layout::FilesOnly]
    );
    assert_eq!(c.best_practices.len(), 1);
    assert!(c.synonyms.is_empty());
}

#[test]
fn layout_2025_graph_topics_tree_and_order() {
    let c = load("layout-2025");
    let r = roadmap(&c, "backend-lite");
    assert_eq!(
        ids(r),
        [
            "internet",
            "http",
            "dns",
            "databases",
            "redis",
            "indexes",
            "sharding",
            "caching",
            "redis-2",
        ]
    );
    assert_eq!(r.roots, [0, 3, 7]);
    assert_eq!(r.topics[0].children, [1, 2]); // edge, then nearest topic
    assert_eq!(r.topics[3].children, [4, 5, 6]); // edge, via subtopic, edge
    assert_eq!(r.topics[7].children, [8]); // inside the box linked to Caching
    assert!(r.topics.iter().all(|t| t.depth <= 1));

    assert_eq!(r.topic_index["sRedis00002"], 8);
    assert_eq!(r.topic_index["redis-2"], 8);
    assert_eq!(r.topic_index["redis"], 4);
    assert_eq!(r.topic_index.len(), 18);
    assert_eq!(r.topics[8].title, "Redis");
    assert_eq!(&*r.topics[8].summary, "Redis is also a popular cache.");

    let http = &r.topics[1];
    let kinds: Vec<&str> = http.resources.iter().map(|x| x.kind.as_str()).collect();
    assert_eq!(kinds, ["official", "article", "opensource"]);
    assert_eq!(http.resources[2].title, "curl");
    assert_eq!(
        &*http.markdown,
        "HTTP is the protocol between clients and servers."
    );

    let sharding = &r.topics[6];
    assert_eq!(sharding.title, "Sharding");
    assert!(sharding.file.is_none());
    assert_eq!(r.topics[7].title, "Caching");
    assert_eq!(
        &*r.topics[7].markdown,
        "Caching keeps answers close to where they are needed."
    );
    assert_eq!(r.topics[2].title, "DNS");
}

#[test]
fn layout_2025_roadmap_fields_faqs_related() {
    let c = load("layout-2025");
    let r = roadmap(&c, "backend-lite");
    assert_eq!(
        r.question.as_ref().map(|q| q.title.as_str()),
        Some("What is Backend Development?")
    );
    assert_eq!(r.extra["renderer"], "editor");
    assert_eq!(r.extra["isForkable"], false);
    let questions: Vec<&str> = r.faqs.iter().map(|f| f.question.as_str()).collect();
    assert_eq!(
        questions,
        [
            "Which language should I start with?",
            "Is a \"database\" course needed?"
        ]
    );
    assert!(
        r.faqs[0].answer[0]
            .contains("[languages guide](https://roadmap.sh/guides/backend-languages)")
    );
    assert_eq!(r.faqs[0].answer[1], "Don't switch languages every month.");
    assert_eq!(
        r.faqs[1].answer,
        ["Yes: learn SQL, then `EXPLAIN` your queries."]
    );
    let related: Vec<(&str, &str, &str)> = r
        .related
        .iter()
        .map(|x| {
            (
                x.id.as_str(),
                x.brief_title.as_str(),
                x.brief_description.as_str(),
            )
        })
        .collect();
    assert_eq!(
        related,
        [("devops-lite", "DevOps", "Ship and run software")]
    );
    let d = one_diag(&c, "roadmaps/backend-lite/backend-lite.md", "frontend-lite");
    assert_eq!(d.line, Some(25));

    let devops = roadmap(&c, "devops-lite");
    assert_eq!(ids(devops), ["linux", "containers", "containers/docker"]);
    assert_eq!(devops.faqs.len(), 2);
    assert_eq!(devops.faqs[1].answer, ["Yes.", "Most servers run it."]);
    assert_eq!(devops.related[0].brief_title, "Backend");
    assert!(devops.has_topics); // not in the frontmatter: true because it has topics

    let bp = roadmap(&c, "code-review");
    assert_eq!(bp.layout, Layout::Graph2025);
    assert_eq!(ids(bp), ["small-prs", "write-tests"]);
}

#[test]
fn layout_2025_diagnostics_for_each_broken_file() {
    let c = load("layout-2025");
    one_diag(&c, "roadmaps/backend-lite/content/dns@sDns0000001", ".md");
    one_diag(
        &c,
        "roadmaps/backend-lite/content/indexes@sIndex00001.md",
        "empty",
    );
    one_diag(&c, "roadmaps/backend-lite/backend-lite.json", "sShard00001");
    let heading = one_diag(
        &c,
        "roadmaps/backend-lite/content/caching@tCache00001.md",
        "heading",
    );
    assert_eq!(heading.line, Some(1));
    one_diag(
        &c,
        "roadmaps/backend-lite/content/old-topic@gone0000001.md",
        "not referenced",
    );
    let broken = one_diag(&c, "roadmaps/broken-front/broken-front.md", "never closed");
    assert_eq!((broken.severity, broken.line), (Severity::Error, Some(1)));
    assert_eq!(roadmap(&c, "broken-front").title, "broken-front");
    assert_eq!(c.diagnostics.len(), 7, "{:#?}", c.diagnostics);
}

#[test]
fn layout_2025_pages_and_questions() {
    let c = load("layout-2025");
    let slugs: Vec<&str> = c.guides.iter().map(|g| g.slug.as_str()).collect();
    assert_eq!(slugs, ["backend-checklist", "sql-vs-nosql"]);
    assert_eq!(c.guides[0].author.as_deref(), Some("jane"));
    assert_eq!(c.guides[1].author.as_deref(), Some("Jane Doe"));
    assert_eq!(
        c.guides[0].title,
        format!("A Backend Checklist for {}", current_year())
    );
    assert_eq!(
        c.guides[0].extra["seo"]["ogImageUrl"],
        "https://example.org/checklist.png"
    );
    assert_eq!(c.guides[0].extra["relatedGuidesId"], "backend");
    assert_eq!(c.videos[0].slug, "what-is-an-api");
    let q = &c.question_groups[0];
    assert_eq!(q.related_roadmaps, ["backend-lite"]);
    assert!(
        q.questions[0]
            .answer
            .starts_with("An index is a data structure")
    );
}

// ---------------------------------------------------------------- behaviour

#[test]
fn missing_root_is_an_error() {
    let err = content::load(Path::new("/definitely/not/here")).expect_err("missing");
    assert!(matches!(err, LoadError::NotADirectory(_)));
    let file = fixture("README.md");
    assert!(content::load(&file).is_err());
}

#[test]
fn empty_and_unrelated_folders_load_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = content::load(dir.path()).expect("empty loads");
    assert!(c.roadmaps.is_empty() && c.diagnostics.is_empty());
    assert!(!c.version.is_empty());

    fs::create_dir_all(dir.path().join("something-else/deeper")).expect("mkdir");
    fs::write(dir.path().join("notes.txt"), "hello").expect("write");
    let c = content::load(dir.path()).expect("loads");
    assert!(c.roadmaps.is_empty() && c.diagnostics.is_empty());
}

#[test]
fn version_is_stable_and_tracks_content() {
    let a = load("layout-2023").version;
    assert_eq!(a.len(), 16);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(a, load("layout-2023").version);
    assert_ne!(a, load("layout-2025").version);

    let copy = temp_copy("layout-2023");
    assert_eq!(content::load(copy.path()).expect("copy").version, a);
    fs::write(
        copy.path().join("roadmaps/web-basics/content/101-html.md"),
        "# HTML\n\nChanged.\n",
    )
    .expect("write");
    let changed = content::load(copy.path()).expect("copy");
    assert_ne!(changed.version, a);
    let html = &roadmap(&changed, "web-basics").topics[5];
    assert_eq!(&*html.markdown, "Changed.");
}

#[test]
fn editor_junk_is_ignored() {
    let copy = temp_copy("layout-2023");
    let before = content::load(copy.path()).expect("copy");
    let root = copy.path();
    let junk = [
        "roadmaps/web-basics/content/.101-html.md.swp",
        "roadmaps/web-basics/content/101-html.md~",
        "roadmaps/web-basics/content/.#101-html.md",
        "roadmaps/web-basics/content/4913",
        "roadmaps/web-basics/.DS_Store",
        "roadmaps/api-design/content/100-basics/.100-rest.md.swp",
        "roadmaps/api-design/content/101-versioning.md~",
        "guides/.#http-caching-explained.md",
        "guides/choosing-a-database.md~",
        "videos/4913",
        "synonyms.yaml~",
    ];
    for j in junk {
        fs::write(root.join(j), "junk: [\n").expect("write junk");
    }
    fs::create_dir_all(root.join("roadmaps/.hidden")).expect("mkdir");
    fs::write(root.join("roadmaps/.hidden/.hidden.md"), "---\n").expect("write");
    let after = content::load(root).expect("copy");
    assert_eq!(after.diagnostics, before.diagnostics);
    assert_eq!(after.roadmaps.len(), before.roadmaps.len());
    for (a, b) in after.roadmaps.iter().zip(&before.roadmaps) {
        assert_eq!(ids(a), ids(b));
    }
    assert_eq!(after.guides.len(), 2);
    assert_eq!(after.videos.len(), 1);
    // Junk is not content, so the version does not move either.
    assert_eq!(after.version, before.version);
}

#[test]
fn broken_sources_degrade_without_panicking() {
    let copy = temp_copy("layout-2023");
    let root = copy.path();
    // A JSON that does not parse: topics come from the files instead.
    fs::write(
        root.join("roadmaps/web-basics/web-basics.json"),
        "{\"mockup\": [",
    )
    .expect("write");
    // FAQs that are not a literal.
    fs::write(
        root.join("roadmaps/web-basics/faqs.astro"),
        "---\nexport const faqs = [{ question: 'a', answer: [someVariable] }];\n---\n",
    )
    .expect("write");
    // Invalid UTF-8 in a topic, and a broken synonyms file.
    fs::write(
        root.join("roadmaps/api-design/content/101-versioning.md"),
        b"# Versioning\n\nBad byte: \xff here.\n",
    )
    .expect("write");
    fs::write(root.join("synonyms.yaml"), "- [a, b\n- c: [").expect("write");
    // A roadmap folder with nothing in it, and one with only content.
    fs::create_dir_all(root.join("roadmaps/empty-folder")).expect("mkdir");
    fs::create_dir_all(root.join("roadmaps/no-md/content")).expect("mkdir");
    fs::write(root.join("roadmaps/no-md/content/100-a.md"), "# A\n").expect("write");

    let c = content::load(root).expect("loads");
    let web = roadmap(&c, "web-basics");
    assert_eq!(web.layout, Layout::FilesOnly);
    assert!(web.topics.iter().any(|t| t.id == "internet/http"));
    assert!(web.faqs.is_empty());
    one_diag(&c, "roadmaps/web-basics/web-basics.json", "invalid JSON");
    let faq = one_diag(&c, "roadmaps/web-basics/faqs.astro", "someVariable");
    assert_eq!(faq.line, Some(2));
    let api = roadmap(&c, "api-design");
    assert!(api.topics[3].markdown.contains("Bad byte"));
    one_diag(&c, "roadmaps/api-design/content/101-versioning.md", "UTF-8");
    assert!(c.synonyms.is_empty());
    let syn = one_diag(&c, "synonyms.yaml", "invalid YAML");
    assert_eq!(syn.severity, Severity::Error);
    one_diag(&c, "roadmaps/empty-folder", "skipped");
    let no_md = roadmap(&c, "no-md");
    assert_eq!((no_md.title.as_str(), no_md.topics.len()), ("no-md", 1));
    // Everything else is still there.
    assert_eq!(c.best_practices.len(), 1);
    assert_eq!(c.guides.len(), 2);
}

fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    content::frontmatter::civil_from_days((secs / 86_400) as i64).0
}

// ---------------------------------------------------------------- edge cases

#[test]
fn labels_are_titles_and_differing_headings_are_kept() {
    let c = load("edge-2025");
    let r = roadmap(&c, "labels");
    let titles: Vec<(&str, Option<&str>)> = r
        .topics
        .iter()
        .map(|t| (t.title.as_str(), t.heading.as_deref()))
        .collect();
    assert_eq!(
        titles,
        [
            ("Retro", Some("Retrofit")),
            ("CI / CD Integration", Some("Kuberenetes")),
            // Same words in another case and spacing: not a different heading.
            ("Load balancing", None),
        ]
    );
    let d = one_diag(
        &c,
        "roadmaps/labels/content/ci-cd@tCicd000001.md",
        "differs from the roadmap's label",
    );
    assert_eq!((d.severity, d.line), (Severity::Info, Some(1)));
}

#[test]
fn text_after_the_resource_list_stays_and_unsafe_urls_go() {
    let c = load("edge-2025");
    let retro = &roadmap(&c, "labels").topics[0];
    assert!(
        retro
            .markdown
            .ends_with("Note: text written after the list is part of the topic too."),
        "{}",
        retro.markdown
    );
    assert!(
        !retro.markdown.contains("Visit the following"),
        "{}",
        retro.markdown
    );
    assert!(
        retro.html.contains("written after the list"),
        "{}",
        retro.html
    );
    assert!(
        retro.plain.contains("written after the list"),
        "{}",
        retro.plain
    );
    let urls: Vec<&str> = retro.resources.iter().map(|x| x.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://square.example/retrofit", "/guides/http-clients"]
    );
    for bad in ["javascript:alert(1)", "data:text/html"] {
        let d = one_diag(&c, "roadmaps/labels/content/retro@tRetro00001.md", bad);
        assert_eq!(d.severity, Severity::Warning);
    }
}

#[test]
fn script_and_style_text_stays_out_of_plain_text() {
    let c = load("edge-2025");
    let retro = &roadmap(&c, "labels").topics[0];
    for text in [&*retro.summary, &*retro.plain] {
        assert!(!text.contains("owned") && !text.contains("color"), "{text}");
        assert!(text.contains("It is typed."), "{text}");
    }
    assert!(!retro.html.contains("<script"), "{}", retro.html);
}

#[test]
fn a_broken_frontmatter_field_costs_only_that_field() {
    let c = load("edge-2025");
    let r = roadmap(&c, "labels");
    assert_eq!(r.title, "Labels and Leftovers");
    assert_eq!(r.brief_title.as_deref(), Some("Labels"));
    assert!(r.related.is_empty(), "{:?}", r.related);
    assert_eq!(
        r.seo.as_ref().and_then(|s| s.title.as_deref()),
        Some("Labels roadmap")
    );
    let d = one_diag(&c, "roadmaps/labels/labels.md", "relatedRoadmaps");
    assert_eq!(d.severity, Severity::Error);
}

#[test]
fn an_empty_faq_placeholder_is_info() {
    let c = load("edge-2025");
    let d = one_diag(&c, "roadmaps/labels/faqs.astro", "empty");
    assert_eq!(d.severity, Severity::Info);
}
