//! The session's facts and conversation from the records that carry them: `session_meta`
//! becomes the session's identity, and user prompts and response items become turns and
//! messages (each prompt counted once, whichever kind of record a file writes it in).

use crate::model::{Message, Role};
use crate::parse::{Depth, FileState, Parsed, PromptSource, content, lines, title, wire};

impl FileState {
    pub(in crate::parse) fn apply_meta(&mut self, meta: &wire::SessionMeta<'_>) {
        self.has_meta = true;
        let session = &mut self.session;
        if let Some(id) = meta.id.as_deref().filter(|id| !id.is_empty()) {
            id.clone_into(&mut session.id);
        }
        session.started_at_ms = meta
            .timestamp
            .as_deref()
            .and_then(|t| lines::parse_timestamp_ms(t.as_bytes()));
        session.cwd = meta.cwd.as_deref().map(str::to_owned);
        session.originator = meta.originator.as_deref().map(str::to_owned);
        session.cli_version = meta.cli_version.as_deref().map(str::to_owned);
        session.model_provider = meta.model_provider.as_deref().map(str::to_owned);
        session.forked_from_id = meta.forked_from_id.as_deref().map(str::to_owned);
        session.source = meta.source.as_ref().map(content::source_name);
        session.thread_source = meta.thread_source.as_deref().map(str::to_owned);
        session.history_base = meta.history_base.as_ref().and_then(|b| {
            Some(crate::model::HistoryBase {
                rollout_id: b.thread_id.clone().filter(|t| !t.is_empty())?,
                end_byte_offset: b.end_byte_offset,
            })
        });
        session.agent_role = meta.agent_role.as_deref().map(str::to_owned);
        session.agent_nickname = meta.agent_nickname.as_deref().map(str::to_owned);
        if let Some(git) = &meta.git {
            session.git_branch = git.branch.as_deref().map(str::to_owned);
            session.git_repository_url = git.repository_url.as_deref().map(str::to_owned);
            session.git_commit = git.commit_hash.as_deref().map(str::to_owned);
        }
        session.interactive = content::is_interactive(
            session.source.as_deref(),
            session.originator.as_deref(),
            session.thread_source.as_deref(),
        );
    }

    /// True when the user's prompts in this file come from `source`: the first kind seen wins,
    /// so a prompt is never counted (or indexed) twice in a file that has both.
    pub(super) fn prompts_from(&mut self, source: PromptSource) -> bool {
        match self.prompts {
            PromptSource::Unknown => {
                self.prompts = source;
                true
            }
            seen => seen == source,
        }
    }

    pub(super) fn user_text(
        &mut self,
        text: &str,
        timestamp: Option<i64>,
        depth: Depth,
        out: &mut Parsed,
    ) {
        let stripped = title::strip_injected(text);
        if stripped.is_empty() {
            return;
        }
        self.session.turns += 1;
        self.titles.offer(&stripped);
        if depth != Depth::Usage {
            out.messages.push(Message {
                timestamp_ms: timestamp,
                role: Role::User,
                tool: None,
                text: stripped,
            });
        }
    }

    pub(in crate::parse) fn response_item(
        &mut self,
        item_type: &[u8],
        item: &wire::ResponseItem<'_>,
        timestamp: Option<i64>,
        legacy: bool,
        out: &mut Parsed,
    ) {
        if item_type == b"message" && item.role.as_deref() == Some("user") {
            // v2 files repeat the user's words in `user_message` events, without injected context.
            if legacy {
                let text = item
                    .content
                    .as_ref()
                    .map(content::content_text)
                    .unwrap_or_default();
                self.user_text(&text, timestamp, Depth::Index, out);
            }
            return;
        }
        if let Some(message) = content::message_of(item_type, item, timestamp) {
            out.messages.push(message);
        }
    }
}
