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

/// A run of a conversation's messages, and where they come from.
#[derive(Debug, Default)]
pub struct Part {
    /// The rollout the messages are inherited from (history held by reference: a
    /// `history_base` or a `rollout_reference`); `None` for the session's own messages.
    pub inherited_from: Option<String>,
    /// The messages, in order.
    pub messages: Vec<Message>,
}

/// A session's conversation.
#[derive(Debug, Default)]
pub struct Transcript {
    /// Every message in order: inherited history where the session holds it, then (or
    /// around it) the session's own.
    pub parts: Vec<Part>,
    /// A referenced rollout that could not be found or read (archived elsewhere, deleted), if
    /// any: that part is then missing, never an error.
    pub missing_base: Option<String>,
    /// The session's own file could not be read.
    pub unreadable: bool,
}

impl Transcript {
    /// Every message in order, inherited ones included.
    pub fn into_messages(self) -> Vec<Message> {
        self.parts.into_iter().flat_map(|p| p.messages).collect()
    }

    /// The parts as (inherited from, messages), keeping with `grep` only the turns that
    /// mention it.
    pub fn views(&self, grep: Option<&str>) -> Vec<(Option<&str>, Vec<&Message>)> {
        self.parts
            .iter()
            .map(|part| {
                let all: Vec<&Message> = part.messages.iter().collect();
                let messages = match grep {
                    Some(word) => matching_turns(&all, word),
                    None => all,
                };
                (part.inherited_from.as_deref(), messages)
            })
            .collect()
    }
}

/// How much of a referenced rollout belongs to the referring one.
#[derive(Clone, Copy)]
enum Cut {
    /// The first bytes (`history_base.end_byte_offset`; `None`: all).
    Bytes(Option<u64>),
    /// The first user turns (`rollout_reference.nth_user_message`; `None`: all).
    UserTurns(Option<u64>),
}

/// Reads `session`'s conversation. `files` lists every known rollout as (path, session id),
/// where referenced rollouts are looked up.
pub fn read(session: &SessionInfo, files: &[(&str, &str)]) -> Transcript {
    let (state, parsed) = parse_path(
        Path::new(&session.path),
        session.archived,
        Depth::Full,
        &mut Vec::new(),
    );
    let mut transcript = Transcript {
        unreadable: parsed.report.unreadable > 0,
        ..Transcript::default()
    };
    let mut seen = vec![session.path.clone()];
    transcript.parts = expand(
        &state,
        parsed,
        None,
        files,
        &mut seen,
        0,
        &mut transcript.missing_base,
    );
    transcript
}

/// One rollout's parts: the history its `history_base` names, then its own messages with the
/// history each `rollout_reference` names spliced in where the line stands. `owner` marks the
/// messages (`None`: the session's own).
fn expand(
    state: &FileState,
    mut parsed: Parsed,
    owner: Option<&str>,
    files: &[(&str, &str)],
    seen: &mut Vec<String>,
    depth: usize,
    missing: &mut Option<String>,
) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut follow = |id: &str, path: Option<&str>, cut: Cut, parts: &mut Vec<Part>| {
        if depth >= MAX_DEPTH {
            return;
        }
        let path = path
            .filter(|p| Path::new(p).is_file() && !seen.iter().any(|s| s == p))
            .or_else(|| base_file(id, files, seen));
        let Some((state, parsed)) = path.and_then(|p| read_cut(p, cut)) else {
            *missing = Some(id.to_owned());
            return;
        };
        if let Some(p) = path {
            seen.push(p.to_owned());
        }
        parts.extend(expand(
            &state,
            parsed,
            Some(id),
            files,
            seen,
            depth + 1,
            missing,
        ));
    };
    if let Some(base) = &state.session.history_base {
        follow(
            &base.rollout_id,
            None,
            Cut::Bytes(base.end_byte_offset),
            &mut parts,
        );
    }
    let own = |messages: Vec<Message>| Part {
        inherited_from: owner.map(str::to_owned),
        messages,
    };
    // The own messages, cut where each reference stands (references are in line order).
    let mut rest = std::mem::take(&mut parsed.messages).into_iter();
    let mut taken = 0;
    for reference in &parsed.references {
        let n = reference.at.saturating_sub(taken);
        parts.push(own(rest.by_ref().take(n).collect()));
        taken += n;
        let id = reference
            .rollout_id
            .as_deref()
            .or(reference.thread_id.as_deref())
            .unwrap_or("");
        follow(
            id,
            reference.rollout_path.as_deref(),
            Cut::UserTurns(reference.nth_user_message),
            &mut parts,
        );
    }
    parts.push(own(rest.collect()));
    parts.retain(|p| !p.messages.is_empty());
    parts
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

/// Parses `path` as far as `cut` says (decoded bytes for `.jsonl.zst`).
fn read_cut(path: &str, cut: Cut) -> Option<(FileState, Parsed)> {
    let file = std::fs::File::open(path).ok()?;
    let limit = match cut {
        Cut::Bytes(Some(n)) => n,
        _ => u64::MAX,
    };
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
    if let Cut::UserTurns(Some(n)) = cut {
        // Up to (not including) its (n + 1)-th prompt; references past it go too.
        let mut users = 0u64;
        let end = parsed
            .messages
            .iter()
            .position(|m| {
                if m.role == Role::User {
                    users += 1;
                }
                users > n
            })
            .unwrap_or(parsed.messages.len());
        parsed.messages.truncate(end);
        parsed.references.retain(|r| r.at <= end);
    }
    Some((state, parsed))
}
