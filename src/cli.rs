//! Command line: `serve` (the default), `check`, `index`, `config` and `openapi`, and the
//! optional TOML configuration file.
//!
//! Every setting is declared once, as a field of [`ServeArgs`] with its flag, its
//! environment variable and its default. The configuration file needs no declaration of
//! its own: its keys are the flags' long names, and [`parse`] turns each key that
//! neither a flag nor the environment set into that flag before clap parses again. So
//! precedence is flags > environment > file > defaults, a file value goes through the
//! flag's own parser and checks, and adding a setting is adding a field.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use serde::Serialize;

const AFTER_HELP: &str = "\
Every option of `serve` can also be set in a TOML file given with --config (or \
ROADMAP_API_CONFIG), keyed by its long name: `content = \"/srv/data\"`, \
`search-cache = 0`, `no-watch = true`. Precedence: flags, then environment, then the \
file, then defaults. `roadmap-api config` prints the settings in effect as such a file.";

#[derive(Debug, Parser)]
#[command(
    name = "roadmap-api",
    version,
    about = "A headless content API with full-text search for roadmap.sh-style learning content.",
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, which runs when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API over HTTP (the default).
    #[command(after_help = AFTER_HELP)]
    Serve(ServeArgs),
    /// Load a content folder, print what it holds and every diagnostic; exits non-zero
    /// when the folder cannot be loaded or holds no content.
    Check {
        /// The content folder: our `content/` or a roadmap.sh checkout's `src/data`.
        #[arg(default_value = "content")]
        dir: PathBuf,
    },
    /// Print the OpenAPI document (JSON).
    Openapi,
    /// Build the search index ahead of time (what `serve` would build at start-up).
    Index(IndexArgs),
    /// Print the settings `serve` would run with, as a TOML configuration file, with
    /// where each value comes from.
    #[command(after_help = AFTER_HELP)]
    Config(ServeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct IndexArgs {
    /// The content folder: our `content/` or a roadmap.sh checkout's `src/data`.
    #[arg(long, env = "ROADMAP_API_CONTENT", default_value = "content")]
    pub content: PathBuf,
    /// Index folder, or `memory`.
    #[arg(long, env = "ROADMAP_API_INDEX", default_value = "index")]
    pub index: String,
    /// Rebuild from scratch even when the index on disk matches the content.
    #[arg(long)]
    pub rebuild: bool,
    /// TOML file with settings (its `content` and `index` apply; `serve`'s other
    /// settings in it are ignored here).
    #[arg(long, env = "ROADMAP_API_CONFIG")]
    pub config: Option<PathBuf>,
}

/// A secret setting: never printed (`Debug`, `config`), at least 16 characters so that
/// it cannot be guessed by trying.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;

    fn from_str(value: &str) -> Result<Secret, String> {
        let value = value.trim();
        if value.chars().count() < 16 {
            return Err(String::from(
                "must be at least 16 characters (a random token: `openssl rand -hex 32`)",
            ));
        }
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(String::from(
                "must not contain spaces or control characters",
            ));
        }
        Ok(Secret(value.to_owned()))
    }
}

