//! roadmap-api: a headless content API with full-text search for roadmap-style
//! learning content.
pub mod content;
