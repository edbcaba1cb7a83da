//! The few facts of a session that listings, filters and reports look at for every session.
//!
//! A query that lists, filters or sums over all sessions needs a handful of fields per
//! session; showing one needs all of them. The index keeps these keys decoded and the whole
//! [`SessionInfo`] encoded until it is asked for, so a query over 10,000 sessions does not
//! build 10,000 titles, git facts and paths it never shows. [`SessionFacts`] lets the code that
//! filters and sums take either.
//!
//! Most sessions share their directories, client and models with many others, so those are
//! reference-counted: the catalog stores each distinct text once, and loading 10,000 sessions'
//! keys takes a few hundred strings rather than 60,000.

use std::sync::Arc;

use crate::model::{PATH_ID_PREFIX, SessionInfo, path_is_under};

/// What every listing, filter, ranking and report reads of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SessionKeys {
    /// Thread id ([`SessionInfo::id`]).
    pub id: String,
    /// Session creation time (ms).
    pub started_at_ms: Option<i64>,
    /// Last line's time (ms).
    pub updated_at_ms: Option<i64>,
    /// False for `codex exec`, app-server, sub-agent and internal sessions.
    pub interactive: bool,
    /// Lives in `archived_sessions/`.
    pub archived: bool,
    /// Working directory at creation.
    pub cwd: Option<Arc<str>>,
    /// Working directory of the latest turn, when it differs.
    pub latest_cwd: Option<Arc<str>>,
    /// The client that wrote the session.
    pub originator: Option<Arc<str>>,
    /// Git remote URL at creation (projects are grouped by it).
    pub git_repository_url: Option<Arc<str>>,
    /// Workspace root newer Codex versions record (a project when there is no repository).
    pub workspace_root: Option<Arc<str>>,
    /// Models in the order they were first used.
    pub models: Arc<[String]>,
    /// Thread name in force.
    pub thread_name: Option<String>,
}

impl From<&SessionInfo> for SessionKeys {
    fn from(info: &SessionInfo) -> SessionKeys {
        SessionKeys {
            id: info.id.clone(),
            started_at_ms: info.started_at_ms,
            updated_at_ms: info.updated_at_ms,
            interactive: info.interactive,
            archived: info.archived,
            cwd: info.cwd.as_deref().map(Arc::from),
            latest_cwd: info.latest_cwd.as_deref().map(Arc::from),
            originator: info.originator.as_deref().map(Arc::from),
            git_repository_url: info.git_repository_url.as_deref().map(Arc::from),
            workspace_root: info.workspace_root.as_deref().map(Arc::from),
            models: Arc::from(info.models.as_slice()),
            thread_name: info.thread_name.clone(),
        }
    }
}

impl SessionKeys {
    /// The facts these keys hold, the others left empty: what a damaged encoded session
    /// falls back to rather than failing a query.
    pub fn to_info(&self) -> SessionInfo {
        SessionInfo {
            id: self.id.clone(),
            started_at_ms: self.started_at_ms,
            updated_at_ms: self.updated_at_ms,
            interactive: self.interactive,
            archived: self.archived,
            cwd: self.cwd.as_deref().map(str::to_owned),
            latest_cwd: self.latest_cwd.as_deref().map(str::to_owned),
            originator: self.originator.as_deref().map(str::to_owned),
            git_repository_url: self.git_repository_url.as_deref().map(str::to_owned),
            workspace_root: self.workspace_root.as_deref().map(str::to_owned),
            models: self.models.to_vec(),
            thread_name: self.thread_name.clone(),
            ..SessionInfo::default()
        }
    }

    /// True when the id was made up from the file path (the file names no session).
    pub fn id_is_derived(&self) -> bool {
        self.id.starts_with(PATH_ID_PREFIX)
    }
}

/// The facts filters and reports read, from either a whole [`SessionInfo`] or its
/// [`SessionKeys`].
pub trait SessionFacts {
    /// Thread id.
    fn id(&self) -> &str;
    /// Working directory at creation.
    fn cwd(&self) -> Option<&str>;
    /// Working directory of the latest turn.
    fn latest_cwd(&self) -> Option<&str>;
    /// The writing client.
    fn originator(&self) -> Option<&str>;
    /// Git remote URL.
    fn git_repository_url(&self) -> Option<&str>;
    /// Workspace root.
    fn workspace_root(&self) -> Option<&str>;
    /// Interactive session.
    fn interactive(&self) -> bool;
    /// Models used.
    fn models(&self) -> &[String];
    /// Last activity (ms).
    fn updated_at_ms(&self) -> Option<i64>;

    /// True when the session's cwd (creation or latest) is `dir` or below it.
    fn is_under(&self, dir: &str) -> bool {
        [self.cwd(), self.latest_cwd()]
            .into_iter()
            .flatten()
            .any(|cwd| path_is_under(cwd, dir))
    }
}

macro_rules! facts {
    ($t:ty) => {
        impl SessionFacts for $t {
            fn id(&self) -> &str {
                &self.id
            }
            fn cwd(&self) -> Option<&str> {
                self.cwd.as_deref()
            }
            fn latest_cwd(&self) -> Option<&str> {
                self.latest_cwd.as_deref()
            }
            fn originator(&self) -> Option<&str> {
                self.originator.as_deref()
            }
            fn git_repository_url(&self) -> Option<&str> {
                self.git_repository_url.as_deref()
            }
            fn workspace_root(&self) -> Option<&str> {
                self.workspace_root.as_deref()
            }
            fn interactive(&self) -> bool {
                self.interactive
            }
            fn models(&self) -> &[String] {
                &self.models
            }
            fn updated_at_ms(&self) -> Option<i64> {
                self.updated_at_ms
            }
        }
    };
}

facts!(SessionInfo);
facts!(SessionKeys);
facts!(&SessionKeys);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_carry_what_filters_read() {
        let info = SessionInfo {
            id: "a".into(),
            cwd: Some("/w/p".into()),
            latest_cwd: Some("/x".into()),
            models: vec!["gpt-5".into()],
            title: Some("not a key".into()),
            ..SessionInfo::default()
        };
        let keys = SessionKeys::from(&info);
        assert!(keys.is_under("/w") && keys.is_under("/x") && !keys.is_under("/y"));
        assert_eq!(keys.is_under("/w"), info.is_under("/w"));
        let back = keys.to_info();
        assert_eq!(back.title, None);
        assert_eq!(SessionKeys::from(&back), keys);
    }
}