/// The settings of `serve`. A new setting is a new field here (with `long`, `env` and
/// its default): the configuration file, `config`, `--help` pick it up. The README's
/// configuration table must list it too (a test checks).
#[derive(Debug, Clone, Args, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct ServeArgs {
    /// The content folder: our `content/` or a roadmap.sh checkout's `src/data`.
    #[arg(long, env = "ROADMAP_API_CONTENT", default_value = "content")]
    pub content: PathBuf,
    /// Address to listen on (`host:port`; `0.0.0.0:8080` for every interface).
    #[arg(long, env = "ROADMAP_API_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Folder of the persisted search index (reused when its manifest matches the
    /// content), or `memory` to keep it in RAM.
    #[arg(long, env = "ROADMAP_API_INDEX", default_value = "index")]
    pub index: String,
    /// Poll the content folder at this interval in milliseconds instead of waiting
    /// for file-system events (network and container file systems).
    #[arg(long, env = "ROADMAP_API_POLL_MS")]
    pub poll: Option<u64>,
    /// Do not follow changes to the content folder.
    #[arg(long, env = "ROADMAP_API_NO_WATCH")]
    pub no_watch: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ROADMAP_API_WORKERS", value_parser = clap::value_parser!(u16).range(1..))]
    pub workers: Option<u16>,
    /// Entries of the search result cache of each snapshot (0 disables it).
    #[arg(long, env = "ROADMAP_API_SEARCH_CACHE", default_value_t = 2048)]
    pub search_cache: usize,
    /// How long a search, suggestion or look-up may wait for a search thread before
    /// it is answered 503 with Retry-After, in milliseconds.
    #[arg(long, env = "ROADMAP_API_SEARCH_WAIT_MS", default_value_t = 2000)]
    pub search_wait_ms: u64,
    /// Per-client rate limit: requests a second from one IP address, beyond which the
    /// answer is 429 with Retry-After (probes and /metrics are exempt). Off when unset.
    #[arg(long, env = "ROADMAP_API_RATE_LIMIT", value_parser = clap::value_parser!(u32).range(1..))]
    pub rate_limit: Option<u32>,
    /// Requests a client may send at once before the rate limit applies (default: one
    /// second's worth).
    #[arg(long, env = "ROADMAP_API_RATE_LIMIT_BURST", value_parser = clap::value_parser!(u32).range(1..), requires = "rate_limit")]
    pub rate_limit_burst: Option<u32>,
    /// Log filter: a level (`error`, `warn`, `info`, `debug`) or per-module
    /// directives (`roadmap_api=debug,actix_web=warn`).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    pub log: String,
    /// Largest markdown, YAML or other text content file read, in bytes; a larger
    /// file is skipped with an error diagnostic (a stranger's 50 MB topic must not
    /// cost every reload seconds and gigabytes).
    #[arg(long, env = "ROADMAP_API_MAX_MARKDOWN_BYTES", default_value_t = 1024 * 1024)]
    pub max_markdown_bytes: u64,
    /// Largest JSON content file (a roadmap's layout, FAQs) read, in bytes.
    #[arg(long, env = "ROADMAP_API_MAX_JSON_BYTES", default_value_t = 8 * 1024 * 1024)]
    pub max_json_bytes: u64,
    /// Bearer token that turns on `POST /v1/admin/reload` (at least 16 characters);
    /// without one the endpoint does not exist. Prefer the environment or the file to
    /// a flag, which other users of the machine can read in the process list.
    #[arg(long, env = "ROADMAP_API_ADMIN_TOKEN", hide_env_values = true)]
    #[serde(skip)]
    pub admin_token: Option<Secret>,
    /// TOML file with any of these settings, keyed by long name (`search-cache = 0`).
    #[arg(long, env = "ROADMAP_API_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
}

/// Why the command line and configuration file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Clap's own (including `--help` and `--version`, which it prints itself).
    #[error(transparent)]
    Clap(#[from] clap::Error),
    #[error("configuration file {}: {message}", path.display())]
    Config { path: PathBuf, message: String },
}

