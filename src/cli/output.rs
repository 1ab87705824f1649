//! Where a command writes its answer: stdout, without ever panicking (a closed pipe,
//! `sblint … | head`, ends the output quietly; any other write error is an application
//! error); and atomic writes of files.

use std::io::{ErrorKind, IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::error::AppError;

/// A command's standard output, as `main` hands it to the command.
pub struct Output {
    out: Box<dyn Write>,
    terminal: bool,
}

impl Output {
    /// The process's stdout.
    pub fn stdout() -> Output {
        Output {
            out: Box::new(std::io::stdout()),
            terminal: std::io::stdout().is_terminal(),
        }
    }

    /// True when a person reads it on a terminal (colour, excerpts).
    pub fn is_terminal(&self) -> bool {
        self.terminal
    }

    pub fn print(&mut self, text: &str) -> Result<(), AppError> {
        match self
            .out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.flush())
        {
            Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
            Err(e) => Err(AppError::Output(e)),
            Ok(()) => Ok(()),
        }
    }
}

/// Writes through a temporary file in the same directory, then renames it over the
/// original, so a crash never leaves a half-written file. Permissions are kept.
pub fn write_atomically(path: &PathBuf, contents: &[u8]) -> Result<(), AppError> {
    let io = |source| AppError::Write {
        path: path.clone(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // A new file gets the default permissions; an existing one keeps its own.
    let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(".sblint-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(contents).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temp.path(), permissions).map_err(io)?;
    }
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}
