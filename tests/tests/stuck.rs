//! The log writer and the registry's connection pool: the writer's thread
//! must never keep a pooled connection.
//!
//! Found by `scripts/api-fuzz.sh` (seed 2488876098, the province role): a
//! batch run's records went through the log writer while the fuzzer
//! started more runs (each a `batch-start` record appended by the
//! registry), so the writer caught up on others' records after nearly every
//! commit — through the shared pool, on its own single-threaded runtime. A
//! pooled connection goes back to the pool through a task spawned on the
//! runtime it was dropped on, and the writer's runtime ran only while the
//! writer was busy: an idle writer kept its last connections, and once it
//! had kept all four (SQLite's pool size), every request answered 503
//! `unavailable` ("pool timed out while waiting for an open connection"),
//! for good.

use std::sync::Arc;
use std::time::Duration;

use scorehost_engine::audit::{self, AuditWriter};
use scorehost_registry::{NewRecord, Registry};
use scorehost_tests::{backends, fixture};

fn record(action: &str) -> NewRecord {
    let mut fields = serde_json::Map::new();
    fields.insert("actor".into(), "province".into());
    fields.insert("action".into(), action.into());
    NewRecord::from_fields("registry", scorehost_registry::now(), &fields)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_writer_keeps_no_pooled_connection_when_others_append_between_its_commits() {
    for backend in backends() {
        let f = fixture(backend, "stuck-writer").await;
        let registry = Arc::new(Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap());
        let key = audit::load_or_create_key(&f.data_dir).unwrap();
        let writer = AuditWriter::start(registry.clone(), key).await.unwrap();
        let base = registry.connections_in_use();
        for round in 0..24 {
            // Another appender (a registry action, a batch's start) ...
            registry
                .append_records(vec![record("other")])
                .await
                .unwrap_or_else(|e| panic!("{backend:?}, round {round}: {e}"));
            // ... so the writer catches up after its commit.
            writer
                .append(record("mine"))
                .await
                .unwrap_or_else(|e| panic!("{backend:?}, round {round}: {e}"));
            // The writer is idle now: it must not hold a pooled connection.
            let mut in_use = registry.connections_in_use();
            for _ in 0..100 {
                if in_use <= base {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
                in_use = registry.connections_in_use();
            }
            assert!(
                in_use <= base,
                "{backend:?}, round {round}: {in_use} pooled connections still checked out by an idle writer ({base} before)"
            );
        }
        // The log is whole and in order: the writer's tree matches it.
        let public = audit::load_or_create_key(&f.data_dir)
            .unwrap()
            .public_key_hex();
        let report = audit::verify(&registry, &public).await.unwrap();
        assert_eq!(report.records, 48, "{backend:?}");
        drop(writer);
    }
}
