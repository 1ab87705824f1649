//! The test a profile generator writes (the recipe of the README's "test your generator"):
//! "the profile my code generates never lets the program read `~/.ssh`". It uses only the
//! library API at the crate root (`sblint::Profile`, `sblint::Options`), as a generator's
//! own `cargo test` would with `sblint` as a dev-dependency.

use sblint::{Options, Profile, Severity};

/// A stand-in for the generator under test: an agent runner's profile for a project, with
/// the home directory as a parameter. It lets the program read the home directory (tools
/// read their dotfiles) but not `~/.ssh`; `leaky` forgets the exception.
fn generate_profile(project: &str, leaky: bool) -> String {
    let mut out = String::from(
        "(version 1)\n(deny default)\n\
         (allow process-exec process-fork)\n\
         (allow file-read* (subpath \"/usr\") (subpath \"/System\") (subpath \"/Library\"))\n\
         (allow file-read* (subpath (param \"HOME\")))\n",
    );
    if !leaky {
        out.push_str("(deny file-read* (subpath (string-append (param \"HOME\") \"/.ssh\")))\n");
    }
    out.push_str(&format!(
        "(allow file-read* file-write* (subpath {project:?}))\n"
    ));
    out
}

const HOME: &str = "/Users/me";

fn load(text: String) -> Profile {
    Profile::named("generated.sb", text, &Options::new().param("HOME", HOME))
        .unwrap_or_else(|e| panic!("the generated profile does not load: {e}"))
}

/// Is any file under `~/.ssh` readable? `None` when none is, else the witness.
fn readable_ssh_file(profile: &Profile) -> Option<String> {
    let ssh = format!("{HOME}/.ssh/**");
    let answer = profile
        .never_within("file-read*", Some(&[ssh]), &[] as &[&str])
        .expect("a question sblint answers");
    answer.witness.map(|w| {
        format!(
            "{} {} is {} by line {:?}",
            w.operation,
            w.argument.unwrap_or_default(),
            w.decision.verdict.as_str(),
            w.line
        )
    })
}

#[test]
fn the_generated_profile_never_lets_the_program_read_ssh_keys() {
    let profile = load(generate_profile("/Users/me/src/app", false));
    // It loads on a Mac as far as sblint knows, and no rule reports an error.
    assert!(profile.loads(), "{:?}", profile.load_errors());
    let errors: Vec<_> = profile
        .check()
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // Every file under ~/.ssh, for every file-read operation: not one is readable.
    assert_eq!(readable_ssh_file(&profile), None);
    // A point question too: the key itself.
    let key = profile
        .decide("file-read-data", Some("/Users/me/.ssh/id_ed25519"))
        .unwrap();
    assert!(!key.allowed(), "{key:#?}");
    // The project stays readable and writable.
    assert!(
        profile
            .always("file-write*", &["/Users/me/src/app/**"])
            .unwrap()
            .holds
    );
}

#[test]
fn a_generator_that_forgets_the_exception_is_caught_with_a_witness() {
    let profile = load(generate_profile("/Users/me/src/app", true));
    let found = readable_ssh_file(&profile).expect("~/.ssh is readable");
    assert!(
        found.contains("/Users/me/.ssh") && found.contains("allow by line Some(5)"),
        "{found}"
    );
}
