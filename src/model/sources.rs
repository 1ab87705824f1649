//! The files a model was built from, so that rules can be cited as `FILE:LINE:COL`.

use std::sync::Arc;

use super::rule::{FileId, Origin};
use super::Model;
use crate::syntax::{LineCol, LineIndex, SyntaxTree};

pub struct Source<'a> {
    pub name: String,
    pub tree: SourceTree<'a>,
    pub lines: LineIndex,
}

pub enum SourceTree<'a> {
    Borrowed(&'a SyntaxTree),
    Shared(Arc<SyntaxTree>),
}

impl Source<'_> {
    pub fn tree(&self) -> &SyntaxTree {
        match &self.tree {
            SourceTree::Borrowed(t) => t,
            SourceTree::Shared(t) => t,
        }
    }
}

/// File ids as the evaluator numbers them: the checked file, its preludes, its imports.
pub struct SourceMap<'a> {
    files: Vec<Option<Source<'a>>>,
}

impl<'a> SourceMap<'a> {
    pub fn new(
        main: (&str, &'a SyntaxTree),
        preludes: &[(&str, &'a SyntaxTree)],
        model: &Model,
    ) -> Self {
        let mut files: Vec<Option<Source<'a>>> = Vec::new();
        let source = |name: &str, tree: SourceTree<'a>| {
            let lines = match &tree {
                SourceTree::Borrowed(t) => LineIndex::new(t.text()),
                SourceTree::Shared(t) => LineIndex::new(t.text()),
            };
            Some(Source {
                name: name.to_string(),
                tree,
                lines,
            })
        };
        files.push(source(main.0, SourceTree::Borrowed(main.1)));
        for (name, tree) in preludes {
            files.push(source(name, SourceTree::Borrowed(tree)));
        }
        for (id, name, tree) in &model.imported {
            let index = id.0 as usize;
            if files.len() <= index {
                files.resize_with(index + 1, || None);
            }
            files[index] = source(name, SourceTree::Shared(tree.clone()));
        }
        SourceMap { files }
    }

    pub fn get(&self, file: FileId) -> Option<&Source<'a>> {
        self.files.get(file.0 as usize).and_then(Option::as_ref)
    }

    pub fn name(&self, file: FileId) -> &str {
        self.get(file).map_or("?", |s| s.name.as_str())
    }

    pub fn line_col(&self, origin: Origin) -> LineCol {
        self.get(origin.file)
            .map_or(LineCol { line: 0, col: 0 }, |s| {
                s.lines.line_col(s.tree().text(), origin.span.start)
            })
    }

    pub fn text(&self, origin: Origin) -> &str {
        self.get(origin.file)
            .map_or("", |s| s.tree().source(origin.span))
    }
}
