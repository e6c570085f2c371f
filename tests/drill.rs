//! Headless drills: determinism, kill-and-resume, the bundled drills' figures, and diagnostics for
//! malformed scripts and actions files.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::floodgrid as run;
use serde_json::Value;

fn tmp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("floodgrid-drill-{}-{name}", std::process::id()))
}

fn script(name: &str) -> String {
    common::bundled()
        .join("drills")
        .join(name)
        .display()
        .to_string()
}

const ACTIONS: &str = r#"{"t_min": 10, "action": {"kind": "push", "text": "花园口站流量上涨，请各网格做好准备。", "audience": {"to": "everyone"}}}
{"t_min": 50, "action": {"kind": "dispatch", "task": "blue.command.start_iv"}}
{"t_min": 190, "action": {"kind": "speed", "factor": 60}}
{"t_min": 205, "action": {"kind": "acknowledge_alarm", "site": "works.madu"}}
{"t_min": 330, "action": {"kind": "set_discharge", "discharge_m3s": 16000}}
{"t_min": 400, "action": {"kind": "close", "task": "blue.command.start_iv"}}
{"t_min": 420, "action": {"kind": "push", "text": "各网格加强巡查，发现险情立即上报。", "audience": {"to": "everyone"}}}
"#;

fn drill_args<'a>(
    bundled: &'a str,
    script: &'a str,
    actions: &'a str,
    journal: &'a str,
) -> Vec<&'a str> {
    vec![
        "drill",
        bundled,
        "--headless",
        "--script",
        script,
        "--actions",
        actions,
        "--journal",
        journal,
        "--until",
        "480",
        "--format",
        "json",
    ]
}

