//! Command line: `serve` (the default), `check` and `openapi`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "roadmap-api",
    version,
    about = "A headless content API with full-text search for roadmap.sh-style learning content.",
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
    /// Builds the search index ahead of time (what `serve` would build at start-up).
    Index {
        #[arg(long, env = "ROADMAP_API_CONTENT", default_value = "content")]
        content: PathBuf,
        /// Index folder, or `memory`.
        #[arg(long, env = "ROADMAP_API_INDEX", default_value = "index")]
        index: String,
        /// Rebuild from scratch even when the index on disk matches the content.
        #[arg(long)]
        rebuild: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The content folder: our `content/` or a roadmap.sh checkout's `src/data`.
    #[arg(long, env = "ROADMAP_API_CONTENT", default_value = "content")]
    pub content: PathBuf,
    /// Address to listen on.
    #[arg(long, env = "ROADMAP_API_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Folder of the persisted search index.
    /// Folder of the persisted search index (reused when its manifest matches the
    /// content), or `memory` to keep it in RAM.
    #[arg(long, env = "ROADMAP_API_INDEX", default_value = "index")]
    pub index: String,
    /// Poll the content folder at this interval in milliseconds instead of waiting
    /// for file-system events (network and container file systems).
    #[arg(long, env = "ROADMAP_API_POLL_MS")]
    pub poll: Option<u64>,
    /// Entries of the search result cache of each snapshot (0 disables it).
    #[arg(long, env = "ROADMAP_API_SEARCH_CACHE", default_value_t = 2048)]
    pub search_cache: usize,
    /// Do not follow changes to the content folder.
    #[arg(long, env = "ROADMAP_API_NO_WATCH")]
    pub no_watch: bool,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "ROADMAP_API_WORKERS")]
    pub workers: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
}
