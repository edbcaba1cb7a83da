//! A tokenizer for text in every language: words are split as tantivy's `SimpleTokenizer`
//! splits them (runs of alphanumeric characters), except that Chinese, Japanese and Korean
//! characters, written without spaces, are cut out of words and indexed as overlapping
//! bigrams, as Lucene's CJK analyzer does.
//!
//! `我要做一个平台` becomes `我要 要做 做一 一个 个平 平台` (consecutive positions, so a phrase
//! of bigrams finds any substring of two or more characters), `jobs失败了` becomes `jobs 失败
//! 败了`, and a lone CJK character (`a 猫 b`) is indexed as itself (a unigram). Text without
//! CJK characters is split exactly as before, on an ASCII fast path.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Splits text into words and CJK bigrams (see the module documentation).
#[derive(Clone, Default)]
pub struct CjkTokenizer {
    token: Token,
}

/// The token stream of [`CjkTokenizer`].
pub struct CjkTokenStream<'a> {
    text: &'a str,
    /// Byte offset of the next character to read.
    cursor: usize,
    /// Inside a CJK run: the start of its last character read (the first half of the next
    /// bigram), which ends at `cursor`.
    run_last: Option<usize>,
    token: &'a mut Token,
}

impl Tokenizer for CjkTokenizer {
    type TokenStream<'a> = CjkTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CjkTokenStream<'a> {
        self.token.reset();
        CjkTokenStream {
            text,
            cursor: 0,
            run_last: None,
            token: &mut self.token,
        }
    }
}

/// ASCII letters and digits, by byte.
static ASCII_WORD: [bool; 256] = ascii_table(true);
/// ASCII bytes that are not letters or digits.
static ASCII_SEPARATOR: [bool; 256] = ascii_table(false);

const fn ascii_table(word: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        table[b] = (b as u8).is_ascii_alphanumeric() == word;
        b += 1;
    }
    table
}

/// The Unicode blocks whose letters are written without spaces between words, as inclusive
/// code point ranges: [`is_cjk`] reads them, and a query's regular expressions name them.
pub const CJK_BLOCKS: [(u32, u32); 12] = [
    (0x1100, 0x11FF),   // Hangul Jamo
    (0x3005, 0x3007),   // 々 〆 〇
    (0x3040, 0x30FF),   // Hiragana, Katakana
    (0x3130, 0x318F),   // Hangul Compatibility Jamo
    (0x31F0, 0x31FF),   // Katakana Phonetic Extensions
    (0x3400, 0x4DBF),   // CJK Unified Ideographs Extension A
    (0x4E00, 0x9FFF),   // CJK Unified Ideographs
    (0xA960, 0xA97F),   // Hangul Jamo Extended-A
    (0xAC00, 0xD7FF),   // Hangul Syllables, Jamo Extended-B
    (0xF900, 0xFAFF),   // CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),   // Halfwidth Katakana
    (0x20000, 0x323AF), // CJK Unified Ideographs Extensions B–H, Compatibility Supplement
];

/// Whether `c` is written without spaces between words: Han ideographs, Hiragana, Katakana
/// or Hangul (letters only: CJK punctuation still separates words).
#[inline]
pub fn is_cjk(c: char) -> bool {
    let u = c as u32;
    if u < CJK_BLOCKS[0].0 {
        return false;
    }
    let in_block = CJK_BLOCKS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&u));
    in_block && c.is_alphanumeric()
}

/// Whether `word` is a single CJK character: the unigram of a one-character CJK run.
pub fn is_cjk_unigram(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if is_cjk(c))
}

impl CjkTokenStream<'_> {
    /// The character at byte `at` (not ASCII) and its length in bytes.
    #[inline]
    fn wide_char_at(&self, at: usize) -> (char, usize) {
        let c = self.text[at..].chars().next().unwrap_or('\0');
        (c, c.len_utf8())
    }

    /// The CJK character starting at byte `at`, if one does, and its end.
    #[inline]
    fn cjk_at(&self, at: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        if at >= bytes.len() || bytes[at] < 0x80 {
            return None;
        }
        let (c, len) = self.wide_char_at(at);
        is_cjk(c).then_some(at + len)
    }

    /// The end of the word starting at `start`: the first byte that is not alphanumeric or
    /// starts a CJK character.
    #[inline]
    fn word_end(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = start;
        loop {
            while at < bytes.len() && ASCII_WORD[usize::from(bytes[at])] {
                at += 1;
            }
            if at >= bytes.len() || bytes[at] < 0x80 {
                return at;
            }
            let (c, len) = self.wide_char_at(at);
            if !c.is_alphanumeric() || is_cjk(c) {
                return at;
            }
            at += len;
        }
    }

    fn emit(&mut self, from: usize, to: usize) -> bool {
        self.token.offset_from = from;
        self.token.offset_to = to;
        self.token.text.push_str(&self.text[from..to]);
        true
    }
}

