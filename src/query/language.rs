//! rolldex's query language: words that must all match, `"quoted phrases"`, `-excluded`
//! words and `prefix*`, turned into tantivy queries on the text field. The text is split by the
//! index's own tokenizer, so an identifier matches whole (as a phrase of its parts) and by part.
//!
//! Chinese, Japanese and Korean text is indexed as overlapping bigrams (see
//! [`crate::index::cjk`]), so a CJK word of two or more characters is the phrase of its
//! bigrams and matches anywhere inside a sentence. A lone CJK character is indexed as itself
//! only when it stands alone, so in a query it matches itself or any bigram holding it: a
//! character that ends a clause matches a bigram it begins, one that starts a clause a bigram
//! it ends (`平` finds `我要做一个平台`; `jobs失` finds `jobs失败了`).

use std::fmt::Write as _;
use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, InvertedIndexRangeQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query,
    RegexPhraseQuery, RegexQuery, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use crate::error::{Error, Result};
use crate::index::cjk::{CJK_BLOCKS, is_cjk_unigram};
use crate::index::{Fields, IndexStore};

/// How many index terms a CJK character's pattern may match (one per bigram holding it).
const CJK_EXPANSIONS: u32 = 1 << 20;

/// The most words, phrases and prefixes one query may hold. Each clause is a pass over the
/// index (a prefix one over every term it expands to): a thousand `a*` took seconds and
/// hundreds of MB, while a real query has a handful.
pub const MAX_CLAUSES: usize = 64;

/// The most index terms all clauses together may hold (a long quoted phrase is one clause
/// of many terms, each a posting list to intersect).
pub const MAX_TERMS: usize = 256;

/// One clause of the query language.
#[derive(Debug, PartialEq, Eq)]
struct Clause {
    text: String,
    phrase: bool,
    negated: bool,
    prefix: bool,
}

/// Splits the query text into clauses; errors name what is wrong.
fn clauses(text: &str) -> Result<Vec<Clause>> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let negated = c == '-';
        if negated {
            chars.next();
        }
        let (body, phrase) = if chars.peek() == Some(&'"') {
            chars.next();
            let mut body = String::new();
            let mut closed = false;
            for c in chars.by_ref() {
                if c == '"' {
                    closed = true;
                    break;
                }
                body.push(c);
            }
            if !closed {
                return Err(Error::Query(format!(
                    "unclosed quote in {text:?}: add the closing \""
                )));
            }
            (body, true)
        } else {
            let mut body = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                body.push(c);
                chars.next();
            }
            (body, false)
        };
        let prefix = chars.peek() == Some(&'*') || body.ends_with('*');
        if chars.peek() == Some(&'*') {
            chars.next();
        }
        let body = body.trim_end_matches('*').to_owned();
        if body.is_empty() {
            if negated {
                return Err(Error::Query(
                    "a lone '-' excludes nothing: write -word".into(),
                ));
            }
            continue;
        }
        if out.len() == MAX_CLAUSES {
            return Err(Error::Query(format!(
                "more than {MAX_CLAUSES} words, phrases and prefixes: at most {MAX_CLAUSES} are allowed in one query"
            )));
        }
        out.push(Clause {
            text: body,
            phrase,
            negated,
            prefix,
        });
    }
    Ok(out)
}

/// Checks `text` against the query language without an index: the syntax (quotes, lone
/// `-`) and the [`MAX_CLAUSES`] bound. Returns the number of clauses.
pub fn check_syntax(text: &str) -> Result<usize> {
    clauses(text).map(|c| c.len())
}

/// Parses the query language into a tantivy query on the text field.
pub fn parse_query(store: &IndexStore, text: &str) -> Result<Box<dyn Query>> {
    Ok(Box::new(BooleanQuery::new(clause_queries(store, text)?)))
}

/// One tantivy query per clause: `Must` for words to find, `MustNot` for excluded ones. Errors
/// when nothing is left to look for.
pub(super) fn clause_queries(
    store: &IndexStore,
    text: &str,
) -> Result<Vec<(Occur, Box<dyn Query>)>> {
    let fields: &Fields = store.fields();
    let mut analyzer = store.index().tokenizer_for_field(fields.text)?;
    let mut subqueries: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut positives = 0;
    let mut total_terms = 0;
    let all = clauses(text)?;
    for (n, clause) in all.iter().enumerate() {
        if all[..n].contains(clause) {
            // The same clause twice adds nothing but another pass over the index.
            continue;
        }
        let mut terms = Vec::new();
        let mut stream = analyzer.token_stream(&clause.text);
        while let Some(token) = stream.next() {
            terms.push(Term::from_field_text(fields.text, &token.text));
            total_terms += 1;
            if total_terms > MAX_TERMS {
                return Err(Error::Query(format!(
                    "more than {MAX_TERMS} words in all (phrases and identifiers count each part): at most {MAX_TERMS} are allowed in one query"
                )));
            }
        }
        let query: Box<dyn Query> = match (terms.len(), clause.prefix) {
            (0, _) => continue,
            _ if has_cjk_edge(&terms) => cjk_query(fields, &terms, clause.prefix)?,
            (1, false) => Box::new(TermQuery::new(
                terms.remove(0),
                IndexRecordOption::WithFreqs,
            )),
            (1, true) => prefix_query(terms.remove(0)),
            (_, false) => Box::new(PhraseQuery::new(terms)),
            (_, true) => Box::new(PhrasePrefixQuery::new(terms)),
        };
        if clause.negated {
            subqueries.push((Occur::MustNot, Box::new(super::excluded::Excluded(query))));
        } else {
            positives += 1;
            subqueries.push((Occur::Must, query));
        }
    }
    if positives == 0 {
        return Err(Error::Query(format!(
            "{text:?} has no word to look for: give at least one word that is not excluded with '-'"
        )));
    }
    Ok(subqueries)
}

