//! Who is acting, and what each role may do.

use std::fmt;
use std::str::FromStr;

use crate::Error;

/// The roles (README, "The HTTP service"): the province approves, pins and revokes; a
/// publisher publishes into its own namespace; apps score; auditors read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Role {
    /// The provincial credit office.
    Province,
    /// A city's or sector's developers, for one namespace.
    Publisher(String),
    /// A downstream application.
    App(String),
    /// An auditor.
    Auditor,
}

/// The actor behind a registry action, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Actor {
    /// What the actor may do.
    pub role: Role,
}

impl Actor {
    /// The province.
    pub fn province() -> Actor {
        Actor {
            role: Role::Province,
        }
    }

    /// A publisher of `namespace`.
    pub fn publisher(namespace: &str) -> Actor {
        Actor {
            role: Role::Publisher(namespace.to_string()),
        }
    }

    /// `Ok` if this actor may publish into `namespace`: the province
    /// anywhere, a publisher only into its own. Cheap: check it before
    /// reading or compiling an upload.
    pub fn may_publish_into(&self, namespace: &str) -> Result<(), Error> {
        match &self.role {
            Role::Province => Ok(()),
            Role::Publisher(ns) if ns == namespace => Ok(()),
            Role::Publisher(ns) => Err(Error::Forbidden(format!(
                "publisher:{ns} may publish only into namespace '{ns}', not '{namespace}'"
            ))),
            _ => Err(Error::Forbidden(format!("{self} may not publish plugins"))),
        }
    }

    pub(crate) fn must_be_province(&self, what: &str) -> Result<(), Error> {
        match self.role {
            Role::Province => Ok(()),
            _ => Err(Error::Forbidden(format!(
                "only the province may {what}; {self} may not"
            ))),
        }
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.role {
            Role::Province => write!(f, "province"),
            Role::Publisher(ns) => write!(f, "publisher:{ns}"),
            Role::App(name) => write!(f, "app:{name}"),
            Role::Auditor => write!(f, "auditor"),
        }
    }
}

impl FromStr for Actor {
    type Err = Error;

    /// `province`, `publisher:<namespace>`, `app:<name>` or `auditor`.
    fn from_str(s: &str) -> Result<Actor, Error> {
        let role = match s.split_once(':') {
            None if s == "province" => Role::Province,
            None if s == "auditor" => Role::Auditor,
            Some(("publisher", ns)) if crate::refs::is_name_part(ns) => {
                Role::Publisher(ns.to_string())
            }
            Some(("app", name)) if !name.is_empty() => Role::App(name.to_string()),
            _ => {
                return Err(Error::BadRequest(format!(
                    "'{s}' is not a role: use province, publisher:<namespace>, app:<name> or auditor"
                )));
            }
        };
        Ok(Actor { role })
    }
}