impl TokenStream for CjkTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        // Inside a CJK run: the next bigram, if the run goes on.
        if let Some(last) = self.run_last.take()
            && let Some(end) = self.cjk_at(self.cursor)
        {
            self.run_last = Some(self.cursor);
            self.cursor = end;
            return self.emit(last, end);
        }
        let bytes = self.text.as_bytes();
        loop {
            // ASCII separators first: the common case, byte by byte.
            while self.cursor < bytes.len() && ASCII_SEPARATOR[usize::from(bytes[self.cursor])] {
                self.cursor += 1;
            }
            let start = self.cursor;
            let Some(&b) = bytes.get(start) else {
                return false;
            };
            if b < 0x80 {
                self.cursor = self.word_end(start + 1);
                return self.emit(start, self.cursor);
            }
            let (c, len) = self.wide_char_at(start);
            self.cursor += len;
            if is_cjk(c) {
                // A run starts: its first bigram, or the character alone.
                if let Some(end) = self.cjk_at(self.cursor) {
                    self.run_last = Some(self.cursor);
                    self.cursor = end;
                    return self.emit(start, end);
                }
                return self.emit(start, self.cursor);
            }
            if c.is_alphanumeric() {
                self.cursor = self.word_end(self.cursor);
                return self.emit(start, self.cursor);
            }
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};

    use super::*;

    fn tokens(text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut tokenizer = CjkTokenizer::default();
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn words(text: &str) -> Vec<String> {
        tokens(text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn chinese_runs_become_bigrams() {
        assert_eq!(
            words("我要做一个平台"),
            ["我要", "要做", "做一", "一个", "个平", "平台"]
        );
        let all = tokens("我要做一个平台");
        for (i, (text, position, from, to)) in all.iter().enumerate() {
            assert_eq!(*position, i);
            assert_eq!(&"我要做一个平台"[*from..*to], text);
        }
    }

    #[test]
    fn identifiers_are_cut_out_of_cjk() {
        assert_eq!(
            tokens("jobs失败了"),
            [
                ("jobs".to_owned(), 0, 0, 4),
                ("失败".to_owned(), 1, 4, 10),
                ("败了".to_owned(), 2, 7, 13),
            ]
        );
        assert_eq!(
            words("修复build_v2的bug。"),
            ["修复", "build", "v2", "的", "bug"]
        );
        assert_eq!(words("用Rust写"), ["用", "Rust", "写"]);
    }

    #[test]
    fn japanese_and_korean() {
        assert_eq!(
            words("データベースの移行を"),
            [
                "デー", "ータ", "タベ", "ベー", "ース", "スの", "の移", "移行", "行を"
            ]
        );
        assert_eq!(
            words("데이터베이스 마이그레이션을"),
            [
                "데이", "이터", "터베", "베이", "이스", "마이", "이그", "그레", "레이", "이션",
                "션을"
            ]
        );
        // CJK punctuation and the Katakana middle dot separate runs.
        assert_eq!(words("猫、犬・鳥。"), ["猫", "犬", "鳥"]);
    }

    #[test]
    fn single_characters_are_unigrams() {
        assert_eq!(words("a 猫 b"), ["a", "猫", "b"]);
        assert_eq!(words("猫"), ["猫"]);
        assert!(is_cjk_unigram("猫") && !is_cjk_unigram("猫狗") && !is_cjk_unigram("a"));
    }

    #[test]
    fn other_text_splits_like_the_simple_tokenizer() {
        let samples = [
            "Hello, happy tax payer!",
            "refresh_jwt_token_v2 src/import.rs 019cc0a0-0000-7000-8000-000000000021",
            "Ünïcödé straße — naïve café, Привет мир; Ωmega ¾ ²",
            "emoji 🎉 party🎉time tab\tnew\nline",
            "ＦＵＬＬＷＩＤＴＨ ｌａｔｉｎ ١٢٣ العربية हिन्दी",
            "",
            "   ...   ",
        ];
        let mut simple = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build();
        let mut ours = TextAnalyzer::builder(CjkTokenizer::default())
            .filter(LowerCaser)
            .build();
        for text in samples {
            let mut expected = Vec::new();
            let mut stream = simple.token_stream(text);
            while let Some(t) = stream.next() {
                expected.push(t.clone());
            }
            let mut got = Vec::new();
            let mut stream = ours.token_stream(text);
            while let Some(t) = stream.next() {
                got.push(t.clone());
            }
            assert_eq!(got, expected, "{text:?}");
        }
    }
}
