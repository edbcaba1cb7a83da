//! rolldex-standin: a stand-in for the OpenAI Responses API, good enough to drive the real Codex CLI.
//!
//! Std only, single file. It listens on 127.0.0.1 (port 0 unless `--port`), answers
//! `POST /v1/responses` with a three-event SSE stream (`response.created`,
//! `response.output_item.done`, `response.completed`) and sends the `x-codex-*` rate-limit headers.
//! Every response it sends is written to a JSONL ledger (`--ledger`), which is the ground truth of
//! what a session spent.
//!
//! Reply policy:
//! * the latest input is a tool output → an assistant message;
//! * the trailing user input contains `RUN_TOOL:` → a `function_call` of the shell tool the
//!   request lists (`exec_command` / `shell_command` / `shell`), running `echo toolword-<n> <word>`;
//! * the trailing user input contains `MCP_SEARCH:<word>` and the request lists a tool whose name
//!   contains `search_sessions` (rolldex's MCP tool, under whatever name Codex gives it) → a
//!   `function_call` of that tool with `{"query": <word>, "include_non_interactive": true}`;
//!   when the prompt also holds `EXPECT:<text>`, the follow-up request (carrying the tool's
//!   output) is checked for that text, and the ledger line says `mcp_expect_found`;
//! * otherwise → an assistant message.
//!
//! Assistant and tool words come from fixed vocabularies (plus `assistantword-<n>` /
//! `toolword-<n>`), never from the request, so every searchable word has exactly one origin.
//!
//! ```text
//! rolldex-standin [--port N] [--port-file F] [--ledger F] [--log F] [--dump-dir D]
//!                 [--max-seconds S] [--no-stdin]
//! ```
//! The first line on stdout is the port. The server stops on SIGTERM (default action), when stdin
//! reaches EOF (unless `--no-stdin`), or after `--max-seconds`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

// ---------------------------------------------------------------------------------------------
// Vocabularies (never taken from requests).

const ASSISTANT_WORDS: &[&str] = &[
    "velvetcomet",
    "marblefinch",
    "cobaltlantern",
    "quietorchard",
    "amberglacier",
    "saffronbridge",
    "lunarkestrel",
    "copperwillow",
    "indigoharbor",
    "tundramosaic",
    "opalcanyon",
    "hazelbeacon",
    "crimsonatlas",
    "silverthicket",
    "mossparapet",
    "frostquarry",
    "garnetspindle",
    "juniperkite",
    "obsidianfern",
    "pewtermeadow",
    "russetcompass",
    "sablelagoon",
    "topazwhistle",
    "umberlattice",
];

const TOOL_WORDS: &[&str] = &[
    "ochrepylon",
    "basaltferry",
    "cedarrelay",
    "zincmeadow",
    "flintgazebo",
    "slatecaravan",
    "quartzbellows",
    "graniteoxbow",
    "marlinchisel",
    "pumicetrellis",
    "shalewindlass",
    "tinsextant",
];

const SENTENCES: &[&str] = &[
    "Certainly, this is handled now and everything looks consistent",
    "Done, the outcome is recorded and nothing else seems needed",
    "All set, the result matches what was expected here",
    "Finished, I checked it twice and it holds up well",
    "Completed, the plan went through without any trouble",
];

fn pick_word(list: &[&str], n: u64) -> String {
    let len = list.len() as u64;
    let base = list[((n - 1) % len) as usize];
    let round = (n - 1) / len;
    if round == 0 {
        base.to_string()
    } else {
        format!("{base}{round}")
    }
}

// ---------------------------------------------------------------------------------------------
// Minimal JSON.

