//! `rolldex mcp`: a Model Context Protocol server on stdio, so that Codex (or any MCP client)
//! can search its own history, read a past session, report usage and find the session to
//! resume.
//!
//! A front end like the command line: the tools call the same library use cases (`find`,
//! `transcript`, `stats`) over the same index, and the index is kept fresh the way queries keep
//! it (`fresh`), except that a call never waits long for an update. The server is read-only:
//! nothing is written but rolldex's own index. Every failure of a call — bad parameters, an
//! unknown session, an unreadable index, even a panic — is answered as a tool error with a
//! message saying what to change; the server keeps running. stdout carries only the protocol.
//!
//! Built on the official Rust SDK (`rmcp`), which negotiates the protocol version with the
//! client, on a single-threaded tokio runtime: the work of a call runs on tokio's blocking
//! pool.

mod fresh;
mod on_thread;
pub mod tools;

use std::sync::Arc;
use std::time::Duration;

use rmcp::handler::server::tool::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, ServiceExt, tool, tool_handler, tool_router};

use crate::commands::Io;
use crate::commands::refresh::{Freshness, Needs, open_index};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::IndexStore;
use fresh::Freshener;
use tools::{
    ListParams, ListResult, ReadParams, ReadResult, ResumeParams, ResumeResult, SearchParams,
    SearchResult, ToolResult, UsageParams, UsageResult,
};

/// What the server tells the client about itself.
const INSTRUCTIONS: &str = "rolldex searches the user's OpenAI Codex CLI history (every past \
session's messages, tool calls and outputs) and reports token usage and cost. Use \
search_sessions to find where something was discussed, read_session to read a session (page \
with offset, or jump with around), list_sessions for recent sessions, usage_report for tokens \
and cost, session_to_resume for the id and command to continue a session. Read-only.";

/// Runs the MCP server on stdin/stdout until the client disconnects. `update_wait` is how long
/// a call waits for an index update before it answers from the last commit.
pub fn serve(config: &Config, update_wait: Duration) -> Result<()> {
    let mut config = config.clone();
    // Nothing but the protocol may reach stdout, and no progress bar stderr.
    config.quiet = true;
    crate::threads::refuse_without_threads("mcp")?;
    // tokio panics when the system refuses its first blocking thread: threads are asked for
    // here first, while a refusal is still an error to report (and again below, as tokio's).
    let too_few = || {
        Error::Usage(
            "mcp needs threads, and this process may start too few (a process limit?)".into(),
        )
    };
    if crate::threads::how_many_start(3) < 3 {
        return Err(too_few());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        // Its blocking threads read stdin and write stdout. Refused one later (a limit reached
        // meanwhile), tokio queues the write behind the read, which waits for the client: the
        // answer never left. They are started now, and kept.
        .thread_keep_alive(Duration::from_hours(365 * 24))
        .build()
        .map_err(|e| Error::io("<tokio runtime>", e))?;
    if runtime.block_on(on_thread::start_blocking_threads(3)) < 3 {
        return Err(too_few());
    }
    let server = Server::new(config, update_wait);
    server.fresh.start(&server.config);
    runtime.block_on(async move {
        let running = server
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| Error::Usage(format!("mcp: {e}")))?;
        running
            .waiting()
            .await
            .map_err(|e| Error::Usage(format!("mcp: {e}")))?;
        Ok(())
    })
}

/// The server: settings, the freshener, and the tools.
#[derive(Debug, Clone)]
pub struct Server {
    config: Arc<Config>,
    fresh: Arc<Freshener>,
}

impl Server {
    /// A server over `config`'s homes and index.
    pub fn new(config: Config, update_wait: Duration) -> Server {
        Server {
            config: Arc::new(config),
            fresh: Freshener::new(update_wait),
        }
    }

