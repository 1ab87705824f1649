//! Which macOS versions have a name: releases and versions as written (`14.2`, `sonoma`),
//! and the evidence per version (`grammar/availability.tsv`) beside the tables.

use std::fmt;

/// A macOS release (`14`, `10.15`), the unit the vocabulary tables are kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Release {
    V10_12,
    V10_13,
    V10_14,
    V10_15,
    V11,
    V12,
    V13,
    V14,
    V15,
    V26,
}

impl Release {
    pub const ALL: [Release; 10] = [
        Release::V10_12,
        Release::V10_13,
        Release::V10_14,
        Release::V10_15,
        Release::V11,
        Release::V12,
        Release::V13,
        Release::V14,
        Release::V15,
        Release::V26,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Release::V10_12 => "10.12",
            Release::V10_13 => "10.13",
            Release::V10_14 => "10.14",
            Release::V10_15 => "10.15",
            Release::V11 => "11",
            Release::V12 => "12",
            Release::V13 => "13",
            Release::V14 => "14",
            Release::V15 => "15",
            Release::V26 => "26",
        }
    }

    /// The marketing name, as `--macos` accepts it.
    pub fn name(self) -> &'static str {
        match self {
            Release::V10_12 => "sierra",
            Release::V10_13 => "high-sierra",
            Release::V10_14 => "mojave",
            Release::V10_15 => "catalina",
            Release::V11 => "big-sur",
            Release::V12 => "monterey",
            Release::V13 => "ventura",
            Release::V14 => "sonoma",
            Release::V15 => "sequoia",
            Release::V26 => "tahoe",
        }
    }

    /// The releases whose operation names a complete table lists (simbple for 10.12-10.15,
    /// libsandbox's `_operation_names` of 14.4.1 harvested by SANDBOX_LORE).
    pub fn has_operation_table(self) -> bool {
        matches!(
            self,
            Release::V10_12 | Release::V10_13 | Release::V10_14 | Release::V10_15 | Release::V14
        )
    }

    /// The releases whose filter names a complete table lists (simbple for 10.15,
    /// SANDBOX_LORE for 14.4.1). Releases before the oldest are taken to have its filters:
    /// no table says otherwise, and an info on every filter would drown the findings.
    pub fn has_filter_table(self) -> bool {
        matches!(self, Release::V10_15 | Release::V14)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A macOS version as `--macos` names it: a release, and the minor and patch version where
/// they were given (`14.2`, `13.7.8`). A bare release (`14`, `sonoma`) means its newest
/// minor the evidence knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MacOs {
    pub release: Release,
    /// (minor, patch) within the release: `14.4.1` is (4, 1), `10.15.7` is (7, 0).
    pub point: Option<(u8, u8)>,
}

impl MacOs {
    pub const V10_12: MacOs = MacOs::release(Release::V10_12);
    pub const V10_13: MacOs = MacOs::release(Release::V10_13);
    pub const V10_14: MacOs = MacOs::release(Release::V10_14);
    pub const V10_15: MacOs = MacOs::release(Release::V10_15);
    pub const V11: MacOs = MacOs::release(Release::V11);
    pub const V12: MacOs = MacOs::release(Release::V12);
    pub const V13: MacOs = MacOs::release(Release::V13);
    pub const V14: MacOs = MacOs::release(Release::V14);
    pub const V15: MacOs = MacOs::release(Release::V15);
    pub const V26: MacOs = MacOs::release(Release::V26);
    pub const ALL: [MacOs; 10] = [
        MacOs::V10_12,
        MacOs::V10_13,
        MacOs::V10_14,
        MacOs::V10_15,
        MacOs::V11,
        MacOs::V12,
        MacOs::V13,
        MacOs::V14,
        MacOs::V15,
        MacOs::V26,
    ];
    /// The default: the newest version with complete tables of operations and filters
    /// (SANDBOX_LORE's harvest of macOS 14.4.1). 15 and 26 are known only by evidence.
    pub const NEWEST: MacOs = MacOs {
        release: Release::V14,
        point: Some((4, 1)),
    };
    /// What `--macos` and the `macos` key accept, for help and error messages.
    pub const ACCEPTED: &'static str = "10.12-10.15, 11, 12, 13, 14, 15 or 26, with a minor \
        version (`14.2`, `13.7.8`), or a name (catalina, big-sur, monterey, ventura, sonoma, \
        sequoia, tahoe)";

    pub const fn release(release: Release) -> MacOs {
        MacOs {
            release,
            point: None,
        }
    }

