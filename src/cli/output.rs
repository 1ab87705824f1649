//! Writing to stdout without ever panicking: a closed pipe (`sblint … | head`) ends the
//! output quietly; any other write error is an application error.

use std::io::{ErrorKind, Write};

use super::error::AppError;

pub fn print(text: &str) -> Result<(), AppError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(AppError::Output(e)),
        Ok(()) => Ok(()),
    }
}
