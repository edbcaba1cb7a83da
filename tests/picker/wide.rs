//! Wide and zero-width characters for `tests/picker.rs`: a home whose titles are Chinese,
//! Japanese, accented with combining marks or plain ASCII, and terminal cells counted by hand
//! for exactly those characters (independently of the `unicode-width` crate rolldex uses).

use std::fs;
use std::path::Path;

/// A home of sessions whose first messages are Chinese, Japanese, accented with combining
/// marks, and plain ASCII (titles long enough to be cut, and short ones).
pub fn wide_titles_home(home: &Path) {
    let titles = [
        "修复登录页面的内存泄漏问题并且为所有边界情况添加完整的单元测试覆盖以及文档说明",
        "日本語のタイトル：データベース移行",
        "Fix the queue timeout",
        "Cafe\u{301} de\u{301}ja\u{300} vu in the parser",
        "ascii first then wide 中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文中文",
    ];
    for (i, title) in titles.iter().enumerate() {
        let id = format!("019d0000-0000-7000-8000-00000000000{i}");
        let day = format!("2026-03-1{i}");
        let dir = home.join(format!("sessions/2026/03/1{i}"));
        fs::create_dir_all(&dir).expect("sessions dir");
        let text = serde_json::to_string(title).expect("json");
        let lines = [
            format!(
                r#"{{"timestamp":"{day}T10:00:00.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"{day}T10:00:00.000Z","cwd":"/home/u/proj","originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}}}"#
            ),
            format!(
                r#"{{"timestamp":"{day}T10:00:01.000Z","type":"event_msg","payload":{{"type":"user_message","message":{text},"images":[],"local_images":[],"text_elements":[]}}}}"#
            ),
            format!(
                r#"{{"timestamp":"{day}T10:00:01.001Z","type":"turn_context","payload":{{"cwd":"/home/u/proj","approval_policy":"on-request","sandbox_policy":{{"type":"workspace-write"}},"model":"gpt-5.2-codex","effort":"high","summary":"auto"}}}}"#
            ),
            format!(
                r#"{{"timestamp":"{day}T10:00:05.000Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":4403,"cached_input_tokens":3200,"output_tokens":154,"reasoning_output_tokens":64,"total_tokens":4557}},"last_token_usage":{{"input_tokens":4403,"cached_input_tokens":3200,"output_tokens":154,"reasoning_output_tokens":64,"total_tokens":4557}},"model_context_window":258400}},"rate_limits":null}}}}"#
            ),
        ];
        fs::write(
            dir.join(format!("rollout-{day}T10-00-00-{id}.jsonl")),
            lines.join("\n") + "\n",
        )
        .expect("rollout");
    }
}

/// Terminal cells of `text` as tmux shows it, worked by hand for the fixture's characters:
/// CJK ideographs, kana and full-width forms take two cells, combining accents none.
pub fn cells(text: &str) -> usize {
    text.chars()
        .map(|c| match u32::from(c) {
            0x0300..=0x036F => 0,
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFF01..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// The cell where `needle` starts in `line`.
pub fn cell_of(line: &str, needle: &str) -> Option<usize> {
    line.find(needle).map(|at| cells(&line[..at]))
}
