//! Signed modules: SSH signatures over a module's reference and SHA-256,
//! verified against the keys the province registered for its namespace.
//!
//! The format is OpenSSH's `SSHSIG` (`ssh-keygen -Y sign`), the one git
//! uses to sign commits, and not a Sigstore bundle. Publishers already
//! hold SSH keys, and `ssh-keygen` on every developer's machine signs
//! without anything new to install. A signature verifies offline against
//! a key the province registered, with no certificate authority,
//! transparency log or network in the path. Sigstore's keyless flow
//! needs Fulcio and Rekor, or their roots, on networks the province's
//! systems do not reach. See SECURITY.md, "Who vouches for a module".
//!
//! What is signed is [`signed_message`]: three lines naming the module's
//! `namespace/name@version` and the SHA-256 of its exact bytes, under the
//! SSHSIG namespace [`SIGNATURE_NAMESPACE`]. A signature of one version
//! therefore cannot be replayed for another version or other bytes.
//! Only Ed25519 keys are accepted (`ssh-keygen -t ed25519`, OpenSSH's
//! default since 9.5): one algorithm, one verifier, no RSA padding
//! questions.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row as _;
use ssh_key::{Algorithm, HashAlg, PublicKey, SshSig};

use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, Registry, VersionRef, now};

/// The SSHSIG namespace of a module signature: `ssh-keygen -Y sign -n
/// scorehost-module`. A signature made for another purpose (a git commit,
/// a file) never verifies as a module's.
pub const SIGNATURE_NAMESPACE: &str = "scorehost-module";

/// The largest armored signature accepted, in bytes. An Ed25519 SSHSIG is
/// under 400 bytes; 4 KiB leaves room without letting a header carry
/// megabytes.
pub const MAX_SIGNATURE_BYTES: usize = 4096;

/// The exact bytes a publisher signs for module `reference` with
/// `sha256`: `scorehost-module-v1`, `ref …`, `sha256 …`, each line ended
/// by a newline. `scorehost plugin sign --message` prints it, for
/// `ssh-keygen -Y sign -n scorehost-module -f KEY`.
pub fn signed_message(reference: &str, sha256: &str) -> String {
    format!("scorehost-module-v1\nref {reference}\nsha256 {sha256}\n")
}

/// A public key the province registered for a namespace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKey {
    /// The publisher namespace it signs for.
    pub namespace: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The key, as an OpenSSH line (`ssh-ed25519 AAAA… comment`).
    pub public_key: String,
    /// Whose key it is, as the province wrote it.
    pub label: String,
    /// Who registered it.
    pub added_by: String,
    /// When.
    pub added_at: String,
    /// Who revoked it, if anyone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
    /// When it was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
}

/// A key revoked, and the versions that it signed which were in force
/// (approved or pinned): they stay in force, flagged for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRevoked {
    /// The key, now revoked.
    pub key: SigningKey,
    /// `namespace/name@version` of each version in force it signed.
    pub flagged: Vec<String>,
}

/// Parse an OpenSSH public key line; only Ed25519. Cheap.
pub fn parse_public_key(line: &str) -> Result<PublicKey, Error> {
    let key = PublicKey::from_openssh(line.trim()).map_err(|e| {
        Error::BadRequest(format!(
            "not an OpenSSH public key line (ssh-ed25519 AAAA… comment): {e}"
        ))
    })?;
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(Error::BadRequest(format!(
            "only ssh-ed25519 keys sign modules (ssh-keygen -t ed25519); this key is {}",
            key.algorithm()
        )));
    }
    Ok(key)
}

/// The fingerprint of a key, as `ssh-keygen -l` prints it.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Parse an armored signature (`-----BEGIN SSH SIGNATURE-----`). Cheap.
pub fn parse_signature(armored: &str) -> Result<SshSig, Error> {
    if armored.len() > MAX_SIGNATURE_BYTES {
        return Err(Error::ModuleRefused(format!(
            "the signature is {} bytes; an SSH signature is at most {MAX_SIGNATURE_BYTES}",
            armored.len()
        )));
    }
    SshSig::from_pem(armored.trim()).map_err(|e| {
        Error::ModuleRefused(format!(
            "the signature is not an SSH signature (-----BEGIN SSH SIGNATURE-----, as ssh-keygen -Y sign writes it): {e}"
        ))
    })
}

