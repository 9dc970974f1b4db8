//! Output: aligned tables for people, one JSON document per line for programs, and
//! [`sanitize`], which every piece of text that came off the wire passes through before it is
//! printed for people.

use std::borrow::Cow;

use serde::Serialize;

use crate::fail::Failure;
use crate::settings::Settings;

/// A table printed with aligned columns.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[&'static str]) -> Self {
        Self {
            headers: headers.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells print empty).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, one line per row, headers first. Cells are [`sanitize`]d: they
    /// mostly hold what the API answered.
    pub fn render(&self) -> String {
        let columns = self.headers.len();
        let rows: Vec<Vec<Cow<'_, str>>> = self
            .rows
            .iter()
            .map(|row| row.iter().map(|cell| sanitize(cell)).collect())
            .collect();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (i, cell) in row.iter().enumerate().take(columns) {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let line = |cells: &mut dyn Iterator<Item = &str>, out: &mut String| {
            let mut text = String::new();
            for (i, cell) in cells.enumerate().take(columns) {
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(cell);
                if i + 1 < columns {
                    let pad = widths[i].saturating_sub(cell.chars().count());
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push_str(text.trim_end());
            out.push('\n');
        };
        line(&mut self.headers.iter().copied(), &mut out);
        for row in &rows {
            let mut cells = row.iter().map(|c| c.as_ref()).chain(std::iter::repeat(""));
            line(&mut cells, &mut out);
        }
        out
    }

    /// Prints the table to standard output.
    pub fn print(&self) {
        print!("{}", self.render());
    }
}

/// Prints a value as one line of JSON.
pub fn json_line(value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::other(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// The most bytes of one piece of wire text that [`sanitize`] lets through.
pub const MAX_WIRE_TEXT: usize = 2000;

/// Text that came off the wire (an API's message, a webhook's field), made safe to print on a
/// terminal: line breaks and tabs become spaces, other control characters (C0, DEL, C1, which
/// carry terminal escape sequences) and bidirectional overrides are dropped, and text longer
/// than [`MAX_WIRE_TEXT`] bytes is cut there, with a note saying where and how long it was.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let (kept, cut) = if text.len() > MAX_WIRE_TEXT {
        let mut end = MAX_WIRE_TEXT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        (&text[..end], Some(end))
    } else {
        (text, None)
    };
    let unsafe_char = |c: char| c.is_control() || is_bidi_control(c);
    if cut.is_none() && !kept.contains(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(kept.len() + 40);
    for c in kept.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if unsafe_char(c) => {}
            c => out.push(c),
        }
    }
    if let Some(end) = cut {
        out.push_str(&format!("… (cut at {end} of {} bytes)", text.len()));
    }
    Cow::Owned(out)
}

/// Characters that reorder the text around them on screen (Unicode bidi embeddings, overrides
/// and isolates, and the directional marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// An amount of money as people read it: at least two decimal places (`25.10`, not `25.1`),
/// more only when the amount has them. Exact: the decimal is never rounded.
pub fn money(amount: rust_decimal::Decimal) -> String {
    let mut shown = amount;
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    shown.to_string()
}

/// An optional value as a table cell.
pub fn cell<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// Prints `value` as JSON, or calls `human` to print it for people.
pub(crate) fn show<T: Serialize>(
    settings: &Settings,
    value: &T,
    human: impl FnOnce(&T),
) -> Result<(), Failure> {
    if settings.json {
        json_line(value)
    } else {
        human(value);
        Ok(())
    }
}

/// A yes/no cell; empty when the API does not say.
pub(crate) fn yes_no(flag: Option<bool>) -> String {
    match flag {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}

/// Values joined with commas.
pub(crate) fn join<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text_loses_its_escapes_and_its_excess() {
        assert!(matches!(
            sanitize("plain text, acentuação"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            sanitize("a\u{1b}[2J\u{1b}]0;owned\u{7}b\r\nc\u{9b}d\u{202e}e"),
            "a[2J]0;ownedb  cde"
        );
        let huge = "é".repeat(3_000_000);
        let shown = sanitize(&huge);
        assert!(shown.len() < MAX_WIRE_TEXT + 60, "{}", shown.len());
        assert!(
            shown.ends_with("… (cut at 2000 of 6000000 bytes)"),
            "{}",
            &shown[shown.len() - 60..]
        );
        let odd = format!("x{}", "é".repeat(1500));
        assert!(sanitize(&odd).ends_with("(cut at 1999 of 3001 bytes)"));
    }

    #[test]
    fn money_shows_the_centavos() {
        use rust_decimal::Decimal;
        assert_eq!(money(Decimal::new(251, 1)), "25.10");
        assert_eq!(money(Decimal::new(100, 0)), "100.00");
        assert_eq!(money(Decimal::new(12345, 3)), "12.345");
    }

    #[test]
    fn table_cells_are_sanitized() {
        let mut table = Table::new(&["NAME"]);
        table.row(vec!["Bank\u{1b}[31m\nEvil".into()]);
        assert_eq!(table.render(), "NAME\nBank[31m Evil\n");
    }

    #[test]
    fn columns_line_up_and_short_rows_are_padded() {
        let mut table = Table::new(&["ID", "NAME", "TYPE"]);
        table.row(vec![
            "0".into(),
            "Pluggy Bank".into(),
            "PERSONAL_BANK".into(),
        ]);
        table.row(vec!["12".into(), "X".into()]);
        assert_eq!(
            table.render(),
            "ID  NAME         TYPE\n0   Pluggy Bank  PERSONAL_BANK\n12  X\n"
        );
    }
}
