//! Turns decoded payloads into plain text: message content arrays, tool calls and outputs,
//! and the session source, which Codex writes as a string or a nested object.

use serde_json::Value;

use super::wire::ResponseItem;
use crate::model::{Message, Role};

/// Flattens `source`: `"cli"` → `cli`, `{"subagent":"review"}` → `subagent:review`,
/// `{"subagent":{"thread_spawn":{…}}}` → `subagent:thread_spawn`.
pub fn source_name(source: &Value) -> String {
    match source {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.iter().next() {
            Some((key, Value::String(inner))) => format!("{key}:{inner}"),
            Some((key, Value::Object(inner))) => match inner.iter().next() {
                Some((kind, Value::String(name))) if kind == "other" => format!("{key}:{name}"),
                Some((kind, _)) => format!("{key}:{kind}"),
                None => key.clone(),
            },
            Some((key, _)) => key.clone(),
            None => "unknown".to_owned(),
        },
        _ => "unknown".to_owned(),
    }
}

/// Interactive sessions are the ones a person typed into, as Codex's own picker decides: by the
/// source when there is one (not `exec`, not the app-server's `mcp`, not a sub-agent, not an
/// `internal` guardian or memory job), else by the client (`codex_exec` before 0.44 wrote no
/// source); and never a thread that exists for another reason than a person
/// (`thread_source` other than `user`: sub-agents, guardian reviews, memory consolidation).
pub fn is_interactive(
    source: Option<&str>,
    originator: Option<&str>,
    thread_source: Option<&str>,
) -> bool {
    let headless = match source {
        Some(s) => {
            s == "exec" || s == "mcp" || s.starts_with("subagent") || s.starts_with("internal")
        }
        None => originator.is_some_and(|o| o == "codex_exec"),
    };
    let background = thread_source.is_some_and(|t| t != "user");
    !(headless || background)
}

/// Joins the text parts of a message `content` array (or a plain string).
pub fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => {
            let texts: Vec<&str> = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect();
            texts.join("\n")
        }
        _ => String::new(),
    }
}

/// A tool output: a string (sometimes JSON `{"output": …}` inside), or content parts.
fn output_text(output: &Value) -> String {
    match output {
        Value::String(s) => {
            if s.starts_with("{\"output\":")
                && let Ok(Value::Object(inner)) = serde_json::from_str::<Value>(s)
                && let Some(text) = inner.get("output").and_then(Value::as_str)
            {
                return text.to_owned();
            }
            s.clone()
        }
        other => content_text(other),
    }
}

/// A function call's arguments as a command line when it is a shell call, else as written.
fn call_text(name: &str, arguments: &str) -> String {
    if let Ok(Value::Object(args)) = serde_json::from_str::<Value>(arguments) {
        match args.get("command").or_else(|| args.get("cmd")) {
            Some(Value::Array(argv)) => {
                let words: Vec<&str> = argv.iter().filter_map(Value::as_str).collect();
                // `["bash", "-lc", "<script>"]`: the script is what the user wants to see.
                if words.len() == 3 && words[1] == "-lc" {
                    return words[2].to_owned();
                }
                return words.join(" ");
            }
            Some(Value::String(command)) => return command.clone(),
            _ => {}
        }
        if let Some(Value::String(input)) = args.get("input") {
            return input.clone();
        }
    }
    if arguments.is_empty() {
        name.to_owned()
    } else {
        arguments.to_owned()
    }
}

/// True for the response item types [`message_of`] turns into text.
pub fn carries_text(item_type: &[u8]) -> bool {
    matches!(
        item_type,
        b"message"
            | b"reasoning"
            | b"function_call"
            | b"custom_tool_call"
            | b"function_call_output"
            | b"custom_tool_call_output"
            | b"local_shell_call"
            | b"web_search_call"
    )
}

/// The conversation message a response item carries, if it carries one worth keeping.
pub fn message_of(
    item_type: &[u8],
    item: &ResponseItem<'_>,
    timestamp_ms: Option<i64>,
) -> Option<Message> {
    let tool = item.name.as_deref().map(str::to_owned);
    let (role, text, tool) = match item_type {
        b"message" => {
            if item.role.as_deref() != Some("assistant") {
                return None;
            }
            (
                Role::Assistant,
                item.content.as_ref().map(content_text)?,
                None,
            )
        }
        b"reasoning" => {
            let parts: Vec<&str> = item
                .summary
                .iter()
                .flatten()
                .filter_map(|p| p.text.as_deref())
                .collect();
            (Role::Reasoning, parts.join("\n"), None)
        }
        b"function_call" => {
            let name = item.name.as_deref().unwrap_or("tool");
            (
                Role::ToolCall,
                call_text(name, item.arguments.as_deref().unwrap_or("")),
                tool,
            )
        }
        b"custom_tool_call" => (Role::ToolCall, item.input.as_deref()?.to_owned(), tool),
        b"function_call_output" | b"custom_tool_call_output" => {
            (Role::ToolOutput, output_text(item.output.as_ref()?), tool)
        }
        b"local_shell_call" => {
            let argv = item.action.as_ref()?.get("command")?.as_array()?;
            let words: Vec<&str> = argv.iter().filter_map(Value::as_str).collect();
            (
                Role::ToolCall,
                words.join(" "),
                Some("local_shell".to_owned()),
            )
        }
        b"web_search_call" => {
            let action = item.action.as_ref()?;
            let text = action
                .get("query")
                .or_else(|| action.get("url"))
                .and_then(Value::as_str)?;
            (
                Role::ToolCall,
                text.to_owned(),
                Some("web_search".to_owned()),
            )
        }
        _ => return None,
    };
    if text.trim().is_empty() {
        return None;
    }
    Some(Message {
        timestamp_ms,
        role,
        tool,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_flatten() {
        let parse = |s: &str| source_name(&serde_json::from_str(s).expect("json"));
        assert_eq!(parse(r#""cli""#), "cli");
        assert_eq!(parse(r#"{"subagent":"review"}"#), "subagent:review");
        assert_eq!(
            parse(r#"{"subagent":{"thread_spawn":{"depth":1}}}"#),
            "subagent:thread_spawn"
        );
        assert_eq!(parse(r#"{"subagent":{"other":"x"}}"#), "subagent:x");
        assert!(!is_interactive(Some("subagent:review"), None, None));
        // Codex's picker goes by the source: a TUI fork of an exec session keeps the
        // `codex_exec` originator but is listed (seen with Codex 0.144).
        assert!(is_interactive(Some("cli"), Some("codex_exec"), None));
        assert!(!is_interactive(None, Some("codex_exec"), None));
        assert!(!is_interactive(Some("internal:guardian"), None, None));
        assert!(!is_interactive(Some("cli"), None, Some("guardian_review")));
        assert!(!is_interactive(Some("vscode"), None, Some("subagent")));
        assert!(is_interactive(Some("cli"), Some("codex-tui"), Some("user")));
        assert!(is_interactive(Some("vscode"), Some("codex_vscode"), None));
        assert!(is_interactive(None, None, None));
    }

    #[test]
    fn shell_calls_show_the_script() {
        assert_eq!(
            call_text("shell", r#"{"command":["bash","-lc","cargo test"]}"#),
            "cargo test"
        );
        assert_eq!(
            call_text("shell_command", r#"{"command":"ls -la","workdir":"/x"}"#),
            "ls -la"
        );
        assert_eq!(
            output_text(&Value::String(r#"{"output":"ok\n","metadata":{}}"#.into())),
            "ok\n"
        );
    }
}
