//! `import`: finding, reading and evaluating another profile file in place.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Evaluator, Position, TreeRef, MAX_IMPORT_BYTES};
use crate::model::rule::FileId;
use crate::model::Issue;
use crate::syntax::{parse, Element, Span};

const APPLE_PROFILES: &str = include_str!("../../../grammar/apple-profiles.tsv");

/// The directory where libsandbox finds `name` when it is one of Apple's own profiles
/// (`grammar/apple-profiles.tsv`).
pub fn apple_profile(name: &str) -> Option<&'static str> {
    APPLE_PROFILES
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t'))
        .find_map(|mut fields| {
            let (file, dir) = (fields.next()?, fields.next()?);
            let full = name.strip_prefix(dir).and_then(|r| r.strip_prefix('/'));
            (name == file || full == Some(file)).then_some(dir)
        })
}

/// The bytes of the import file at `path`; why not when it is no regular file, too large
/// or unreadable.
fn read_import_file(path: &Path) -> Result<Vec<u8>, String> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err("it is not a regular file".to_string()),
        Ok(m) if m.len() > MAX_IMPORT_BYTES => {
            Err(format!("it is larger than {} MiB", MAX_IMPORT_BYTES >> 20))
        }
        Ok(_) => std::fs::read(path).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    }
}

impl<'a> Evaluator<'a> {
    /// Records an import whose rules are missing, where the checked file shows it.
    fn unread(&mut self, file: FileId, name: &str, span: Span) {
        let span = if file == FileId::MAIN {
            span
        } else {
            match self.site {
                Some(site) => site,
                None => return,
            }
        };
        self.unread_imports.push(crate::model::UnreadImport {
            name: name.to_string(),
            span,
            at: self.rules.len(),
        });
    }

    /// `(import "name")`: the file found, read and evaluated in place, or why not reported.
    pub(super) fn import(&mut self, file: FileId, name: &str, span: Span) {
        let options = self.options;
        if let Some(text) = options.imports.get(name) {
            self.import_given_text(file, name, span, text);
            return;
        }
        let Some(path) = self.find_import(file, name) else {
            self.not_found(file, name, span);
            return;
        };
        let canonical = std::fs::canonicalize(&path).unwrap_or(path.clone());
        if self.importing.contains(&canonical) {
            self.cycle(file, name, span);
            return;
        }
        let text = match read_import_file(&canonical).map(String::from_utf8) {
            Ok(Ok(text)) => text,
            Ok(Err(_)) => {
                self.issue(
                    file,
                    Issue::Import {
                        span,
                        apple: false,
                        message: format!("cannot import `{name}`: it is not UTF-8"),
                    },
                );
                return;
            }
            Err(why) => {
                self.unread(file, name, span);
                self.issue(
                    file,
                    Issue::Import {
                        span,
                        apple: false,
                        message: format!("cannot import `{name}`: {why}"),
                    },
                );
                return;
            }
        };
        let dir = canonical.parent().map(Path::to_path_buf);
        self.evaluate_import(name, text, canonical, dir);
    }

    /// An import given as text (`ModelOptions::imports`), named by itself for the cycle check.
    fn import_given_text(&mut self, file: FileId, name: &str, span: Span, text: &str) {
        let key = PathBuf::from(format!("<import {name}>"));
        if self.importing.contains(&key) {
            self.cycle(file, name, span);
        } else if text.len() as u64 > MAX_IMPORT_BYTES {
            let message = format!(
                "cannot import `{name}`: it is larger than {} MiB",
                MAX_IMPORT_BYTES >> 20
            );
            self.issue(
                file,
                Issue::Import {
                    span,
                    apple: false,
                    message,
                },
            );
        } else {
            self.evaluate_import(name, text.to_owned(), key, None);
        }
    }

    /// The first existing file `name` can be: itself when absolute, else beside `file`, then
    /// in each import path.
    fn find_import(&self, file: FileId, name: &str) -> Option<PathBuf> {
        let mut candidates = Vec::new();
        if Path::new(name).is_absolute() {
            candidates.push(PathBuf::from(name));
        } else {
            if let Some(dir) = &self.dirs[file.0 as usize] {
                candidates.push(dir.join(name));
            }
            candidates.extend(self.options.import_paths.iter().map(|d| d.join(name)));
        }
        candidates.into_iter().find(|p| p.exists())
    }

    /// Records and reports an import found nowhere (naming where libsandbox finds Apple's).
    fn not_found(&mut self, file: FileId, name: &str, span: Span) {
        self.missing_import = true;
        self.unread(file, name, span);
        let message = match apple_profile(name) {
            Some(dir) => format!(
                "`{name}` is Apple's, found by libsandbox in `{dir}` on every Mac; sblint \
                 has no copy: names it defines and what it grants are not checked"
            ),
            None => format!("cannot find `{name}` to import: names it defines are not checked"),
        };
        self.issue(
            file,
            Issue::Import {
                span,
                message,
                apple: apple_profile(name).is_some(),
            },
        );
    }

    fn cycle(&mut self, file: FileId, name: &str, span: Span) {
        self.issue(
            file,
            Issue::Import {
                span,
                apple: false,
                message: format!("`{name}` imports itself (an import cycle); not followed again"),
            },
        );
    }

    /// Evaluates an imported file's forms in place; `key` identifies it for the cycle
    /// check, `dir` is where its own relative imports are looked for.
    fn evaluate_import(&mut self, name: &str, text: String, key: PathBuf, dir: Option<PathBuf>) {
        let id = FileId(self.trees.len() as u16);
        let tree = Arc::new(parse(text));
        self.imported.push((id, name.to_string(), tree.clone()));
        self.trees.push(TreeRef::Owned(tree));
        self.dirs.push(dir);
        self.importing.push(key);
        let site = self.site;
        let tree = self.tree(id);
        let forms: Vec<Element> = tree.get().items(tree.get().root()).collect();
        let global = self.global.clone();
        for form in forms {
            self.eval(id, form, &global, Position::Statement);
        }
        self.site = site;
        self.importing.pop();
    }
}
