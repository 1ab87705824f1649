//! The endpoints a profile allows, as SBPL can name them: `localhost` or `*` for the host.

use super::{NewError, Options};

/// One endpoint, as SBPL can name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    /// `localhost` or `*`.
    pub host: &'static str,
    /// A number or `*`.
    pub port: String,
}

impl Endpoint {
    pub fn text(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// Any host: the internet, not only this machine.
    pub fn any_host(&self) -> bool {
        self.host == "*"
    }
}

/// The endpoints of `--allow-host` (the preset's local proxy when none is given), each
/// once, in order.
pub(super) fn endpoints(options: &Options) -> Result<Vec<Endpoint>, NewError> {
    let hosts: Vec<String> = if options.allow_hosts.is_empty() {
        options
            .preset
            .default_hosts()
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        options.allow_hosts.clone()
    };
    let mut endpoints = Vec::new();
    for h in &hosts {
        let e = endpoint(h)?;
        if !endpoints.contains(&e) {
            endpoints.push(e);
        }
    }
    Ok(endpoints)
}

fn endpoint(text: &str) -> Result<Endpoint, NewError> {
    let crate::model::argument::Endpoint { host, port, .. } =
        crate::model::argument::Endpoint::parse(text).ok_or_else(|| {
            NewError(format!(
                "`--allow-host {text}`: expected HOST:PORT, e.g. localhost:3141"
            ))
        })?;
    let host = match host {
        "localhost" | "127.0.0.1" | "::1" => "localhost",
        "*" => "*",
        _ => {
            return Err(NewError(format!(
                "`--allow-host {text}`: a profile can name only `localhost` or `*` as the host \
                 (any other host makes the whole profile fail to load: zeroclaw-labs/zeroclaw#4764); \
                 run a local proxy and allow `localhost:PORT`, or allow `*:{port}`"
            )))
        }
    };
    if port != "*" && port.parse::<u16>().is_err() {
        return Err(NewError(format!(
            "`--allow-host {text}`: `{port}` is not a port number or `*`"
        )));
    }
    Ok(Endpoint {
        host,
        port: port.to_string(),
    })
}