    /// Runs one call's work on a thread of its own ([`on_thread`]): refresh (within the budget), open the index
    /// as committed, answer. Any failure becomes a tool error.
    async fn call<F>(&self, needs: Needs, work: F) -> std::result::Result<CallToolResult, ErrorData>
    where
        F: FnOnce(&Config, IndexStore, Vec<String>) -> ToolResult + Send + 'static,
    {
        let config = Arc::clone(&self.config);
        let fresh = Arc::clone(&self.fresh);
        let joined = on_thread::run(move || {
            let mut notes = fresh.refresh(&config);
            let mut store = open_committed(&config, needs).map_err(|e| e.to_string())?;
            if !store.has_commit() {
                // The first build is still running: nothing to answer from but what it makes.
                notes = fresh.wait_idle();
                store = open_committed(&config, needs).map_err(|e| e.to_string())?;
                if !store.has_commit() {
                    // It failed: an empty answer would read as "nothing matches".
                    let why: Vec<&str> = (notes.iter())
                        .map(|n| n.split("; answering from").next().unwrap_or(n))
                        .collect();
                    let why = why.join("; ");
                    return Err(format!("there is no index to answer from yet: {why}"));
                }
            }
            work(&config, store, notes)
        })
        .await;
        Ok(match joined {
            Ok(Ok(answer)) => {
                let mut result = CallToolResult::success(vec![ContentBlock::text(answer.text)]);
                result.structured_content = Some(answer.structured);
                result
            }
            Ok(Err(message)) => CallToolResult::error(vec![ContentBlock::text(message)]),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(format!(
                "internal error in rolldex ({e}); the server is still running, please report it"
            ))]),
        })
    }
}

/// Opens the index as last committed (the freshener has updated it, or is still at it).
fn open_committed(config: &Config, needs: Needs) -> Result<IndexStore> {
    let mut out = std::io::sink();
    let mut err = std::io::sink();
    let mut io = Io {
        out: &mut out,
        err: &mut err,
    };
    Ok(open_index(config, Freshness::AsIs, needs, &mut io)?.0)
}

#[tool_router]
impl Server {
    /// Full-text search over every past Codex session, one hit per session (its best message),
    /// best first. Returns session_id, score, timestamp, cwd, role, snippet and title (thread
    /// name or first request) per hit; `more` says whether more sessions matched.
    #[tool(
        name = "search_sessions",
        output_schema = schema_for_output::<SearchResult<'static>>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn search_sessions(
        &self,
        Parameters(params): Parameters<SearchParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.call(Needs::Sessions, move |config, store, notes| {
            tools::search(config, &store, &params, notes)
        })
        .await
    }

    /// Lists sessions, newest activity first, with their cwd, models, client, turns, tokens
    /// and thread name or title.
    #[tool(
        name = "list_sessions",
        output_schema = schema_for_output::<ListResult<'static>>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn list_sessions(
        &self,
        Parameters(params): Parameters<ListParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.call(Needs::Sessions, move |config, store, notes| {
            tools::list(config, &store, &params, notes)
        })
        .await
    }

    /// Reads one session's conversation a page at a time: time, role, text (long tool output
    /// shortened), tool name. `session` is an id, a unique id prefix or a thread name; `grep`
    /// keeps the turns that mention a word; `around` centres the page on the first message
    /// that mentions a word or phrase (or on a message index); `next_offset` continues.
    #[tool(
        name = "read_session",
        output_schema = schema_for_output::<ReadResult<'static>>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn read_session(
        &self,
        Parameters(params): Parameters<ReadParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.call(Needs::Sessions, move |config, store, notes| {
            tools::read(config, &store, &params, notes)
        })
        .await
    }

    /// Token usage and cost (API-equivalent USD) grouped by day, week, month, session, model,
    /// project or client: the rows and totals of `rolldex stats --json`, a page at a time.
    #[tool(
        name = "usage_report",
        output_schema = schema_for_output::<UsageResult>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn usage_report(
        &self,
        Parameters(params): Parameters<UsageParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.call(Needs::Usage, move |config, store, notes| {
            tools::usage(config, store, &params, notes)
        })
        .await
    }

    /// The session to resume: with a query, the session whose whole conversation matches best;
    /// without, the latest in cwd (default: the server's directory). Returns its id and the
    /// `codex resume` and `codex exec resume` commands (with -c model_provider=… when the
    /// session's provider is not the configured one).
    #[tool(
        name = "session_to_resume",
        output_schema = schema_for_output::<ResumeResult<'static>>(),
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn session_to_resume(
        &self,
        Parameters(params): Parameters<ResumeParams>,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        // Like `rolldex resume`: without a query, the current directory's sessions.
        let here = std::env::current_dir()
            .ok()
            .map(|d| d.to_string_lossy().into_owned());
        self.call(Needs::Sessions, move |config, store, notes| {
            tools::resume(config, &store, &params, here, notes)
        })
        .await
    }
}

#[tool_handler]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("rolldex", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}
