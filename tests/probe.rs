//! The probe performs each operation for real and reports what the system answered; the
//! hidden `sblint probe` subcommand prints it and exits with its code. `sblint run` refuses
//! on anything but macOS with one line.

use std::io::Write;
use std::path::Path;
use std::process::Command as Process;

use assert_cmd::Command;
use sblint::run::probe::{run, Op, Outcome};

fn probe(op: &str, arg: &str) -> (Option<i32>, String) {
    let out = Command::cargo_bin("sblint")
        .unwrap()
        .args(["probe", op, arg])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

#[test]
fn files_read_write_create_and_stat() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f.txt");
    std::fs::File::create(&file)
        .unwrap()
        .write_all(b"x")
        .unwrap();
    let f = file.to_str().unwrap();
    let missing = dir.path().join("missing");
    let m = missing.to_str().unwrap();
    assert_eq!(run(Op::Read, f), Outcome::Success);
    assert_eq!(run(Op::Write, f), Outcome::Success);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"x",
        "write does not truncate"
    );
    assert_eq!(run(Op::Stat, f), Outcome::Success);
    assert_eq!(run(Op::Read, m), Outcome::Enoent);
    assert_eq!(run(Op::Write, m), Outcome::Enoent);
    assert_eq!(run(Op::Stat, m), Outcome::Enoent);
    assert_eq!(run(Op::Create, m), Outcome::Success);
    assert!(!missing.exists(), "create removes what it made");
    assert!(matches!(run(Op::Create, f), Outcome::Other(_)), "exists");
    assert_eq!(probe("read", f), (Some(0), "success".into()));
    assert_eq!(probe("stat", m), (Some(3), "ENOENT".into()));
}

/// EPERM for real: an immutable file (`chattr +i`, root on ext4 as here) refuses writing
/// with EPERM, as the sandbox does; where that cannot be set up, a file without write
/// permission refuses a non-root writer with EACCES.
#[test]
fn a_refused_write_is_eperm_or_eacces() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("locked");
    std::fs::write(&file, b"x").unwrap();
    let f = file.to_str().unwrap().to_string();
    let immutable = Process::new("chattr")
        .args(["+i", &f])
        .status()
        .is_ok_and(|s| s.success());
    struct Unlock(String);
    impl Drop for Unlock {
        fn drop(&mut self) {
            let _ = Process::new("chattr").args(["-i", &self.0]).status();
        }
    }
    let _unlock = Unlock(f.clone());
    if immutable {
        assert_eq!(run(Op::Write, &f), Outcome::Eperm);
        assert_eq!(probe("write", &f), (Some(1), "EPERM".into()));
        assert_eq!(run(Op::Read, &f), Outcome::Success);
    } else {
        let mut perms = std::fs::metadata(&file).unwrap().permissions();
        perms.set_readonly(true);
        std::fs::set_permissions(&file, perms).unwrap();
        let root = Process::new("id")
            .arg("-u")
            .output()
            .is_ok_and(|o| o.stdout.starts_with(b"0"));
        assert!(
            !root,
            "root without chattr: neither EPERM nor EACCES can be set up here"
        );
        assert_eq!(run(Op::Write, &f), Outcome::Eacces);
    }
}

/// A refused connect is checked on a port this test holds bound but never listens on: no
/// other socket can take it, and it is never an ephemeral source port, so the answer is
/// always "refused". (Dropping a listener and connecting again, as this test once did,
/// failed in most full-suite runs: while another test thread spawns a process, the child
/// holds a copy of every open descriptor until its exec, the dropped listener among them,
/// and the connect succeeded.)
#[test]
fn connect_to_tcp_and_unix_sockets() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = tcp.local_addr().unwrap().to_string();
    let outcome = run(Op::Connect, &addr);
    assert_eq!(outcome, Outcome::Success, "connect to listening {addr}");

    let closed = refusing_port();
    let addr = closed
        .local_addr()
        .unwrap()
        .as_socket()
        .unwrap()
        .to_string();
    let outcome = run(Op::Connect, &addr);
    assert!(
        matches!(&outcome, Outcome::Other(e) if e.contains("refused")),
        "connect to bound, not listening {addr}: {outcome:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("s.sock");
    let _unix = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let outcome = run(Op::Connect, sock.to_str().unwrap());
    assert_eq!(outcome, Outcome::Success, "connect to {}", sock.display());
    let none = dir.path().join("none.sock");
    let outcome = run(Op::Connect, none.to_str().unwrap());
    assert_eq!(outcome, Outcome::Enoent, "connect to {}", none.display());
}

/// A TCP socket bound to a free loopback port, never listening.
fn refusing_port() -> socket2::Socket {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    socket
}

#[test]
fn exec_sysctl_and_mach_lookup() {
    assert_eq!(run(Op::Exec, "/bin/true"), Outcome::Success);
    assert_eq!(run(Op::Exec, "/no/such/program"), Outcome::Enoent);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("not-executable");
    std::fs::write(&script, "#!/bin/sh\n").unwrap();
    assert_eq!(run(Op::Exec, script.to_str().unwrap()), Outcome::Eacces);
    if Path::new("/proc/sys/kernel/ostype").exists() {
        assert_eq!(run(Op::Sysctl, "kernel.ostype"), Outcome::Success);
        assert_eq!(run(Op::Sysctl, "kernel.no_such_name"), Outcome::Enoent);
        assert!(matches!(run(Op::Sysctl, "../etc"), Outcome::Other(_)));
    }
    let mach = run(Op::MachLookup, "com.apple.trustd.agent");
    assert!(matches!(mach, Outcome::Unsupported(_)), "{mach:?}");
    assert_eq!(probe("mach-lookup", "x").0, Some(2));
    assert_eq!(Op::for_operation("file-read-data"), Some(Op::Read));
    assert_eq!(Op::for_operation("iokit-open"), None);
}

#[test]
fn run_needs_macos_and_says_so_in_one_line() {
    if cfg!(target_os = "macos") {
        return;
    }
    let out = Command::cargo_bin("sblint")
        .unwrap()
        .args(["run", "tests/learn/profile.sb", "--", "/bin/true"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("needs macOS"), "{err}");
    assert!(out.stdout.is_empty());
}

/// The macOS workflow runs the probe under sandbox-exec, `sblint run`, and `sblint test
/// --on-device` over the presets and tests/observed, on a macOS runner, with pinned actions.
#[test]
fn the_macos_workflow_runs_the_on_device_checks() {
    use yaml_rust2::YamlLoader;
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/workflows/macos.yml"),
    )
    .unwrap();
    let doc = &YamlLoader::load_from_str(&text).unwrap()[0];
    let job = &doc["jobs"]["on-device"];
    assert_eq!(job["runs-on"].as_str(), Some("macos-latest"));
    let steps = job["steps"].as_vec().unwrap();
    let runs: String = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    for needle in [
        "sandbox-exec -f",
        "sblint probe read",
        "sblint run",
        "sblint test --on-device target/presets",
        "SBLINT_OBSERVED_OUT",
        "sblint test --on-device target/observed",
        "--preset \"$preset\"",
    ] {
        assert!(runs.contains(needle), "the workflow lacks `{needle}`");
    }
    for uses in steps.iter().filter_map(|s| s["uses"].as_str()) {
        let (_, version) = uses.split_once('@').unwrap();
        assert!(
            version == "stable" || version.starts_with('v'),
            "{uses} is not pinned"
        );
    }
}
