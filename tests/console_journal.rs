//! A what-if (or live) console's journal is a drill journal without a script: `floodgrid report`
//! reads it and lists what the commander did.

mod common;

use std::process::Command;
use std::sync::Arc;

use floodgrid_engine::assess::Engine;
use floodgrid_engine::scenario::Scenario;
use floodgrid_tui::{App, AppOptions, JsonlJournal, Lang, Message, update};

#[test]
fn report_reads_a_what_if_console_journal() {
    let scenario = common::bundled();
    let path = std::env::temp_dir().join(format!(
        "floodgrid-console-journal-{}.jsonl",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&path);
    let engine =
        Arc::new(Engine::build(Scenario::load(&scenario).expect("loads")).expect("engine"));
    let journal = JsonlJournal::append(&path, &scenario.display().to_string()).expect("journal");
    let mut app = App::new(
        engine,
        AppOptions {
            lang: Lang::En,
            journal: Some(Box::new(journal)),
            ..AppOptions::default()
        },
    );
    update(&mut app, Message::Command("flow 22000".into()));
    update(&mut app, Message::Command("flow 9000".into()));
    drop(app);
    let out = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(["report", &path.display().to_string(), "--format", "json"])
        .output()
        .expect("run floodgrid report");
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let q: Vec<f64> = v["actions"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a["action"]["discharge_m3s"].as_f64())
        .collect();
    assert_eq!(q, vec![22_000.0, 9_000.0]);
    assert!(v["script"].is_null());
}
