//! Why `codex resume` does not list a session: another model provider than the current one,
//! archived, or a non-interactive source — judged from the state DB row when there is one (what
//! the picker reads first), else from the rollout.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::rollout::FileFacts;
use super::state_db::{ThreadRow, source_from_db};
use super::{Hidden, HiddenGroup};

/// Sources the picker lists by default, and the ones `--include-non-interactive` adds.
const INTERACTIVE_SOURCES: &[&str] = &["cli", "vscode"];
const NON_INTERACTIVE_SOURCES: &[&str] = &["exec", "mcp", "appServer", "app_server"];

/// What `codex resume` would hide, from the state DB row when there is one (that is what the
/// picker reads first), else from the rollout's `session_meta` and folder.
pub(super) fn hidden_sessions(
    by_id: &BTreeMap<&str, Vec<&FileFacts>>,
    rows: Option<&HashMap<String, ThreadRow>>,
    current_provider: &str,
) -> Hidden {
    let mut providers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut archived = BTreeSet::new();
    let mut classify = |id: &str, provider: Option<String>, source: String, is_archived: bool| {
        // Codex lists a session that names no provider under any current provider (its
        // `ProviderMatcher` takes it for the default, which is the current one).
        if let Some(provider) = provider
            && provider != current_provider
        {
            providers.entry(provider).or_default().insert(id.to_owned());
        }
        if is_archived {
            archived.insert(id.to_owned());
        }
        if !INTERACTIVE_SOURCES.contains(&source.as_str()) {
            sources.entry(source).or_default().insert(id.to_owned());
        }
    };
    for (id, files) in by_id {
        let row = rows.and_then(|r| r.get(*id));
        let meta = files.iter().find(|f| f.meta_seen).or_else(|| files.first());
        let provider = row
            .and_then(|r| r.model_provider.clone())
            .filter(|p| !p.is_empty())
            .or_else(|| meta.and_then(|m| m.model_provider.clone()));
        let source = row
            .and_then(|r| r.source.as_deref())
            .map(source_from_db)
            .or_else(|| meta.and_then(|m| m.source.clone()))
            .unwrap_or_else(|| "unknown".to_owned());
        let is_archived = row.map_or_else(|| files.iter().all(|f| f.archived), |r| r.archived);
        classify(id, provider, source, is_archived);
    }
    let groups = |map: BTreeMap<String, BTreeSet<String>>, sources: bool| {
        map.into_iter()
            .map(|(name, ids)| HiddenGroup {
                shown_with_include_non_interactive: sources
                    .then(|| NON_INTERACTIVE_SOURCES.contains(&name.as_str())),
                name,
                sessions: ids.into_iter().collect(),
            })
            .collect()
    };
    Hidden {
        other_provider: groups(providers, false),
        archived: archived.into_iter().collect(),
        non_interactive: groups(sources, true),
    }
}
