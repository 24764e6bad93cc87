//! Model names (`namespace/name`) and version references
//! (`namespace/name@version`).

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// Whether `s` is a valid namespace or name: lowercase letters, digits, `-`.
pub(crate) fn is_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `namespace/name`, e.g. `ningbo/port`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelName {
    /// The publisher's namespace (a city or sector).
    pub namespace: String,
    /// The model's name within it.
    pub name: String,
}

/// `namespace/name@version`, e.g. `ningbo/port@1.0.0`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionRef {
    /// The model.
    pub model: ModelName,
    /// Its semantic version.
    pub version: String,
}

impl FromStr for ModelName {
    type Err = Error;
    fn from_str(s: &str) -> Result<ModelName, Error> {
        match s.split_once('/') {
            Some((ns, name)) if is_name_part(ns) && is_name_part(name) => Ok(ModelName {
                namespace: ns.to_string(),
                name: name.to_string(),
            }),
            _ => Err(Error::BadRequest(format!(
                "'{s}' is not a model name 'namespace/name' (lowercase letters, digits and '-')"
            ))),
        }
    }
}

impl FromStr for VersionRef {
    type Err = Error;
    fn from_str(s: &str) -> Result<VersionRef, Error> {
        let Some((model, version)) = s.split_once('@') else {
            return Err(Error::BadRequest(format!(
                "'{s}' is not 'namespace/name@version'"
            )));
        };
        if semver::Version::parse(version).is_err() {
            return Err(Error::BadRequest(format!(
                "'{version}' is not a semantic version like 1.0.0"
            )));
        }
        Ok(VersionRef {
            model: model.parse()?,
            version: version.to_string(),
        })
    }
}

impl fmt::Display for ModelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

impl fmt::Display for VersionRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.model, self.version)
    }
}

/// Check that `s` is a lowercase hex SHA-256.
pub(crate) fn check_sha256(s: &str) -> Result<(), Error> {
    if s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "'{s}' is not a SHA-256 (64 lowercase hex digits)"
        )))
    }
}

/// Whether `name` can name an indicator: lowercase letters, digits and `_`.
pub(crate) fn is_indicator_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let r: VersionRef = "ningbo/port@1.0.0".parse().unwrap();
        assert_eq!(r.to_string(), "ningbo/port@1.0.0");
        assert_eq!(r.model.namespace, "ningbo");
        for bad in [
            "ningbo/port",
            "ningbo@1.0.0",
            "Ningbo/port@1.0.0",
            "ningbo/port@1.0",
            "a/b/c@1.0.0",
            "/port@1.0.0",
        ] {
            assert!(bad.parse::<VersionRef>().is_err(), "{bad}");
        }
        assert!(check_sha256(&"a".repeat(64)).is_ok());
        assert!(check_sha256(&"A".repeat(64)).is_err());
        assert!(check_sha256("abc").is_err());
    }
}