/// Check `armored` as the signature of module `reference` with `sha256`
/// against `keys` (one namespace's): the fingerprint of the live key that
/// made it. Refused, naming why: not a signature, made by a key not
/// registered for the namespace or revoked, for another purpose, or not
/// over this reference and hash. One Ed25519 verification (tens of µs).
pub fn verify(
    keys: &[SigningKey],
    namespace: &str,
    reference: &str,
    sha256: &str,
    armored: &str,
) -> Result<String, Error> {
    let sig = parse_signature(armored)?;
    let signer = sig.public_key().fingerprint(HashAlg::Sha256).to_string();
    let Some(key) = keys.iter().find(|k| k.fingerprint == signer) else {
        return Err(Error::ModuleRefused(format!(
            "the module is signed with key {signer}, which is not registered for namespace '{namespace}'"
        )));
    };
    if let Some(at) = &key.revoked_at {
        return Err(Error::ModuleRefused(format!(
            "the module is signed with key {signer} ({}), revoked at {at}",
            key.label
        )));
    }
    if sig.namespace() != SIGNATURE_NAMESPACE {
        return Err(Error::ModuleRefused(format!(
            "the signature was made for '{}', not for a module (ssh-keygen -Y sign -n {SIGNATURE_NAMESPACE})",
            sig.namespace()
        )));
    }
    let public = parse_public_key(&key.public_key)?;
    let message = signed_message(reference, sha256);
    public
        .verify(SIGNATURE_NAMESPACE, message.as_bytes(), &sig)
        .map_err(|_| {
            Error::ModuleRefused(format!(
                "the signature by key {signer} does not verify for {reference} with sha256 {sha256}: it was made over other bytes or another version"
            ))
        })?;
    Ok(signer)
}

/// Sign module `reference` with `sha256` with an unencrypted OpenSSH
/// private key (`private_key` is the key file's text): the armored
/// signature. For a key under a passphrase or in an agent, sign
/// [`signed_message`] with `ssh-keygen -Y sign` instead.
pub fn sign(private_key: &str, reference: &str, sha256: &str) -> Result<String, Error> {
    let key = ssh_key::PrivateKey::from_openssh(private_key.trim())
        .map_err(|e| Error::BadRequest(format!("not an OpenSSH private key: {e}")))?;
    if key.is_encrypted() {
        return Err(Error::BadRequest(
            "the key is protected by a passphrase: sign the message with ssh-keygen -Y sign -n scorehost-module -f KEY (scorehost plugin sign FILE --message prints it), then publish --signature FILE.sig".into(),
        ));
    }
    if key.algorithm() != Algorithm::Ed25519 {
        return Err(Error::BadRequest(format!(
            "only ssh-ed25519 keys sign modules; this key is {}",
            key.algorithm()
        )));
    }
    let sig = key
        .sign(
            SIGNATURE_NAMESPACE,
            HashAlg::Sha512,
            signed_message(reference, sha256).as_bytes(),
        )
        .map_err(|e| Error::BadRequest(format!("signing failed: {e}")))?;
    sig.to_pem(ssh_key::LineEnding::LF)
        .map_err(|e| Error::BadRequest(format!("signing failed: {e}")))
}

const KEY_COLUMNS: &str = "namespace, fingerprint, public_key, label, added_by, added_at, revoked_by, revoked_at, revoked_reason";

fn key_from_row(row: &sqlx::any::AnyRow) -> Result<SigningKey, Error> {
    Ok(SigningKey {
        namespace: row.try_get("namespace")?,
        fingerprint: row.try_get("fingerprint")?,
        public_key: row.try_get("public_key")?,
        label: row.try_get("label")?,
        added_by: row.try_get("added_by")?,
        added_at: row.try_get("added_at")?,
        revoked_by: row.try_get("revoked_by")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_reason: row.try_get("revoked_reason")?,
    })
}

/// Every key registered for `namespace` (live and revoked), oldest first.
/// One query.
pub(crate) async fn keys_in(
    conn: &mut AnyConnection,
    namespace: &str,
) -> Result<Vec<SigningKey>, Error> {
    let rows = sqlx::query(&format!(
        "SELECT {KEY_COLUMNS} FROM signing_keys WHERE namespace = $1 ORDER BY added_at, fingerprint"
    ))
    .bind(namespace)
    .fetch_all(conn)
    .await?;
    rows.iter().map(key_from_row).collect()
}

/// What a publish must carry in `namespace` (the namespace's keys, read
/// in the publish's transaction): `Ok(None)` for an unsigned module in a
/// namespace without keys; the signer's fingerprint for a good signature.
/// Refused: a namespace with keys and no signature, a signature in a
/// namespace without keys, and any signature [`verify`] refuses.
pub(crate) async fn check_publish(
    conn: &mut AnyConnection,
    r: &VersionRef,
    sha256: &str,
    signature: Option<&str>,
) -> Result<Option<String>, Error> {
    let namespace = &r.model.namespace;
    let keys = keys_in(conn, namespace).await?;
    match (keys.is_empty(), signature) {
        (true, None) => Ok(None),
        (true, Some(_)) => Err(Error::ModuleRefused(format!(
            "the module is signed, but no key is registered for namespace '{namespace}': the province registers the publisher's key first (scorehost keys add)"
        ))),
        (false, None) => Err(Error::ModuleRefused(format!(
            "namespace '{namespace}' requires signed modules: sign it (scorehost plugin publish --sign-key KEY, or --signature FILE.sig from ssh-keygen -Y sign -n {SIGNATURE_NAMESPACE})"
        ))),
        (false, Some(armored)) => {
            verify(&keys, namespace, &r.to_string(), sha256, armored).map(Some)
        }
    }
}

