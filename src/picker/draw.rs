//! Draws the picker: the typed line with the scope and status, the list, the preview and a
//! line of keys. Every piece of session data passes through [`clean`] first, so no control
//! character from a rollout file reaches the terminal; with `NO_COLOR` only bold, underline
//! and reverse video are used.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::state::App;
use super::worker::Row;
use crate::output::sanitize;
use crate::timezone::Zone;

/// Colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    /// Whether colour may be used.
    pub color: bool,
}

impl Theme {
    fn dim(self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default()
        }
    }
    fn hit(self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
    fn selected(self) -> Style {
        if self.color {
            Style::default().bg(Color::Blue).fg(Color::White)
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }
    fn accent(self) -> Style {
        if self.color {
            Style::default().fg(Color::Cyan)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
    fn problem(self) -> Style {
        if self.color {
            Style::default().fg(Color::Red)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }
}

/// Data made safe for one line of the terminal: control characters escaped, line breaks and
/// tabs turned into spaces.
pub fn clean(text: &str) -> String {
    sanitize(text).replace(['\n', '\t', '\r'], " ")
}

/// How many list rows fit in `area` with this layout (for Page Up/Down and scrolling).
pub fn list_height(area: Rect) -> usize {
    regions(area).1.height as usize
}

/// Splits the screen: (typed line, list, preview, keys).
fn regions(area: Rect) -> (Rect, Rect, Option<Rect>, Option<Rect>) {
    let keys = area.height >= 6;
    let [top, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(u16::from(keys)),
    ])
    .areas(area);
    let bottom = keys.then_some(bottom);
    if area.width >= 120 && body.height >= 4 {
        let [list, preview] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(body);
        (top, list, Some(preview), bottom)
    } else if body.height >= 14 {
        let [list, preview] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(body);
        (top, list, Some(preview), bottom)
    } else {
        (top, body, None, bottom)
    }
}

/// Draws the whole picker.
pub fn draw(
    frame: &mut Frame<'_>,
    app: &mut App,
    theme: Theme,
    zone: &Zone,
    cursor: &mut Option<(u16, u16)>,
) {
    let area = frame.area();
    if area.width < 8 || area.height == 0 {
        return;
    }
    let (top, list, preview, keys) = regions(area);
    app.scroll_into_view(list.height as usize);
    let at = draw_top(frame, app, theme, top);
    frame.set_cursor_position(at);
    *cursor = Some(at);
    draw_list(frame, app, theme, list);
    if let Some(preview) = preview {
        draw_preview(frame, app, theme, zone, preview);
    }
    if let Some(keys) = keys {
        let help = "enter: print id  esc: quit  tab: scope  ^N: exec/sub-agents  ^R: codex resume  ^O: show  m: since: until: in:";
        frame.render_widget(Paragraph::new(Span::styled(help, theme.dim())), keys);
    }
}

/// The typed line and, on its right, the scope, the count and the status; returns where the
/// cursor goes.
fn draw_top(frame: &mut Frame<'_>, app: &App, theme: Theme, area: Rect) -> (u16, u16) {
    let mut right = format!(
        "{}{}  {} sessions",
        app.scope().label(),
        if app.include_non_interactive {
            " +exec/sub-agents"
        } else {
            ""
        },
        app.rows.len(),
    );
    if app.searching() {
        right.push_str("  searching…");
    }
    if !app.status.is_empty() {
        right.push_str("  ");
        right.push_str(&app.status);
    }
    let right = clean(&right);
    let prompt = "> ";
    let line = clean(&app.line);
    let width = area.width as usize;
    let right_width = right.chars().count().min(width.saturating_sub(12));
    let right: String = right.chars().take(right_width).collect();
    let room = width.saturating_sub(right_width + prompt.len() + 2);
    // The end of a long line stays visible, where the typing is.
    let shown: String = {
        let n = line.chars().count();
        line.chars().skip(n.saturating_sub(room)).collect()
    };
    let pad = width.saturating_sub(prompt.len() + shown.chars().count() + right_width);
    let spans = vec![
        Span::styled(prompt, theme.accent()),
        Span::raw(shown.clone()),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme.dim()),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x + (prompt.len() + shown.chars().count()) as u16;
    (x.min(area.right().saturating_sub(1)), area.y)
}

fn draw_list(frame: &mut Frame<'_>, app: &App, theme: Theme, area: Rect) {
    if area.height == 0 {
        return;
    }
    if app.rows.is_empty() {
        let text = match &app.problem {
            Some(p) => Span::styled(clean(p), theme.problem()),
            None if app.searching() => Span::styled("searching…", theme.dim()),
            None => Span::styled("no session matches", theme.dim()),
        };
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let width = area.width as usize;
    let mut lines: Vec<Line<'_>> = Vec::new();
    if let Some(problem) = &app.problem {
        lines.push(Line::from(Span::styled(clean(problem), theme.problem())));
    }
    let room = area.height as usize - lines.len();
    for (i, row) in app.rows.iter().enumerate().skip(app.offset).take(room) {
        let mut line = row_line(row, &app.words, theme, width);
        if i == app.selected {
            line = line.style(theme.selected());
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// One row: updated, name or title, cwd, model, turns, tokens, cost — the narrower the
/// terminal, the fewer columns.
fn row_line(row: &Row, words: &[String], theme: Theme, width: usize) -> Line<'static> {
    let mut spans = vec![Span::styled(format!("{:16} ", row.updated), theme.dim())];
    let tail = if width >= 76 {
        format!(
            " {:>4}t {:>6} {:>7}",
            row.turns,
            short_number(row.tokens),
            row.cost
                .map_or_else(|| "—".to_owned(), |c| format!("${c:.2}"))
        )
    } else {
        String::new()
    };
    let model = if width >= 70 {
        format!(" {:10}", cut(&clean(&row.model), 10))
    } else {
        String::new()
    };
    let cwd_width = if width >= 60 {
        (width / 6).clamp(8, 24)
    } else {
        0
    };
    let cwd = if cwd_width > 0 {
        format!(" {}", cut_left(&clean(&row.cwd), cwd_width))
    } else {
        String::new()
    };
    let used = 17 + tail.chars().count() + model.chars().count() + cwd_width + 1;
    let label_width = width.saturating_sub(used).max(4);
    let label = clean(&row.label);
    let label = format!("{:label_width$}", cut(&label, label_width));
    spans.extend(highlight(&label, words, theme));
    spans.push(Span::styled(
        format!(
            "{cwd:<w$}",
            w = if cwd_width > 0 { cwd_width + 1 } else { 0 }
        ),
        theme.dim(),
    ));
    spans.push(Span::raw(model));
    spans.push(Span::styled(tail, theme.dim()));
    Line::from(spans)
}

fn draw_preview(frame: &mut Frame<'_>, app: &App, theme: Theme, zone: &Zone, area: Rect) {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let current = app.selected_id();
    if let (Some(id), Some(row)) = (current, app.rows.get(app.selected)) {
        lines.push(Line::from(vec![
            Span::styled(clean(id), theme.accent()),
            Span::styled(format!("  {}", clean(&row.cwd)), theme.dim()),
        ]));
        if app.preview.0.as_deref() == Some(id) {
            for excerpt in &app.preview.1 {
                let time = excerpt
                    .time_ms
                    .map(|ms| zone.format_minute(ms))
                    .unwrap_or_default();
                lines.push(Line::from(Span::styled(
                    format!("── {} {time}", excerpt.role.as_str()),
                    theme.dim(),
                )));
                for text in excerpt.text.lines() {
                    lines.push(Line::from(highlight(&clean(text), &app.words, theme)));
                }
            }
        } else {
            lines.push(Line::from(Span::styled("…", theme.dim())));
        }
    }
    let block = ratatui::widgets::Block::default()
        .borders(ratatui::widgets::Borders::LEFT | ratatui::widgets::Borders::TOP)
        .border_style(theme.dim());
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// `text` in spans, the query's words (case-insensitively, ASCII) highlighted.
pub fn highlight(text: &str, words: &[String], theme: Theme) -> Vec<Span<'static>> {
    let lower = text.to_ascii_lowercase();
    let mut marks = vec![false; text.len()];
    for word in words.iter().filter(|w| !w.is_empty()) {
        let word = word.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find(&word) {
            let start = from + at;
            marks[start..start + word.len()]
                .iter_mut()
                .for_each(|m| *m = true);
            from = start + word.len();
        }
    }
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, _) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if i == 0 || i == text.len() || marks[i] != marks[start] {
            if i > start {
                let style = if marks[start] {
                    theme.hit()
                } else {
                    Style::default()
                };
                spans.push(Span::styled(text[start..i].to_owned(), style));
            }
            start = i;
        }
    }
    spans
}

/// At most `width` characters, `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(width.saturating_sub(1)).collect();
    kept.push('…');
    kept
}

/// At most `width` characters, keeping the end (where a path names its project).
fn cut_left(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_owned();
    }
    let mut kept = String::from("…");
    kept.extend(text.chars().skip(n + 1 - width));
    kept
}

/// 1234 → 1.2k, 1234567 → 1.2M.
fn short_number(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 1_000 => format!("{:.1}k", n as f64 / 1e3),
        n => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_words_and_cleans_controls() {
        let spans = highlight(
            "Fix the JWT refresh",
            &["jwt".into()],
            Theme { color: false },
        );
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["Fix the ", "JWT", " refresh"]);
        assert_eq!(clean("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb c");
        assert_eq!(cut_left("/home/u/project", 8), "…project");
        assert_eq!(short_number(1_234_567), "1.2M");
    }
}
