//! What the human actually typed: strips the context Codex injects into user messages and
//! picks a session title that says something.
//!
//! Codex prepends `<environment_context>`, AGENTS.md blocks, `<user_instructions>` and (VS Code)
//! a "Context from my IDE setup" preamble ending in `## My request for Codex:`. A title made of
//! those, or of a bare "hi", tells the user nothing.

use serde::{Deserialize, Serialize};

/// The marker after which VS Code's user text starts.
const REQUEST_MARKER: &str = "## My request for Codex:";

/// Tags whose whole block is injected context, never typed by the user.
const INJECTED_TAGS: &[&str] = &[
    "environment_context",
    "user_instructions",
    "INSTRUCTIONS",
    "turn_aborted",
    "user_shell_command",
    "subagent_notification",
    "collaboration_mode",
    "permissions instructions",
];

/// Headings that open a message made only of injected instructions.
const INJECTED_HEADINGS: &[&str] = &["# AGENTS.md instructions", "# Instructions from AGENTS.md"];

/// Longest title kept, in characters.
const TITLE_CHARS: usize = 120;

/// Strips injected context from a user message; returns what is left, trimmed.
pub fn strip_injected(text: &str) -> String {
    let mut text = match text.rfind(REQUEST_MARKER) {
        Some(at) => text[at + REQUEST_MARKER.len()..].to_owned(),
        None => text.to_owned(),
    };
    for tag in INJECTED_TAGS {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        while let Some(start) = text.find(&open) {
            let Some(rel_end) = text[start..].find(&close) else {
                text.truncate(start);
                break;
            };
            text.replace_range(start..start + rel_end + close.len(), "");
        }
    }
    let trimmed = text.trim();
    if INJECTED_HEADINGS.iter().any(|h| trimmed.starts_with(h)) {
        return String::new();
    }
    trimmed.to_owned()
}

/// True for messages too trivial to name a session ("hi", "test", "continue", …).
pub fn is_trivial(text: &str) -> bool {
    let word: String = text
        .trim()
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_lowercase();
    word.chars().count() < 3
        || matches!(
            word.as_str(),
            "hi" | "hey"
                | "hello"
                | "hello there"
                | "hi there"
                | "yo"
                | "test"
                | "testing"
                | "ping"
                | "ok"
                | "okay"
                | "thanks"
                | "thank you"
                | "continue"
                | "go on"
                | "go"
                | "yes"
                | "no"
                | "hola"
                | "sup"
        )
}

/// Collapses whitespace and shortens to a one-line title.
pub fn one_line(text: &str) -> String {
    let mut out = String::new();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        if out.chars().count() > TITLE_CHARS {
            break;
        }
    }
    if out.chars().count() > TITLE_CHARS {
        let mut cut: String = out.chars().take(TITLE_CHARS - 1).collect();
        cut.push('…');
        return cut;
    }
    out
}

/// Picks a session title from the user messages in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitlePicker {
    first: Option<String>,
    best: Option<String>,
}

impl TitlePicker {
    /// Offers one user message (already stripped of injected context).
    pub fn offer(&mut self, stripped: &str) {
        if stripped.is_empty() || self.best.is_some() {
            return;
        }
        if self.first.is_none() {
            self.first = Some(one_line(stripped));
        }
        if !is_trivial(stripped) {
            self.best = Some(one_line(stripped));
        }
    }

    /// The first non-trivial message, else the first message.
    pub fn title(&self) -> Option<&str> {
        self.best.as_deref().or(self.first.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_environment_and_ide_preamble() {
        let msg = "# Context from my IDE setup:\n\n## Open tabs:\n- a.rs\n\n## My request for Codex:\nfix the parser";
        assert_eq!(strip_injected(msg), "fix the parser");
        let env = "<environment_context>\n  <cwd>/x</cwd>\n</environment_context>";
        assert_eq!(strip_injected(env), "");
        assert_eq!(
            strip_injected(
                "# AGENTS.md instructions for /x\n\n<INSTRUCTIONS>be nice</INSTRUCTIONS>"
            ),
            ""
        );
        assert_eq!(
            strip_injected("<user_instructions>x</user_instructions>\nreal ask"),
            "real ask"
        );
    }

    #[test]
    fn skips_greetings_when_later_message_says_more() {
        let mut picker = TitlePicker::default();
        picker.offer("hi");
        assert_eq!(picker.title(), Some("hi"));
        picker.offer("refactor the jwt refresh flow");
        picker.offer("and then the tests");
        assert_eq!(picker.title(), Some("refactor the jwt refresh flow"));
    }

    #[test]
    fn titles_are_one_bounded_line() {
        let long = "word ".repeat(100);
        let t = one_line(&long);
        assert_eq!(t.chars().count(), TITLE_CHARS);
        assert!(!t.contains('\n'));
    }
}
