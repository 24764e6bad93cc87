//! `plugin sign | verify`, `plugin publish --sign-key | --signature` and
//! `keys add | list | revoke`: modules signed with SSH keys
//! (`scorehost_registry::governance::signing` says what is signed and why
//! this format).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use scorehost_registry::governance::signing::{self, SIGNATURE_NAMESPACE, SigningKey};
use scorehost_registry::{Actor, Registry};
use scorehost_runtime::sandbox::{Limits, Runtime};

use super::block_on;
use crate::Global;

/// How `plugin publish` signs the module, if it does.
#[derive(Args, Debug, Default)]
pub(crate) struct SignArgs {
    /// Sign with this unencrypted OpenSSH Ed25519 private key file.
    #[arg(long, conflicts_with = "signature")]
    pub(crate) sign_key: Option<PathBuf>,
    /// The module's signature, made beforehand: `scorehost plugin sign FILE
    /// --message > msg; ssh-keygen -Y sign -n scorehost-module -f KEY msg`
    /// writes msg.sig.
    #[arg(long)]
    pub(crate) signature: Option<PathBuf>,
}

impl SignArgs {
    /// The armored signature to publish `bytes` with, if any.
    pub(crate) fn signature_for(
        &self,
        runtime: &Runtime,
        bytes: &[u8],
    ) -> anyhow::Result<Option<String>> {
        if let Some(file) = &self.signature {
            return Ok(Some(read_text(file)?));
        }
        let Some(key) = &self.sign_key else {
            return Ok(None);
        };
        let (reference, sha256) = module_ref(runtime, bytes)?;
        Ok(Some(signing::sign(&read_text(key)?, &reference, &sha256)?))
    }
}

pub(crate) fn read_text(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))
}

/// A module's `namespace/name@version` (from its `describe()`, after the
/// host's load-time checks) and SHA-256.
fn module_ref(runtime: &Runtime, bytes: &[u8]) -> anyhow::Result<(String, String)> {
    let model = runtime.load(bytes)?;
    let info = model.info();
    Ok((
        format!("{}@{}", info.name, info.version),
        scorehost_registry::sha256_hex(bytes),
    ))
}

fn read_module(file: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read module {}: {e}", file.display()))
}

/// `plugin sign FILE`: print the module's signature (or, with
/// `--message`, the exact text to sign with `ssh-keygen -Y sign`).
pub(crate) fn sign(
    file: &Path,
    key: Option<&Path>,
    message: bool,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default())?;
    let (reference, sha256) = module_ref(&runtime, &read_module(file)?)?;
    let text = if message {
        signing::signed_message(&reference, &sha256)
    } else {
        let Some(key) = key else {
            anyhow::bail!(
                "--key KEY signs with an unencrypted Ed25519 key file; for a key under a passphrase or in an agent, print the message with --message and sign it with ssh-keygen -Y sign -n {SIGNATURE_NAMESPACE} -f KEY"
            );
        };
        signing::sign(&read_text(key)?, &reference, &sha256)?
    };
    match out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {} for {reference} (sha256 {sha256})", path.display());
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Public keys from a file: one OpenSSH key per line, optionally after a
/// principal as in git's `allowed_signers` (`name ssh-ed25519 AAAA…`);
/// blank lines and `#` comments skipped.
fn keys_from_file(file: &Path, namespace: &str) -> anyhow::Result<Vec<SigningKey>> {
    let mut keys = Vec::new();
    for (n, line) in read_text(file)?.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let start = line.find("ssh-").ok_or_else(|| {
            anyhow::anyhow!(
                "{}:{}: no OpenSSH public key on this line",
                file.display(),
                n + 1
            )
        })?;
        let key = signing::parse_public_key(&line[start..])
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", file.display(), n + 1))?;
        keys.push(SigningKey {
            namespace: namespace.to_string(),
            fingerprint: signing::fingerprint(&key),
            public_key: line[start..].to_string(),
            label: line[..start].trim().to_string(),
            added_by: file.display().to_string(),
            added_at: String::new(),
            revoked_by: None,
            revoked_at: None,
            revoked_reason: None,
        });
    }
    Ok(keys)
}