impl CliError {
    fn config(path: &Path, message: impl Into<String>) -> CliError {
        CliError::Config {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}

/// The parsed command line, and for `config`, which settings the file gave.
pub struct Parsed {
    pub cli: Cli,
    /// Long names of the settings that came from the configuration file.
    pub from_file: BTreeSet<String>,
    /// Where every other setting came from, by long name.
    pub sources: Vec<(String, &'static str)>,
}

pub fn parse() -> Result<Parsed, CliError> {
    parse_from(std::env::args_os().collect())
}

/// Parses `args` (with the program name first), then applies the configuration file.
pub fn parse_from(mut args: Vec<OsString>) -> Result<Parsed, CliError> {
    let command = Cli::command();
    let matches = command.clone().try_get_matches_from(&args)?;
    let (name, sub_matches) = match matches.subcommand() {
        Some((name, m)) => (Some(name), m),
        None => (None, &matches),
    };
    let settings_command = match name {
        None => Some(command.clone()),
        Some(name @ ("serve" | "config" | "index")) => command.find_subcommand(name).cloned(),
        Some(_) => None,
    };
    let mut from_file = BTreeSet::new();
    if let Some(settings_command) = &settings_command
        && let Some(path) = sub_matches.get_one::<PathBuf>("config")
    {
        let serve = command
            .find_subcommand("serve")
            .cloned()
            .unwrap_or_else(|| command.clone());
        let extra = file_args(path, settings_command, &serve, sub_matches)?;
        for (key, arg) in extra {
            from_file.insert(key);
            args.push(arg);
        }
    }
    let matches = command.try_get_matches_from(&args)?;
    let sub_matches = matches.subcommand().map_or(&matches, |(_, m)| m);
    let mut sources = Vec::new();
    if let Some(settings_command) = &settings_command {
        for arg in settings_command.get_arguments() {
            let Some(long) = arg.get_long() else { continue };
            if from_file.contains(long) {
                continue;
            }
            let source = match sub_matches.value_source(arg.get_id().as_str()) {
                Some(ValueSource::CommandLine) => "flag",
                Some(ValueSource::EnvVariable) => "environment",
                Some(ValueSource::DefaultValue) => "default",
                _ => "unset",
            };
            sources.push((long.to_string(), source));
        }
    }
    let cli = Cli::from_arg_matches(&matches)?;
    Ok(Parsed {
        cli,
        from_file,
        sources,
    })
}

/// The flags that stand for the file's settings which neither a flag nor the
/// environment set, each checked by its flag's own parser so that a bad value names
/// the file and the key. `serve`'s settings that `command` (`index`) does not take are
/// skipped, so that one file serves both; any other key is an error (a typo would
/// otherwise be silently ignored).
fn file_args(
    path: &Path,
    command: &clap::Command,
    serve: &clap::Command,
    matches: &clap::ArgMatches,
) -> Result<Vec<(String, OsString)>, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| CliError::config(path, e.to_string()))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| CliError::config(path, e.to_string()))?;
    let settable = |c: &clap::Command| -> Vec<String> {
        c.get_arguments()
            .filter_map(|a| a.get_long())
            .filter(|l| !matches!(*l, "config" | "help" | "version"))
            .map(str::to_string)
            .collect()
    };
    let known = settable(serve);
    let mut out = Vec::new();
    for (key, value) in table {
        let Some(arg) = command
            .get_arguments()
            .find(|a| a.get_long() == Some(key.as_str()) && key != "config")
        else {
            if known.contains(&key) {
                continue;
            }
            return Err(CliError::config(
                path,
                format!("unknown setting `{key}`; known: {}", known.join(", ")),
            ));
        };
        if matches!(
            matches.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue;
        }
        let takes_value = arg.get_action().takes_values();
        let text = match (&value, takes_value) {
            (toml::Value::Boolean(true), false) => {
                out.push((key.clone(), OsString::from(format!("--{key}"))));
                continue;
            }
            (toml::Value::Boolean(false), false) => continue,
            (_, false) => {
                return Err(CliError::config(
                    path,
                    format!("`{key}` is a switch: true or false, got {value}"),
                ));
            }
            (toml::Value::String(s), true) => s.clone(),
            (toml::Value::Integer(i), true) => i.to_string(),
            (toml::Value::Float(f), true) => f.to_string(),
            (toml::Value::Boolean(b), true) => b.to_string(),
            (_, true) => {
                return Err(CliError::config(
                    path,
                    format!("`{key}` takes a single value, got {value}"),
                ));
            }
        };
        let flag = OsString::from(format!("--{key}={text}"));
        // The flag alone in a command of its own: its parser and checks, nothing else.
        clap::Command::new("roadmap-api")
            .arg(arg.clone())
            .try_get_matches_from([OsString::from("roadmap-api"), flag.clone()])
            .map_err(|e| {
                let reason = e.to_string();
                let reason = reason.trim_start_matches("error: ");
                let reason = reason.lines().next().unwrap_or_default();
                CliError::config(path, format!("`{key}`: {reason}"))
            })?;
        out.push((key.clone(), flag));
    }
    Ok(out)
}

