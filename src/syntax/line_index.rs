//! Maps byte offsets to 1-based lines and columns.

/// One index per file, built once. Columns count Unicode scalar values by default;
/// [`LineIndex::utf16_col`] gives the UTF-16 code-unit column the language server protocol uses.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    starts: Vec<u32>,
    /// True when every byte is ASCII, so columns are byte differences.
    ascii: bool,
}

/// A 1-based position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex {
            starts,
            ascii: text.is_ascii(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line0: usize) -> u32 {
        self.starts[line0]
    }

    /// 1-based line and column (in Unicode scalar values) of a byte offset.
    /// An offset inside a multi-byte character counts as that character.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(text.len() as u32);
        let line0 = self.line_of(offset);
        let start = self.starts[line0] as usize;
        let col = if self.ascii {
            offset as usize - start
        } else {
            let end = floor_char_boundary(text, offset as usize);
            text[start..end].chars().count()
        };
        LineCol {
            line: line0 as u32 + 1,
            col: col as u32 + 1,
        }
    }

    /// 0-based line and UTF-16 column, as the language server protocol counts.
    pub fn utf16_position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(text.len() as u32);
        let line0 = self.line_of(offset);
        let start = self.starts[line0] as usize;
        let end = floor_char_boundary(text, offset as usize);
        let col: usize = text[start..end].chars().map(char::len_utf16).sum();
        (line0 as u32, col as u32)
    }

    /// The byte offset of a 0-based line and UTF-16 column (clamped to the line).
    pub fn offset_of_utf16(&self, text: &str, line0: u32, col16: u32) -> u32 {
        let Some(&start) = self.starts.get(line0 as usize) else {
            return text.len() as u32;
        };
        let line_end = self
            .starts
            .get(line0 as usize + 1)
            .map_or(text.len(), |&s| s as usize);
        let mut units = 0u32;
        for (i, ch) in text[start as usize..line_end].char_indices() {
            if units >= col16 || ch == '\n' {
                return start + i as u32;
            }
            units += ch.len_utf16() as u32;
        }
        line_end as u32
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_utf16_units() {
        let text = "ab\n\u{e9}\u{1F600}x\r\nz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, col: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(idx.line_col(text, x), LineCol { line: 2, col: 3 });
        assert_eq!(idx.utf16_position(text, x), (1, 3));
        assert_eq!(idx.offset_of_utf16(text, 1, 3), x);
        let z = text.find('z').unwrap() as u32;
        assert_eq!(idx.line_col(text, z), LineCol { line: 3, col: 1 });
    }
}
