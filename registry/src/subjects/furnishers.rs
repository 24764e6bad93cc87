//! Who furnishes each indicator of the "N", and whether a subject has one
//! record of it or one per event.
//!
//! A city's publisher imports the records its own models read; it must not
//! write the records another city's model reads (a Ningbo publisher
//! importing Hangzhou citizens' credit-pay defaults would decide their
//! transit benefit). So every indicator has a furnisher:
//!
//! - the namespace the province registered for it
//!   ([`Registry::register_furnisher`]), or else
//! - by default, every namespace one of whose own published (not revoked)
//!   models declares it.
//!
//! The province may import any indicator. A publisher imports only the
//! indicators it furnishes, and never overwrites a record another furnisher
//! imported ([`crate::subjects::data`]).
//!
//! Cardinality: an indicator is **single** (one current record per
//! subject: a newer record, whatever its date, replaces the older one) or
//! **events** (one record per event, all kept). The province may register
//! it; by default an indicator is `events` when a model declaring it says
//! so in its description ("one record per event" or "may repeat", the
//! convention `wit/scoring.wit` documents), and `single` otherwise.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use sqlx::Row as _;

use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, Registry, Role, now};

/// How many records of an indicator a subject has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cardinality {
    /// One current record: a newer one replaces the older.
    Single,
    /// One record per event, all kept.
    Events,
}

impl std::str::FromStr for Cardinality {
    type Err = Error;
    fn from_str(s: &str) -> Result<Cardinality, Error> {
        match s {
            "single" => Ok(Cardinality::Single),
            "events" => Ok(Cardinality::Events),
            other => Err(Error::BadRequest(format!(
                "cardinality '{other}' is not 'single' or 'events'"
            ))),
        }
    }
}

impl Cardinality {
    fn as_str(self) -> &'static str {
        match self {
            Cardinality::Single => "single",
            Cardinality::Events => "events",
        }
    }
}

/// Who furnishes one indicator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Furnisher {
    /// The indicator's name.
    pub indicator: String,
    /// The publisher namespaces that may import it (besides the province).
    pub namespaces: Vec<String>,
    /// One record per subject, or one per event.
    pub cardinality: Cardinality,
    /// `registered` (by the province) or `declared` (the default: the
    /// namespaces whose models declare it).
    pub basis: String,
    /// Who registered it, when registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_by: Option<String>,
    /// When, when registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registered_at: Option<String>,
}

/// The furnishing rules in force, read once per import.
pub(crate) struct Rules {
    by_indicator: BTreeMap<String, Furnisher>,
}

/// Whether a declaration's description marks its indicator as an event
/// (the convention in `wit/scoring.wit`).
fn says_events(description: &str) -> bool {
    let d = description.to_lowercase();
    d.contains("one record per event") || d.contains("may repeat")
}

impl Rules {
    /// Read the registrations and every published model's declaration.
    pub(crate) async fn read(conn: &mut sqlx::AnyConnection) -> Result<Rules, Error> {
        let mut declared: HashMap<String, (BTreeSet<String>, bool)> = HashMap::new();
        let rows = sqlx::query(
            "SELECT namespace, describe_json FROM plugin_versions WHERE status <> 'revoked'",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let ns: String = r.try_get("namespace")?;
            let describe: String = r.try_get("describe_json")?;
            let Ok(d) = serde_json::from_str::<serde_json::Value>(&describe) else {
                continue;
            };
            for spec in d["indicators"].as_array().into_iter().flatten() {
                let Some(name) = spec["name"].as_str() else {
                    continue;
                };
                let e = declared.entry(name.to_string()).or_default();
                e.0.insert(ns.clone());
                e.1 |= says_events(spec["description"].as_str().unwrap_or_default());
            }
        }
        let mut by_indicator: BTreeMap<String, Furnisher> = declared
            .into_iter()
            .map(|(name, (namespaces, events))| {
                let f = Furnisher {
                    indicator: name.clone(),
                    namespaces: namespaces.into_iter().collect(),
                    cardinality: if events {
                        Cardinality::Events
                    } else {
                        Cardinality::Single
                    },
                    basis: "declared".into(),
                    registered_by: None,
                    registered_at: None,
                };
                (name, f)
            })
            .collect();
        let rows = sqlx::query(
            "SELECT indicator, namespace, cardinality, registered_by, registered_at FROM furnishers",
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let name: String = r.try_get("indicator")?;
            let f = Furnisher {
                indicator: name.clone(),
                namespaces: vec![r.try_get("namespace")?],
                cardinality: r.try_get::<String, _>("cardinality")?.parse()?,
                basis: "registered".into(),
                registered_by: Some(r.try_get("registered_by")?),
                registered_at: Some(r.try_get("registered_at")?),
            };
            by_indicator.insert(name, f);
        }
        Ok(Rules { by_indicator })
    }