/// The settings in effect as a TOML file, each line saying where its value came from.
pub fn render_config(args: &ServeArgs, parsed: &Parsed) -> Result<String, toml::ser::Error> {
    let body = toml::to_string(args)?;
    let mut out =
        String::from("# roadmap-api settings in effect (flags > environment > file > defaults)\n");
    for line in body.lines() {
        let key = line.split('=').next().unwrap_or_default().trim();
        let source = if parsed.from_file.contains(key) {
            "file"
        } else {
            parsed
                .sources
                .iter()
                .find(|(long, _)| long == key)
                .map_or("default", |(_, source)| *source)
        };
        out.push_str(&format!("{line}  # {source}\n"));
    }
    if args.admin_token.is_some() {
        let source = if parsed.from_file.contains("admin-token") {
            "file"
        } else {
            parsed
                .sources
                .iter()
                .find(|(long, _)| long == "admin-token")
                .map_or("flag", |(_, source)| *source)
        };
        out.push_str(&format!("# admin-token = (set, not shown)  # {source}\n"));
    }
    // Settings without a value (and no default) would otherwise be missing from the
    // template this output is.
    for (long, source) in &parsed.sources {
        let written = body
            .lines()
            .any(|line| line.split('=').next().unwrap_or_default().trim() == long);
        if *source == "unset" && !written && !matches!(long.as_str(), "config" | "help" | "version")
        {
            out.push_str(&format!("# {long} =  (unset)\n"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn with_file(text: &str, list: &[&str]) -> Result<Parsed, CliError> {
        let dir =
            tempfile::tempdir().map_err(|e| CliError::config(Path::new("tmp"), e.to_string()))?;
        let path = dir.path().join("roadmap-api.toml");
        std::fs::write(&path, text).map_err(|e| CliError::config(&path, e.to_string()))?;
        let mut all = args(list);
        all.push(OsString::from("--config"));
        all.push(path.into_os_string());
        parse_from(all)
    }

    #[test]
    fn the_admin_token_is_never_printed() {
        let secret = "s3cret-admin-token-0123456789";
        let parsed = with_file(
            &format!("admin-token = \"{secret}\"\n"),
            &["roadmap-api", "config"],
        );
        let Ok(parsed) = parsed else {
            panic!("config with an admin token did not parse");
        };
        let Some(Command::Config(serve)) = &parsed.cli.command else {
            panic!("not the config command");
        };
        assert_eq!(serve.admin_token.as_ref().map(Secret::expose), Some(secret));
        assert!(!format!("{serve:?}").contains(secret));
        let rendered = render_config(serve, &parsed).unwrap_or_default();
        assert!(
            rendered.contains("admin-token = (set, not shown)  # file"),
            "{rendered}"
        );
        assert!(!rendered.contains(secret), "{rendered}");
    }

    #[test]
    fn a_short_admin_token_is_refused() {
        let parsed = parse_from(args(&["roadmap-api", "--admin-token", "short"]));
        assert!(parsed.is_err_and(|e| e.to_string().contains("at least 16 characters")));
    }

    #[test]
    fn definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default() {
        let cli = Cli::try_parse_from(["roadmap-api", "--bind", "0.0.0.0:1"]).ok();
        let cli = cli.as_ref();
        assert!(cli.is_some_and(|cli| cli.command.is_none() && cli.serve.bind == "0.0.0.0:1"));
    }

    #[test]
    fn check_takes_a_folder() {
        let cli = Cli::try_parse_from(["roadmap-api", "check", "x"]).ok();
        assert!(matches!(
            cli.and_then(|cli| cli.command),
            Some(Command::Check { dir }) if dir.as_os_str() == "x"
        ));
    }

    #[test]
    fn the_file_fills_what_flags_do_not_set() {
        let parsed = with_file(
            "bind = \"0.0.0.0:9\"\nsearch-cache = 7\nno-watch = true\nindex = \"memory\"\n",
            &["roadmap-api", "serve", "--index", "/var/idx"],
        );
        let Ok(Parsed {
            cli:
                Cli {
                    command: Some(Command::Serve(serve)),
                    ..
                },
            from_file,
            ..
        }) = parsed
        else {
            panic!("serve with a config file did not parse");
        };
        assert_eq!(serve.bind, "0.0.0.0:9");
        assert_eq!(serve.search_cache, 7);
        assert!(serve.no_watch);
        // The flag wins over the file.
        assert_eq!(serve.index, "/var/idx");
        assert!(!from_file.contains("index"));
        // Untouched settings keep their defaults.
        assert_eq!(serve.search_wait_ms, 2000);
    }

    #[test]
    fn the_file_applies_without_a_subcommand_and_to_index() {
        let parsed = with_file("search-cache = 3\n", &["roadmap-api"]);
        assert!(parsed.is_ok_and(|p| p.cli.command.is_none() && p.cli.serve.search_cache == 3));
        // `index` takes the settings it has and skips serve's others.
        let parsed = with_file(
            "index = \"memory\"\nsearch-cache = 3\n",
            &["roadmap-api", "index"],
        );
        assert!(matches!(
            parsed.map(|p| p.cli.command),
            Ok(Some(Command::Index(IndexArgs { index, .. }))) if index == "memory"
        ));
    }

    #[test]
    fn bad_file_values_name_the_file_and_the_key() {
        for (text, needle) in [
            ("search-cach = 1\n", "unknown setting `search-cach`"),
            ("search-cache = \"many\"\n", "`search-cache`"),
            ("workers = 0\n", "`workers`"),
            ("no-watch = \"yes\"\n", "`no-watch` is a switch"),
            ("bind = [\"a\"]\n", "`bind` takes a single value"),
            ("bind = \n", "roadmap-api.toml"),
        ] {
            let error = with_file(text, &["roadmap-api"])
                .err()
                .map(|e| e.to_string());
            assert!(
                error
                    .as_deref()
                    .is_some_and(|e| e.contains(needle) && e.contains("roadmap-api.toml")),
                "{text:?}: {error:?}"
            );
        }
    }

    #[test]
    fn a_missing_file_is_an_error() {
        let parsed = parse_from(args(&["roadmap-api", "--config", "/nonexistent/x.toml"]));
        assert!(matches!(parsed, Err(CliError::Config { .. })));
    }

    #[test]
    fn the_rendered_config_reads_back_the_same() {
        let parsed = with_file("search-cache = 5\npoll = 250\n", &["roadmap-api", "config"]);
        let Ok(parsed) = parsed else {
            panic!("config did not parse");
        };
        let Some(Command::Config(serve)) = &parsed.cli.command else {
            panic!("not the config command");
        };
        let rendered = render_config(serve, &parsed).unwrap_or_default();
        assert!(rendered.contains("search-cache = 5  # file"), "{rendered}");
        assert!(
            rendered.contains("bind = \"127.0.0.1:8080\"  # default"),
            "{rendered}"
        );
        let again = with_file(&rendered, &["roadmap-api", "config"]);
        let Ok(Parsed {
            cli:
                Cli {
                    command: Some(Command::Config(back)),
                    ..
                },
            ..
        }) = again
        else {
            panic!("the rendered file does not parse back");
        };
        assert_eq!(format!("{back:?}"), {
            let mut expected = serve.clone();
            expected.config = back.config.clone();
            format!("{expected:?}")
        });
    }
}