/// Every document holding a term that starts with `term`'s text. It is the range of the term
/// dictionary from the prefix up to the first string past every word it begins: one seek into
/// the sorted dictionary, then a sequential read of the terms that match (a regular expression
/// ran over every block that might match). Both score each match alike.
fn prefix_query(term: Term) -> Box<dyn Query> {
    let field = term.field();
    let upper = match prefix_end(term.serialized_value_bytes()) {
        Some(end) => Bound::Excluded(Term::from_field_bytes(field, &end)),
        None => Bound::Unbounded,
    };
    Box::new(InvertedIndexRangeQuery::new(Bound::Included(term), upper))
}

/// The smallest byte string greater than every string starting with `prefix` (`None`: there is
/// none, `prefix` being all 0xFF bytes or empty).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The text of an analyzed query term.
fn word(term: &Term) -> &str {
    std::str::from_utf8(term.serialized_value_bytes()).unwrap_or_default()
}

/// Whether the clause starts or ends with a lone CJK character, which matches more than itself.
fn has_cjk_edge(terms: &[Term]) -> bool {
    terms.first().is_some_and(|t| is_cjk_unigram(word(t)))
        || terms.last().is_some_and(|t| is_cjk_unigram(word(t)))
}

/// The query of a clause that starts or ends with a lone CJK character `c`: at the start it
/// matches `c` or a bigram ending in `c`, at the end `c` or a bigram starting with it, alone
/// both; the other terms match exactly (the last one as a prefix when `prefix`).
fn cjk_query(fields: &Fields, terms: &[Term], prefix: bool) -> Result<Box<dyn Query>> {
    let last = terms.len() - 1;
    let other = cjk_class();
    let patterns: Vec<String> = terms
        .iter()
        .enumerate()
        .map(|(i, term)| {
            let text = regex_escape(word(term));
            let lone = is_cjk_unigram(word(term));
            match (lone && i == 0, i == last && (lone || prefix)) {
                (true, true) => format!("{text}{other}?|{other}{text}"),
                (true, false) => format!("{text}|{other}{text}"),
                (false, true) => format!("{text}.*"),
                (false, false) => text,
            }
        })
        .collect();
    if patterns.len() == 1 {
        return Ok(Box::new(RegexQuery::from_pattern(
            &patterns[0],
            fields.text,
        )?));
    }
    let mut query = RegexPhraseQuery::new(fields.text, patterns);
    query.set_max_expansions(CJK_EXPANSIONS);
    Ok(Box::new(query))
}

/// Any one CJK character, as a regular expression: the other half of a bigram. The index holds
/// bigrams of CJK characters only, so this matches what `.` would; but it lets the term
/// dictionary skip every block of other words (nearly all of them) instead of reading each.
fn cjk_class() -> String {
    let mut class = String::from("[");
    for (first, last) in CJK_BLOCKS {
        let _ = write!(class, "\\x{{{first:X}}}-\\x{{{last:X}}}");
    }
    class.push(']');
    class
}

/// `word` as a regular expression that matches it literally. Only ASCII punctuation is
/// escaped (every metacharacter is ASCII): the regex parser rejects an escaped non-ASCII
/// character, and a lowercased `İ` brings a combining dot (U+0307) into a word.
fn regex_escape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if c.is_ascii() && !c.is_ascii_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_is_the_first_string_past_the_prefix() {
        assert_eq!(prefix_end(b"pars"), Some(b"part".to_vec()));
        assert_eq!(prefix_end(b"a\xff\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end("é".as_bytes()), Some(vec![0xc3, 0xaa]));
        assert_eq!(prefix_end(b"\xff"), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn clauses_parse() {
        let parsed = clauses(r#"jwt "token refresh" -legacy src/imp* "#).expect("parses");
        assert_eq!(parsed.len(), 4);
        assert!(parsed[1].phrase && !parsed[1].negated);
        assert!(parsed[2].negated);
        assert!(parsed[3].prefix && parsed[3].text == "src/imp");
        assert!(clauses("\"open").is_err());
        assert!(clauses("a - b").is_err());
    }
}