#[derive(Clone, Debug)]
enum Json {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(kv) => kv.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }
    fn arr(&self) -> &[Json] {
        match self {
            Json::Arr(a) => a,
            _ => &[],
        }
    }
    fn keys(&self) -> Vec<String> {
        match self {
            Json::Obj(kv) => kv.iter().map(|(k, _)| k.clone()).collect(),
            _ => Vec::new(),
        }
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn err<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("json: {what} at byte {}", self.i))
    }
    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > 256 {
            return self.err("too deep");
        }
        self.ws();
        let Some(&c) = self.b.get(self.i) else {
            return self.err("eof");
        };
        match c {
            b'{' => {
                self.i += 1;
                let mut kv = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b'}') {
                    self.i += 1;
                    return Ok(Json::Obj(kv));
                }
                loop {
                    self.ws();
                    let k = self.string()?;
                    self.ws();
                    if self.b.get(self.i) != Some(&b':') {
                        return self.err("expected ':'");
                    }
                    self.i += 1;
                    let v = self.value(depth + 1)?;
                    kv.push((k, v));
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Obj(kv));
                        }
                        _ => return self.err("expected ',' or '}'"),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                let mut a = Vec::new();
                self.ws();
                if self.b.get(self.i) == Some(&b']') {
                    self.i += 1;
                    return Ok(Json::Arr(a));
                }
                loop {
                    a.push(self.value(depth + 1)?);
                    self.ws();
                    match self.b.get(self.i) {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Arr(a));
                        }
                        _ => return self.err("expected ',' or ']'"),
                    }
                }
            }
            b'"' => Ok(Json::Str(self.string()?)),
            b't' if self.b[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            b'f' if self.b[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            b'n' if self.b[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            b'-' | b'0'..=b'9' => {
                let s = self.i;
                while self.i < self.b.len()
                    && matches!(
                        self.b[self.i],
                        b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9'
                    )
                {
                    self.i += 1;
                }
                Ok(Json::Num(
                    String::from_utf8_lossy(&self.b[s..self.i]).into_owned(),
                ))
            }
            _ => self.err("unexpected byte"),
        }
    }
    fn hex4(&mut self) -> Result<u32, String> {
        let Some(h) = self.b.get(self.i..self.i + 4) else {
            return self.err("short \\u");
        };
        let s = std::str::from_utf8(h).map_err(|e| e.to_string())?;
        let v = u32::from_str_radix(s, 16).map_err(|e| e.to_string())?;
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, String> {
        if self.b.get(self.i) != Some(&b'"') {
            return self.err("expected string");
        }
        self.i += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(&c) = self.b.get(self.i) else {
                return self.err("eof in string");
            };
            self.i += 1;
            match c {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let Some(&e) = self.b.get(self.i) else {
                        return self.err("eof in escape");
                    };
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.b.get(self.i..self.i + 2) == Some(b"\\u")
                            {
                                self.i += 2;
                                let lo = self.hex4()?;
                                0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF)
                            } else {
                                hi
                            };
                            char::from_u32(cp).unwrap_or('\u{FFFD}')
                        }
                        _ => return self.err("bad escape"),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                _ => out.push(c),
            }
        }
    }
}

