//! Draws the picker: the typed line with the scope and status, the list, the preview and a
//! line of keys. Every piece of session data passes through [`clean`] first, so no control
//! character from a rollout file reaches the terminal; with `NO_COLOR` only bold, underline
//! and reverse video are used. Columns are measured in terminal cells (a CJK character takes
//! two, a combining accent none), so rows stay aligned whatever the titles' script.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use unicode_width::UnicodeWidthStr;

use super::cells::{cut, cut_left, keep_end, pad};
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

/// Splits the screen: (typed line, list, preview, keys). Plain arithmetic: ratatui's layout
/// solver (without its cache) cost more than the rest of a frame.
fn regions(area: Rect) -> (Rect, Rect, Option<Rect>, Option<Rect>) {
    let row = |y: u16, height: u16| Rect::new(area.x, y, area.width, height);
    let top = row(area.y, area.height.min(1));
    let keys = (area.height >= 6).then(|| row(area.bottom() - 1, 1));
    let body_height = area.height - top.height - keys.map_or(0, |k| k.height);
    let body = row(area.y + top.height, body_height);
    if area.width >= 120 && body.height >= 4 {
        // 58% list, 42% preview.
        let list_width = (u32::from(area.width) * 58 / 100) as u16;
        let list = Rect::new(body.x, body.y, list_width, body.height);
        let preview = Rect::new(
            body.x + list_width,
            body.y,
            body.width - list_width,
            body.height,
        );
        (top, list, Some(preview), keys)
    } else if body.height >= 14 {
        // 55% list above 45% preview.
        let list_height = (u32::from(body.height) * 55 / 100) as u16;
        let list = Rect::new(body.x, body.y, body.width, list_height);
        let preview = Rect::new(
            body.x,
            body.y + list_height,
            body.width,
            body.height - list_height,
        );
        (top, list, Some(preview), keys)
    } else {
        (top, body, None, keys)
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
    let prompt = "> ";
    let line = clean(&app.line);
    let width = area.width as usize;
    let right = cut(&clean(&right), width.saturating_sub(12));
    let right_width = right.width();
    let room = width.saturating_sub(right_width + prompt.len() + 2);
    // The end of a long line stays visible, where the typing is.
    let shown = keep_end(&line, room);
    let shown_width = shown.width();
    let pad = width.saturating_sub(prompt.len() + shown_width + right_width);
    let spans = vec![
        Span::styled(prompt, theme.accent()),
        Span::raw(shown),
        Span::raw(" ".repeat(pad)),
        Span::styled(right, theme.dim()),
    ];
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x + (prompt.len() + shown_width) as u16;
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
    let mut spans = vec![Span::styled(pad(&clean(&row.updated), 17), theme.dim())];
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
        format!(" {}", pad(&clean(&row.model), 10))
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
    let cwd_width = if cwd_width > 0 { cwd_width + 1 } else { 0 };
    let used = 17 + tail.width() + model.width() + cwd_width;
    let label_width = width.saturating_sub(used).max(4);
    let label = pad(&clean(&row.label), label_width);
    spans.extend(highlight(&label, words, theme));
    spans.push(Span::styled(pad(&cwd, cwd_width), theme.dim()));
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
        assert_eq!(short_number(1_234_567), "1.2M");
    }

    #[test]
    fn regions_tile_the_screen() {
        for (width, height) in [(150, 40), (150, 5), (80, 24), (70, 12), (40, 5), (8, 1)] {
            let area = Rect::new(0, 3, width, height);
            let (top, list, preview, keys) = regions(area);
            let cells = |r: Rect| u32::from(r.width) * u32::from(r.height);
            let total = cells(top) + cells(list) + preview.map_or(0, cells) + keys.map_or(0, cells);
            assert_eq!(total, cells(area), "{width}x{height}");
            assert!(
                [Some(top), Some(list), preview, keys]
                    .into_iter()
                    .flatten()
                    .all(|r| area.contains(r.as_position()) || r.height == 0 || r.width == 0)
            );
            // One line for the query, one for the keys when there are six or more.
            let body = height - 1 - u16::from(height >= 6);
            assert_eq!(preview.is_some(), (width >= 120 && body >= 4) || body >= 14);
            assert_eq!(
                list.height + preview.map_or(0, |p| p.height * u16::from(width < 120)),
                body
            );
        }
    }
}