#[test]
fn same_script_and_actions_give_the_same_journal_and_report() {
    let bundled = common::bundled().display().to_string();
    let s = script("02-design-flood-22000.toml");
    let actions = tmp("det-actions.jsonl");
    std::fs::write(&actions, ACTIONS).unwrap();
    let (j1, j2) = (tmp("det-1.jsonl"), tmp("det-2.jsonl"));
    let a = actions.display().to_string();
    let (c1, r1, e1) = run(&drill_args(&bundled, &s, &a, &j1.display().to_string()));
    let (c2, r2, _) = run(&drill_args(&bundled, &s, &a, &j2.display().to_string()));
    assert_eq!((c1, c2), (0, 0), "{e1}");
    let (b1, b2) = (std::fs::read(&j1).unwrap(), std::fs::read(&j2).unwrap());
    for p in [&actions, &j1, &j2] {
        let _ = std::fs::remove_file(p);
    }
    assert!(b1.len() > 10_000);
    assert_eq!(b1, b2, "journals differ");
    assert_eq!(r1, r2, "reports differ");
    let v: Value = serde_json::from_str(&r1).unwrap();
    assert!(
        v["expectations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["expected"] == "acknowledge_alarm" && e["outcome"] == "on_time")
    );
}

#[test]
fn a_killed_drill_resumes_from_its_journal_with_nothing_lost() {
    let bundled = common::bundled().display().to_string();
    let s = script("02-design-flood-22000.toml");
    let actions = tmp("kill-actions.jsonl");
    std::fs::write(&actions, ACTIONS).unwrap();
    let a = actions.display().to_string();
    // The uninterrupted run.
    let whole = tmp("kill-whole.jsonl");
    let whole_out = tmp("kill-whole.outbox.jsonl");
    let whole_out_s = whole_out.display().to_string();
    let whole_s = whole.display().to_string();
    let mut args = drill_args(&bundled, &s, &a, &whole_s);
    args.extend(["--outbox", &whole_out_s]);
    let (code, report_whole, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    // The same run, paced so it can be killed part-way.
    let cut = tmp("kill-cut.jsonl");
    let cut_s = cut.display().to_string();
    let cut_out = tmp("kill-cut.outbox.jsonl");
    let cut_out_s = cut_out.display().to_string();
    let mut args = drill_args(&bundled, &s, &a, &cut_s);
    args.extend(["--pace-ms", "4", "--outbox", &cut_out_s]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the journal shows the run is well under way (an action after minute 200), then kill.
    let started = std::time::Instant::now();
    loop {
        let text = std::fs::read_to_string(&cut).unwrap_or_default();
        if text.contains("acknowledge_alarm") || started.elapsed().as_secs() > 120 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();
    let before = std::fs::read_to_string(&cut).unwrap();
    assert!(before.contains("acknowledge_alarm"), "killed too early");
    assert!(
        !before.contains("\"close\""),
        "killed too late to test anything"
    );
    let acknowledged: Vec<String> = before
        .lines()
        .filter(|l| l.contains("\"type\":\"action\""))
        .map(String::from)
        .collect();
    let (code, report_resumed, err) = run(&[
        "drill",
        &bundled,
        "--headless",
        "--resume",
        &cut.display().to_string(),
        "--actions",
        &a,
        "--outbox",
        &cut_out_s,
        "--until",
        "480",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read_to_string(&cut).unwrap();
    let whole_text = std::fs::read_to_string(&whole).unwrap();
    let (outbox_whole, outbox_resumed) = (
        std::fs::read_to_string(&whole_out).unwrap(),
        std::fs::read_to_string(&cut_out).unwrap(),
    );
    for p in [&actions, &whole, &cut, &whole_out, &cut_out] {
        let _ = std::fs::remove_file(p);
    }
    assert!(outbox_whole.lines().count() >= 2, "{outbox_whole}");
    assert_eq!(
        outbox_resumed, outbox_whole,
        "the resumed outbox equals an uninterrupted run's: nothing lost, nothing twice"
    );
    for line in &acknowledged {
        assert!(
            after.contains(line.as_str()),
            "an acknowledged action was lost: {line}"
        );
    }
    assert_eq!(
        after, whole_text,
        "the resumed journal equals an uninterrupted run's"
    );
    assert_eq!(
        report_resumed, report_whole,
        "the resumed report equals an uninterrupted run's"
    );
    // And the report can be rebuilt from the journal alone.
    let j = tmp("kill-report.jsonl");
    std::fs::write(&j, &after).unwrap();
    let (code, from_journal, err) = run(&["report", &j.display().to_string(), "--format", "json"]);
    let _ = std::fs::remove_file(&j);
    assert_eq!(code, 0, "{err}");
    assert_eq!(from_journal, report_whole);
}

fn bundled_drill(name: &str) -> Value {
    bundled_drill_journal(name).0
}

/// A bundled drill run headless with the duty commander: its report and its journal's records,
/// run once per test binary (tests sharing a drill wait for the one run).
fn bundled_drill_journal(name: &str) -> (Value, Vec<Value>) {
    use std::sync::{Arc, Mutex, OnceLock};
    type Run = Arc<OnceLock<(Value, Vec<Value>)>>;
    static RUNS: Mutex<std::collections::BTreeMap<String, Run>> =
        Mutex::new(std::collections::BTreeMap::new());
    let cell = RUNS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(name.to_string())
        .or_default()
        .clone();
    cell.get_or_init(|| run_bundled_drill(name)).clone()
}

/// Runs a bundled drill with the duty commander. Every such report is checked to be honest
/// ([`assert_honest`]), free of Rust debug text, and given again by `report JOURNAL` from
/// another working directory; its outbox is free of debug text ([`assert_no_debug_text`]).
fn run_bundled_drill(name: &str) -> (Value, Vec<Value>) {
    let bundled = common::bundled().display().to_string();
    let journal = tmp(&format!("{name}.jsonl"));
    let outbox = tmp(&format!("{name}.outbox.jsonl"));
    let _ = std::fs::remove_file(&journal);
    let _ = std::fs::remove_file(&outbox);
    let (code, out, err) = run(&[
        "drill",
        &bundled,
        "--headless",
        "--script",
        &script(name),
        "--auto-dispatch",
        "--journal",
        &journal.display().to_string(),
        "--outbox",
        &outbox.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let records: Vec<Value> = std::fs::read_to_string(&journal)
        .expect("journal written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let report: Value = serde_json::from_str(&out).expect("report json");
    // `report JOURNAL`, from another working directory, gives the drill's own report.
    let again = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(["report", &journal.display().to_string(), "--format", "json"])
        .current_dir("/")
        .output()
        .unwrap();
    assert!(again.status.success(), "{name}: report JOURNAL failed");
    let again: Value = serde_json::from_slice(&again.stdout).expect("report json");
    assert_eq!(
        again, report,
        "{name}: report JOURNAL differs from the drill's own"
    );
    let _ = std::fs::remove_file(&journal);
    let messages = std::fs::read_to_string(&outbox).unwrap_or_default();
    let _ = std::fs::remove_file(&outbox);
    assert_events_render(name, &records);
    assert_honest(name, &report);
    assert_duty_commander_does_the_basics(name, &report, &records);
    assert_no_debug_text(&format!("{name} report"), &strings_of(&report));
    let pushed: Vec<Value> = messages
        .lines()
        .map(|l| serde_json::from_str(l).expect("an outbox line"))
        .collect();
    assert!(
        !pushed.is_empty(),
        "{name}: the duty commander pushed nothing"
    );
    assert_no_debug_text(
        &format!("{name} outbox"),
        &pushed.iter().flat_map(strings_of).collect::<Vec<_>>(),
    );
    assert_messages_read_for_people(name, &pushed);
    (report, records)
}

/// Every pushed text reads for people: no raw id (`g.liutan.03`), no English word from a
/// vocabulary (`piping`, `root_stone`), no placeholder left; and public notices reach the phones
/// of the residents registered in the grids concerned.
fn assert_messages_read_for_people(name: &str, pushed: &[Value]) {
    let residents = std::fs::read_to_string(common::bundled().join("residents.csv")).unwrap();
    let registered: std::collections::BTreeSet<&str> = residents
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    let mut public_with_residents = 0;
    for m in pushed {
        let text = m["text"].as_str().unwrap();
        let bytes: Vec<char> = text.chars().collect();
        // An id: lowercase letters, a dot, then an id character.
        for (k, w) in bytes.windows(3).enumerate() {
            let id_like = w[0].is_ascii_lowercase()
                && w[1] == '.'
                && (w[2].is_ascii_lowercase() || w[2].is_ascii_digit());
            assert!(!id_like, "{name}: raw id at char {k} of {text:?}");
        }
        for word in text.split(|c: char| !(c.is_ascii_alphabetic() || c == '_')) {
            assert!(
                word.len() < 3 || !word.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{name}: English word `{word}` in {text:?}"
            );
        }
        assert!(
            !text.contains('{') && !text.contains('}'),
            "{name}: {text:?}"
        );
        let to_residents: Vec<&str> = m["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["resident"] == true)
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        if m["audience"]["to"] == "public" && !to_residents.is_empty() {
            public_with_residents += 1;
        }
        assert!(
            m["audience"]["to"] == "public" || to_residents.is_empty(),
            "{name}: residents reached by a staff message: {text:?}"
        );
        for r in to_residents {
            assert!(
                registered.contains(r),
                "{name}: {r} is not a registered resident"
            );
        }
    }
    assert!(
        public_with_residents > 0,
        "{name}: no public notice reached residents' phones"
    );
}

/// What the duty commander always does: every smart-stone alarm acknowledged on its own (and
/// within its 10 minutes), every expected push counted when sent, nobody sent twice on one task.
fn assert_duty_commander_does_the_basics(name: &str, r: &Value, records: &[Value]) {
    let alarms = r["alarms"].as_array().unwrap();
    for a in alarms {
        let (raised, acked) = (n(&a["raised_min"]), n(&a["acknowledged_min"]));
        assert!(acked >= raised && acked <= raised + 10.0, "{name}: {a}");
        assert!(n(&a["stones"]) >= 1.0, "{name}: {a}");
    }
    for e in r["expectations"].as_array().unwrap() {
        let what = e["expected"].as_str().unwrap();
        if what == "acknowledge_alarm" || what == "push" || what.contains(".info.") {
            assert_eq!(e["outcome"], "on_time", "{name}: {e}");
        }
    }
    for rec in records.iter().filter(|x| x["type"] == "action") {
        let a = &rec["action"];
        if let Some(people) = a["people"].as_array() {
            let mut ids: Vec<&str> = people.iter().map(|p| p.as_str().unwrap()).collect();
            let all = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), all, "{name}: someone twice in {a}");
        }
    }
}

/// A report lists under strengths only figures that met their bar, under improvements only
/// figures that missed it; each figure's `met` follows from its value, bar and direction.
fn assert_honest(name: &str, r: &Value) {
    let findings = r["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "{name}: no findings");
    let met = |f: &Value| {
        let (v, bar) = (n(&f["value"]), n(&f["bar"]));
        match f["better"].as_str().unwrap() {
            "higher" => v >= bar,
            "lower" => v <= bar,
            other => panic!("{name}: direction {other}"),
        }
    };
    for s in r["strengths"].as_array().unwrap() {
        let f = findings
            .iter()
            .find(|f| f["strength"] == *s)
            .unwrap_or_else(|| panic!("{name}: strength {s} is no finding"));
        assert!(met(f), "{name}: strength {s} missed its bar: {f}");
    }
    for i in r["improvements"].as_array().unwrap() {
        let f = findings
            .iter()
            .find(|f| f["improvement"] == *i)
            .unwrap_or_else(|| panic!("{name}: improvement {i} is no finding"));
        assert!(!met(f), "{name}: improvement {i} met its bar: {f}");
    }
    assert!(r["strengths"].as_array().unwrap().len() <= 3);
    assert!(r["improvements"].as_array().unwrap().len() <= 3);
    // The score is explained: the objectives' weighted shares give it.
    let obj = r["objectives"].as_array().expect("objectives");
    let (num, den) = obj.iter().fold((0.0, 0.0), |(a, b), o| {
        (a + n(&o["weight"]) * n(&o["share"]), b + n(&o["weight"]))
    });
    if den > 0.0 {
        assert!((num / den * 100.0 - n(&r["score"])).abs() < 0.06, "{name}");
    }
}

/// The bundled engine, built once for the test binary.
fn bundled_engine() -> std::sync::Arc<floodgrid_engine::assess::Engine> {
    use floodgrid_engine::assess::Engine;
    use floodgrid_engine::scenario::Scenario;
    static ENGINE: std::sync::OnceLock<std::sync::Arc<Engine>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let sc = Scenario::load(common::bundled()).expect("the bundled scenario loads");
            std::sync::Arc::new(Engine::build(sc).expect("engine"))
        })
        .clone()
}

/// Whether text holds something shaped like a raw id: `[a-z]+\.[a-z0-9_.]+`
/// (`blue.info.push`, `g.nandi.02`, `works.madu`).
fn raw_id(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_lowercase() && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < b.len() && b[i].is_ascii_lowercase() {
                i += 1;
            }
            if i + 1 < b.len()
                && b[i] == b'.'
                && (b[i + 1].is_ascii_lowercase() || b[i + 1].is_ascii_digit())
            {
                let mut j = i + 1;
                while j < b.len()
                    && (b[j].is_ascii_lowercase()
                        || b[j].is_ascii_digit()
                        || b[j] == b'_'
                        || b[j] == b'.')
                {
                    j += 1;
                }
                return Some(line[start..j].to_string());
            }
            continue;
        }
        i += 1;
    }
    None
}

/// Whether a character is CJK (ideographs, CJK punctuation, full-width forms).
fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
}

/// The raw-id scan finds ids and leaves ordinary text alone.
#[test]
fn the_raw_id_scan_finds_ids_only() {
    assert_eq!(
        raw_id("Dispatched: blue.info.push to x"),
        Some("blue.info.push".into())
    );
    assert_eq!(raw_id("at g.nandi.02"), Some("g.nandi.02".into()));
    assert_eq!(raw_id("Q = 4,017 m3/s, 12.5 km2, T+03:20"), None);
}

/// Every event a bundled drill journals has a detail, its `text` is the session's Chinese
/// rendering of that detail, and the console renders it in Chinese and in English from the
/// detail alone: no raw id, no `{`/`}` left, and in English no Chinese but the scenario's
/// names (people, grids, sites) — a whole name, nothing pieced together.
fn assert_events_render(name: &str, records: &[Value]) {
    use floodgrid_engine::drill::{EventKind, JournalRecord};
    use floodgrid_tui::{App, AppOptions, Lang};
    let engine = bundled_engine();
    let sc = engine.scenario();
    let mut names: Vec<&str> = sc
        .people
        .iter()
        .map(|p| p.name.as_str())
        .chain(sc.grids.iter().map(|g| g.name.as_str()))
        .chain(sc.sites.iter().map(|s| s.name.as_str()))
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let zh = App::new(
        engine.clone(),
        AppOptions {
            lang: Lang::Zh,
            ..AppOptions::default()
        },
    );
    let en = App::new(
        engine.clone(),
        AppOptions {
            lang: Lang::En,
            ..AppOptions::default()
        },
    );
    let mut kinds = std::collections::BTreeSet::new();
    let mut n = 0;
    for r in records {
        let rec: JournalRecord = serde_json::from_value(r.clone()).expect("a journal record");
        let JournalRecord::Event { event, .. } = rec else {
            continue;
        };
        n += 1;
        let detail = event
            .detail
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: an event without a detail: {}", event.text));
        assert_eq!(event.kind, detail.kind(), "{name}: {}", event.text);
        assert_eq!(
            event.text,
            detail.text_zh(sc),
            "{name}: text is not the detail's"
        );
        assert_eq!(
            event.task.as_deref(),
            detail.task(),
            "{name}: {}",
            event.text
        );
        assert_eq!(
            event.person.as_deref(),
            detail.person(),
            "{name}: {}",
            event.text
        );
        kinds.insert(event.kind.name());
        for (lang, app) in [("zh", &zh), ("en", &en)] {
            let line = app.drill_event_text(&event);
            assert!(
                !line.trim().is_empty(),
                "{name} {lang}: empty for {}",
                event.text
            );
            if let Some(id) = raw_id(&line) {
                panic!("{name} {lang}: raw id {id:?} in {line:?}");
            }
            assert!(
                !line.contains('{') && !line.contains('}'),
                "{name} {lang}: a placeholder left in {line:?}"
            );
            if lang == "en" {
                let mut rest = line.clone();
                for n in &names {
                    rest = rest.replace(n, " ");
                }
                assert!(
                    !rest.chars().any(is_cjk),
                    "{name} en: Chinese that is not a scenario name in {line:?}"
                );
            }
        }
    }
    assert!(n > 100, "{name}: only {n} events");
    for k in [
        EventKind::Inject,
        EventKind::Level,
        EventKind::Dispatched,
        EventKind::Pushed,
    ] {
        assert!(kinds.contains(k.name()), "{name}: no {} event", k.name());
    }
}

/// Every string inside a JSON value.
fn strings_of(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(strings_of).collect(),
        Value::Object(o) => o.values().flat_map(strings_of).collect(),
        _ => Vec::new(),
    }
}

/// No line a person reads shows Rust debug formatting: struct dumps (`Grid { grid: "…" }`),
/// `Some(…)`, `None`, escaped quotes (`\"`), or CamelCase enum variant names (`OnTime`,
/// `SmartStoneAlarm`: a word with a capital after lower-case letters).
fn assert_no_debug_text(what: &str, lines: &[String]) {
    for l in lines {
        for pat in ["{ ", ": \"", "Some(", "None", "\\\""] {
            assert!(!l.contains(pat), "{what}: debug text `{pat}` in {l:?}");
        }
        for word in l.split(|c: char| !c.is_ascii_alphabetic()) {
            let camel = word.starts_with(|c: char| c.is_ascii_uppercase())
                && word
                    .as_bytes()
                    .windows(2)
                    .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
            assert!(!camel, "{what}: CamelCase `{word}` in {l:?}");
        }
    }
}

/// The scan itself catches each kind of debug text.
#[test]
fn the_debug_text_scan_catches_each_kind() {
    for bad in [
        "推送 Grid { grid: \"t.huayuankou\" }",
        "Some(3)",
        "None",
        "outcome OnTime",
        "kind SmartStoneAlarm",
        "text \\\"quoted\\\"",
    ] {
        let caught = std::panic::catch_unwind(|| assert_no_debug_text("probe", &[bad.to_string()]));
        assert!(caught.is_err(), "{bad:?} not caught");
    }
    assert_no_debug_text(
        "probe",
        &["推送 柳滩村：马渡险工 28号坝 3 枚报警 on_time".into()],
    );
}

#[test]
fn the_fixture_report_in_markdown_has_no_debug_text() {
    let md = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/tiny/expect/drill-01.report.md"),
    )
    .unwrap();
    let lines: Vec<String> = md.lines().map(String::from).collect();
    assert_no_debug_text("tiny drill-01.report.md", &lines);
    assert!(md.contains("| on_time |"), "outcomes by their serde names");
    assert!(
        md.contains("min  pushed  推送 "),
        "event kinds by their serde names"
    );
}

/// A commander who does nothing (no actions, no duty-commander policy): the report shows no
/// strength that missed its bar, and says what went wrong.
#[test]
fn a_drill_where_nobody_acts_lists_no_false_strength() {
    let bundled = common::bundled().display().to_string();
    for (name, format) in [
        ("01-numbered-flood-orange.toml", "json"),
        ("01-numbered-flood-orange.toml", "md"),
    ] {
        let (code, out, err) = run(&[
            "drill",
            &bundled,
            "--headless",
            "--script",
            &script(name),
            "--format",
            format,
        ]);
        assert_eq!(code, 0, "{err}");
        if format == "md" {
            let lines: Vec<String> = out.lines().map(String::from).collect();
            assert_no_debug_text("idle md", &lines);
            assert!(out.contains("| missed |"), "{out}");
            continue;
        }
        let r: Value = serde_json::from_str(&out).unwrap();
        assert_honest("idle", &r);
        assert_eq!(r["on_time"], 0, "nobody acted");
        let s: Vec<&str> = r["strengths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert!(s.iter().all(|x| !x.contains("expected responses")), "{s:?}");
        assert!(!r["improvements"].as_array().unwrap().is_empty());
        // Duration is the script's end, not the last event's minute.
        assert_eq!(
            n(&r["duration_min"]),
            2880.0,
            "the script's last hydrograph point"
        );
        assert!(r["stopped_at_min"].is_null());
    }
}

fn n(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn numbered_flood_rises_to_orange_and_the_duty_commander_keeps_up() {
    let r = bundled_drill("01-numbered-flood-orange.toml");
    assert_eq!(r["peak_level"], "orange");
    assert!((n(&r["peak_discharge_m3s"]) - 11_000.0).abs() < 50.0);
    let levels: Vec<&str> = r["levels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l[1].as_str().unwrap())
        .collect();
    assert_eq!(&levels[..4], ["none", "blue", "yellow", "orange"]);
    assert!(n(&r["score"]) >= 60.0, "score {}", r["score"]);
    assert!(r["on_time"].as_u64().unwrap() > r["missed"].as_u64().unwrap());
    // Out before the water, per resident: most households, never more than the water reached.
    let (out, reached) = (
        n(&r["evacuation"]["households_out_before"]),
        n(&r["evacuation"]["households_reached"]),
    );
    assert!(out <= reached && out >= 0.9 * reached, "{out} of {reached}");
    assert!(n(&r["response_times"]["accept_median_min"]) <= 10.0);
    // Strengths are figures that met their bar (checked in `assert_honest`): the households out
    // before the water are among them.
    let strengths = r["strengths"].as_array().unwrap();
    assert!(
        strengths
            .iter()
            .any(|s| s.as_str().unwrap().contains("households")),
        "{strengths:?}"
    );
}

#[test]
fn design_flood_reaches_red_with_madu_alarms_and_piping() {
    let (r, _journal) = bundled_drill_journal("02-design-flood-22000.toml");
    assert_eq!(r["peak_level"], "red");
    assert_eq!(n(&r["peak_discharge_m3s"]), 22_000.0);
    let exp = r["expectations"].as_array().unwrap();
    let outcome = |id: &str| {
        exp.iter()
            .find(|e| e["expected"] == id)
            .map(|e| e["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(outcome("hazard.piping.mark").as_deref(), Some("on_time"));
    // Both Madu alarms (minutes 200 and 480) are acknowledged; every level push counts when
    // it was sent (at the level change, by the policy).
    for e in exp.iter().filter(|e| {
        e["expected"] == "acknowledge_alarm"
            || e["expected"]
                .as_str()
                .unwrap()
                .ends_with(".info.level_push")
    }) {
        assert_eq!(e["outcome"], "on_time", "{e}");
    }
    assert!(
        exp.iter()
            .filter(|e| e["expected"] == "acknowledge_alarm")
            .count()
            == 2
    );
    // Priority-1 hazard work first: the collapse with people on the groyne is cordoned, the
    // slide cleared, in time.
    for id in [
        "hazard.collapse.cordon",
        "hazard.sliding.clear",
        "hazard.overtopping.subdike",
    ] {
        assert_eq!(outcome(id).as_deref(), Some("on_time"), "{id}");
    }
    assert!(n(&r["score"]) >= 50.0, "score {}", r["score"]);
    assert!(
        r["peak_people_short"].as_u64().unwrap() > 0,
        "a design flood exceeds the town's own staff"
    );
    // Per resident, from the work done for each: not every key person the water reached was
    // out before it (grid-wide checks and notices get nobody out; only the person's own
    // transfer or grid-wide work due before the water does), and the report says so.
    let (out, reached) = (
        n(&r["evacuation"]["key_persons_out_before"]),
        n(&r["evacuation"]["key_persons_reached"]),
    );
    assert!(out > 0.0 && out <= reached, "{out} of {reached}");
}

#[test]
fn flood_of_1958_type_breaches_a_production_dike() {
    let r = bundled_drill("03-1958-type-22300.toml");
    assert_eq!(r["peak_level"], "red");
    assert!(n(&r["peak_discharge_m3s"]) > 22_200.0);
    let timeline = r["timeline"].as_array().unwrap();
    assert!(timeline.iter().any(|e| {
        e["kind"] == "inject"
            && e["text"]
                .as_str()
                .unwrap()
                .starts_with("[production_dike_breach]")
    }));
    let exp = r["expectations"].as_array().unwrap();
    assert!(
        exp.iter()
            .any(|e| e["inject"] == "production_dike_breach" && e["outcome"] == "on_time")
    );
    assert!(n(&r["score"]) >= 90.0, "score {}", r["score"]);
    assert!(r["evacuation"]["households_reached"].as_u64().unwrap() > 1000);
    // The family on the roof (minute 960): a boat is out to them in time, so the contingency
    // call from the roof (1000, "unless" the rescue was sent) never fires and expects nothing.
    // The villagers on the cut-off platform (1020) get their own boat (a rescue sent to the
    // roof does not answer their call), as soon as a crew is free: all eight boat crews are out
    // by then, so it may come late, but it comes.
    let rescue = |at: f64| {
        exp.iter()
            .find(|e| e["expected"] == "hazard.people_trapped.rescue" && e["inject_min"] == at)
            .unwrap_or_else(|| panic!("a rescue expected at {at}"))
    };
    assert_eq!(rescue(960.0)["outcome"], "on_time", "{}", rescue(960.0));
    assert!(
        rescue(1020.0)["response_min"].is_number(),
        "{}",
        rescue(1020.0)
    );
    assert!(exp.iter().all(|e| e["inject_min"] != 1000.0));
    let msel = r["msel"].as_array().unwrap();
    assert!(msel.iter().all(|m| m["at_min"] != 1000.0), "{msel:?}");
    assert!(
        msel.iter()
            .any(|m| m["attachments"][0] == "https://example.org/drill03/miaoqian-roof.jpg"),
        "the roof report's photo is listed"
    );
    // The breach started a 2D run: per-grid arrival hours reaching 南堤村 (behind the breached
    // production dike pdike.02) and a clean mass balance.
    let run = &r["breach_runs"][0];
    assert_eq!(run["dike"], "pdike.02", "{run}");
    assert!(run["error"].is_null(), "{run}");
    assert!(n(&run["flooded_area_km2"]) > 1.0);
    assert!(n(&run["mass_balance_error"]).abs() < 1e-4);
    let reached = run["grids_reached"].as_array().unwrap();
    assert!(
        reached
            .iter()
            .any(|g| g[0].as_str().unwrap().starts_with("g.nandi.")),
        "{reached:?}"
    );
}

#[test]
fn a_breach_gives_evacuation_deadlines_from_the_water_and_replays_exactly() {
    use floodgrid_engine::assess::Engine;
    use floodgrid_engine::drill::{Drill, DrillOptions, report};
    use floodgrid_engine::scenario::Scenario;
    let engine = Engine::build(Scenario::load(common::bundled()).unwrap()).unwrap();
    let script = engine
        .scenario()
        .drills
        .iter()
        .find(|d| d.id.starts_with("03"))
        .unwrap()
        .clone();
    let options = DrillOptions {
        auto_dispatch: true,
        ..DrillOptions::default()
    };
    let go = || {
        let (arrival, deadlines, md) = {
            let mut d = Drill::new(&engine, script.clone(), options, None, "bundled");
            d.step_to(805.0);
            assert!(
                d.arrival_hours().is_none(),
                "no arrival times before the breach"
            );
            d.step_to(840.0);
            let arrival = d.arrival_hours().expect("arrival hours after the breach");
            let sc = engine.scenario();
            let a = d.assessment().unwrap();
            // Instances timed by the water (before_arrival_h) in reached grids: due at or before it.
            let mut deadlines = 0;
            for t in &a.tasks {
                let Some(g) = sc.grids.iter().position(|g| *g.id == *t.grid) else {
                    continue;
                };
                let timed = sc.plan.instruction(&t.card.instruction).is_some_and(|i| {
                    sc.plan.instructions[i.0 as usize]
                        .before_arrival_h
                        .is_some()
                });
                if let (Some(h), true) = (arrival[g], timed) {
                    assert!(
                        t.deadline_min <= d.now_min() + h * 60.0 + 1e-6,
                        "{} due at {} after the water ({} h)",
                        t.id,
                        t.deadline_min,
                        h
                    );
                    deadlines += 1;
                }
            }
            let md = report(&d).to_markdown();
            (arrival, deadlines, md)
        };
        (arrival, deadlines, md)
    };
    let (a1, n1, md1) = go();
    let (a2, _, md2) = go();
    assert!(n1 > 0, "no evacuation instance in a reached grid");
    assert_eq!(a1, a2);
    assert_eq!(md1, md2, "reports differ");
    assert!(md1.contains("## Breach run: pdike.02"));
}

#[test]
fn malformed_scripts_and_actions_get_file_and_line() {
    let bundled = common::bundled().display().to_string();
    let bad_script = tmp("bad-script.toml");
    let text = std::fs::read_to_string(script("01-numbered-flood-orange.toml")).unwrap();
    let broken = text.replacen("kind = \"", "kind = \"tsunami_", 1);
    std::fs::write(&bad_script, &broken).unwrap();
    let line = broken.lines().position(|l| l.contains("tsunami_")).unwrap() + 1;
    let (code, _, err) = run(&[
        "drill",
        &bundled,
        "--headless",
        "--script",
        &bad_script.display().to_string(),
    ]);
    let _ = std::fs::remove_file(&bad_script);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("bad-script.toml:{line}:")), "{err}");
    assert!(err.contains("inject kind"), "{err}");
    // The valid kinds come from the hazard vocabulary, plus the sensor and people kinds.
    for kind in floodgrid_engine::hazard::HazardKind::NAMES
        .iter()
        .chain(&["smart_stone_alarm", "person_unavailable"])
    {
        assert!(err.contains(kind), "{kind} not listed: {err}");
    }

    let bad_actions = tmp("bad-actions.jsonl");
    std::fs::write(
        &bad_actions,
        format!(
            "{}{{\"t_min\": 5, \"action\": {{\"kind\": \"teleport\"}}}}\n",
            ACTIONS
        ),
    )
    .unwrap();
    let (code, _, err) = run(&[
        "drill",
        &bundled,
        "--headless",
        "--script",
        &script("01-numbered-flood-orange.toml"),
        "--actions",
        &bad_actions.display().to_string(),
    ]);
    let _ = std::fs::remove_file(&bad_actions);
    assert_eq!(code, 1);
    let line = ACTIONS.lines().count() + 1;
    assert!(err.contains(&format!("bad-actions.jsonl:{line}:")), "{err}");
}

#[test]
fn pushed_messages_reach_the_outbox_with_their_recipients() {
    let bundled = common::bundled().display().to_string();
    let outbox = tmp("outbox.jsonl");
    let (code, _, err) = run(&[
        "drill",
        &bundled,
        "--headless",
        "--script",
        &script("01-numbered-flood-orange.toml"),
        "--auto-dispatch",
        "--until",
        "400",
        "--outbox",
        &outbox.display().to_string(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&outbox).unwrap_or_default();
    let _ = std::fs::remove_file(&outbox);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!lines.is_empty(), "the blue-level push went out");
    for m in &lines {
        assert!(!m["text"].as_str().unwrap().is_empty());
        assert!(!m["recipients"].as_array().unwrap().is_empty(), "{m}");
    }
}

#[test]
fn drill_help_lists_each_flag_once() {
    let (code, help, _) = run(&["drill", "--help"]);
    assert_eq!(code, 0);
    for flag in [
        "--headless",
        "--script",
        "--actions",
        "--journal",
        "--outbox",
        "--resume",
        "--auto-dispatch",
        "--until",
        "--pace-ms",
        "--format",
        "--lang",
        "--what-if",
        "--discharge",
        "--live",
        "--gauge",
        "--reports",
    ] {
        let declared = help
            .lines()
            .filter(|l| l.trim_start().starts_with(&format!("{flag} ")) || l.trim() == flag)
            .count();
        assert_eq!(declared, 1, "{flag} declared {declared} times in\n{help}");
    }
}

/// A copy of the tiny fixture scenario (tests/fixtures/tiny) a test may change.
fn tiny_copy(name: &str) -> PathBuf {
    let dir = tmp(name);
    let _ = std::fs::remove_dir_all(&dir);
    common::copy_dir(&common::fixture("tiny"), &dir);
    dir
}

fn tiny_drill(
    dir: &std::path::Path,
    journal: &std::path::Path,
    extra: &[&str],
) -> (i32, String, String) {
    let d = dir.display().to_string();
    let script = dir
        .join("drills/01-rise-to-yellow.toml")
        .display()
        .to_string();
    let j = journal.display().to_string();
    let mut args = vec![
        "drill",
        &d,
        "--headless",
        "--script",
        &script,
        "--journal",
        &j,
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// A resume, and a report, refuse a journal whose scenario, script or seed changed since it was
/// written, saying what differs; an existing journal is never appended to by a new drill.
#[test]
fn a_journal_is_only_resumed_or_reported_on_the_data_it_was_written_with() {
    let dir = tiny_copy("provenance");
    let journal = tmp("provenance.jsonl");
    let _ = std::fs::remove_file(&journal);
    let (code, _, err) = tiny_drill(&dir, &journal, &["--until", "120"]);
    assert_eq!(code, 0, "{err}");
    let header = std::fs::read_to_string(&journal).unwrap();
    assert!(
        header
            .lines()
            .next()
            .unwrap()
            .contains("\"scenario_hash\":\"fnv1a64:")
    );

    // A new drill on the same journal path: refused, then replaced with --force.
    let (code, _, err) = tiny_drill(&dir, &journal, &["--until", "60"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("already holds a drill") && err.contains("--force"),
        "{err}"
    );
    let (code, _, err) = tiny_drill(&dir, &journal, &["--until", "120", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        header,
        "replaced, not appended"
    );

    let d = dir.display().to_string();
    let j = journal.display().to_string();
    let resume = || run(&["drill", &d, "--headless", "--resume", &j, "--until", "180"]);
    // The scenario changed: one person's phone.
    let people = dir.join("people.csv");
    let original = std::fs::read_to_string(&people).unwrap();
    std::fs::write(&people, original.replacen("139", "138", 1)).unwrap();
    let (code, _, err) = resume();
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("was written for scenario") && err.contains("now hashes to"),
        "{err}"
    );
    let (code, _, err) = run(&["report", &j]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("was written for scenario"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&journal).unwrap(),
        header,
        "untouched"
    );
    std::fs::write(&people, &original).unwrap();
    // The script's seed changed.
    let script = dir.join("drills/01-rise-to-yellow.toml");
    let text = std::fs::read_to_string(&script).unwrap();
    let seed_line = text
        .lines()
        .find(|l| l.starts_with("seed"))
        .unwrap()
        .to_string();
    std::fs::write(&script, text.replacen(&seed_line, "seed = 99", 1)).unwrap();
    let (code, _, err) = resume();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("was written for script"), "{err}");
    std::fs::write(&script, &text).unwrap();
    // Restored: it resumes, and the report runs from another working directory.
    let (code, _, err) = resume();
    assert_eq!(code, 0, "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(["report", &j])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&journal);
}

/// A full disk stops the drill at once with an error, and the journal it leaves ends at a
/// complete record (or one torn record and nothing after it) that `report` reads. Needs a small
/// tmpfs; skipped with a note where mounting is not allowed.
#[test]
fn a_full_disk_stops_the_drill_and_leaves_a_readable_journal() {
    let mnt = tmp("fulldisk");
    let _ = std::fs::create_dir_all(&mnt);
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=12k", "tmpfs"])
        .arg(&mnt)
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        println!("cannot mount a tmpfs here: skipping the full-disk test");
        let _ = std::fs::remove_dir(&mnt);
        return;
    }
    let dir = tiny_copy("fulldisk-scenario");
    let journal = mnt.join("j.jsonl");
    let (code, _, err) = tiny_drill(&dir, &journal, &["--auto-dispatch"]);
    let text = std::fs::read(&journal).unwrap_or_default();
    let (rcode, _, rerr) = run(&["report", &journal.display().to_string()]);
    let _ = Command::new("umount").arg(&mnt).status();
    let _ = std::fs::remove_dir(&mnt);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 1, "a full disk is an error: {err}");
    assert!(err.contains("the drill stopped at minute"), "{err}");
    assert!(
        text.len() > 1_000 && text.len() <= 12 * 1024,
        "the journal holds what fitted"
    );
    // At most the last line is torn: every earlier line is a complete record.
    let lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    for l in &lines[..lines.len().saturating_sub(2)] {
        assert!(
            serde_json::from_slice::<Value>(l).is_ok(),
            "a torn record before the end"
        );
    }
    assert_eq!(rcode, 0, "report reads what the full disk left: {rerr}");
}

/// The console without a terminal (a pipe, a CI job) says so and exits 2, never a panic.
#[test]
fn the_console_without_a_terminal_exits_2_with_a_hint() {
    let (code, out, err) = run(&["drill"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("needs an interactive terminal; use --headless"),
        "{err}"
    );
}

/// A breach alarms only the grids its water reaches (from the breach's 2D run), in the order
/// the water arrives: on the tiny fixture with a main-dike breach, the duty commander's breach
/// alarms go to exactly the grids the run reached, earliest first, and to no other grid.
#[test]
fn a_breach_alarms_only_the_grids_its_water_reaches_in_arrival_order() {
    let dir = tiny_copy("breach-reach");
    let plan = dir.join("plan/50-hazards.toml");
    let mut text = std::fs::read_to_string(&plan).unwrap();
    text.push_str(
        r#"
[[instruction]]
id = "hazard.breach.alarm"
title = "溃口警报：洪水将到的网格一键推送"
category = "information"
when = "hazard_count.breach > 0"
for_each = "grid"
where = "grid.kind == 'grid' and grid.arrival_hours <= 48"
role = ["grid_worker", "grid_leader"]
people = 1
duration_min = 10
deadline_min = 5
priority = 1
message = "boat_dispatch"
"#,
    );
    std::fs::write(&plan, text).unwrap();
    let script = dir.join("drills/01-rise-to-yellow.toml");
    let mut s = std::fs::read_to_string(&script).unwrap();
    let at = s.find("[scoring]").unwrap();
    s.insert_str(
        at,
        r#"[[inject]]
at_min = 240
kind = "breach"
site = "dike.main"
text = "清河右岸大堤溃口。"
objective = "险情处置"
breach = { width_m = 60, horizon_h = 6 }
expect = [{ instruction = "hazard.breach.alarm", within_min = 10 }]

"#,
    );
    std::fs::write(&script, s).unwrap();
    let journal = dir.join("breach.jsonl");
    let (code, out, err) = tiny_drill(&dir, &journal, &["--auto-dispatch", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let run = &r["breach_runs"][0];
    assert!(run["error"].is_null(), "{run}");
    let reached: Vec<(String, f64)> = run["grids_reached"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g[0].as_str().unwrap().to_string(), n(&g[1])))
        .collect();
    // The alarms, in the order the duty commander sent them.
    let records: Vec<Value> = std::fs::read_to_string(&journal)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let alarmed: Vec<String> = records
        .iter()
        .filter(|r| r["type"] == "event" && r["event"]["kind"] == "dispatched")
        .filter_map(|r| r["event"]["task"].as_str())
        .filter_map(|t| t.strip_prefix("hazard.breach.alarm@"))
        .map(String::from)
        .collect();
    let grids: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("grids.geojson")).unwrap()).unwrap();
    let all_grids = grids["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "grid")
        .count();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!reached.is_empty(), "the breach floods some grid: {run}");
    assert!(
        reached.len() < all_grids,
        "a fixture where some grid stays dry: {reached:?}"
    );
    let mut want: Vec<String> = reached.iter().map(|g| g.0.clone()).collect();
    let mut got = alarmed.clone();
    want.sort();
    got.sort();
    assert_eq!(got, want, "alarmed {alarmed:?}, reached {reached:?}");
    // Earliest water first.
    let hours: Vec<f64> = alarmed
        .iter()
        .map(|g| reached.iter().find(|x| &x.0 == g).unwrap().1)
        .collect();
    assert!(
        hours.windows(2).all(|w| w[0] <= w[1]),
        "alarm order {alarmed:?} by arrival {hours:?}"
    );
}

/// A commander who holds the river down and sends nonsense: every action is wrong or useless.
const BAD_ACTIONS: &str = r#"{"t_min": 0, "action": {"kind": "set_discharge", "discharge_m3s": 800}}
{"t_min": 5, "action": {"kind": "dispatch", "task": "no.such.task"}}
{"t_min": 10, "action": {"kind": "acknowledge_alarm", "site": "works.madu"}}
{"t_min": 20, "action": {"kind": "push", "text": "测试消息，请忽略。", "audience": {"to": "everyone"}}}
{"t_min": 30, "action": {"kind": "close", "task": "no.such.task"}}
"#;

/// Over every bundled drill, run with nobody acting and with a deliberately bad actions file:
/// no report lists under strengths a figure that missed its bar (`assert_honest`), and neither
/// the JSON nor the Markdown report shows Rust debug text.
#[test]
fn no_report_lists_a_missed_figure_as_a_strength() {
    let bundled = common::bundled().display().to_string();
    let actions = tmp("bad-commander.jsonl");
    std::fs::write(&actions, BAD_ACTIONS).unwrap();
    let actions = actions.display().to_string();
    for name in [
        "01-numbered-flood-orange.toml",
        "02-design-flood-22000.toml",
        "03-1958-type-22300.toml",
    ] {
        let s = script(name);
        for (who, extra) in [
            ("idle", vec![]),
            ("bad", vec!["--actions", actions.as_str()]),
        ] {
            for format in ["json", "md"] {
                let mut args = vec![
                    "drill",
                    bundled.as_str(),
                    "--headless",
                    "--script",
                    s.as_str(),
                    "--format",
                    format,
                ];
                args.extend(extra.iter().copied());
                let (code, out, err) = run(&args);
                assert_eq!(code, 0, "{name} {who}: {err}");
                let what = format!("{name} {who} {format}");
                if format == "md" {
                    let lines: Vec<String> = out.lines().map(String::from).collect();
                    assert_no_debug_text(&what, &lines);
                    continue;
                }
                let r: Value = serde_json::from_str(&out).unwrap();
                assert_honest(&what, &r);
                assert_no_debug_text(&what, &strings_of(&r));
                assert!(
                    !r["improvements"].as_array().unwrap().is_empty(),
                    "{what}: a commander who does nothing right has something to improve"
                );
            }
        }
    }
    let _ = std::fs::remove_file(&actions);
}

/// Issue #13, Must-show 1, over the whole report of each bundled drill run with the duty
/// commander (`--auto-dispatch`): every smart-stone alarm acknowledged (within its 10 minutes);
/// every required push counted at the minute it was sent; every expected priority-1 hazard
/// instruction (one per hazard, or one whose condition reads the hazards) dispatched within its
/// response time; every people-in-danger rescue sent with a boat crew; in drill 03 the roof
/// rescue (minute 960) dispatched at once and the platform rescue (1020) within its 30 minutes
/// and topped up to its full crew of three as the roof crew came back.
#[test]
fn the_duty_commander_meets_issue_13_in_every_bundled_drill() {
    use floodgrid_engine::plan::{ForEach, VarKey};
    let engine = bundled_engine();
    let plan = &engine.scenario().plan;
    let instruction = |id: &str| plan.instructions.iter().find(|i| i.id == id);
    for name in [
        "01-numbered-flood-orange.toml",
        "02-design-flood-22000.toml",
        "03-1958-type-22300.toml",
    ] {
        let (r, records) = bundled_drill_journal(name);
        let exp = r["expectations"].as_array().unwrap();
        let mut hazard_checked = 0;
        // Alarms: one per smart-stone inject that fired, each acknowledged in time.
        let alarm_injects = records
            .iter()
            .filter(|x| {
                x["type"] == "event"
                    && x["event"]["detail"]["what"] == "inject"
                    && x["event"]["detail"]["kind"] == "smart_stone_alarm"
            })
            .count();
        let alarms = r["alarms"].as_array().unwrap();
        assert_eq!(alarms.len(), alarm_injects, "{name}: {alarms:?}");
        for a in alarms {
            let (raised, acked) = (n(&a["raised_min"]), n(&a["acknowledged_min"]));
            assert!(
                acked >= raised && acked <= raised + 10.0,
                "{name}: alarm not acknowledged in time: {a}"
            );
        }
        let acks: Vec<&Value> = exp
            .iter()
            .filter(|e| e["expected"] == "acknowledge_alarm")
            .collect();
        assert_eq!(acks.len(), alarm_injects, "{name}");
        // Pushes: counted when sent, at the minute of the first push on or after the inject.
        let push_minutes: Vec<f64> = records
            .iter()
            .filter(|x| x["type"] == "action" && x["action"]["kind"] == "push")
            .map(|x| n(&x["t_min"]))
            .collect();
        for e in exp.iter().filter(|e| e["expected"] == "push") {
            assert_eq!(e["outcome"], "on_time", "{name}: {e}");
            let at = n(&e["inject_min"]);
            let first = push_minutes.iter().copied().find(|&t| t >= at).unwrap();
            assert_eq!(n(&e["response_min"]), first - at, "{name}: {e}");
        }
        for e in exp {
            let Some(i) = e["expected"].as_str().and_then(instruction) else {
                continue;
            };
            if i.message.is_some() && i.id.contains(".info.") {
                assert_eq!(e["outcome"], "on_time", "{name}: push not counted: {e}");
            }
            // Priority-1 hazard work (for each hazard, or a condition that reads the hazards)
            // within its response time.
            let hazard_work = i.for_each == Some(ForEach::Hazard)
                || i.when.reads(&|v| {
                    matches!(
                        v.info().key,
                        VarKey::HazardCount | VarKey::Hazards | VarKey::GridHazards
                    )
                });
            if i.priority == 1 && hazard_work {
                hazard_checked += 1;
                assert_eq!(e["outcome"], "on_time", "{name}: priority-1 hazard: {e}");
                assert!(n(&e["response_min"]) <= n(&e["within_min"]), "{name}: {e}");
            }
        }
        assert!(
            hazard_checked > 0,
            "{name}: no priority-1 hazard work expected"
        );
        // People in danger: every rescue goes out with a boat crew.
        for task in records
            .iter()
            .filter(|x| x["type"] == "event" && x["event"]["detail"]["what"] == "dispatched")
            .filter_map(|x| x["event"]["detail"]["task"].as_str())
            .filter(|t| t.starts_with("hazard.people_trapped.rescue@"))
        {
            let crew = records
                .iter()
                .filter(|x| {
                    x["type"] == "event"
                        && x["event"]["detail"]["task"] == task
                        && matches!(
                            x["event"]["detail"]["what"].as_str(),
                            Some("dispatched" | "reassigned")
                        )
                })
                .map(|x| x["event"]["detail"]["people"].as_array().unwrap().len())
                .max()
                .unwrap();
            assert!(crew >= 2, "{name}: {task} never had a boat crew ({crew})");
        }
        if name.starts_with("03") {
            let rescue = |at: f64| {
                exp.iter()
                    .find(|e| {
                        e["expected"] == "hazard.people_trapped.rescue" && n(&e["inject_min"]) == at
                    })
                    .unwrap_or_else(|| panic!("a rescue expected at {at}"))
            };
            let (roof, platform) = (rescue(960.0), rescue(1020.0));
            assert_eq!(roof["outcome"], "on_time", "{roof}");
            assert_eq!(
                n(&roof["response_min"]),
                0.0,
                "the roof rescue at once: {roof}"
            );
            assert_eq!(platform["outcome"], "on_time", "{platform}");
            // The platform call comes when every boat crew is alone on a search; the first
            // crew member free goes to it, and the next ones top it up to its three.
            let last_crew = records
                .iter()
                .filter(|x| {
                    x["type"] == "event"
                        && x["event"]["detail"]["task"] == "hazard.people_trapped.rescue@inject9"
                        && x["event"]["detail"]["what"] == "reassigned"
                })
                .map(|x| x["event"]["detail"]["people"].as_array().unwrap().len())
                .max();
            assert_eq!(last_crew, Some(3), "the platform rescue topped up");
        }
    }
}

/// Issue #13, Must-show 4: `floodgrid report JOURNAL` gives the drill's own report, figure for
/// figure (duration and where it stopped included), from any working directory, for a drill
/// run on relative paths; also for a drill stopped early (`--until`).
#[test]
fn report_from_a_journal_equals_the_drills_own_report_from_any_directory() {
    let dir = tiny_copy("report-cwd");
    let parent = dir.parent().unwrap().to_path_buf();
    let rel = dir.file_name().unwrap().to_str().unwrap().to_string();
    let script = format!("{rel}/drills/01-rise-to-yellow.toml");
    for (tag, until) in [("whole", None), ("cut", Some("150"))] {
        let journal = format!("{rel}/{tag}.jsonl");
        let mut args = vec![
            "drill",
            rel.as_str(),
            "--headless",
            "--script",
            script.as_str(),
            "--auto-dispatch",
            "--journal",
            journal.as_str(),
            "--format",
            "json",
        ];
        if let Some(u) = until {
            args.extend(["--until", u]);
        }
        let own = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
            .args(&args)
            .current_dir(&parent)
            .output()
            .unwrap();
        assert!(
            own.status.success(),
            "{}",
            String::from_utf8_lossy(&own.stderr)
        );
        let own: Value = serde_json::from_slice(&own.stdout).unwrap();
        for cwd in [std::path::PathBuf::from("/"), dir.join("drills")] {
            let out = Command::new(env!("CARGO_BIN_EXE_floodgrid"))
                .args([
                    "report",
                    &parent.join(&journal).display().to_string(),
                    "--format",
                    "json",
                ])
                .current_dir(&cwd)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{tag} from {}: {}",
                cwd.display(),
                String::from_utf8_lossy(&out.stderr)
            );
            let rebuilt: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert_eq!(
                rebuilt["duration_min"],
                own["duration_min"],
                "{tag} from {}",
                cwd.display()
            );
            assert_eq!(rebuilt, own, "{tag} from {}", cwd.display());
        }
        if until.is_some() {
            assert_eq!(n(&own["stopped_at_min"]), 150.0, "{own}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
