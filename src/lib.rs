//! rolldex: full-text search, token and cost reports, and session resume over OpenAI Codex CLI
//! rollout files.
//!
//! The pipeline, top to bottom (arrows point at what a module may use):
//!
//! ```text
//! main → app → commands::{stats, …}
//!                 ├─ scan      find rollout files (globset, walkdir)
//!                 ├─ load      parse files in parallel (rayon) → sessions + usage
//!                 │   └─ parse     read() windows, line classifier, simd-json → facts, usage, messages
//!                 │        └─ accounting   the token rules of §9.3
//!                 ├─ index     tantivy + per-file state + query catalog, updated incrementally
//!                 │            (uses parse; catalog → sessions + usage for stats)
//!                 ├─ query     query language, one hit per session, whole-session scores
//!                 ├─ stats     fold usage into report rows
//!                 ├─ limits    rate-limit windows now, their history, projections (uses stats)
//!                 ├─ pricing   USD per model
//!                 └─ output    tables, JSON, JSONL, CSV
//! Use cases every front end (commands, `mcp`, the `picker`) calls with plain request/result
//! types: `freshen` (open an up-to-date index without printing), `filters` (date ranges,
//! directories), `find` (search, list, resume ranking), `pick` (the picker's list and
//! preview), `transcript` (one session's conversation), `export` (usage and sessions as
//! Parquet or ndjson files for a team's warehouse, incrementally).
//! model, error, timezone, environment, threads: shared leaf types (environment: what the
//!     front end read from the process, handed down to config; threads: how many threads may
//!     start, which `main` and the front ends that run their own ask first)
//! ```
//! Nothing below `commands` prints or reads the environment (`app` reads it once into an
//! `environment::Environment`); rolldex never writes inside a Codex home.

pub mod accounting;
pub mod app;
pub mod cli;
pub mod codex_config;
pub mod commands;
pub mod config;
pub mod doctor;
pub mod environment;
pub mod error;
pub mod export;
pub mod filters;
pub mod find;
pub mod freshen;
pub mod index;
pub mod keys;
pub mod limits;
pub mod load;
pub mod mcp;
pub mod model;
pub mod output;
pub mod parse;
pub mod pick;
pub mod picker;
pub mod pricing;
pub mod query;
pub mod scan;
pub mod stats;
pub mod threads;
pub mod timezone;
pub mod transcript;