    /// `Err(reason)` unless `by` may import records of `indicator`.
    pub(crate) fn may_import(&self, by: &Actor, indicator: &str) -> Result<(), String> {
        let ns = match &by.role {
            Role::Province => return Ok(()),
            Role::Publisher(ns) => ns,
            _ => return Err(format!("{by} may not import indicator records")),
        };
        match self.by_indicator.get(indicator) {
            Some(f) if f.namespaces.iter().any(|n| n == ns) => Ok(()),
            Some(f) if f.basis == "registered" => Err(format!(
                "indicator {indicator} is furnished by publisher:{} (registered by the province), not by {by}",
                f.namespaces.join(", publisher:")
            )),
            _ => Err(format!(
                "{by} does not furnish indicator {indicator}: no model of namespace '{ns}' declares it and the province has not registered it to '{ns}'"
            )),
        }
    }

    /// The indicator's cardinality (`single` when nothing declares it).
    pub(crate) fn cardinality(&self, indicator: &str) -> Cardinality {
        self.by_indicator
            .get(indicator)
            .map_or(Cardinality::Single, |f| f.cardinality)
    }
}

impl Registry {
    /// Register who furnishes `indicator` (province only): from now on only
    /// publisher `namespace` (and the province) imports its records, and a
    /// subject has one record of it (`single`) or one per event
    /// (`events`). Replaces an earlier registration; records already stored
    /// stay as they are. Recorded in the audit log. Costs one write
    /// transaction.
    pub async fn register_furnisher(
        &self,
        by: &Actor,
        indicator: &str,
        namespace: &str,
        cardinality: Cardinality,
    ) -> Result<Furnisher, Error> {
        by.must_be_province("register who furnishes an indicator")?;
        if !crate::refs::is_indicator_name(indicator) || indicator.len() > 64 {
            return Err(Error::BadRequest(format!(
                "indicator name '{indicator}' must be 1 to 64 lowercase letters, digits and _"
            )));
        }
        if !crate::refs::is_name_part(namespace) {
            return Err(Error::BadRequest(format!(
                "namespace '{namespace}' must be 1 to 64 lowercase letters, digits and -, as in model names"
            )));
        }
        let at = now();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "INSERT INTO furnishers (indicator, namespace, cardinality, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (indicator) DO UPDATE SET namespace = excluded.namespace, \
             cardinality = excluded.cardinality, registered_by = excluded.registered_by, registered_at = excluded.registered_at",
        )
        .bind(indicator)
        .bind(namespace)
        .bind(cardinality.as_str())
        .bind(by.to_string())
        .bind(&at)
        .execute(tx.conn())
        .await?;
        let mut fields = serde_json::Map::new();
        by.record_into(&mut fields);
        fields.insert("action".into(), "furnisher-register".into());
        fields.insert("indicator".into(), indicator.into());
        fields.insert("namespace".into(), namespace.into());
        fields.insert("cardinality".into(), cardinality.as_str().into());
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at.clone(), &fields)],
        )
        .await?;
        tx.commit().await?;
        Ok(Furnisher {
            indicator: indicator.to_string(),
            namespaces: vec![namespace.to_string()],
            cardinality,
            basis: "registered".into(),
            registered_by: Some(by.to_string()),
            registered_at: Some(at),
        })
    }

    /// Every indicator's furnishers in force: the province's registrations,
    /// and for the others the namespaces whose models declare them. Reads
    /// every published declaration: for the province's and publishers'
    /// review, not a hot path.
    pub async fn furnishers(&self) -> Result<Vec<Furnisher>, Error> {
        let mut conn = self.db.pool.acquire().await?;
        let rules = Rules::read(&mut conn).await?;
        Ok(rules.by_indicator.into_values().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_said_in_the_description() {
        assert!(says_events(
            "water pollution case, one record per event, value \"open\""
        ));
        assert!(says_events("event, may repeat: a finding of fabrication"));
        assert!(!says_events("overdue debts in the last year (count)"));
    }
}
