//! The probe: one operation performed for real, and what the system answered. `sblint
//! test --on-device` runs it under `sandbox-exec` (as the hidden `sblint probe` subcommand)
//! for each assertion, and compares the kernel's answer with sblint's.

use std::io::ErrorKind;
use std::path::Path;

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Open for reading (`file-read-data`).
    Read,
    /// Open an existing file for writing, without truncating it (`file-write-data`).
    Write,
    /// Create a new file (`file-write-create`); it is removed again.
    Create,
    /// `lstat` (`file-read-metadata`).
    Stat,
    /// Connect to `HOST:PORT` over TCP, or to a unix socket path (`network-outbound`).
    Connect,
    /// Run a program with no arguments and wait for it (`process-exec`).
    Exec,
    /// Read a sysctl by name (`sysctl-read`).
    Sysctl,
    /// Look up a mach service (`mach-lookup`): macOS only.
    MachLookup,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::Read,
        Op::Write,
        Op::Create,
        Op::Stat,
        Op::Connect,
        Op::Exec,
        Op::Sysctl,
        Op::MachLookup,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Write => "write",
            Op::Create => "create",
            Op::Stat => "stat",
            Op::Connect => "connect",
            Op::Exec => "exec",
            Op::Sysctl => "sysctl",
            Op::MachLookup => "mach-lookup",
        }
    }

    pub fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.name() == name)
    }

    /// The probe that exercises an SBPL leaf operation, when there is one.
    pub fn for_operation(operation: &str) -> Option<Op> {
        Some(match operation {
            "file-read-data" => Op::Read,
            "file-write-data" => Op::Write,
            "file-write-create" => Op::Create,
            "file-read-metadata" => Op::Stat,
            "network-outbound" => Op::Connect,
            "process-exec" | "process-exec*" => Op::Exec,
            "sysctl-read" => Op::Sysctl,
            "mach-lookup" => Op::MachLookup,
            _ => return None,
        })
    }
}

/// What the system answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// `EPERM`: what the sandbox answers.
    Eperm,
    /// `EACCES`: file permissions (or an exec of a file that is not executable).
    Eacces,
    Enoent,
    /// Any other error, as the system describes it (`ECONNREFUSED` …).
    Other(String),
    /// The probe cannot perform it here.
    Unsupported(String),
}

impl Outcome {
    /// One word for people and programs: `success`, `EPERM`, `EACCES`, `ENOENT`,
    /// `error: …`, `unsupported: …`.
    pub fn text(&self) -> String {
        match self {
            Outcome::Success => "success".into(),
            Outcome::Eperm => "EPERM".into(),
            Outcome::Eacces => "EACCES".into(),
            Outcome::Enoent => "ENOENT".into(),
            Outcome::Other(e) => format!("error: {e}"),
            Outcome::Unsupported(why) => format!("unsupported: {why}"),
        }
    }

    /// The probe's exit status: 0 success, 1 denied (EPERM/EACCES), 3 ENOENT, 4 other,
    /// 2 unsupported.
    pub fn code(&self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::Eperm | Outcome::Eacces => 1,
            Outcome::Unsupported(_) => 2,
            Outcome::Enoent => 3,
            Outcome::Other(_) => 4,
        }
    }

    fn of(e: &std::io::Error) -> Outcome {
        // EPERM and EACCES have the same numbers on macOS and Linux.
        match e.raw_os_error() {
            Some(1) => Outcome::Eperm,
            Some(13) => Outcome::Eacces,
            Some(2) => Outcome::Enoent,
            _ if e.kind() == ErrorKind::NotFound => Outcome::Enoent,
            _ => Outcome::Other(e.to_string()),
        }
    }
}

fn outcome(result: std::io::Result<()>) -> Outcome {
    match result {
        Ok(()) => Outcome::Success,
        Err(e) => Outcome::of(&e),
    }
}

/// Performs `op` on `arg` and reports what the system answered.
pub fn run(op: Op, arg: &str) -> Outcome {
    match op {
        Op::Read => outcome(std::fs::File::open(arg).map(drop)),
        Op::Write => outcome(std::fs::OpenOptions::new().write(true).open(arg).map(drop)),
        Op::Create => outcome(
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(arg)
                .and_then(|_| std::fs::remove_file(arg)),
        ),
        Op::Stat => outcome(std::fs::symlink_metadata(arg).map(drop)),
        Op::Connect => connect(arg),
        Op::Exec => outcome(
            std::process::Command::new(arg)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status()
                .map(drop),
        ),
        Op::Sysctl => sysctl(arg),
        Op::MachLookup => Outcome::Unsupported(
            "a mach lookup needs bootstrap_look_up, a call this crate (no unsafe code) does not make yet"
                .into(),
        ),
    }
}

fn connect(arg: &str) -> Outcome {
    if arg.starts_with('/') {
        #[cfg(unix)]
        return outcome(std::os::unix::net::UnixStream::connect(arg).map(drop));
        #[cfg(not(unix))]
        return Outcome::Unsupported("unix sockets".into());
    }
    let addr = match std::net::ToSocketAddrs::to_socket_addrs(arg) {
        Ok(mut addrs) => match addrs.next() {
            Some(a) => a,
            None => return Outcome::Other(format!("`{arg}` resolves to no address")),
        },
        Err(e) => return Outcome::Other(format!("`{arg}`: {e}")),
    };
    outcome(
        std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(5)).map(drop),
    )
}

/// Linux exposes sysctls as files under `/proc/sys` (`kernel.ostype` is
/// `/proc/sys/kernel/ostype`); macOS needs `sysctlbyname`, a call this crate does not make.
fn sysctl(name: &str) -> Outcome {
    if cfg!(target_os = "linux") {
        if name.is_empty() || name.contains('/') || name.split('.').any(str::is_empty) {
            return Outcome::Other(format!("`{name}` is not a sysctl name"));
        }
        let path = Path::new("/proc/sys").join(name.replace('.', "/"));
        return outcome(std::fs::read(path).map(drop));
    }
    Outcome::Unsupported(
        "reading a sysctl needs sysctlbyname, a call this crate (no unsafe code) does not make yet"
            .into(),
    )
}
