//! The 1+N subject data: provincial base evaluations and sector indicator
//! records ([`data`]), who furnishes each indicator ([`furnishers`]), a
//! natural person's consent per app and model ([`consents`]), and disputes
//! and credit repair ([`disputes`]), which withhold records from
//! evaluations; and how long records about each kind of subject keep their
//! personal part ([`retention`]).

pub(crate) mod consents;
pub mod data;
pub mod disputes;
pub mod furnishers;
pub(crate) mod retention;
