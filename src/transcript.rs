//! Transcript resolution, the use case behind `show` (and any front end that opens a session):
//! which session the user means (an id, a unique id prefix or a thread name), its whole
//! conversation in order — with the history it inherits by reference (`history_base`, Codex ≥
//! 0.153 paginated forks and reverts) read from the base files first — and the turns that
//! mention a word.
//!
//! Plain request and result types; nothing here prints.

use std::io::Read;
use std::path::Path;

use crate::model::{Message, Role, SessionInfo};
use crate::parse::{Depth, FileState, Parsed, parse_path};

/// How deep a chain of inherited histories is followed (Codex bounds its own at a similar depth).
const MAX_DEPTH: usize = 16;

/// Finds the session `id` names: exact id, unique id prefix, or thread name. On failure,
/// returns the candidates (empty when nothing matched).
pub fn resolve<'a>(
    sessions: &[&'a SessionInfo],
    id: &str,
) -> std::result::Result<&'a SessionInfo, Vec<&'a SessionInfo>> {
    let wanted = id.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return Err(Vec::new());
    }
    if let Some(exact) = sessions.iter().copied().find(|s| s.id == wanted) {
        return Ok(exact);
    }
    let by_prefix: Vec<&SessionInfo> = sessions
        .iter()
        .copied()
        .filter(|s| s.id.starts_with(&wanted))
        .collect();
    if by_prefix.len() == 1 {
        return Ok(by_prefix[0]);
    }
    if by_prefix.len() > 1 {
        return Err(by_prefix);
    }
    let by_name: Vec<&SessionInfo> = sessions
        .iter()
        .copied()
        .filter(|s| {
            s.thread_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(id.trim()))
        })
        .collect();
    match by_name.len() {
        1 => Ok(by_name[0]),
        0 => Err(sessions
            .iter()
            .copied()
            .filter(|s| {
                s.display_name()
                    .is_some_and(|n| n.to_lowercase().contains(&id.trim().to_lowercase()))
            })
            .collect()),
        _ => Err(by_name),
    }
}

/// The turns (a user message and everything up to the next one) that mention `word`.
pub fn matching_turns<'a>(messages: &[&'a Message], word: &str) -> Vec<&'a Message> {
    let needle = word.to_lowercase();
    let mut out = Vec::new();
    let mut turn: Vec<&Message> = Vec::new();
    let mut flush = |turn: &mut Vec<&'a Message>| {
        if turn.iter().any(|m| m.text.to_lowercase().contains(&needle)) {
            out.append(turn);
        }
        turn.clear();
    };
    for message in messages {
        if message.role == Role::User {
            flush(&mut turn);
        }
        turn.push(message);
    }
    flush(&mut turn);
    out
}

/// History a session inherits by reference, read from its base file.
#[derive(Debug, Default)]
pub struct Inherited {
    /// The rollout (thread) id the history comes from.
    pub from: String,
    /// Its messages up to the inheritance point, in order.
    pub messages: Vec<Message>,
}

/// A session's conversation.
#[derive(Debug, Default)]
pub struct Transcript {
    /// Inherited histories, oldest ancestor first.
    pub inherited: Vec<Inherited>,
    /// The session's own messages.
    pub messages: Vec<Message>,
    /// The base rollout that could not be found or read (archived elsewhere, deleted), if any:
    /// the inherited part is then incomplete, never an error.
    pub missing_base: Option<String>,
    /// The session's own file could not be read.
    pub unreadable: bool,
}

/// Reads `session`'s conversation. `files` lists every known rollout as (path, session id),
/// where base files are looked up.
pub fn read(session: &SessionInfo, files: &[(&str, &str)]) -> Transcript {
    let (state, parsed) = parse_path(
        Path::new(&session.path),
        session.archived,
        Depth::Full,
        &mut Vec::new(),
    );
    let mut transcript = Transcript {
        messages: parsed.messages,
        unreadable: parsed.report.unreadable > 0,
        ..Transcript::default()
    };
    let mut base = state.session.history_base.clone();
    let mut seen = vec![session.path.clone()];
    while let Some(position) = base.take() {
        if transcript.inherited.len() >= MAX_DEPTH {
            break;
        }
        let Some(path) = base_file(&position.rollout_id, files, &seen) else {
            transcript.missing_base = Some(position.rollout_id);
            break;
        };
        let Some((state, parsed)) = read_prefix(path, position.end_byte_offset) else {
            transcript.missing_base = Some(position.rollout_id);
            break;
        };
        seen.push(path.to_owned());
        transcript.inherited.insert(
            0,
            Inherited {
                from: position.rollout_id,
                messages: parsed.messages,
            },
        );
        base = state.session.history_base;
    }
    transcript
}

/// The file holding rollout `id`: one whose name ends in that id (`…-<id>.jsonl` or a revert
/// file's `…_<id>.jsonl`, compressed or not), else one whose session is `id`; never a file
/// already on the chain.
fn base_file<'a>(id: &str, files: &[(&'a str, &str)], seen: &[String]) -> Option<&'a str> {
    let fresh = |path: &&str| !seen.iter().any(|s| s == path);
    let named = |path: &str| {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let stem = name.strip_suffix(".zst").unwrap_or(name);
        stem.strip_suffix(".jsonl")
            .is_some_and(|s| s.ends_with(id) && s.len() > id.len())
    };
    files
        .iter()
        .map(|(path, _)| *path)
        .filter(fresh)
        .find(|path| named(path))
        .or_else(|| {
            files
                .iter()
                .filter(|(path, sid)| *sid == id && fresh(path))
                .map(|(path, _)| *path)
                .next()
        })
}

/// Parses the first `limit` decoded bytes of `path` (all of it when `None`).
fn read_prefix(path: &str, limit: Option<u64>) -> Option<(FileState, Parsed)> {
    let file = std::fs::File::open(path).ok()?;
    let limit = limit.unwrap_or(u64::MAX);
    let mut bytes = Vec::new();
    if crate::scan::is_compressed(Path::new(path)) {
        zstd::stream::read::Decoder::new(file)
            .ok()?
            .take(limit)
            .read_to_end(&mut bytes)
            .ok()?;
    } else {
        file.take(limit).read_to_end(&mut bytes).ok()?;
    }
    let mut state = FileState::new(Path::new(path), false);
    let mut parsed = Parsed::default();
    state.feed(&bytes, Depth::Full, &mut parsed, &mut Vec::new());
    Some((state, parsed))
}
