//! Reading TOML with positions: every syntax error of a file at once (recovering parser), then
//! typed deserialization table by table, so one bad instruction does not hide the next.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::diag::Diagnostics;
use super::source::SourceFile;

/// Parses a file, reporting every syntax error. `None` when there were syntax errors: typed
/// checks on a half-parsed file would only add noise.
pub(crate) fn parse_toml<'a>(
    src: &'a SourceFile,
    d: &mut Diagnostics,
) -> Option<Spanned<DeTable<'a>>> {
    let (root, errors) = DeTable::parse_recoverable(&src.text);
    if errors.is_empty() {
        return Some(root);
    }
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        d.error(src, span, format!("TOML syntax: {}", one_line(e.message())));
    }
    None
}

fn one_line(s: &str) -> String {
    s.trim().replace('\n', "; ")
}

/// Deserializes a whole document, reporting a failure at its position.
pub(crate) fn de_table<'a, T: Deserialize<'a>>(
    root: Spanned<DeTable<'a>>,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<T> {
    let whole = root.span();
    T::deserialize(toml::de::Deserializer::from(root))
        .map_err(|e| report(e, whole, src, d))
        .ok()
}

/// Deserializes one value (an `[[instruction]]`, a `[[station]]` ...), reporting a failure at its
/// position.
pub(crate) fn de_value<'a, T: Deserialize<'a>>(
    value: Spanned<DeValue<'a>>,
    src: &SourceFile,
    d: &mut Diagnostics,
) -> Option<T> {
    let whole = value.span();
    T::deserialize(ValueDeserializer::from(value))
        .map_err(|e| report(e, whole, src, d))
        .ok()
}

fn report(e: toml::de::Error, whole: Range<usize>, src: &SourceFile, d: &mut Diagnostics) {
    let span = e.span().unwrap_or(whole.clone());
    let mut msg = one_line(e.message());
    if msg.starts_with("missing field") {
        msg.push_str(" in this table");
    }
    d.error(src, span, msg);
}

/// The `id` string of a table, when it has one: what a table rejected by [`de_value`] is still
/// known by ([`Diagnostics::reject`]), so references to it are not reported as unknown.
pub(crate) fn table_id(value: &Spanned<DeValue<'_>>) -> Option<String> {
    match value.get_ref() {
        DeValue::Table(t) => match t.get("id").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The elements of an array of tables (`[[instruction]]`) or inline array under `key`.
pub(crate) fn array_items<'a>(root: &Spanned<DeTable<'a>>, key: &str) -> Vec<Spanned<DeValue<'a>>> {
    match root.get_ref().get(key).map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => a.iter().cloned().collect(),
        _ => Vec::new(),
    }
}

/// Byte offset in the file of the first character of a string value's content, when the content
/// maps one-to-one onto the file (no escapes), so positions inside it can be reported exactly.
pub(crate) fn string_content_start(src: &SourceFile, span: &Range<usize>) -> Option<usize> {
    let raw = src.text.get(span.clone())?;
    let skip_newline = |rest: &str| {
        if rest.starts_with("\r\n") {
            2
        } else if rest.starts_with('\n') {
            1
        } else {
            0
        }
    };
    if let Some(rest) = raw.strip_prefix("'''") {
        Some(span.start + 3 + skip_newline(rest))
    } else if let Some(rest) = raw.strip_prefix("\"\"\"") {
        (!raw.contains('\\')).then(|| span.start + 3 + skip_newline(rest))
    } else if raw.starts_with('\'') {
        Some(span.start + 1)
    } else if raw.starts_with('"') {
        (!raw.contains('\\')).then_some(span.start + 1)
    } else {
        None
    }
}

/// Maps a byte range inside a string value's content to a range in the file; the whole value when
/// the content does not map one-to-one.
pub(crate) fn inner_span(
    src: &SourceFile,
    value: &Range<usize>,
    inner: &Range<usize>,
) -> Range<usize> {
    match string_content_start(src, value) {
        Some(s) => (s + inner.start)..(s + inner.end.max(inner.start)),
        None => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: Spanned<String>,
        n: Option<i64>,
    }

    #[test]
    fn element_errors_are_absolute() {
        let text =
            "[[item]]\nid = \"a\"\n\n[[item]]\nid = \"b\"\nn = \"x\"\n\n[[item]]\nidd = \"c\"\n";
        let src = SourceFile::new("t.toml", text.to_string());
        let mut d = Diagnostics::default();
        let root = parse_toml(&src, &mut d).unwrap();
        let items: Vec<Option<Item>> = array_items(&root, "item")
            .into_iter()
            .map(|v| de_value(v, &src, &mut d))
            .collect();
        assert!(items[0].is_some());
        assert_eq!(items[0].as_ref().unwrap().id.span(), 14..17);
        assert_eq!(d.list.len(), 2, "{:?}", d.list);
        assert_eq!((d.list[0].line, d.list[0].column), (6, 5));
        assert_eq!(d.list[1].line, 9);
    }

    #[test]
    fn all_syntax_errors_are_reported() {
        let src = SourceFile::new("t.toml", "a = \nb = [1,\nc = \"x\n".to_string());
        let mut d = Diagnostics::default();
        assert!(parse_toml(&src, &mut d).is_none());
        assert!(d.list.len() >= 2, "{:?}", d.list);
        assert!(d.list.iter().any(|x| x.line == 1), "{:?}", d.list);
    }

    #[test]
    fn content_offsets() {
        let src = SourceFile::new(
            "t",
            "a = \"Q > 1\"\nb = 'x'\nc = \"a\\tb\"\nd = '''\nQ'''\n".to_string(),
        );
        assert_eq!(string_content_start(&src, &(4..11)), Some(5));
        assert_eq!(string_content_start(&src, &(16..19)), Some(17));
        assert_eq!(string_content_start(&src, &(24..30)), None);
        assert_eq!(string_content_start(&src, &(35..42)), Some(39));
    }
}
