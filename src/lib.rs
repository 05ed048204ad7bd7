//! roadmap-api: a headless content API with full-text search for roadmap-style
//! learning content.
pub mod api;
pub mod content;
pub mod memory;
pub mod reload;
pub mod search;
pub mod snapshot;
