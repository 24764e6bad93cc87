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
    /// A person (or enterprise) the records are about, by their subject id:
    /// they read their own records and who read them, nothing else. The
    /// province issues the token after checking who they are, outside this
    /// system.
    Subject(String),
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
    /// The person acting: the name a token was issued to (`token create
    /// --person`), or the local CLI's `--as province:NAME`. Records of the
    /// actor's actions name them; an approval counts them
    /// ([`crate::governance`]). `None` for a token issued before tokens named
    /// people, and for callers in-process that name nobody.
    pub person: Option<String>,
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
            person: None,
        }
    }

    /// The province, as the named person `person` (checked and normalised
    /// as [`person_name`] says).
    pub fn province_person(person: &str) -> Result<Actor, Error> {
        Actor::province().as_person(person)
    }

    /// A publisher of `namespace`.
    pub fn publisher(namespace: &str) -> Actor {
        Actor {
            role: Role::Publisher(namespace.to_string()),
            token: None,
            person: None,
        }
    }

    /// The same actor, as the named person `person` (checked and
    /// normalised as [`person_name`] says).
    pub fn as_person(mut self, person: &str) -> Result<Actor, Error> {
        self.person = Some(person_name(person)?);
        Ok(self)
    }

    /// The person acting, or [`Error::Forbidden`] saying that `what` needs
    /// a named person.
    pub fn named_person(&self, what: &str) -> Result<&str, Error> {
        self.person.as_deref().ok_or_else(|| {
            Error::Forbidden(format!(
                "{what} is done by a named person, and this {self} names nobody: the province issues a token to a person (token create --role province --person NAME); the local CLI acts as --as province:NAME"
            ))
        })
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
        if let Some(person) = &self.person {
            fields.insert("person".into(), person.clone().into());
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

    /// `Ok` for the province; otherwise [`Error::Forbidden`] saying that
    /// only the province may do `what`. Cheap.
    pub fn must_be_province(&self, what: &str) -> Result<(), Error> {
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
            Role::Subject(id) => write!(f, "subject:{id}"),
        }
    }
}

impl FromStr for Actor {
    type Err = Error;

    /// `province`, `province:<person>`, `publisher:<namespace>`,
    /// `app:<name>`, `auditor` or `subject:<subject id>`.
    fn from_str(s: &str) -> Result<Actor, Error> {
        let role = match s.split_once(':') {
            None if s == "province" => Role::Province,
            Some(("province", person)) => return Actor::province_person(person),
            None if s == "auditor" => Role::Auditor,
            Some(("publisher", ns)) if crate::refs::is_name_part(ns) => {
                Role::Publisher(ns.to_string())
            }
            Some(("app", name)) if !name.is_empty() => Role::App(name.to_string()),
            Some(("subject", id)) if !id.trim().is_empty() && id.len() <= 64 && id.trim() == id => {
                Role::Subject(id.to_string())
            }
            _ => {
                return Err(Error::BadRequest(format!(
                    "'{s}' is not a role: use province, province:<person>, publisher:<namespace>, app:<name>, auditor or subject:<subject id>"
                )));
            }
        };
        Ok(Actor {
            role,
            token: None,
            person: None,
        })
    }
}

/// The longest person's name kept, in characters.
pub const MAX_PERSON_NAME: usize = 100;

/// A person's name as stored: trimmed, inner whitespace collapsed to one
/// space; refused when empty, longer than [`MAX_PERSON_NAME`] characters,
/// or holding a control character or a colon (`province:NAME` is how the
/// CLI names them). Cheap.
pub fn person_name(raw: &str) -> Result<String, Error> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Error::BadRequest(
            "a person's name is empty: name the person (e.g. province:Zhang Wei)".into(),
        ));
    }
    if name.chars().count() > MAX_PERSON_NAME {
        return Err(Error::BadRequest(format!(
            "a person's name may be at most {MAX_PERSON_NAME} characters"
        )));
    }
    if name.chars().any(|c| c.is_control() || c == ':') {
        return Err(Error::BadRequest(
            "a person's name may not hold a control character or a colon".into(),
        ));
    }
    Ok(name)
}

/// The key two names of one person share: [`person_name`]'s form, case
/// folded. Two tokens of "Zhang Wei" and "zhang  wei" are one person.
pub fn person_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