    /// The release as written in the tables (`14`, `10.15`).
    pub fn as_str(self) -> &'static str {
        self.release.as_str()
    }

    /// `10.15`, `catalina`, `14`, `14.4.1`, `sonoma`, `26`, `tahoe`.
    pub fn parse(text: &str) -> Option<MacOs> {
        let t = text.trim().to_ascii_lowercase();
        let t = t
            .strip_prefix("macos")
            .map_or(t.as_str(), |r| r.trim_start_matches([' ', '-']));
        if let Some(release) = Release::ALL.into_iter().find(|r| {
            r.name() == t || r.name().replace('-', "_") == t || r.name().replace('-', " ") == t
        }) {
            return Some(MacOs::release(release));
        }
        let parts: Vec<&str> = t.split('.').collect();
        if parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 3)
        {
            return None;
        }
        let numbers: Vec<u16> = parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        let (release, rest) = match numbers.as_slice() {
            [10, minor, rest @ ..] => (
                Release::ALL
                    .into_iter()
                    .find(|r| r.as_str() == format!("10.{minor}"))?,
                rest,
            ),
            [major, rest @ ..] => (
                Release::ALL
                    .into_iter()
                    .find(|r| !r.as_str().contains('.') && r.as_str() == major.to_string())?,
                rest,
            ),
            [] => return None,
        };
        let small = |n: u16| u8::try_from(n).ok();
        let point = match rest {
            [] => None,
            [minor] => Some((small(*minor)?, 0)),
            [minor, patch] => Some((small(*minor)?, small(*patch)?)),
            _ => return None,
        };
        Some(MacOs { release, point })
    }
}

impl fmt::Display for MacOs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "macOS {}", self.release.as_str())?;
        match self.point {
            Some((minor, 0)) => write!(f, ".{minor}"),
            Some((minor, patch)) => write!(f, ".{minor}.{patch}"),
            None => Ok(()),
        }
    }
}

/// Whether a name exists on a macOS version, as far as the tables and the evidence say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    /// In that release's complete table, or seen accepted there.
    Present,
    /// Not in that release's complete table, or seen refused there.
    Absent,
    /// No table of that release lists it and nothing was seen: "not verified for macOS N".
    Unverified,
}

/// Where a name was seen: releases whose complete table lists it, versions where it was
/// accepted, and versions where it was refused.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Releases whose complete table lists the name (bits of [`Release`]).
    tables: u16,
    /// Versions where the name was seen accepted.
    accepted: Vec<MacOs>,
    /// Versions where it was refused: that minor and the earlier ones of the release.
    refused: Vec<MacOs>,
    /// Where the evidence comes from.
    pub source: Option<String>,
}

impl Evidence {
    /// The evidence of a table row's comma-separated version list (`10.15,14.4.1`).
    pub(super) fn tabled(versions: &str) -> Evidence {
        Evidence {
            tables: versions
                .split(',')
                .filter_map(MacOs::parse)
                .fold(0u16, |bits, v| bits | v.release.bit()),
            ..Evidence::default()
        }
    }

    /// What is known of the name on `target`. `tabled` tells which releases have a complete
    /// table of names of this kind.
    pub fn on(&self, target: MacOs, tabled: impl Fn(Release) -> bool) -> Availability {
        let refused = self.refused.iter().any(|r| {
            r.release == target.release
                && match (target.point, r.point) {
                    (Some(t), Some(r)) => t <= r,
                    (Some(_), None) => true,
                    // A bare release means its newest minor: a refusal at an earlier one
                    // does not decide it.
                    (None, _) => false,
                }
        });
        if refused {
            return Availability::Absent;
        }
        if self.tables & target.release.bit() != 0
            || self.accepted.iter().any(|a| a.release == target.release)
        {
            return Availability::Present;
        }
        if tabled(target.release) {
            return Availability::Absent;
        }
        // Between two releases with tables that both have it (11-13 between 10.15 and 14,
        // by table or by evidence): a name known on both is taken to be in those between.
        let before = Release::ALL
            .into_iter()
            .filter(|r| *r < target.release && tabled(*r))
            .max();
        let after = Release::ALL
            .into_iter()
            .filter(|r| *r > target.release && tabled(*r))
            .min();
        let known =
            |r: Release| self.tables & r.bit() != 0 || self.accepted.iter().any(|a| a.release == r);
        match (before, after) {
            (Some(b), Some(a)) if known(b) && known(a) => Availability::Present,
            _ => Availability::Unverified,
        }
    }

    /// The releases where the name is known to exist, oldest first.
    pub fn releases(&self) -> Vec<Release> {
        Release::ALL
            .into_iter()
            .filter(|r| self.tables & r.bit() != 0 || self.accepted.iter().any(|a| a.release == *r))
            .collect()
    }

    /// `14.4.1,15,26`, `-13.7.8`, `12..26` (see `grammar/evidence.tsv`).
    pub(super) fn add(&mut self, token: &str) {
        let token = token.trim();
        let (refused, token) = match token.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, token),
        };
        let versions: Vec<MacOs> = match token.split_once("..") {
            Some((a, b)) => match (MacOs::parse(a), MacOs::parse(b)) {
                (Some(a), Some(b)) => Release::ALL
                    .into_iter()
                    .filter(|r| *r >= a.release && *r <= b.release)
                    .map(MacOs::release)
                    .collect(),
                _ => Vec::new(),
            },
            None => MacOs::parse(token).into_iter().collect(),
        };
        if refused {
            self.refused.extend(versions);
        } else {
            self.accepted.extend(versions);
        }
    }
}
