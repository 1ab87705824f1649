//! Reading a log: the denials of `log stream`/`log show` output, syslog lines and
//! `--style ndjson`/`json` records, each with its line.

/// One denial from the system log: `Sandbox: bash(31281) deny(1) file-read-metadata /path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    pub process: String,
    pub operation: String,
    pub argument: Option<String>,
}

/// A denial and where it was read: its 1-based line in the log, and the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub denial: Denial,
    pub line: usize,
    pub text: String,
}

/// The message of a log line: the `eventMessage` of an ndjson/json record, else the line.
fn messages(log: &str) -> Vec<(usize, String)> {
    let trimmed = log.trim_start();
    // `log show --style json`: one array of records over many lines.
    if trimmed.starts_with('[') {
        if let Ok(serde_json::Value::Array(records)) = serde_json::from_str(trimmed) {
            return records
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i + 1, r.get("eventMessage")?.as_str()?.to_string())))
                .collect();
        }
    }
    log.lines()
        .enumerate()
        .map(|(i, line)| {
            let l = line.trim();
            let message = if l.starts_with('{') {
                serde_json::from_str::<serde_json::Value>(l)
                    .ok()
                    .and_then(|v| v.get("eventMessage")?.as_str().map(str::to_string))
                    .unwrap_or_else(|| line.to_string())
            } else {
                line.to_string()
            };
            (i + 1, message)
        })
        .collect()
}

/// Reads a denial from a log line: `Sandbox: NAME(PID) deny(N) OP [ARG]`, with or without
/// the `kernel: (Sandbox)` or `System Policy:` prefixes, `deny` without a count (before
/// macOS 10.12), `Sandbox: N duplicate report for NAME deny(1) …`, and a line that starts
/// with `NAME(PID) deny …` (crash reports); `None` for any other line.
pub fn parse_denial(line: &str) -> Option<Denial> {
    let (at, count_len) = find_deny(line)?;
    let before = &line[..at];
    let process = process_name(before)?;
    let rest = line[at + count_len..].trim_start();
    let (operation, argument) = match rest.split_once(char::is_whitespace) {
        Some((op, arg)) => (op, Some(arg.trim().to_string()).filter(|a| !a.is_empty())),
        None => (rest.trim(), None),
    };
    if operation.is_empty()
        || !operation
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'*')
    {
        return None;
    }
    Some(Denial {
        process,
        operation: operation.to_string(),
        argument,
    })
}

/// Where ` deny(N) ` or ` deny ` starts, and the length of that word.
fn find_deny(line: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = line[from..].find(" deny") {
        let at = from + i;
        let rest = &line[at + " deny".len()..];
        if let Some(r) = rest.strip_prefix('(') {
            if let Some(close) = r.find(')') {
                if close > 0 && r[..close].bytes().all(|b| b.is_ascii_digit()) {
                    return Some((at, " deny(".len() + close + 1));
                }
            }
        } else if rest.starts_with(' ') {
            return Some((at, " deny".len()));
        }
        from = at + 1;
    }
    None
}

/// The process of the text before ` deny`: `… Sandbox: bash(31281)` → `bash`,
/// `Sandbox: 1 duplicate report for com.apple.WebKit` → `com.apple.WebKit`,
/// `XChat Azure(54849)` at the start of the line → `XChat Azure`.
fn process_name(before: &str) -> Option<String> {
    let marker = ["Sandbox: ", "System Policy: ", "SandboxViolation: "]
        .iter()
        .filter_map(|m| before.rfind(m).map(|i| i + m.len()))
        .max();
    let name_part = match marker {
        Some(i) => &before[i..],
        // No prefix: only a line that is `NAME(PID)` from its start.
        None if before.ends_with(')') => before,
        None => return None,
    };
    let name_part = name_part.trim();
    if let Some(rest) = name_part.strip_prefix(|c: char| c.is_ascii_digit()) {
        let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        for word in [" duplicate report for ", " duplicate reports for "] {
            if let Some(name) = rest.strip_prefix(word) {
                return Some(name.trim().to_string());
            }
        }
    }
    match name_part.rfind('(') {
        Some(open) if name_part.ends_with(')') => {
            let pid = &name_part[open + 1..name_part.len() - 1];
            pid.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| name_part[..open].trim().to_string())
                .filter(|n| !n.is_empty())
        }
        _ => {
            let last = name_part.rsplit(char::is_whitespace).next()?;
            Some(last.trim_end_matches(':').to_string()).filter(|n| !n.is_empty())
        }
    }
}

/// Every denial of a log, in order, with its line.
pub fn read_log(log: &str) -> Vec<Logged> {
    messages(log)
        .into_iter()
        .filter_map(|(line, text)| {
            parse_denial(&text).map(|denial| Logged {
                denial,
                line,
                text: text.trim().to_string(),
            })
        })
        .collect()
}
