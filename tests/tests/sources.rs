//! Every model's rules against the source they come from (issue 20).
//!
//! The source is 《信用浙江》2020 no. 1–2, kept in the repository at
//! `docs/source/credit-zhejiang-2020-01.txt`; "L123" is its line 123. Each
//! live plugin's README has a table "Rules and their source" (rule | source
//! line | the Chinese words | what the model does). These tests hold the
//! tables to the source and to the tests:
//! - every quotation 「…」 in a row is in the source at the lines the row
//!   cites (an ellipsis … may skip words; whitespace and curly quotes are
//!   ignored);
//! - every rule the model computes has a domain test in the plugin's
//!   `src/tests.rs` citing one of its lines (`L123`);
//! - the workspace README maps every model's rules to their lines.

use std::path::{Path, PathBuf};

use scorehost_tests::root;

/// One row of a plugin's "Rules and their source" table.
struct Row {
    plugin: String,
    rule: String,
    source: String,
    words: String,
    does: String,
}

/// The live plugins: `plugins/NAME` with a README, not a frozen `NAME-vN`.
fn live_plugins() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("plugins"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("README.md").exists())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            !name
                .rsplit_once("-v")
                .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    dirs.sort();
    dirs
}

fn rows(plugin: &Path) -> Vec<Row> {
    let name = plugin.file_name().unwrap().to_string_lossy().to_string();
    let readme = std::fs::read_to_string(plugin.join("README.md")).unwrap();
    let start = readme
        .find("\n## Rules and their source")
        .unwrap_or_else(|| panic!("{name}'s README has no \"## Rules and their source\""));
    let table = &readme[start + 1..];
    let end = table[3..].find("\n## ").map_or(table.len(), |e| e + 3);
    let rows: Vec<Row> = table[..end]
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| rule"))
        .map(|l| {
            let cells: Vec<&str> = l
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            assert!(cells.len() >= 4, "{name}: a row without four cells: {l}");
            Row {
                plugin: name.clone(),
                rule: cells[0].to_string(),
                source: cells[1].to_string(),
                words: cells[2].to_string(),
                does: cells[3..].join("|"),
            }
        })
        .collect();
    assert!(!rows.is_empty(), "{name}: an empty rules table");
    rows
}

/// The line numbers a source cell cites: `L68`, `L1340–1342`, `L1340–L1342`.
fn cited_lines(cell: &str) -> Vec<usize> {
    let chars: Vec<char> = cell.chars().collect();
    let number = |mut i: usize| {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        (
            chars[start..i]
                .iter()
                .collect::<String>()
                .parse::<usize>()
                .ok(),
            i,
        )
    };
    let mut lines = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == 'L'
            && let (Some(a), next) = number(i + 1)
        {
            let mut j = next;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            let mut b = a;
            if j < chars.len() && (chars[j] == '–' || chars[j] == '-') {
                let k = if chars.get(j + 1) == Some(&'L') {
                    j + 2
                } else {
                    j + 1
                };
                if let (Some(end), after) = number(k) {
                    b = end;
                    j = after;
                }
            }
            lines.extend(a..=b.max(a));
            i = j.max(next);
        } else {
            i += 1;
        }
    }
    lines
}

fn normal(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '“' | '”' => '"',
            c => c,
        })
        .collect()
}

fn source() -> Vec<String> {
    std::fs::read_to_string(root().join("docs/source/credit-zhejiang-2020-01.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn every_quotation_is_in_the_source_at_the_lines_cited() {
    let source = source();
    let mut wrong = Vec::new();
    let mut quotes = 0;
    for plugin in live_plugins() {
        for row in rows(&plugin) {
            let lines = cited_lines(&row.source);
            let text: String = lines
                .iter()
                .filter_map(|l| source.get(l.wrapping_sub(1)))
                .map(|l| normal(l))
                .collect();
            for quote in row.words.split('「').skip(1) {
                let quote = quote.split('」').next().unwrap_or_default();
                quotes += 1;
                for part in quote.split('…').flat_map(|p| p.split("...")) {
                    let part = normal(part);
                    if !part.is_empty() && !text.contains(&part) {
                        wrong.push(format!(
                            "{}: '{}' cites {} but 「{part}」 is not there",
                            row.plugin, row.rule, row.source
                        ));
                    }
                }
            }
        }
    }
    assert!(
        quotes > 100,
        "only {quotes} quotations found: is the table format changed?"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A row whose model does nothing itself ("not computed: what an app
/// does with the grade", "the host's batch") needs no test of the model.
fn computed(row: &Row) -> bool {
    !(row.does.starts_with("not ") || row.does.starts_with("the host's"))
}

#[test]
fn every_rule_the_model_computes_has_a_test_citing_its_line() {
    let mut untested = Vec::new();
    for plugin in live_plugins() {
        let tests = std::fs::read_to_string(plugin.join("src/tests.rs")).unwrap();
        let cites = |line: usize| {
            let needle = format!("L{line}");
            tests.match_indices(&needle).any(|(i, _)| {
                !tests[i + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
        };
        for row in rows(&plugin).into_iter().filter(computed) {
            let lines = cited_lines(&row.source);
            if !lines.is_empty() && !lines.iter().any(|l| cites(*l)) {
                untested.push(format!("{}: '{}' ({})", row.plugin, row.rule, row.source));
            }
        }
    }
    assert!(
        untested.is_empty(),
        "rules without a test citing their source line:\n{}",
        untested.join("\n")
    );
}

#[test]
fn the_readme_maps_every_models_rules_to_their_lines() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut missing = Vec::new();
    for plugin in live_plugins() {
        for row in rows(&plugin) {
            let line = format!("| `{}` | {} | {} |", row.plugin, row.rule, row.source);
            if !readme.contains(&line) {
                missing.push(line);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "README.md's table of rules lacks (or differs from the plugins' READMEs in):\n{}",
        missing.join("\n")
    );
}

#[test]
fn cited_lines_read_ranges_and_lists() {
    assert_eq!(cited_lines("L68"), [68]);
    assert_eq!(cited_lines("L1340–1342"), [1340, 1341, 1342]);
    assert_eq!(cited_lines("L1119–L1120, L68"), [1119, 1120, 68]);
    assert_eq!(cited_lines("L1280–1282 (L1271)"), [1280, 1281, 1282, 1271]);
    assert!(cited_lines("— (the section names none)").is_empty());
}
