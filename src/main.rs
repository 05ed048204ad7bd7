//! `roadmap-api`: a thin CLI over the library. See `roadmap-api --help`.

mod cli;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use tracing_subscriber::EnvFilter;

use cli::{CliError, Command, ServeArgs};
use roadmap_api::api::pool::WorkPool;
use roadmap_api::api::{self, AppState};
use roadmap_api::content::Limits;
use roadmap_api::content::{self, Catalog, Diagnostic, Severity};
use roadmap_api::reload::{self, WatchOptions};
use roadmap_api::search::{IndexLocation, Indexer, SearchError};
use tantivy::TantivyError;
use tantivy::directory::error::LockError;

fn main() -> ExitCode {
    let parsed = match cli::parse() {
        Ok(parsed) => parsed,
        Err(CliError::Clap(error)) => error.exit(),
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match &parsed.cli.command {
        Some(Command::Openapi) => print_openapi(),
        Some(Command::Check { dir }) => check(dir),
        Some(Command::Serve(args)) => serve(args.clone()),
        Some(Command::Config(args)) => print_config(args, &parsed),
        Some(Command::Index(args)) => build_index(&args.content, &args.index, args.rebuild),
        None => serve(parsed.cli.serve.clone()),
    }
}

fn print_config(args: &ServeArgs, parsed: &cli::Parsed) -> ExitCode {
    match cli::render_config(args, parsed) {
        Ok(text) => {
            print(&text);
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: the settings could not be written as TOML: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout, ignoring a closed pipe (`roadmap-api check | head`): `println!`
/// would panic there.
fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn print_openapi() -> ExitCode {
    match api::openapi::openapi().to_pretty_json() {
        Ok(json) => {
            print(&format!("{json}\n"));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: the OpenAPI document could not be serialized: {error}");
            ExitCode::FAILURE
        }
    }
}

/// `filter` is `serve --log` (which reads `RUST_LOG`); other commands read `RUST_LOG`
/// directly. A filter that does not parse falls back to `info` with a warning rather
/// than refusing to start.
fn init_logging(filter: Option<&str>) {
    let wanted = filter
        .map(str::to_string)
        .or_else(|| std::env::var("RUST_LOG").ok())
        .unwrap_or_else(|| "info".to_string());
    let (filter, invalid) = match EnvFilter::try_new(&wanted) {
        Ok(filter) => (filter, None),
        Err(error) => (EnvFilter::new("info"), Some(error)),
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    if let Some(error) = invalid {
        tracing::warn!("log filter `{wanted}` is invalid ({error}); logging at info");
    }
}

/// `file:line: severity: message`, the shape editors and CI logs link.
fn diagnostic_line(diagnostic: &Diagnostic) -> String {
    let file = diagnostic.file.display();
    let severity = diagnostic.severity.as_str();
    match diagnostic.line {
        Some(line) => format!("{file}:{line}: {severity}: {}", diagnostic.message),
        None => format!("{file}: {severity}: {}", diagnostic.message),
    }
}

/// What `check` prints and `serve` logs: how much of each kind was loaded.
fn counts(catalog: &Catalog) -> Vec<(&'static str, usize)> {
    let topics: usize = catalog
        .roadmaps
        .iter()
        .chain(&catalog.best_practices)
        .map(|roadmap| roadmap.topics.len())
        .sum();
    // As the roadmap pages show them: the introduction question counts as one.
    let faqs: usize = catalog
        .roadmaps
        .iter()
        .chain(&catalog.best_practices)
        .map(|roadmap| roadmap.faqs.len() + usize::from(roadmap.question.is_some()))
        .sum();
    vec![
        ("roadmaps", catalog.roadmaps.len()),
        ("topics", topics),
        ("best practices", catalog.best_practices.len()),
        ("guides", catalog.guides.len()),
        ("videos", catalog.videos.len()),
        ("question groups", catalog.question_groups.len()),
        ("faqs", faqs),
    ]
}

/// How many diagnostics of each severity `serve` logs at start-up at their own level;
/// the rest go to debug. A roadmap.sh checkout has hundreds, and a log that opens with
/// them buries the line that says where the server listens.
const LOGGED_DIAGNOSTICS: usize = 5;

/// One summary line per severity, then the first few errors and warnings; everything
/// else at debug (`RUST_LOG=roadmap_api=debug`, `/v1/status` and `check` have them all).
fn log_diagnostics(diagnostics: &[Diagnostic]) {
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let of_severity: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .collect();
        if of_severity.is_empty() {
            continue;
        }
        let shown = match severity {
            Severity::Info => 0,
            _ => of_severity.len().min(LOGGED_DIAGNOSTICS),
        };
        let summary = format!(
            "{} content diagnostics of severity {}{}",
            of_severity.len(),
            severity.as_str(),
            if shown < of_severity.len() {
                format!(
                    " ({}; all of them in /v1/status, `roadmap-api check` and at debug level)",
                    if shown == 0 {
                        "none shown".to_string()
                    } else {
                        format!("first {shown} below")
                    }
                )
            } else {
                String::new()
            }
        );
        match severity {
            Severity::Error => tracing::error!("{summary}"),
            Severity::Warning => tracing::warn!("{summary}"),
            Severity::Info => tracing::info!("{summary}"),
        }
        for (n, diagnostic) in of_severity.iter().enumerate() {
            let line = diagnostic_line(diagnostic);
            match severity {
                _ if n >= shown => tracing::debug!("{line}"),
                Severity::Error => tracing::error!("{line}"),
                _ => tracing::warn!("{line}"),
            }
        }
    }
}

/// The content folder holds none of the folders the loader reads: most likely the
/// root of a roadmap.sh checkout (content is under `src/data`) or a typo. Says where
/// content is expected, naming a `src/data` below the folder when there is one.
fn no_content_hint(dir: &Path, catalog: &Catalog) -> Option<String> {
    let empty = catalog.roadmaps.is_empty()
        && catalog.best_practices.is_empty()
        && catalog.guides.is_empty()
        && catalog.videos.is_empty()
        && catalog.question_groups.is_empty();
    if !empty {
        return None;
    }
    let mut hint = format!(
        "no content in {}: content is expected in its sub-folders roadmaps/, \
         best-practices/, guides/, videos/ or question-groups/",
        dir.display()
    );
    let nested = dir.join("src").join("data");
    if nested.join("roadmaps").is_dir() {
        hint.push_str(&format!(
            "; this looks like a roadmap.sh checkout, whose content is in {}",
            nested.display()
        ));
    } else {
        hint.push_str(" (in a roadmap.sh checkout: its src/data folder)");
    }
    Some(hint)
}

fn check(dir: &Path) -> ExitCode {
    let started = Instant::now();
    let catalog = match content::load(dir) {
        Ok(catalog) => catalog,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    if let Some(hint) = no_content_hint(dir, &catalog) {
        eprintln!("error: {hint}");
        return ExitCode::FAILURE;
    }
    let mut out = format!("{}\n", dir.display());
    for (kind, count) in counts(&catalog) {
        out.push_str(&format!("  {kind:<16}{count:>6}\n"));
    }
    let count = |severity: Severity| {
        catalog
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    out.push_str(&format!(
        "{} diagnostics ({} errors, {} warnings, {} info)\n",
        catalog.diagnostics.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    for diagnostic in &catalog.diagnostics {
        out.push_str(&diagnostic_line(diagnostic));
        out.push('\n');
    }
    out.push_str(&format!(
        "loaded in {:.1} ms\n",
        elapsed.as_secs_f64() * 1000.0
    ));
    print(&out);
    ExitCode::SUCCESS
}

fn build_index(content: &Path, index: &str, rebuild: bool) -> ExitCode {
    init_logging(None);
    let started = Instant::now();
    let location = IndexLocation::parse(index);
    // The loaded content is saved beside the index, so that `serve` on this folder
    // starts without parsing every file (an image can be built with both ready).
    let saved = location.saved_content();
    let mut loader = content::Loader::new(content, Limits::default());
    let catalog = match loader.load_first(saved.as_deref()) {
        Ok((catalog, _)) => catalog,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let loaded = started.elapsed();
    let opened = Indexer::open(&location, &catalog).and_then(|(mut ix, s)| {
        let s = if rebuild && s.stats.reused {
            ix.rebuild_all()?;
            ix.update(&catalog)?
        } else {
            s
        };
        // The folder is left merged, as `serve` would leave it.
        let stats = s.stats;
        Ok(ix.finish_merge(&catalog, stats)?.unwrap_or(s))
    });
    match opened {
        Ok(search) => {
            if let Some(file) = &saved
                && let Err(error) = loader.save(file)
            {
                eprintln!("warning: the loaded content was not saved for `serve`: {error}");
            }
            print(&format!(
                "{} documents in {index} ({}), loaded in {:.1} ms, indexed in {} ms\n",
                search.num_docs(),
                if search.stats.reused {
                    "reused"
                } else {
                    "built"
                },
                loaded.as_secs_f64() * 1000.0,
                search.stats.build_ms
            ));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}", index_error_message(index, &error));
            ExitCode::FAILURE
        }
    }
}

/// Tantivy's lock error names its lock file and `LockBusy`; an operator running `index`
/// beside a running `serve` needs to know what holds the folder and what to do.
fn index_error_message(index: &str, error: &SearchError) -> String {
    match error {
        SearchError::Tantivy(TantivyError::LockFailure(LockError::LockBusy, _)) => format!(
            "the index folder {index} is in use by another process (a running \
             `roadmap-api serve`?); stop it first, or build into another folder with --index"
        ),
        _ => error.to_string(),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    roadmap_api::memory::tune();
    init_logging(Some(&args.log));
    roadmap_api::search::set_cache_entries(args.search_cache);
    let location = IndexLocation::parse(&args.index);
    let options = reload::Options {
        index: location,
        limits: Limits {
            max_markdown_bytes: args.max_markdown_bytes,
            max_json_bytes: args.max_json_bytes,
        },
        watch: (!args.no_watch).then(|| WatchOptions {
            poll: args.poll.map(Duration::from_millis),
            ..WatchOptions::default()
        }),
    };
    let running = match reload::start(&args.content, options) {
        Ok(running) => running,
        Err(error) => {
            tracing::error!(%error, "cannot serve");
            return ExitCode::FAILURE;
        }
    };
    let (store, reload_state) = (Arc::clone(&running.store), Arc::clone(&running.state));
    let snapshot = store.current();
    log_diagnostics(&snapshot.catalog.diagnostics);
    if let Some(hint) = no_content_hint(&args.content, &snapshot.catalog) {
        tracing::warn!("{hint}");
    }
    let summary = counts(&snapshot.catalog)
        .iter()
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect::<Vec<_>>()
        .join(", ");
    tracing::info!(
        content = %args.content.display(),
        index = %args.index,
        version = %snapshot.version,
        build_ms = snapshot.build_ms,
        documents = snapshot.search.stats.documents,
        reused_index = snapshot.search.stats.reused,
        "loaded {summary}"
    );
    drop(snapshot);
    let state = match AppState::with_reload(store, reload_state) {
        Ok(mut state) => {
            let default_pool = std::mem::replace(
                &mut state.pool,
                WorkPool::with_wait(Duration::from_millis(args.search_wait_ms)),
            );
            default_pool.shutdown();
            state.admin = args
                .admin_token
                .as_ref()
                .map(|token| api::admin::AdminToken::new(token.expose()));
            if state.admin.is_some() {
                tracing::info!("admin endpoint on: POST {}", api::admin::PATH);
            }
            web::Data::new(state)
        }
        Err(error) => {
            tracing::error!(%error, "cannot serve");
            return ExitCode::FAILURE;
        }
    };
    if let Some(per_second) = args.rate_limit {
        let burst = args.rate_limit_burst.unwrap_or(per_second);
        api::ratelimit::enable(api::ratelimit::RateLimiter::new(per_second, burst));
        tracing::info!("rate limit: {per_second} requests a second per client, bursts of {burst}");
    }
    let system = actix_web::rt::System::new();
    let result = system.block_on(async {
        let (server, addrs) = api::server::bind(state, &args.bind, args.workers.map(usize::from))?;
        for addr in addrs {
            tracing::info!("listening on http://{addr} (docs at http://{addr}/docs/)");
        }
        server.await
    });
    running.stop();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, bind = %args.bind, "server failed");
            ExitCode::FAILURE
        }
    }
}
