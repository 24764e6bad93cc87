//! Access: who acts ([`actor`]: the roles) and the bearer tokens that
//! carry a role and its grants ([`tokens`]; only their SHA-256 is stored).

pub(crate) mod actor;
pub(crate) mod tokens;
