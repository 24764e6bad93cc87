//! Who is a natural person, decided before anything of theirs is read, and
//! the one answer an app gets for a person it has no consent from.
//!
//! An app must not learn who is stored. So for an app, whether a subject
//! needs consent is decided, in this order, from:
//!
//! 1. the subject id's own format: an id shaped like a resident identity
//!    number (GB 11643: 17 digits and a digit or `X`, an area code starting
//!    1–8, a plausible birth date) is a natural person's, whatever kind the
//!    request claims — no storage is read for it;
//! 2. the kind the request claims (`natural-person`);
//! 3. otherwise, for a model that scores natural persons, the stored base
//!    evaluation's kind: a stored natural person claimed under another kind
//!    is still a natural person. (A model that scores no natural person
//!    cannot be made to score one under another kind's name: it reads only
//!    the app's inline inputs, and the store is not asked.)
//!
//! A subject that needs consent and has none — never given, withdrawn,
//! expired — and, for a request completed from the store, a subject that is
//! not stored at all, all get the same answer:
//! [`scorehost_registry::no_consent`] (403 `consent_required`), with
//! nothing evaluated or recorded. Only a subject the app may score can be
//! told apart from the others.
//!
//! What remains: an id in another format (a passport number, say) that is
//! stored as a natural person is refused when an inline request claims it
//! is an enterprise, and an unknown one of that format is scored from the
//! app's own inline data; so such ids can be told stored or not by an app
//! that sends inline requests. SECURITY.md says so.

use scorehost_registry::{ModelName, Registry};

use crate::Error;
use crate::contract::{ModelInfo, SubjectKind};

/// Whether `id` has the shape of a PRC resident identity number: 18
/// characters, 17 digits then a digit or `X`, the first digit 1–8 (the
/// province codes), and characters 7–14 a date between 1900-01-01 and
/// 2099-12-31. The check digit is not verified: a mistyped number is still
/// a person's.
///
/// ```
/// use scorehost_engine::consent::looks_like_resident_id;
/// assert!(looks_like_resident_id("330106199001011234"));
/// assert!(looks_like_resident_id("33010619900101123X"));
/// assert!(!looks_like_resident_id("91330200MA2AAAAA1X")); // a credit code
/// assert!(!looks_like_resident_id("12330000000000001X")); // no birth date
/// ```
pub fn looks_like_resident_id(id: &str) -> bool {
    let b = id.as_bytes();
    if b.len() != 18
        || !b[..17].iter().all(u8::is_ascii_digit)
        || !(b[17].is_ascii_digit() || b[17] == b'X' || b[17] == b'x')
        || !(b'1'..=b'8').contains(&b[0])
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| id[r].parse::<u32>().unwrap_or(0);
    let (year, month, day) = (num(6..10), num(10..12), num(12..14));
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Admit an app's request for a subject **completed from the store**,
/// before anything of the subject is read: `Ok` if the app may go on to
/// read and score it; otherwise the uniform refusal. A consented subject
/// that turns out not to be stored is then the caller's 404 to give (the
/// person consented; nothing is learned).
///
/// Costs one indexed query (the consent) for a resident-id-shaped id, two
/// (the stored kind, then perhaps the consent) for others.
pub async fn admit_stored(
    registry: &Registry,
    app: &str,
    model: &ModelName,
    subject_id: &str,
) -> Result<(), Error> {
    if looks_like_resident_id(subject_id) {
        return Ok(registry.require_consent(subject_id, app, model).await?);
    }
    match registry.stored_kind(subject_id).await?.as_deref() {
        Some("natural-person") => Ok(registry.require_consent(subject_id, app, model).await?),
        Some(_) => Ok(()),
        // Not stored: the same answer as a person without consent.
        None => Err(scorehost_registry::no_consent(subject_id, app, model).into()),
    }
}

/// Admit an app's request for a subject **whose inputs it sent inline**,
/// claiming `claimed_kind`, to the model `info` declares: a natural person
/// (by the id's format, the claim or the store) needs the app's standing
/// consent; others go on.
///
/// Costs one indexed query (the consent) for a person; for a claim of
/// another kind, one (the stored kind) only when the model scores natural
/// persons at all. A model that does not cannot be made to score one: the
/// claim is checked against its declared kinds, and nothing of a person is
/// read — so the hot path of an enterprise model stays without a query.
pub async fn admit_inline(
    registry: &Registry,
    app: &str,
    info: &ModelInfo,
    subject_id: &str,
    claimed_kind: &str,
) -> Result<(), Error> {
    let model: ModelName = info.name.parse()?;
    let scores_persons = info.subject_kinds.contains(&SubjectKind::NaturalPerson);
    let person = looks_like_resident_id(subject_id)
        || claimed_kind == "natural-person"
        || (scores_persons
            && registry.stored_kind(subject_id).await?.as_deref() == Some("natural-person"));
    if person {
        registry.require_consent(subject_id, app, &model).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resident_ids_are_told_by_their_shape() {
        for id in [
            "330106199001011234",
            "110101200001010011",
            "33010619900101123x",
        ] {
            assert!(looks_like_resident_id(id), "{id}");
        }
        for id in [
            "91330200MA2AAAAA1X", // unified social credit code
            "913300000000000011", // all digits, but 9 is no province
            "12330000000000001X", // all digits, no birth date
            "330106199013011234", // month 13
            "33010619900101123",  // 17 characters
            "3301061990010112345",
            "",
        ] {
            assert!(!looks_like_resident_id(id), "{id}");
        }
    }
}
