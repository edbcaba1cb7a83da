//! Text measured in terminal cells, not characters: a CJK character takes two cells, a
//! combining accent none (`unicode-width`, as ratatui measures), so the picker's columns stay
//! aligned whatever the titles' script.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// At most `cells` terminal cells, `…` when cut.
pub fn cut(text: &str, cells: usize) -> String {
    if text.width() <= cells {
        return text.to_owned();
    }
    if cells == 0 {
        return String::new();
    }
    let mut kept = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > cells - 1 {
            break;
        }
        used += w;
        kept.push(c);
    }
    kept.push('…');
    kept
}

/// Exactly `cells` terminal cells: cut (`…`) or padded with spaces.
pub fn pad(text: &str, cells: usize) -> String {
    let mut kept = cut(text, cells);
    let used = kept.width();
    kept.extend(std::iter::repeat_n(' ', cells.saturating_sub(used)));
    kept
}

/// The end of `text` that fits in `cells` terminal cells.
pub fn keep_end(text: &str, cells: usize) -> String {
    let mut used = 0;
    let start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| {
            used += c.width().unwrap_or(0);
            used <= cells
        })
        .last()
        .map_or(text.len(), |(i, _)| i);
    text[start..].to_owned()
}

/// At most `cells` terminal cells, keeping the end (where a path names its project).
pub fn cut_left(text: &str, cells: usize) -> String {
    if text.width() <= cells {
        return text.to_owned();
    }
    if cells == 0 {
        return String::new();
    }
    format!("…{}", keep_end(text, cells - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_and_pads_by_cells() {
        assert_eq!(cut_left("/home/u/project", 8), "…project");
        assert_eq!(pad("日本語のタイトル", 9), "日本語の…");
        assert_eq!(pad("日本語", 7), "日本語 ");
        assert_eq!(pad("Cafe\u{301}", 5), "Cafe\u{301} ");
        assert_eq!(cut_left("/home/プロジェクト", 8), "…ェクト");
        assert_eq!(keep_end("ab中文", 3), "文");
        assert_eq!(cut("abc", 0), "");
        // A wide character never straddles the edge: one cell short, then `…`.
        assert_eq!(cut("a中文", 3), "a…");
    }
}
