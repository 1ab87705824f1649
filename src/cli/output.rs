//! Writing to stdout without ever panicking: a closed pipe (`sblint … | head`) ends the
//! output quietly; any other write error is an application error.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::error::AppError;

/// Prints a command's answer and returns its status, or reports its error (exit 2).
pub fn respond(answer: Result<(String, super::ExitStatus), AppError>) -> super::ExitStatus {
    let result = answer.and_then(|(text, status)| print(&text).map(|()| status));
    result.unwrap_or_else(|err| {
        super::error::report_all(vec![err]);
        super::ExitStatus::Error
    })
}

pub fn print(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::Output(e)),
        Ok(()) => Ok(()),
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
