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
///
/// Two actors are equal when their roles are: the token an actor acted
/// through is recorded ([`Actor::record_into`]) but grants nothing of its
/// own.
#[derive(Debug, Clone)]
pub struct Actor {
    /// What the actor may do.
    pub role: Role,
    /// The public id (`tok_…`) of the token it acted through, when it came
    /// through the HTTP service (or its console): every record of its
    /// actions names it. `None` for the local CLI, which holds no token.
    pub token: Option<String>,
}

impl PartialEq for Actor {
    fn eq(&self, other: &Actor) -> bool {
        self.role == other.role
    }
}

impl Eq for Actor {}

impl std::hash::Hash for Actor {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.role.hash(state)
    }
}

impl Actor {
    /// The province.
    pub fn province() -> Actor {
        Actor {
            role: Role::Province,
            token: None,
        }
    }

    /// A publisher of `namespace`.
    pub fn publisher(namespace: &str) -> Actor {
        Actor {
            role: Role::Publisher(namespace.to_string()),
            token: None,
        }
    }

    /// The same actor, acting through the token `id` (its records name it).
    pub fn through_token(mut self, id: &str) -> Actor {
        self.token = Some(id.to_string());
        self
    }

    /// Write who acted into an audit record's fields: `actor` (the role,
    /// as [`fmt::Display`] writes it) and, when it acted through a token,
    /// `token` (its public id, never its secret).
    pub fn record_into(&self, fields: &mut serde_json::Map<String, serde_json::Value>) {
        fields.insert("actor".into(), self.to_string().into());
        if let Some(token) = &self.token {
            fields.insert("token".into(), token.clone().into());
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
        Ok(Actor { role, token: None })
    }
}