fn parse_json(b: &[u8]) -> Result<Json, String> {
    let mut p = Parser { b, i: 0 };
    let v = p.value(0)?;
    p.ws();
    if p.i != b.len() {
        return p.err("trailing bytes");
    }
    Ok(v)
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn to_json(v: &Json) -> String {
    match v {
        Json::Null => "null".into(),
        Json::Bool(b) => b.to_string(),
        Json::Num(n) => n.clone(),
        Json::Str(s) => esc(s),
        Json::Arr(a) => format!("[{}]", a.iter().map(to_json).collect::<Vec<_>>().join(",")),
        Json::Obj(kv) => format!(
            "{{{}}}",
            kv.iter()
                .map(|(k, v)| format!("{}:{}", esc(k), to_json(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

fn jstr(s: &str) -> Json {
    Json::Str(s.to_string())
}
fn jnum(n: u64) -> Json {
    Json::Num(n.to_string())
}
fn jobj(kv: Vec<(&str, Json)>) -> Json {
    Json::Obj(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

// ---------------------------------------------------------------------------------------------
// Time.

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn rfc3339_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let ms = d.subsec_millis();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // civil_from_days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = if month <= 2 { y + 1 } else { y };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

// ---------------------------------------------------------------------------------------------
// Server state.

struct State {
    counter: AtomicU64,
    tool_counter: AtomicU64,
    conn_counter: AtomicU64,
    ledger: Option<Mutex<File>>,
    log: Option<Mutex<File>>,
    dump_dir: Option<PathBuf>,
}

impl State {
    fn write_line(target: Option<&Mutex<File>>, line: &str) {
        if let Some(m) = target {
            let mut f = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let _ = writeln!(f, "{line}");
            let _ = f.flush();
        }
    }
}

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn read_line(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = r.read_until(b'\n', &mut buf)?;
    if n == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

fn read_request(r: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
    let line = loop {
        match read_line(r)? {
            None => return Ok(None),
            Some(l) if l.is_empty() => {}
            Some(l) => break l,
        }
    };
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let Some(h) = read_line(r)? else {
            return Ok(None);
        };
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let mut req = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if req
        .header("expect")
        .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        r.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
    }
    if req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        loop {
            let Some(size_line) = read_line(r)? else {
                return Ok(None);
            };
            let size_hex = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_hex, 16)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            if size == 0 {
                // Trailers until an empty line.
                while let Some(t) = read_line(r)? {
                    if t.is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = req.body.len();
            req.body.resize(start + size, 0);
            r.read_exact(&mut req.body[start..])?;
            let _ = read_line(r)?; // CRLF after chunk
        }
    } else if let Some(len) = req
        .header("content-length")
        .and_then(|v| v.parse::<usize>().ok())
    {
        req.body.resize(len, 0);
        r.read_exact(&mut req.body)?;
    }
    Ok(Some(req))
}

fn send(
    w: &mut TcpStream,
    status: &str,
    ctype: &str,
    extra: &[(String, String)],
    body: &[u8],
    close: bool,
) -> io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in extra {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str(if close {
        "connection: close\r\n\r\n"
    } else {
        "connection: keep-alive\r\n\r\n"
    });
    w.write_all(head.as_bytes())?;
    w.write_all(body)?;
    w.flush()
}

// ---------------------------------------------------------------------------------------------
// The Responses endpoint.

const SHELL_TOOLS: &[&str] = &["exec_command", "shell_command", "shell", "container.exec"];

fn tool_names(req: &Json) -> Vec<String> {
    req.get("tools")
        .map(Json::arr)
        .unwrap_or_default()
        .iter()
        .map(|t| {
            let ty = t.get("type").and_then(Json::str).unwrap_or("");
            let name = t.get("name").and_then(Json::str).unwrap_or("");
            if name.is_empty() {
                ty.to_string()
            } else {
                name.to_string()
            }
        })
        .collect()
}

/// Every function tool in the request as (namespace, name): Codex lists MCP tools under a
/// `namespace` tool (`mcp__<server>`), and a call of one names both.
fn namespaced_tools(req: &Json) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    for tool in req.get("tools").map(Json::arr).unwrap_or_default() {
        let name = tool.get("name").and_then(Json::str).unwrap_or("");
        if tool.get("type").and_then(Json::str) == Some("namespace") {
            for inner in tool.get("tools").map(Json::arr).unwrap_or_default() {
                if let Some(n) = inner.get("name").and_then(Json::str) {
                    out.push((Some(name.to_string()), n.to_string()));
                }
            }
        } else if !name.is_empty() {
            out.push((None, name.to_string()));
        }
    }
    out
}

/// The word after `marker` in `text` (up to whitespace).
fn marked<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let at = text.find(marker)? + marker.len();
    text[at..].split_whitespace().next()
}

/// The text of every user message and tool output in the request, in order.
fn input_texts(req: &Json) -> (String, String) {
    let mut user = String::new();
    let mut outputs = String::new();
    for it in req.get("input").map(Json::arr).unwrap_or_default() {
        let ty = it.get("type").and_then(Json::str).unwrap_or("message");
        let role = it.get("role").and_then(Json::str).unwrap_or("");
        if ty == "message" && role == "user" {
            user.push_str(&content_text(it));
            user.push('\n');
        } else if ty.ends_with("_output") {
            match it.get("output") {
                Some(Json::Str(s)) => outputs.push_str(s),
                Some(other) => outputs.push_str(&to_json(other)),
                None => {}
            }
            outputs.push('\n');
        }
    }
    (user, outputs)
}

fn content_text(item: &Json) -> String {
    match item.get("content") {
        Some(Json::Str(s)) => s.clone(),
        Some(Json::Arr(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Json::str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

enum Trailing {
    ToolOutput,
    User(String),
    Other,
}

fn trailing_input(req: &Json) -> Trailing {
    let items = req.get("input").map(Json::arr).unwrap_or_default();
    let Some(last) = items.last() else {
        return Trailing::Other;
    };
    let ty = last.get("type").and_then(Json::str).unwrap_or("message");
    if ty.ends_with("_output") {
        return Trailing::ToolOutput;
    }
    let mut texts = Vec::new();
    for it in items.iter().rev() {
        let ty = it.get("type").and_then(Json::str).unwrap_or("message");
        let role = it.get("role").and_then(Json::str).unwrap_or("");
        if ty == "message" && role == "user" {
            texts.push(content_text(it));
        } else {
            break;
        }
    }
    if texts.is_empty() {
        Trailing::Other
    } else {
        texts.reverse();
        Trailing::User(texts.join("\n"))
    }
}

fn has_history(req: &Json) -> bool {
    req.get("input")
        .map(Json::arr)
        .unwrap_or_default()
        .iter()
        .any(|it| {
            let ty = it.get("type").and_then(Json::str).unwrap_or("");
            let role = it.get("role").and_then(Json::str).unwrap_or("");
            role == "assistant" || ty.ends_with("_output") || ty == "function_call"
        })
}

struct Usage {
    input: u64,
    cached: u64,
    output: u64,
    reasoning: u64,
}

/// Deterministic in (request size, response number, whether there is history), but different
/// from one response to the next.
fn usage_for(body_len: u64, n: u64, history: bool) -> Usage {
    let input = body_len / 4 + 100 + n * 7;
    let cached = if history {
        input * (40 + (n * 17) % 50) / 100 / 64 * 64
    } else if n.is_multiple_of(2) {
        input / 4 / 64 * 64
    } else {
        0
    };
    let output = 20 + (n * 37 + body_len) % 180;
    let reasoning = (n * 11) % (output / 2 + 1);
    Usage {
        input,
        cached,
        output,
        reasoning,
    }
}

fn thread_id_of(req: &Json, http: &Request) -> (String, &'static str) {
    if let Some(t) = req
        .get("client_metadata")
        .and_then(|m| m.get("thread_id"))
        .and_then(Json::str)
        && !t.is_empty()
    {
        return (t.to_string(), "client_metadata.thread_id");
    }
    if let Some(t) = req.get("prompt_cache_key").and_then(Json::str)
        && !t.is_empty()
    {
        return (t.to_string(), "prompt_cache_key");
    }
    for h in [
        "thread-id",
        "session_id",
        "session-id",
        "conversation_id",
        "conversation-id",
    ] {
        if let Some(v) = http.header(h)
            && !v.is_empty()
        {
            return (v.to_string(), "header");
        }
    }
    (String::new(), "none")
}

fn shell_call(tools: &[String], cmd: &str) -> Option<(String, String)> {
    let tool = SHELL_TOOLS.iter().find(|t| tools.iter().any(|n| n == *t))?;
    let args = match *tool {
        "exec_command" => jobj(vec![("cmd", jstr(cmd))]),
        "shell_command" => jobj(vec![("command", jstr(cmd))]),
        _ => jobj(vec![(
            "command",
            Json::Arr(vec![jstr("bash"), jstr("-lc"), jstr(cmd)]),
        )]),
    };
    Some(((*tool).to_string(), to_json(&args)))
}

fn sse(events: &[Json]) -> Vec<u8> {
    let mut out = String::new();
    for e in events {
        let ty = e.get("type").and_then(Json::str).unwrap_or("message");
        let _ = write!(out, "event: {ty}\ndata: {}\n\n", to_json(e));
    }
    out.into_bytes()
}

fn handle_responses(st: &State, http: &Request) -> (Vec<(String, String)>, Vec<u8>, String) {
    let parsed = parse_json(&http.body);
    let req = parsed.as_ref().ok().cloned().unwrap_or(Json::Null);
    let n = st.counter.fetch_add(1, Ordering::SeqCst) + 1;
    let model = req
        .get("model")
        .and_then(Json::str)
        .unwrap_or("")
        .to_string();
    let tools = tool_names(&req);
    let (thread_id, tid_src) = thread_id_of(&req, http);
    let response_id = format!("resp_standin_{n:04}");
    let history = has_history(&req);
    // Newer Codex sends x-codex-turn-metadata (header and client_metadata): its thread_source
    // tells user turns from background requests (e.g. "thread_title"), which have no rollout.
    let turn_meta = http
        .header("x-codex-turn-metadata")
        .map(str::to_string)
        .or_else(|| {
            req.get("client_metadata")
                .and_then(|m| m.get("x-codex-turn-metadata"))
                .and_then(Json::str)
                .map(str::to_string)
        })
        .and_then(|s| parse_json(s.as_bytes()).ok());
    let meta_str = |k: &str| {
        turn_meta
            .as_ref()
            .and_then(|m| m.get(k))
            .and_then(Json::str)
            .map_or(Json::Null, jstr)
    };
    let thread_source = meta_str("thread_source");
    let request_kind = meta_str("request_kind");

    let mut mcp_expect_found = Json::Null;
    let mut mcp_tool_output = Json::Null;
    let mcp_tool = namespaced_tools(&req)
        .into_iter()
        .find(|(_, n)| n.contains("search_sessions"));
    let (item, kind, words) = match trailing_input(&req) {
        Trailing::User(text) if text.contains("MCP_SEARCH:") && mcp_tool.is_some() => {
            let (namespace, name) = mcp_tool.unwrap_or_default();
            let word = marked(&text, "MCP_SEARCH:").unwrap_or("");
            let args = jobj(vec![
                ("query", jstr(word)),
                ("include_non_interactive", Json::Bool(true)),
            ]);
            let mut call = vec![
                ("type", jstr("function_call")),
                ("id", jstr(&format!("fc_standin_{n:04}"))),
                ("status", jstr("completed")),
                ("call_id", jstr(&format!("call_standin_{n:04}"))),
                ("name", jstr(&name)),
                ("arguments", jstr(&to_json(&args))),
            ];
            if let Some(ns) = &namespace {
                call.push(("namespace", jstr(ns)));
            }
            let label = namespace.map_or_else(|| name.clone(), |ns| format!("{ns}.{name}"));
            (jobj(call), format!("function_call:{label}"), Vec::new())
        }
        Trailing::ToolOutput => {
            let (user, outputs) = input_texts(&req);
            if user.contains("MCP_SEARCH:") {
                mcp_tool_output = jstr(&outputs.chars().take(4000).collect::<String>());
                if let Some(expect) = marked(&user, "EXPECT:") {
                    mcp_expect_found = Json::Bool(outputs.contains(expect));
                }
            }
            let (item, words) = assistant_item(n);
            (item, "message(after-tool)".to_string(), words)
        }
        Trailing::User(text) if text.contains("RUN_TOOL:") => {
            let t = st.tool_counter.fetch_add(1, Ordering::SeqCst) + 1;
            let word = pick_word(TOOL_WORDS, t);
            let cmd = format!("echo toolword-{t} {word}");
            if let Some((name, args)) = shell_call(&tools, &cmd) {
                (
                    jobj(vec![
                        ("type", jstr("function_call")),
                        ("id", jstr(&format!("fc_standin_{n:04}"))),
                        ("status", jstr("completed")),
                        ("call_id", jstr(&format!("call_standin_{n:04}"))),
                        ("name", jstr(&name)),
                        ("arguments", jstr(&args)),
                    ]),
                    format!("function_call:{name}"),
                    vec![format!("toolword-{t}"), word],
                )
            } else {
                let (item, words) = assistant_item(n);
                (item, "message(no-shell-tool)".to_string(), words)
            }
        }
        _ => {
            let (item, words) = assistant_item(n);
            (item, "message".to_string(), words)
        }
    };

    let u = usage_for(http.body.len() as u64, n, history);
    let total = u.input + u.output;
    let usage = jobj(vec![
        ("input_tokens", jnum(u.input)),
        (
            "input_tokens_details",
            jobj(vec![("cached_tokens", jnum(u.cached))]),
        ),
        ("output_tokens", jnum(u.output)),
        (
            "output_tokens_details",
            jobj(vec![("reasoning_tokens", jnum(u.reasoning))]),
        ),
        ("total_tokens", jnum(total)),
    ]);
    let created = jobj(vec![
        ("type", jstr("response.created")),
        (
            "response",
            jobj(vec![
                ("id", jstr(&response_id)),
                ("object", jstr("response")),
                ("status", jstr("in_progress")),
                ("model", jstr(&model)),
            ]),
        ),
    ]);
    let done = jobj(vec![
        ("type", jstr("response.output_item.done")),
        ("output_index", jnum(0)),
        ("item", item),
    ]);
    let completed = jobj(vec![
        ("type", jstr("response.completed")),
        (
            "response",
            jobj(vec![
                ("id", jstr(&response_id)),
                ("object", jstr("response")),
                ("status", jstr("completed")),
                ("model", jstr(&model)),
                ("usage", usage),
            ]),
        ),
    ]);
    let body = sse(&[created, done, completed]);

    let now = now_secs();
    let p_after = 18_000 - (n * 977) % 18_000;
    let s_after = 604_800 - (n * 7_919) % 604_800;
    let headers = vec![
        (
            "x-codex-primary-used-percent".into(),
            format!("{}.0", 3 + (n * 7) % 60),
        ),
        ("x-codex-primary-window-minutes".into(), "300".into()),
        (
            "x-codex-primary-reset-at".into(),
            (now + p_after).to_string(),
        ),
        (
            "x-codex-primary-reset-after-seconds".into(),
            p_after.to_string(),
        ),
        (
            "x-codex-secondary-used-percent".into(),
            format!("{}.0", 1 + (n * 3) % 60),
        ),
        ("x-codex-secondary-window-minutes".into(), "10080".into()),
        (
            "x-codex-secondary-reset-at".into(),
            (now + s_after).to_string(),
        ),
        (
            "x-codex-secondary-reset-after-seconds".into(),
            s_after.to_string(),
        ),
        ("x-request-id".into(), format!("req_standin_{n:04}")),
        ("cache-control".into(), "no-cache".into()),
    ];

    let ledger = jobj(vec![
        ("thread_id", jstr(&thread_id)),
        ("model", jstr(&model)),
        ("response_id", jstr(&response_id)),
        ("input_tokens", jnum(u.input)),
        ("cached_input_tokens", jnum(u.cached)),
        ("output_tokens", jnum(u.output)),
        ("reasoning_output_tokens", jnum(u.reasoning)),
        ("total_tokens", jnum(total)),
        ("time", jstr(&rfc3339_now())),
        ("kind", jstr(&kind)),
        ("words", Json::Arr(words.iter().map(|w| jstr(w)).collect())),
        ("thread_id_source", jstr(tid_src)),
        ("thread_source", thread_source),
        ("request_kind", request_kind),
    ]);
    // The MCP check's fields appear only on the follow-up of an MCP_SEARCH call.
    let ledger = match (ledger, &mcp_tool_output) {
        (Json::Obj(mut kv), Json::Str(_)) => {
            kv.push(("mcp_expect_found".into(), mcp_expect_found));
            kv.push(("mcp_tool_output".into(), mcp_tool_output));
            Json::Obj(kv)
        }
        (ledger, _) => ledger,
    };
    State::write_line(st.ledger.as_ref(), &to_json(&ledger));

    let summary = match &parsed {
        Ok(r) => {
            let items = r.get("input").map(Json::arr).unwrap_or_default();
            let kinds: Vec<Json> = items
                .iter()
                .map(|it| {
                    let ty = it.get("type").and_then(Json::str).unwrap_or("?");
                    let role = it.get("role").and_then(Json::str).unwrap_or("");
                    jstr(&if role.is_empty() {
                        ty.to_string()
                    } else {
                        format!("{ty}:{role}")
                    })
                })
                .collect();
            jobj(vec![
                (
                    "keys",
                    Json::Arr(r.keys().iter().map(|k| jstr(k)).collect()),
                ),
                ("tools", Json::Arr(tools.iter().map(|t| jstr(t)).collect())),
                ("input", Json::Arr(kinds)),
                (
                    "client_metadata",
                    r.get("client_metadata").cloned().unwrap_or(Json::Null),
                ),
                (
                    "prompt_cache_key",
                    r.get("prompt_cache_key").cloned().unwrap_or(Json::Null),
                ),
                ("stream", r.get("stream").cloned().unwrap_or(Json::Null)),
                ("reply", jstr(&kind)),
                ("response_id", jstr(&response_id)),
            ])
        }
        Err(e) => jobj(vec![("parse_error", jstr(e))]),
    };
    (headers, body, to_json(&summary))
}

fn assistant_item(n: u64) -> (Json, Vec<String>) {
    let word = pick_word(ASSISTANT_WORDS, n);
    let sentence = SENTENCES[((n - 1) % SENTENCES.len() as u64) as usize];
    let text = format!("{sentence}: {word} assistantword-{n}.");
    let item = jobj(vec![
        ("type", jstr("message")),
        ("id", jstr(&format!("msg_standin_{n:04}"))),
        ("status", jstr("completed")),
        ("role", jstr("assistant")),
        (
            "content",
            Json::Arr(vec![jobj(vec![
                ("type", jstr("output_text")),
                ("text", jstr(&text)),
                ("annotations", Json::Arr(Vec::new())),
            ])]),
        ),
    ]);
    (item, vec![word, format!("assistantword-{n}")])
}

fn serve(st: &Arc<State>, stream: TcpStream) -> io::Result<()> {
    let conn = st.conn_counter.fetch_add(1, Ordering::SeqCst) + 1;
    stream.set_read_timeout(Some(Duration::from_secs(600)))?;
    let mut w = stream.try_clone()?;
    let mut r = BufReader::new(stream);
    while let Some(req) = read_request(&mut r)? {
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let path = req.path.split('?').next().unwrap_or("").to_string();
        let mut log_hdrs: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in &req.headers {
            let lk = k.to_ascii_lowercase();
            let v = if lk == "authorization" || lk.contains("cookie") || lk.contains("token") {
                "<redacted>".to_string()
            } else {
                v.clone()
            };
            log_hdrs.insert(lk, v);
        }
        let mut summary = String::from("null");
        if req.method == "POST" && path.ends_with("/responses") {
            let (headers, body, s) = handle_responses(st, &req);
            summary = s;
            send(
                &mut w,
                "200 OK",
                "text/event-stream",
                &headers,
                &body,
                close,
            )?;
        } else if req.method == "GET" && path.ends_with("/models") {
            let body = br#"{"object":"list","data":[],"models":[]}"#;
            send(&mut w, "200 OK", "application/json", &[], body, close)?;
        } else {
            let body =
                br#"{"error":{"message":"not served by rolldex-standin","type":"not_found"}}"#;
            send(
                &mut w,
                "404 Not Found",
                "application/json",
                &[],
                body,
                close,
            )?;
        }
        if let Some(dir) = &st.dump_dir {
            let n = st.counter.load(Ordering::SeqCst);
            let name = format!("{conn:03}-{n:04}-{}.body", req.method);
            let _ = std::fs::write(dir.join(name), &req.body);
        }
        let log = format!(
            "{{\"time\":{},\"conn\":{conn},\"method\":{},\"path\":{},\"headers\":{},\"body_len\":{},\"summary\":{summary}}}",
            esc(&rfc3339_now()),
            esc(&req.method),
            esc(&req.path),
            to_json(&Json::Obj(
                log_hdrs
                    .into_iter()
                    .map(|(k, v)| (k, Json::Str(v)))
                    .collect()
            )),
            req.body.len(),
        );
        State::write_line(st.log.as_ref(), &log);
        if close {
            break;
        }
    }
    Ok(())
}

fn open_append(p: &str) -> io::Result<Mutex<File>> {
    Ok(Mutex::new(
        OpenOptions::new().create(true).append(true).open(p)?,
    ))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut port: u16 = 0;
    let mut port_file: Option<String> = None;
    let mut ledger: Option<String> = None;
    let mut log: Option<String> = None;
    let mut dump_dir: Option<PathBuf> = None;
    let mut max_seconds: Option<u64> = None;
    let mut watch_stdin = true;
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| die(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--port" => port = val().parse().unwrap_or_else(|_| die("bad --port")),
            "--port-file" => port_file = Some(val()),
            "--ledger" => ledger = Some(val()),
            "--log" => log = Some(val()),
            "--dump-dir" => dump_dir = Some(PathBuf::from(val())),
            "--max-seconds" => {
                max_seconds = Some(val().parse().unwrap_or_else(|_| die("bad --max-seconds")));
            }
            "--no-stdin" => watch_stdin = false,
            "-h" | "--help" => {
                println!(
                    "rolldex-standin [--port N] [--port-file F] [--ledger F] [--log F] [--dump-dir D] [--max-seconds S] [--no-stdin]"
                );
                return;
            }
            other => die(&format!("unknown argument {other}")),
        }
    }
    let listener =
        TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| die(&format!("bind: {e}")));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    if let Some(dir) = &dump_dir {
        let _ = std::fs::create_dir_all(dir);
    }
    let st = Arc::new(State {
        counter: AtomicU64::new(0),
        tool_counter: AtomicU64::new(0),
        conn_counter: AtomicU64::new(0),
        ledger: ledger
            .as_deref()
            .map(|p| open_append(p).unwrap_or_else(|e| die(&format!("{p}: {e}")))),
        log: log
            .as_deref()
            .map(|p| open_append(p).unwrap_or_else(|e| die(&format!("{p}: {e}")))),
        dump_dir,
    });
    println!("{port}");
    let _ = io::stdout().flush();
    if let Some(pf) = &port_file {
        let tmp = format!("{pf}.tmp");
        if std::fs::write(&tmp, format!("{port}\n"))
            .and_then(|()| std::fs::rename(&tmp, pf))
            .is_err()
        {
            die(&format!("cannot write {pf}"));
        }
    }
    if watch_stdin {
        std::thread::spawn(|| {
            let mut sink = [0u8; 256];
            let mut stdin = io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            std::process::exit(0);
        });
    }
    if let Some(s) = max_seconds {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(s));
            eprintln!("rolldex-standin: --max-seconds {s} reached, exiting");
            std::process::exit(0);
        });
    }
    for conn in listener.incoming() {
        let Ok(stream) = conn else { continue };
        let st = Arc::clone(&st);
        std::thread::spawn(move || {
            if let Err(e) = serve(&st, stream)
                && e.kind() != io::ErrorKind::UnexpectedEof
                && e.kind() != io::ErrorKind::ConnectionReset
            {
                eprintln!("rolldex-standin: connection error: {e}");
            }
        });
    }
}

fn die(msg: &str) -> ! {
    eprintln!("rolldex-standin: {msg}");
    std::process::exit(2);
}
