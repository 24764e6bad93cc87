//! The registry's life cycle on SQLite and on a real PostgreSQL, with real
//! components, the real runtime as the publish check, and the real binary
//! for the on-disk and multi-process cases.

use scorehost_engine::catalog::SandboxCheck;
use std::process::Output;

use scorehost_engine::catalog::Catalog;
use scorehost_registry::{Actor, Error as R, ModelName, Registry, Status, VersionRef};
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_tests::{
    Backend, Fixture, approve_cli, backends, cli, component, example, fixture, ok, root,
};

fn module(package: &str) -> Vec<u8> {
    std::fs::read(component(package)).unwrap()
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn runtime() -> Runtime {
    scorehost_sdk::testing::sandbox::runtime().clone()
}

async fn open(f: &Fixture) -> Registry {
    Registry::open(&f.data_dir, f.db.as_deref())
        .await
        .expect("registry opens")
}

fn vref(s: &str) -> VersionRef {
    s.parse().unwrap()
}

fn model(s: &str) -> ModelName {
    s.parse().unwrap()
}

/// Every file in the module store.
fn stored_files(f: &Fixture) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(f.data_dir.join("modules"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_life_cycle() {
    for backend in backends() {
        let f = fixture(backend, "lifecycle").await;
        let reg = open(&f).await;
        let rt = runtime();
        let (province, ningbo) = (
            Actor::province_person("Zhang Wei").unwrap(),
            Actor::publisher("ningbo"),
        );
        let second = Actor::province_person("Li Na").unwrap();
        let bytes = module("ningbo-port-v1");
        let hash = sha(&bytes);

        let p = reg
            .publish(&ningbo, &bytes, &SandboxCheck(&rt))
            .await
            .unwrap();
        assert!(!p.already_published);
        assert_eq!(
            (p.version.reference.as_str(), p.version.status),
            ("ningbo/port@1.0.0", Status::Submitted)
        );
        assert_eq!(p.version.sha256, hash);
        assert_eq!(p.version.describe["base_weight_bp"], 3000, "{backend:?}");
        assert_eq!(stored_files(&f), [format!("{hash}.wasm")]);

        // Not pinned yet: it scores nobody, and a submitted version cannot be named.
        let catalog = Catalog::open(rt.clone(), &f.data_dir, f.db.as_deref())
            .await
            .unwrap();
        let err = catalog
            .load(&model("ningbo/port"), None)
            .await
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "no pinned version of ningbo/port: pin an approved version first"
        );
        assert!(matches!(
            catalog.load(&model("ningbo/port"), Some("1.0.0")).await,
            Err(scorehost_engine::Error::Registry(R::Forbidden(_)))
        ));

        let r = vref("ningbo/port@1.0.0");
        assert!(
            matches!(reg.pin(&province, &r, &hash).await, Err(R::Conflict(m)) if m.contains("not approved"))
        );
        // One person's approval: still submitted (four eyes).
        let v = reg.approve(&province, &r, &hash).await.unwrap();
        assert_eq!((v.status, v.review.needed), (Status::Submitted, 1));
        let v = reg.approve(&second, &r, &hash).await.unwrap();
        assert_eq!(v.status, Status::Approved);
        assert_eq!(v.approved_by.as_deref(), Some("Zhang Wei, Li Na"));
        // An approved version may be named explicitly before it is pinned.
        let loaded = catalog
            .load(&model("ningbo/port"), Some("1.0.0"))
            .await
            .unwrap();
        assert_eq!(loaded.record.status, Status::Approved);

        let pin = reg.pin(&province, &r, &hash).await.unwrap();
        assert_eq!(
            (pin.version.as_str(), pin.sha256.as_str()),
            ("1.0.0", hash.as_str())
        );
        let loaded = catalog.load(&model("ningbo/port"), None).await.unwrap();
        assert_eq!(loaded.record.status, Status::Pinned);
        let (_, o) = loaded
            .model
            .evaluate_wire(&example("ningbo-port-v1"))
            .unwrap();
        assert_eq!(
            (o.evaluation.score, o.evaluation.grade.as_str()),
            (81_175, "B")
        );

        let history: Vec<(String, String)> = reg
            .history(&model("ningbo/port"))
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.action, e.person.unwrap_or(e.actor)))
            .collect();
        let expected = [
            ("publish", "publisher:ningbo"),
            ("approve", "Zhang Wei"),
            ("approve", "Li Na"),
            ("approved", "Li Na"),
            ("pin", "Zhang Wei"),
        ];
        assert_eq!(
            history,
            expected.map(|(a, b)| (a.to_string(), b.to_string())),
            "{backend:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_immutable_and_republishing_is_a_no_op() {
    for backend in backends() {
        let f = fixture(backend, "immutable").await;
        let reg = open(&f).await;
        let (rt, test) = (runtime(), Actor::publisher("test"));
        let v1 = module("guest-versioned-v1");
        reg.publish(&test, &v1, &SandboxCheck(&rt)).await.unwrap();
        let again = reg.publish(&test, &v1, &SandboxCheck(&rt)).await.unwrap();
        assert!(again.already_published);
        let other = module("guest-versioned-v1-altered");
        match reg.publish(&test, &other, &SandboxCheck(&rt)).await {
            Err(R::Conflict(m)) => {
                assert!(
                    m.contains("test/versioned@1.0.0 is already published with sha256"),
                    "{m}"
                );
                assert!(m.contains(&sha(&other)), "{m}");
            }
            other => panic!("{backend:?}: expected a conflict, got {other:?}"),
        }
        let all = reg.list().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].sha256, sha(&v1));
        assert_eq!(
            stored_files(&f),
            [format!("{}.wasm", sha(&v1))],
            "the refused bytes are not stored"
        );
        assert_eq!(
            reg.history(&model("test/versioned")).await.unwrap().len(),
            1
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_hash_or_the_wrong_actor_changes_nothing() {
    for backend in backends() {
        let f = fixture(backend, "wrong-hash").await;
        let reg = open(&f).await;
        let rt = runtime();
        let bytes = module("guest-versioned-v1");
        let r = vref("test/versioned@1.0.0");
        reg.publish(&Actor::publisher("test"), &bytes, &SandboxCheck(&rt))
            .await
            .unwrap();
        let wrong = sha(b"some other bytes");
        let zhang = Actor::province_person("Zhang Wei").unwrap();
        // An approval counts a person: the province naming nobody cannot.
        assert!(matches!(
            reg.approve(&Actor::province(), &r, &sha(&bytes)).await,
            Err(R::Forbidden(m)) if m.contains("named person")
        ));
        match reg.approve(&zhang, &r, &wrong).await {
            Err(R::Conflict(m)) => assert!(
                m.contains(&format!("has sha256 {}, not {wrong}", sha(&bytes))),
                "{m}"
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            reg.approve(&Actor::publisher("test"), &r, &sha(&bytes))
                .await,
            Err(R::Forbidden(_))
        ));
        assert!(matches!(
            reg.approve(&zhang, &r, "not-a-hash").await,
            Err(R::BadRequest(_))
        ));
        assert_eq!(reg.version(&r).await.unwrap().status, Status::Submitted);
        reg.approve(&zhang, &r, &sha(&bytes)).await.unwrap();
        assert!(matches!(
            reg.pin(&Actor::province(), &r, &wrong).await,
            Err(R::Conflict(_))
        ));
        assert!(matches!(
            reg.pin(&Actor::publisher("test"), &r, &sha(&bytes)).await,
            Err(R::Forbidden(_))
        ));
        assert!(matches!(
            reg.pinned(&model("test/versioned")).await,
            Err(R::NoPinnedVersion(_))
        ));
        let actions: Vec<String> = reg
            .history(&model("test/versioned"))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(actions, ["publish", "approve"], "{backend:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publisher_stays_in_its_namespace_and_refused_uploads_leave_nothing() {
    for backend in backends() {
        let f = fixture(backend, "namespace").await;
        let reg = open(&f).await;
        let rt = runtime();
        match reg
            .publish(
                &Actor::publisher("yiwu"),
                &module("ningbo-port-v1"),
                &SandboxCheck(&rt),
            )
            .await
        {
            Err(R::Forbidden(m)) => assert_eq!(
                m,
                "publisher:yiwu may publish only into namespace 'yiwu', not 'ningbo'"
            ),
            other => panic!("{other:?}"),
        }
        let good = module("ningbo-port-v1");
        for (what, bytes) in [
            ("garbage", b"\0asm garbage garbage".to_vec()),
            ("truncated", good[..good.len() / 3].to_vec()),
            (
                "core module",
                std::fs::read(scorehost_tests::core_module()).unwrap(),
            ),
            ("network import", module("hostile-forbidden-import")),
        ] {
            let err = reg
                .publish(&Actor::province(), &bytes, &SandboxCheck(&rt))
                .await
                .unwrap_err();
            assert!(matches!(err, R::ModuleRefused(_)), "{what}: {err}");
        }
        assert!(reg.list().await.unwrap().is_empty(), "{backend:?}");
        assert!(stored_files(&f).is_empty(), "{:?}", stored_files(&f));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_the_pinned_version_unpins_it_for_good() {
    for backend in backends() {
        let f = fixture(backend, "revoke").await;
        let reg = open(&f).await;
        let (rt, p, test) = (
            runtime(),
            Actor::province_person("Zhang Wei").unwrap(),
            Actor::publisher("test"),
        );
        let second = Actor::province_person("Li Na").unwrap();
        let (v1, v2) = (module("guest-versioned-v1"), module("guest-versioned-v2"));
        let (r1, r2) = (vref("test/versioned@1.0.0"), vref("test/versioned@2.0.0"));
        for (bytes, r) in [(&v1, &r1), (&v2, &r2)] {
            reg.publish(&test, bytes, &SandboxCheck(&rt)).await.unwrap();
            reg.approve(&p, r, &sha(bytes)).await.unwrap();
            reg.approve(&second, r, &sha(bytes)).await.unwrap();
        }
        reg.pin(&p, &r1, &sha(&v1)).await.unwrap();
        reg.pin(&p, &r2, &sha(&v2)).await.unwrap();
        assert_eq!(
            reg.version(&r1).await.unwrap().status,
            Status::Approved,
            "the old pin's version stays approved"
        );
        reg.pin(&p, &r1, &sha(&v1)).await.unwrap();

        let revoked = reg.revoke(&p, &r1, "weights were wrong").await.unwrap();
        assert_eq!(revoked.status, Status::Revoked);
        assert!(matches!(
            reg.pinned(&model("test/versioned")).await,
            Err(R::NoPinnedVersion(_))
        ));
        let catalog = Catalog::open(rt.clone(), &f.data_dir, f.db.as_deref())
            .await
            .unwrap();
        let err = catalog
            .load(&model("test/versioned"), None)
            .await
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .contains("no pinned version of test/versioned"),
            "{err}"
        );
        assert!(matches!(
            catalog.load(&model("test/versioned"), Some("1.0.0")).await,
            Err(scorehost_engine::Error::Registry(R::Forbidden(_)))
        ));
        match reg.pin(&p, &r1, &sha(&v1)).await {
            Err(R::Conflict(m)) => assert!(m.contains("can never be pinned again"), "{m}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            reg.approve(&p, &r1, &sha(&v1)).await,
            Err(R::Conflict(_))
        ));
        // A new pin serves again.
        reg.pin(&p, &r2, &sha(&v2)).await.unwrap();
        let loaded = catalog.load(&model("test/versioned"), None).await.unwrap();
        assert_eq!(loaded.record.version, "2.0.0");
        let history: Vec<String> = reg
            .history(&model("test/versioned"))
            .await
            .unwrap()
            .into_iter()
            .map(|e| {
                format!(
                    "{} {}{}",
                    e.action,
                    e.reference,
                    if e.detail.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", e.detail)
                    }
                )
            })
            .collect();
        assert_eq!(
            history,
            [
                "publish test/versioned@1.0.0",
                "approve test/versioned@1.0.0 (approval 1 of 2)",
                "approve test/versioned@1.0.0 (approval 2 of 2)",
                "approved test/versioned@1.0.0 (quorum of 2 reached: Zhang Wei, Li Na)",
                "publish test/versioned@2.0.0",
                "approve test/versioned@2.0.0 (approval 1 of 2)",
                "approve test/versioned@2.0.0 (approval 2 of 2)",
                "approved test/versioned@2.0.0 (quorum of 2 reached: Zhang Wei, Li Na)",
                "pin test/versioned@1.0.0",
                "pin test/versioned@2.0.0 (replaces 1.0.0)",
                "pin test/versioned@1.0.0 (replaces 2.0.0)",
                "revoke test/versioned@1.0.0 (weights were wrong)",
                "unpin test/versioned@1.0.0 (revoked while pinned)",
                "pin test/versioned@2.0.0",
            ],
            "{backend:?}"
        );
    }
}

async fn publish_and_pin(f: &Fixture, package: &str, publisher: &str) -> String {
    let path = component(package).display().to_string();
    ok(cli(f, &["plugin", "publish", &path, "--as", publisher]));
    let bytes = module(package);
    let hash = sha(&bytes);
    let info: serde_json::Value =
        serde_json::from_str(&ok(cli(f, &["inspect", &path, "--json"]))).unwrap();
    let r = format!(
        "{}@{}",
        info["model"]["name"].as_str().unwrap(),
        info["model"]["version"].as_str().unwrap()
    );
    approve_cli(f, &r, &hash);
    ok(cli(f, &["plugin", "pin", &r, "--sha256", &hash]));
    hash
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_publishes_approves_pins_and_scores_the_four_models() {
    for backend in backends() {
        let f = fixture(backend, "newcomer").await;
        for (package, ns) in [
            ("ningbo-port-v1", "ningbo"),
            ("hangzhou-qianjiang-v2", "hangzhou"),
            ("yiwu-market-v1", "yiwu"),
            ("environment-v1", "zhejiang"),
        ] {
            publish_and_pin(&f, package, &format!("publisher:{ns}")).await;
            let input = scorehost_tests::example_path(package).display().to_string();
            // The request names its model: no --model needed.
            let v: serde_json::Value =
                serde_json::from_str(&ok(cli(&f, &["score", "--input", &input, "--json"])))
                    .unwrap();
            assert_eq!(v["model"]["sha256"], sha(&module(package)), "{package}");
            let direct = ok(cli(
                &f,
                &[
                    "score",
                    "--module",
                    &component(package).display().to_string(),
                    "--input",
                    &input,
                    "--json",
                ],
            ));
            let direct: serde_json::Value = serde_json::from_str(&direct).unwrap();
            assert_eq!(v["score"], direct["score"]);
            assert_eq!(v["contributions"], direct["contributions"]);
        }
        let list = ok(cli(&f, &["plugin", "list"]));
        assert_eq!(
            list.lines().filter(|l| l.contains(" pinned ")).count(),
            4,
            "{list}"
        );
        let show = ok(cli(&f, &["plugin", "show", "ningbo/port"]));
        assert!(show.contains("ningbo/port: pinned 1.0.0"), "{show}");
        assert!(
            show.contains("publish  ningbo/port@1.0.0") && show.contains("by publisher:ningbo"),
            "{show}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flipped_byte_in_the_store_is_caught_and_nothing_runs() {
    for backend in backends() {
        let f = fixture(backend, "flipped").await;
        let hash = publish_and_pin(&f, "ningbo-port-v1", "publisher:ningbo").await;
        let input = root()
            .join("plugins/ningbo-port-v1/samples/example.request.json")
            .display()
            .to_string();
        ok(cli(
            &f,
            &["score", "--model", "ningbo/port", "--input", &input],
        ));

        let file = f.data_dir.join("modules").join(format!("{hash}.wasm"));
        let mut bytes = std::fs::read(&file).unwrap();
        let i = bytes.len() / 2;
        bytes[i] ^= 0x01;
        std::fs::write(&file, &bytes).unwrap();
        let flipped = sha(&bytes);

        let out = cli(&f, &["score", "--model", "ningbo/port", "--input", &input]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(12), "{err}");
        assert!(out.stdout.is_empty(), "nothing ran, nothing printed");
        assert!(err.contains("ningbo/port@1.0.0"), "{err}");
        assert!(
            err.contains(&format!(
                "hashes to {flipped}, but the registry holds {hash}"
            )),
            "{err}"
        );
        // The library says the same.
        let catalog = Catalog::open(runtime(), &f.data_dir, f.db.as_deref())
            .await
            .unwrap();
        match catalog
            .load(&model("ningbo/port"), None)
            .await
            .err()
            .unwrap()
        {
            scorehost_engine::Error::Registry(R::Integrity {
                reference,
                expected,
                actual,
            }) => {
                assert_eq!(
                    (reference.as_str(), expected, actual),
                    ("ningbo/port@1.0.0", hash.clone(), flipped.clone())
                );
            }
            other => panic!("{other}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_artifact_cache_is_used_and_a_corrupt_entry_is_rebuilt() {
    use scorehost_runtime::artifacts::CacheOutcome;
    let f = fixture(Backend::Sqlite, "artifacts").await;
    publish_and_pin(&f, "yiwu-market-v1", "publisher:yiwu").await;
    let name = model("yiwu/market");
    let open_catalog =
        || Catalog::open(Runtime::new(Limits::default()).unwrap(), &f.data_dir, None);
    assert_eq!(
        open_catalog()
            .await
            .unwrap()
            .load(&name, None)
            .await
            .unwrap()
            .cache,
        CacheOutcome::Miss
    );
    assert_eq!(
        open_catalog()
            .await
            .unwrap()
            .load(&name, None)
            .await
            .unwrap()
            .cache,
        CacheOutcome::Hit
    );
    let entries: Vec<_> = std::fs::read_dir(f.data_dir.join("artifacts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(entries.len(), 1);
    let mut art = std::fs::read(&entries[0]).unwrap();
    let i = art.len() - 100;
    art[i] ^= 0xff;
    std::fs::write(&entries[0], &art).unwrap();
    let loaded = open_catalog()
        .await
        .unwrap()
        .load(&name, None)
        .await
        .unwrap();
    assert_eq!(
        loaded.cache,
        CacheOutcome::Rebuilt("checksum mismatch (corrupt entry)".into())
    );
    let (_, o) = loaded
        .model
        .evaluate_wire(&example("yiwu-market-v1"))
        .unwrap();
    assert_eq!(o.evaluation.grade, "B");
    std::fs::write(&entries[0], b"short").unwrap();
    assert!(matches!(
        open_catalog()
            .await
            .unwrap()
            .load(&name, None)
            .await
            .unwrap()
            .cache,
        CacheOutcome::Rebuilt(_)
    ));
    assert_eq!(
        open_catalog()
            .await
            .unwrap()
            .load(&name, None)
            .await
            .unwrap()
            .cache,
        CacheOutcome::Hit
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_publishing_and_pinning_at_once_leave_a_consistent_registry() {
    for backend in backends() {
        let f = fixture(backend, "concurrent").await;
        // Create the database first, as a deployment would.
        ok(cli(&f, &["plugin", "list"]));
        let paths: Vec<String> = [
            "guest-versioned-v1",
            "guest-versioned-v1-altered",
            "guest-versioned-v2",
        ]
        .iter()
        .map(|p| component(p).display().to_string())
        .collect();
        let run_all = |argss: Vec<Vec<String>>| -> Vec<Output> {
            std::thread::scope(|s| {
                let hs: Vec<_> = argss
                    .iter()
                    .map(|a| s.spawn(|| cli(&f, &a.iter().map(String::as_str).collect::<Vec<_>>())))
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            })
        };
        let publish: Vec<Vec<String>> = (0..3)
            .flat_map(|_| {
                paths.iter().map(|p| {
                    vec![
                        "plugin".into(),
                        "publish".into(),
                        p.clone(),
                        "--as".into(),
                        "publisher:test".into(),
                    ]
                })
            })
            .collect();
        let outs = run_all(publish);
        let codes: Vec<Option<i32>> = outs.iter().map(|o| o.status.code()).collect();
        assert!(
            codes.iter().all(|c| *c == Some(0) || *c == Some(10)),
            "{codes:?} {:?}",
            outs.iter()
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .collect::<Vec<_>>()
        );

        let reg = open(&f).await;
        let versions = reg.list().await.unwrap();
        assert_eq!(versions.len(), 2, "{backend:?}: {versions:?}");
        let v1 = versions
            .iter()
            .find(|v| v.version == "1.0.0")
            .unwrap()
            .sha256
            .clone();
        let v2 = versions
            .iter()
            .find(|v| v.version == "2.0.0")
            .unwrap()
            .sha256
            .clone();
        assert!(
            v1 == sha(&module("guest-versioned-v1"))
                || v1 == sha(&module("guest-versioned-v1-altered"))
        );
        // Exactly one of the two 1.0.0 candidates won; every loser got a conflict.
        let conflicts = codes.iter().filter(|c| **c == Some(10)).count();
        assert_eq!(
            conflicts, 3,
            "three publishes of the losing 1.0.0 bytes: {codes:?}"
        );

        let approve = |r: &str, h: &str, person: &str| {
            vec![
                "plugin".to_string(),
                "approve".into(),
                r.into(),
                "--sha256".into(),
                h.into(),
                "--as".into(),
                format!("province:{person}"),
            ]
        };
        let pin = |r: &str, h: &str| {
            vec![
                "plugin".to_string(),
                "pin".into(),
                r.into(),
                "--sha256".into(),
                h.into(),
            ]
        };
        // Two persons approve each version at once (and one of them twice):
        // each reaches its quorum exactly once.
        for o in run_all(vec![
            approve("test/versioned@1.0.0", &v1, "Zhang Wei"),
            approve("test/versioned@2.0.0", &v2, "Zhang Wei"),
            approve("test/versioned@1.0.0", &v1, "Li Na"),
            approve("test/versioned@2.0.0", &v2, "Li Na"),
            approve("test/versioned@1.0.0", &v1, "Zhang Wei"),
        ]) {
            ok(o);
        }
        for o in run_all(
            (0..3)
                .flat_map(|_| {
                    [
                        pin("test/versioned@1.0.0", &v1),
                        pin("test/versioned@2.0.0", &v2),
                    ]
                })
                .collect(),
        ) {
            ok(o);
        }
        let pin_now = reg.pinned(&model("test/versioned")).await.unwrap();
        let versions = reg.list().await.unwrap();
        assert_eq!(
            versions
                .iter()
                .filter(|v| v.status == Status::Pinned)
                .count(),
            1
        );
        let pinned = versions
            .iter()
            .find(|v| v.status == Status::Pinned)
            .unwrap();
        assert_eq!(
            (pinned.version.clone(), pinned.sha256.clone()),
            (pin_now.version.clone(), pin_now.sha256.clone())
        );
        let history = reg.history(&model("test/versioned")).await.unwrap();
        let count = |a: &str| history.iter().filter(|e| e.action == a).count();
        assert_eq!(
            (count("publish"), count("approve"), count("approved")),
            (2, 4, 2),
            "{backend:?}"
        );
        // Each pin event that changed the pin is recorded; the last one is the pin in force.
        let last_pin = history.iter().rev().find(|e| e.action == "pin").unwrap();
        assert_eq!(
            last_pin.reference,
            format!("test/versioned@{}", pin_now.version)
        );
        assert!(history.windows(2).all(|w| w[0].id < w[1].id));
        let stored = stored_files(&f);
        assert!(
            stored.contains(&format!("{v1}.wasm")) && stored.contains(&format!("{v2}.wasm")),
            "{stored:?}"
        );
        assert!(
            stored.iter().all(|s| !s.starts_with(".tmp")),
            "no temporary file left: {stored:?}"
        );
    }
}

/// An evaluation record as the engine writes it (the fields the search
/// index reads), stamped `at`.
fn evaluation(
    at: &str,
    caller: &str,
    model: &str,
    subject: &str,
    outcome: serde_json::Value,
) -> scorehost_registry::NewRecord {
    let mut fields = serde_json::Map::new();
    fields.insert("format".into(), 2.into());
    fields.insert("caller".into(), caller.into());
    fields.insert(
        "model".into(),
        serde_json::json!({"name": model, "version": "1.0.0", "sha256": "00"}),
    );
    fields.insert(
        "subject".into(),
        serde_json::json!({"id": subject, "kind": "enterprise"}),
    );
    fields.insert("outcome".into(), outcome);
    scorehost_registry::NewRecord::from_fields("evaluation", at.to_string(), &fields)
}

/// The search index: filled behind the log (a registry record is not
/// indexed, a record appended later is found once indexed), every filter
/// narrows, a date range includes its bounds and not beyond, pages follow
/// `next_before`, bad input is refused — on SQLite and PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluations_are_found_by_subject_model_caller_date_and_outcome() {
    use scorehost_registry::EvaluationSearch;
    use serde_json::json;
    for backend in backends() {
        let f = fixture(backend, "search").await;
        let reg = open(&f).await;
        let ok =
            |score: f64| json!({"score": score, "grade": "A", "contributions": [], "reasons": []});
        let failed =
            json!({"error": {"code": "plugin_fault", "fault": "fuel_exhausted", "message": "x"}});
        let mut records = Vec::new();
        for day in 1..=9 {
            let at = format!("2026-11-0{day}T10:00:00Z");
            records.push(evaluation(
                &at,
                "app:a",
                "ningbo/port",
                &format!("S{day}"),
                ok(700.0 + day as f64),
            ));
            records.push(evaluation(&at, "app:b", "yiwu/market", "S1", ok(600.0)));
        }
        records.push(evaluation(
            "2026-11-09T11:00:00Z",
            "app:a",
            "ningbo/port",
            "S1",
            failed.clone(),
        ));
        let mut registry_record = serde_json::Map::new();
        registry_record.insert("action".into(), "approve".into());
        records.push(scorehost_registry::NewRecord::from_fields(
            "registry",
            "2026-11-09T12:00:00Z".into(),
            &registry_record,
        ));
        reg.append_records(records).await.unwrap();
        let search = |s: EvaluationSearch| {
            let reg = &reg;
            async move {
                reg.search_evaluations(&EvaluationSearch {
                    limit: if s.limit == 0 { 50 } else { s.limit },
                    ..s
                })
                .await
            }
        };
        // Nothing is found before the indexer reads the log.
        let none = search(EvaluationSearch::default()).await.unwrap();
        assert_eq!(
            (none.evaluations.len(), none.indexed),
            (0, 0),
            "{backend:?}"
        );
        assert_eq!(reg.index_evaluations(u64::MAX).await.unwrap(), 20);
        assert_eq!(
            reg.index_evaluations(u64::MAX).await.unwrap(),
            0,
            "nothing new"
        );
        let all = search(EvaluationSearch::default()).await.unwrap();
        assert_eq!(
            (all.evaluations.len(), all.indexed),
            (19, 20),
            "the registry record is not an evaluation"
        );
        assert!(
            all.evaluations.windows(2).all(|w| w[0].seq > w[1].seq),
            "newest first"
        );
        let by_subject = search(EvaluationSearch {
            subject: Some("S1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(
            by_subject.evaluations.len(),
            11,
            "S1: 9 of app:b, 1 ok and 1 failed of app:a"
        );
        let of_a = search(EvaluationSearch {
            subject: Some("S1".into()),
            caller: Some("app:a".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(of_a.evaluations.len(), 2);
        let failures = search(EvaluationSearch {
            outcome: Some("failed".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(failures.evaluations.len(), 1);
        assert_eq!(failures.evaluations[0].outcome, "plugin_fault");
        assert_eq!(failures.evaluations[0].score, None);
        let by_code = search(EvaluationSearch {
            outcome: Some("plugin_fault".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(by_code.evaluations.len(), 1);
        let port = search(EvaluationSearch {
            model: Some("ningbo/port".into()),
            outcome: Some("ok".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!(port.evaluations.len(), 9);
        assert_eq!(port.evaluations[0].score, Some(709.0));
        assert_eq!(port.evaluations[0].grade.as_deref(), Some("A"));
        // 3 to 5 November: both bounds included, nothing beyond.
        let days = search(EvaluationSearch {
            model: Some("ningbo/port".into()),
            from: Some("2026-11-03T00:00:00Z".into()),
            until: Some("2026-11-06T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        let subjects: Vec<&str> = days
            .evaluations
            .iter()
            .map(|e| e.subject.as_str())
            .collect();
        assert_eq!(subjects, ["S5", "S4", "S3"]);
        let later = search(EvaluationSearch {
            from: Some("2027-01-01T00:00:00Z".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert!(later.evaluations.is_empty());
        // Pages: 19 records, 8 at a time.
        let mut seen = Vec::new();
        let mut before = None;
        loop {
            let page = search(EvaluationSearch {
                before_seq: before,
                limit: 8,
                ..Default::default()
            })
            .await
            .unwrap();
            seen.extend(page.evaluations.iter().map(|e| e.seq));
            match page.next_before {
                Some(b) => before = Some(b),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!((seen.len(), sorted), (19, seen.clone()));
        // Bad input is refused.
        for bad in [
            EvaluationSearch {
                limit: 201,
                ..Default::default()
            },
            EvaluationSearch {
                outcome: Some("OK'--".into()),
                limit: 1,
                ..Default::default()
            },
            EvaluationSearch {
                from: Some("yesterday".into()),
                limit: 1,
                ..Default::default()
            },
        ] {
            assert!(
                matches!(reg.search_evaluations(&bad).await, Err(R::BadRequest(_))),
                "{bad:?}"
            );
        }
        // A record appended later is found once indexed.
        reg.append_records(vec![evaluation(
            "2026-11-10T10:00:00Z",
            "app:a",
            "ningbo/port",
            "S10",
            ok(710.0),
        )])
        .await
        .unwrap();
        reg.index_evaluations(u64::MAX).await.unwrap();
        let new = search(EvaluationSearch {
            subject: Some("S10".into()),
            ..Default::default()
        })
        .await
        .unwrap();
        assert_eq!((new.evaluations.len(), new.indexed), (1, 21));
        // In numbers: per model per day, failures by code, time taken.
        use scorehost_registry::StatsScope;
        let since = |d: &str| format!("2026-11-{d}T00:00:00Z");
        let stats = reg
            .evaluation_stats(&StatsScope {
                since: since("09"),
                ..Default::default()
            })
            .await
            .unwrap();
        let day = |d: &str, m: &str, n: u64, f: u64| scorehost_registry::DayCount {
            day: format!("2026-11-{d}"),
            model: m.to_string(),
            count: n,
            failed: f,
        };
        assert_eq!(
            stats.per_day,
            vec![
                day("09", "ningbo/port", 2, 1),
                day("09", "yiwu/market", 1, 0),
                day("10", "ningbo/port", 1, 0)
            ],
            "{backend:?}"
        );
        assert_eq!(
            stats.failures,
            vec![scorehost_registry::FailureCount {
                code: "plugin_fault".into(),
                count: 1
            }]
        );
        assert_eq!(stats.latency.len(), 2, "{:?}", stats.latency);
        let of_b = reg
            .evaluation_stats(&StatsScope {
                caller: Some("app:b".into()),
                since: since("01"),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(of_b.per_day.len(), 9);
        assert!(
            of_b.per_day
                .iter()
                .all(|r| r.model == "yiwu/market" && r.count == 1)
        );
        let of_ningbo = reg
            .evaluation_stats(&StatsScope {
                namespace: Some("ningbo".into()),
                since: since("01"),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(of_ningbo.per_day.iter().all(|r| r.model == "ningbo/port"));
        assert_eq!(of_ningbo.per_day.iter().map(|r| r.count).sum::<u64>(), 11);
        assert!(matches!(
            reg.evaluation_stats(&StatsScope {
                namespace: Some("x%".into()),
                since: since("01"),
                ..Default::default()
            })
            .await,
            Err(R::BadRequest(_))
        ));
    }
}