/// `plugin verify FILE`: check a module's signature offline, against the
/// keys of its namespace — from `--keys FILE`, or else those registered in
/// the local data dir — and with the signature from `--signature FILE`, or
/// else the one stored with the version. Fails (exit 1) unless it verifies.
pub(crate) fn verify(
    g: &Global,
    file: &Path,
    signature: Option<&Path>,
    keys: Option<&Path>,
) -> anyhow::Result<()> {
    let runtime = Runtime::new(Limits::default())?;
    let bytes = read_module(file)?;
    let (reference, sha256) = module_ref(&runtime, &bytes)?;
    let namespace = reference.split('/').next().unwrap_or_default().to_string();
    let needs_registry = signature.is_none() || keys.is_none();
    let (stored_signature, registered) = if needs_registry {
        block_on(async {
            let reg = Registry::open(&g.data_dir, g.db.as_deref()).await?;
            let stored = match reg.version(&reference.parse()?).await {
                Ok(v) if v.sha256 == sha256 => v.signature,
                Ok(v) => anyhow::bail!(
                    "{reference} is registered with sha256 {}, not this file's {sha256}: these are not the published bytes",
                    v.sha256
                ),
                Err(scorehost_registry::Error::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            };
            let keys = reg.signing_keys(&namespace).await?;
            anyhow::Ok((stored, keys))
        })?
    } else {
        (None, Vec::new())
    };
    let armored = match signature {
        Some(path) => read_text(path)?,
        None => stored_signature.ok_or_else(|| {
            anyhow::anyhow!("{reference} carries no stored signature: pass --signature FILE.sig")
        })?,
    };
    let keys = match keys {
        Some(path) => keys_from_file(path, &namespace)?,
        None => registered,
    };
    if keys.is_empty() {
        anyhow::bail!("no key is registered for namespace '{namespace}': pass --keys FILE");
    }
    let fingerprint = signing::verify(&keys, &namespace, &reference, &sha256, &armored)?;
    let label = keys
        .iter()
        .find(|k| k.fingerprint == fingerprint)
        .map(|k| k.label.clone())
        .unwrap_or_default();
    if g.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "ref": reference, "sha256": sha256, "verified": true,
                "key": fingerprint, "label": label,
            }))?
        );
    } else {
        println!(
            "good signature of {reference} (sha256 {sha256}) by key {fingerprint}{}",
            if label.is_empty() {
                String::new()
            } else {
                format!(" ({label})")
            }
        );
    }
    Ok(())
}

/// `keys …`: the keys that sign each publisher namespace's modules.
#[derive(Subcommand, Debug)]
pub(crate) enum KeysCommand {
    /// Register a publisher's SSH public key for a namespace (province
    /// only): from then on the namespace takes only modules signed by one
    /// of its live keys.
    #[command(
        after_help = "Example:\n  scorehost keys add ningbo --key ~/keys/ningbo-dev.pub --label \"Ningbo port developers\" --as \"province:Zhang Wei\""
    )]
    Add {
        /// The publisher namespace.
        namespace: String,
        /// The public key: a file (id_ed25519.pub) or the line itself.
        #[arg(long)]
        key: String,
        /// Whose key it is (default: the key's comment).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List a namespace's keys, live and revoked.
    #[command(after_help = "Example:\n  scorehost keys list ningbo")]
    List {
        /// The publisher namespace.
        namespace: String,
    },
    /// Revoke a key for good (province only): it signs nothing new, what it
    /// signed cannot be approved, versions in force it signed are flagged.
    #[command(
        after_help = "Example:\n  scorehost keys revoke ningbo SHA256:abc… --reason \"laptop lost\" --as \"province:Zhang Wei\""
    )]
    Revoke {
        /// The publisher namespace.
        namespace: String,
        /// The key's fingerprint, `SHA256:…`.
        fingerprint: String,
        /// Why, kept in the log.
        #[arg(long, default_value = "")]
        reason: String,
    },
}

fn print_key(k: &SigningKey) {
    let state = match &k.revoked_at {
        Some(at) => format!("revoked {at}"),
        None => "live".to_string(),
    };
    println!(
        "{}  {:<8} {}  {}",
        k.fingerprint, k.namespace, state, k.label
    );
}

/// Run a `keys` command on the local data dir.
pub(crate) fn keys(g: &Global, command: &KeysCommand) -> anyhow::Result<()> {
    let open = || Registry::open(&g.data_dir, g.db.as_deref());
    match command {
        KeysCommand::Add {
            namespace,
            key,
            label,
        } => {
            let by: Actor = g.actor()?;
            let line = if Path::new(key).is_file() {
                read_text(Path::new(key))?
            } else {
                key.clone()
            };
            let (k, _new) = block_on(async {
                open()
                    .await?
                    .add_signing_key(&by, namespace, &line, label)
                    .await
            })?;
            if g.json {
                println!("{}", serde_json::to_string_pretty(&k)?);
            } else {
                println!(
                    "registered key {} for namespace '{}': its modules must now be signed",
                    k.fingerprint, k.namespace
                );
            }
        }
        KeysCommand::List { namespace } => {
            let keys = block_on(async { open().await?.signing_keys(namespace).await })?;
            if g.json {
                println!("{}", serde_json::to_string_pretty(&keys)?);
            } else if keys.is_empty() {
                println!("no key is registered for '{namespace}': it takes unsigned modules");
            } else {
                keys.iter().for_each(print_key);
            }
        }
        KeysCommand::Revoke {
            namespace,
            fingerprint,
            reason,
        } => {
            let by: Actor = g.actor()?;
            let revoked = block_on(async {
                open()
                    .await?
                    .revoke_signing_key(&by, namespace, fingerprint, reason)
                    .await
            })?;
            if g.json {
                println!("{}", serde_json::to_string_pretty(&revoked)?);
            } else {
                println!("revoked key {}", revoked.key.fingerprint);
                for r in &revoked.flagged {
                    println!("flagged for review (in force, signed by the revoked key): {r}");
                }
            }
        }
    }
    Ok(())
}
