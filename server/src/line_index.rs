//! Line and column arithmetic over a text, in UTF-8 or UTF-16 code units.
//!
//! Editors address text by (line, column); tree-sitter and the analysis use byte
//! offsets. Lines end at `\n`, `\r\n` or a lone `\r`, as the Language Server
//! Protocol defines them. Columns count UTF-8 bytes or UTF-16 code units
//! depending on the negotiated [`Encoding`].

/// The unit a column counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// Code units of UTF-16: characters outside the Basic Multilingual Plane count two.
    #[default]
    Utf16,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// The byte offset where each line starts, computed once per text version.
#[derive(Clone, Debug)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    /// Whether each line is ASCII only: there, columns in every encoding are
    /// byte columns, so converting costs O(1) instead of a walk from the start
    /// of the line (which made thousands of positions on one long line quadratic).
    ascii_lines: Vec<bool>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut ascii_lines = Vec::new();
        let mut line_start = 0;
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            // The `\r` of a `\r\n` ends its line at the `\n`.
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                continue;
            }
            ascii_lines.push(bytes[line_start..at].is_ascii());
            line_start = at + 1;
            line_starts.push(line_start);
        }
        ascii_lines.push(bytes[line_start..].is_ascii());
        Self {
            line_starts,
            ascii_lines,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte range of `line`'s content, without its line ending.
    fn line_content(&self, text: &str, line: usize) -> (usize, usize) {
        let start = self.line_starts[line];
        let mut end = self.line_starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }

    /// The position of byte `offset`. An offset inside a character or past the end
    /// is moved back to the nearest character boundary.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let mut offset = offset.min(self.len);
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let (start, end) = self.line_content(text, line);
        let prefix = &text[start..offset.min(end)];
        let col = match encoding {
            _ if self.ascii_lines[line] => prefix.len(),
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.encode_utf16().count(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// The byte offset of `pos`, or `None` when its line does not exist.
    ///
    /// A column past the end of its line is clamped to the line's end, as the
    /// protocol asks; a column inside a character (half a surrogate pair, or the
    /// middle of a UTF-8 sequence) is moved back to the character's start.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: Encoding) -> Option<usize> {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return None;
        }
        let (start, end) = self.line_content(text, line);
        let wanted = pos.col as usize;
        if self.ascii_lines[line] {
            return Some(start + wanted.min(end - start));
        }
        let mut units = 0;
        for (i, ch) in text[start..end].char_indices() {
            let width = match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
            };
            if units + width > wanted {
                return Some(start + i);
            }
            units += width;
        }
        Some(end)
    }

    /// Like [`LineIndex::offset`], but a line past the end maps to the end of the text.
    pub fn offset_clamped(&self, text: &str, pos: LineCol, encoding: Encoding) -> usize {
        self.offset(text, pos, encoding).unwrap_or(self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str, encoding: Encoding) {
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            // The `\n` of a `\r\n` is inside a line ending: no position names it.
            if text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                continue;
            }
            let pos = index.position(text, offset, encoding);
            assert_eq!(
                index.offset(text, pos, encoding),
                Some(offset),
                "{text:?} @ {offset}"
            );
        }
    }

    /// The (line, column) of byte `offset` in `text`.
    fn position(text: &str, offset: usize, encoding: Encoding) -> (u32, u32) {
        let pos = LineIndex::new(text).position(text, offset, encoding);
        (pos.line, pos.col)
    }

    /// The byte offset of (`line`, `col`) in `text`.
    fn offset(text: &str, (line, col): (u32, u32), encoding: Encoding) -> Option<usize> {
        LineIndex::new(text).offset(text, LineCol { line, col }, encoding)
    }

    #[test]
    fn utf16_columns_count_surrogate_pairs_twice() {
        let text = "a😀b\né c";
        assert_eq!(position(text, 5, Encoding::Utf16), (0, 3));
        assert_eq!(position(text, 5, Encoding::Utf8), (0, 5));
        assert_eq!(offset(text, (1, 1), Encoding::Utf16), Some(9));
        assert_eq!(offset(text, (1, 2), Encoding::Utf8), Some(9));
    }

    #[test]
    fn crlf_and_lone_cr_end_lines() {
        let text = "ab\r\ncd\ref\ngh";
        assert_eq!(LineIndex::new(text).line_count(), 4);
        assert_eq!(position(text, 4, Encoding::Utf16), (1, 0));
        assert_eq!(position(text, 7, Encoding::Utf16), (2, 0));
        // A column past the end of a CRLF line stops before the `\r`.
        assert_eq!(offset(text, (0, 9), Encoding::Utf16), Some(2));
    }

    #[test]
    fn column_inside_a_surrogate_pair_moves_to_the_character_start() {
        let text = "😀x";
        assert_eq!(offset(text, (0, 1), Encoding::Utf16), Some(0));
        assert_eq!(offset(text, (0, 2), Encoding::Utf16), Some(4));
    }

    #[test]
    fn line_past_the_end_is_none() {
        let text = "a\nb";
        assert_eq!(offset(text, (2, 0), Encoding::Utf16), None);
        assert_eq!(offset(text, (1, 7), Encoding::Utf16), Some(3));
    }

    #[test]
    fn positions_round_trip_in_both_encodings() {
        for text in ["", "x", "日本語\r\nconst é = '😀';\n\n\rz", "\r\r\n\n"] {
            round_trip(text, Encoding::Utf8);
            round_trip(text, Encoding::Utf16);
        }
    }

    /// ASCII lines take a shortcut; next to non-ASCII lines (and with every
    /// line ending), its columns must equal the ones counted character by character.
    #[test]
    fn ascii_lines_agree_with_counted_columns() {
        let text = "abc\r\né😀x\rplain\n\n日本 y\r\nlast";
        let index = LineIndex::new(text);
        for (offset, _) in text.char_indices() {
            let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
            let prefix = &text[line_start..offset];
            if prefix.is_empty()
                && text[..offset].ends_with('\r')
                && text[offset..].starts_with('\n')
            {
                continue;
            }
            let utf16 = index.position(text, offset, Encoding::Utf16);
            assert_eq!(
                utf16.col as usize,
                prefix.encode_utf16().count(),
                "{offset}"
            );
            assert_eq!(
                index.position(text, offset, Encoding::Utf8).col as usize,
                prefix.len()
            );
            assert_eq!(index.offset(text, utf16, Encoding::Utf16), Some(offset));
        }
        let past = LineCol { line: 2, col: 99 };
        assert_eq!(index.offset(text, past, Encoding::Utf8), text.find("\n\n"));
    }
}