fn key_record(
    actor: &Actor,
    action: &str,
    key: &SigningKey,
    extra: &[(&str, serde_json::Value)],
) -> NewRecord {
    let mut fields = serde_json::Map::new();
    actor.record_into(&mut fields);
    fields.insert("action".into(), action.into());
    fields.insert("namespace".into(), key.namespace.clone().into());
    fields.insert("fingerprint".into(), key.fingerprint.clone().into());
    fields.insert("label".into(), key.label.clone().into());
    for (k, v) in extra {
        fields.insert((*k).into(), v.clone());
    }
    NewRecord::from_fields("registry", now(), &fields)
}

impl Registry {
    /// Whether module `r` with `sha256` may be published carrying
    /// `signature` (see [`Registry::publish_signed`]): the signer's
    /// fingerprint, `None` for an unsigned module in a namespace without
    /// keys. For a check before the module is compiled; the publish checks
    /// again in its transaction. One query and one verification.
    pub async fn check_signature(
        &self,
        r: &VersionRef,
        sha256: &str,
        signature: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        check_publish(&mut conn, r, sha256, signature).await
    }

    /// Every key registered for `namespace`, live and revoked. One query.
    pub async fn signing_keys(&self, namespace: &str) -> Result<Vec<SigningKey>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        keys_in(&mut conn, namespace).await
    }

    /// Register `public_key` (an OpenSSH `ssh-ed25519` line) as a key that
    /// signs modules of `namespace`. Province only; recorded in the audit
    /// log. From then on every module published into the namespace must be
    /// signed by one of its live keys. The same key again is a no-op
    /// (`false`: nothing new registered or recorded); a key once revoked
    /// cannot be registered again.
    pub async fn add_signing_key(
        &self,
        actor: &Actor,
        namespace: &str,
        public_key: &str,
        label: &str,
    ) -> Result<(SigningKey, bool), Error> {
        actor.must_be_province("register signing keys")?;
        if !crate::refs::is_name_part(namespace) {
            return Err(Error::BadRequest(format!(
                "'{namespace}' is not a namespace"
            )));
        }
        let key = parse_public_key(public_key)?;
        let fp = fingerprint(&key);
        let label = label.trim();
        if label.chars().count() > 200 {
            return Err(Error::BadRequest(
                "a key's label may be at most 200 characters".into(),
            ));
        }
        let mut tx = self.db.begin().await?;
        if let Some(existing) = keys_in(tx.conn(), namespace)
            .await?
            .into_iter()
            .find(|k| k.fingerprint == fp)
        {
            if existing.revoked_at.is_some() {
                return Err(Error::Conflict(format!(
                    "key {fp} was revoked for namespace '{namespace}' and cannot be registered again"
                )));
            }
            return Ok((existing, false));
        }
        let stored = SigningKey {
            namespace: namespace.to_string(),
            fingerprint: fp,
            // Without its comment: the label says whose it is.
            public_key: key
                .to_openssh()
                .map_err(|e| Error::BadRequest(format!("the key cannot be written back: {e}")))?
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" "),
            label: if label.is_empty() {
                key.comment().to_string()
            } else {
                label.to_string()
            },
            added_by: actor.to_string(),
            added_at: now(),
            revoked_by: None,
            revoked_at: None,
            revoked_reason: None,
        };
        sqlx::query(
            "INSERT INTO signing_keys (namespace, fingerprint, public_key, label, added_by, added_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&stored.namespace)
        .bind(&stored.fingerprint)
        .bind(&stored.public_key)
        .bind(&stored.label)
        .bind(&stored.added_by)
        .bind(&stored.added_at)
        .execute(tx.conn())
        .await?;
        append_in_tx(
            tx.conn(),
            vec![key_record(
                actor,
                "key-add",
                &stored,
                &[("public_key", stored.public_key.clone().into())],
            )],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(namespace, fingerprint = %stored.fingerprint, actor = %actor, "signing key registered");
        Ok((stored, true))
    }

    /// Revoke key `fingerprint` of `namespace` for good. Province only,
    /// one person, at once; recorded in the audit log. No new module
    /// signed by it is accepted and no version it signed can be approved
    /// any more. Versions in force that it signed stay in force, flagged
    /// for review ([`KeyRevoked::flagged`]), not silently unpinned:
    /// unpinning would stop every evaluation of the model at once.
    pub async fn revoke_signing_key(
        &self,
        actor: &Actor,
        namespace: &str,
        fingerprint: &str,
        reason: &str,
    ) -> Result<KeyRevoked, Error> {
        actor.must_be_province("revoke signing keys")?;
        let mut tx = self.db.begin().await?;
        let Some(mut key) = keys_in(tx.conn(), namespace)
            .await?
            .into_iter()
            .find(|k| k.fingerprint == fingerprint)
        else {
            return Err(Error::NotFound(format!(
                "no key {fingerprint} is registered for namespace '{namespace}'"
            )));
        };
        let flagged = in_force_signed_by(tx.conn(), namespace, fingerprint).await?;
        if key.revoked_at.is_some() {
            return Ok(KeyRevoked { key, flagged });
        }
        key.revoked_by = Some(actor.to_string());
        key.revoked_at = Some(now());
        key.revoked_reason = Some(reason.to_string());
        sqlx::query(
            "UPDATE signing_keys SET revoked_by = $1, revoked_at = $2, revoked_reason = $3 \
             WHERE namespace = $4 AND fingerprint = $5",
        )
        .bind(&key.revoked_by)
        .bind(&key.revoked_at)
        .bind(reason)
        .bind(namespace)
        .bind(fingerprint)
        .execute(tx.conn())
        .await?;
        append_in_tx(
            tx.conn(),
            vec![key_record(
                actor,
                "key-revoke",
                &key,
                &[
                    ("reason", reason.into()),
                    ("flagged", flagged.clone().into()),
                ],
            )],
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(namespace, fingerprint, flagged = flagged.len(), actor = %actor, "signing key revoked");
        Ok(KeyRevoked { key, flagged })
    }
}

/// `namespace/name@version` of each version of `namespace` signed by
/// `fingerprint` that is approved or pinned. One query.
async fn in_force_signed_by(
    conn: &mut AnyConnection,
    namespace: &str,
    fingerprint: &str,
) -> Result<Vec<String>, Error> {
    let rows = sqlx::query(
        "SELECT v.namespace, v.name, v.version FROM plugin_versions v \
         LEFT JOIN pins p ON p.namespace = v.namespace AND p.name = v.name AND p.version = v.version \
         WHERE v.namespace = $1 AND v.signed_by_key = $2 AND (v.status = 'approved' OR p.version IS NOT NULL) \
         ORDER BY v.name, v.published_at",
    )
    .bind(namespace)
    .bind(fingerprint)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let ns: String = row.try_get("namespace")?;
            let name: String = row.try_get("name")?;
            let version: String = row.try_get("version")?;
            Ok(format!("{ns}/{name}@{version}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key pair from a fixed seed: signs nothing outside this test.
    fn key_pair() -> (ssh_key::PrivateKey, SigningKey) {
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&[7u8; 32]);
        let private = ssh_key::PrivateKey::from(pair);
        let public = private.public_key().clone();
        let key = SigningKey {
            namespace: "ningbo".into(),
            fingerprint: fingerprint(&public),
            public_key: public.to_openssh().unwrap(),
            label: "test".into(),
            added_by: "province".into(),
            added_at: now(),
            revoked_by: None,
            revoked_at: None,
            revoked_reason: None,
        };
        (private, key)
    }

    #[test]
    fn a_signature_verifies_only_for_its_reference_and_bytes() {
        let (private, key) = key_pair();
        let sha = "ab".repeat(32);
        let sig = sign(
            &private.to_openssh(ssh_key::LineEnding::LF).unwrap(),
            "ningbo/port@2.0.0",
            &sha,
        )
        .unwrap();
        let keys = vec![key.clone()];
        assert_eq!(
            verify(&keys, "ningbo", "ningbo/port@2.0.0", &sha, &sig).unwrap(),
            key.fingerprint
        );
        // Another version, other bytes: refused.
        assert!(verify(&keys, "ningbo", "ningbo/port@2.0.1", &sha, &sig).is_err());
        assert!(verify(&keys, "ningbo", "ningbo/port@2.0.0", &"cd".repeat(32), &sig).is_err());
        // A revoked key, or none registered: refused.
        let mut revoked = key.clone();
        revoked.revoked_at = Some(now());
        assert!(verify(&[revoked], "ningbo", "ningbo/port@2.0.0", &sha, &sig).is_err());
        assert!(verify(&[], "ningbo", "ningbo/port@2.0.0", &sha, &sig).is_err());
        // Not a signature at all.
        assert!(verify(&keys, "ningbo", "ningbo/port@2.0.0", &sha, "hello").is_err());
    }
}
