//! The engine as a library: stand-down when the level falls, dispatched people kept, no double
//! booking, overdue tasks, alarms and hazards opening their instructions.

mod common;

use std::collections::HashMap;
use std::sync::OnceLock;

use floodgrid_engine::assess::{Engine, Hazard, SensorAlarm, Situation, TaskRecord};
use floodgrid_engine::grid::{GridIdx, PersonIdx, SiteIdx, SiteKind};
use floodgrid_engine::plan::{ForEach, OnFall, TaskStatus};
use floodgrid_engine::scenario::Scenario;

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        Engine::build(Scenario::load(common::bundled()).expect("bundled")).expect("engine")
    })
}

#[test]
fn nobody_is_booked_beyond_capacity_at_the_design_flood() {
    let e = engine();
    let a = e.assess(&Situation::at_discharge(22_000.0)).unwrap();
    // Every roster booking counts against capacity; a guardian leading their own residents'
    // tasks (the 包保 register's standing duty) is outside it, and only guardians do that.
    let sc = e.scenario();
    let guardian: HashMap<&str, &str> = sc
        .residents
        .iter()
        .filter_map(|r| Some((r.id.as_str(), sc.people.get(r.guardian?.ix())?.id.as_str())))
        .collect();
    let mut load: HashMap<&str, u32> = HashMap::new();
    let mut led = 0;
    for t in &a.tasks {
        let per_resident = t
            .target
            .as_ref()
            .filter(|x| matches!(x.kind, ForEach::Household | ForEach::KeyPerson));
        let led_by = per_resident.and_then(|x| guardian.get(&*x.id).copied());
        for p in &t.assignees {
            if led_by == Some(&*p.person.id) {
                led += 1;
                continue;
            }
            *load.entry(&*p.person.id).or_default() += 1;
        }
    }
    assert!(
        led > 0,
        "those who must be carried are led by their guardians ({led})"
    );
    for p in &e.scenario().people {
        assert!(
            load.get(p.id.as_str()).copied().unwrap_or(0) <= p.capacity,
            "{} over capacity",
            p.id
        );
    }
    // Every assignee has a role the instruction asks for.
    let roles: HashMap<&str, Vec<&str>> = e
        .scenario()
        .plan
        .instructions
        .iter()
        .map(|i| {
            (
                i.id.as_str(),
                i.roles
                    .iter()
                    .map(|r| e.scenario().config.roles[r.ix()].id.as_str())
                    .collect(),
            )
        })
        .collect();
    for t in &a.tasks {
        for p in &t.assignees {
            assert!(
                roles[&*t.card.instruction].contains(&&*p.person.role),
                "{} on {}",
                p.person.role,
                t.id
            );
        }
    }
}

#[test]
fn falling_level_stands_down_what_the_plan_says_and_keeps_the_rest() {
    let e = engine();
    let red = e.assess(&Situation::at_discharge(22_000.0)).unwrap();
    let ins = |id: &str| {
        e.scenario()
            .plan
            .instructions
            .iter()
            .find(|i| i.id == id)
            .unwrap()
    };
    let falls = red
        .tasks
        .iter()
        .find(|t| {
            t.card.phase == floodgrid_engine::plan::Phase::Red
                && ins(&t.card.instruction).on_fall == OnFall::StandDown
        })
        .expect("a red task that stands down");
    let keeps = red
        .tasks
        .iter()
        .find(|t| {
            ins(&t.card.instruction).on_fall == OnFall::Keep
                && !t.card.instruction.starts_with("routine")
        })
        .expect("a task kept on fall");
    let mut s = Situation::at_discharge(3_000.0);
    for t in [falls, keeps] {
        s.tasks.insert(
            t.id.to_string(),
            TaskRecord {
                status: TaskStatus::Dispatched,
                triggered_min: 0.0,
                assignees: vec![],
            },
        );
    }
    let quiet = e.assess(&s).unwrap();
    let find = |id: &str| quiet.tasks.iter().find(|t| &*t.id == id);
    let still_active_now = |id: &str| {
        e.assess(&Situation::at_discharge(3_000.0))
            .unwrap()
            .tasks
            .iter()
            .any(|t| &*t.id == id)
    };
    if !still_active_now(&falls.id) {
        assert_eq!(
            find(&falls.id).map(|t| t.status),
            Some(TaskStatus::StoodDown),
            "{}",
            falls.id
        );
    }
    assert_eq!(
        find(&keeps.id).map(|t| t.status),
        Some(TaskStatus::Dispatched),
        "{} is kept until done",
        keeps.id
    );
    // Finished work does not come back.
    let mut s = Situation::at_discharge(3_000.0);
    s.tasks.insert(
        falls.id.to_string(),
        TaskRecord {
            status: TaskStatus::Done,
            triggered_min: 0.0,
            assignees: vec![],
        },
    );
    if !still_active_now(&falls.id) {
        assert!(e.assess(&s).unwrap().tasks.iter().all(|t| t.id != falls.id));
    }
}

#[test]
fn dispatched_people_stay_on_their_task_and_deadlines_run() {
    let e = engine();
    let a = e.assess(&Situation::at_discharge(10_000.0)).unwrap();
    let t = a
        .tasks
        .iter()
        .find(|t| t.people_needed >= 1 && t.people_short == 0)
        .unwrap();
    let someone = e
        .scenario()
        .people
        .iter()
        .position(|p| *p.id == *t.assignees[0].person.id)
        .unwrap();
    let mut s = Situation::at_discharge(10_000.0);
    s.now_min = 10_000.0;
    s.tasks.insert(
        t.id.to_string(),
        TaskRecord {
            status: TaskStatus::Dispatched,
            triggered_min: 0.0,
            assignees: vec![PersonIdx(someone as u32)],
        },
    );
    let b = e.assess(&s).unwrap();
    let again = b.tasks.iter().find(|x| x.id == t.id).unwrap();
    assert_eq!(again.assignees.len(), 1);
    assert_eq!(again.assignees[0].person.id, t.assignees[0].person.id);
    assert_eq!(
        again.status,
        TaskStatus::Overdue,
        "dispatched at minute 0, due long before minute 10,000"
    );
}

#[test]
fn alarms_and_hazards_open_their_instructions() {
    let e = engine();
    let sc = e.scenario();
    let madu = sc.sites.iter().position(|s| s.id == "works.madu").unwrap();
    let stone = sc
        .sites
        .iter()
        .position(|s| s.kind == SiteKind::SmartStone && s.work == Some(SiteIdx(madu as u32)))
        .unwrap();
    let grid = sc.grids.iter().position(|g| g.id == "d.madu").unwrap();
    let quiet = e.assess(&Situation::at_discharge(12_000.0)).unwrap();
    let mut s = Situation::at_discharge(12_000.0);
    s.alarms.push(SensorAlarm {
        site: SiteIdx(stone as u32),
    });
    s.hazards.push(Hazard {
        id: "h1".into(),
        kind: floodgrid_engine::hazard::HazardKind::Piping,
        site: None,
        grid: GridIdx(grid as u32),
        severity: 3,
    });
    let loud = e.assess(&s).unwrap();
    let on_madu = |a: &floodgrid_engine::assess::Assessment| {
        a.tasks
            .iter()
            .filter(|t| t.target.as_ref().is_some_and(|x| &*x.id == "works.madu"))
            .count()
    };
    assert!(
        on_madu(&loud) > on_madu(&quiet),
        "a smart-stone alarm sends a team to its works"
    );
    let piping: Vec<_> = loud
        .tasks
        .iter()
        .filter(|t| t.id.ends_with("@h1"))
        .collect();
    assert!(
        !piping.is_empty(),
        "the piping hazard opens hazard instructions"
    );
    assert!(piping.iter().all(|t| &*t.grid == "d.madu"));
}

#[test]
fn the_extent_geojson_opens_as_lon_lat_multipolygons() {
    let out = std::env::temp_dir().join(format!("floodgrid-extent-{}.geojson", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args([
            "assess",
            &common::bundled().display().to_string(),
            "--discharge",
            "12000",
            "--format",
            "json",
            "--extent",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_eq!(v["type"], "FeatureCollection");
    let features = v["features"].as_array().unwrap();
    assert!(!features.is_empty());
    for f in features {
        assert_eq!(f["geometry"]["type"], "MultiPolygon");
        assert!(f["properties"]["flooded_km2"].as_f64().unwrap() > 0.0);
        let first = &f["geometry"]["coordinates"][0][0][0];
        let (lon, lat) = (first[0].as_f64().unwrap(), first[1].as_f64().unwrap());
        assert!(
            (113.5..113.9).contains(&lon) && (34.8..35.0).contains(&lat),
            "{lon}, {lat}"
        );
        let ring = f["geometry"]["coordinates"][0][0].as_array().unwrap();
        assert_eq!(ring.first(), ring.last(), "closed rings");
    }
}

/// A library caller's situation that names what the scenario lacks is refused with an error
/// naming the field, never a panic (the index used to be read unchecked).
#[test]
fn a_situation_with_unknown_references_is_an_error_not_a_panic() {
    let e = engine();
    let sc = e.scenario();
    let mut s = Situation::at_discharge(12_000.0);
    s.hazards.push(Hazard {
        id: "h.1".into(),
        kind: floodgrid_engine::hazard::HazardKind::Piping,
        site: None,
        grid: GridIdx(999_999),
        severity: 3,
    });
    let err = e.assess(&s).unwrap_err().to_string();
    assert!(
        err.contains("hazards[0].grid") && err.contains("999999"),
        "{err}"
    );
    assert!(err.contains(&sc.grids.len().to_string()), "{err}");

    let mut s = Situation::at_discharge(12_000.0);
    s.alarms.push(SensorAlarm {
        site: SiteIdx(sc.sites.len() as u32),
    });
    assert!(
        e.assess(&s)
            .unwrap_err()
            .to_string()
            .contains("alarms[0].site")
    );

    let mut s = Situation::at_discharge(12_000.0);
    s.unavailable.push(PersonIdx(u32::MAX));
    assert!(
        e.assess(&s)
            .unwrap_err()
            .to_string()
            .contains("unavailable[0]")
    );

    let mut s = Situation::at_discharge(12_000.0);
    s.tasks.insert(
        "x".into(),
        TaskRecord {
            status: TaskStatus::Dispatched,
            triggered_min: 0.0,
            assignees: vec![PersonIdx(sc.people.len() as u32)],
        },
    );
    assert!(
        e.assess(&s)
            .unwrap_err()
            .to_string()
            .contains("tasks[x].assignees[0]")
    );

    for (q, field) in [(f64::NAN, "discharge_m3s"), (-1.0, "discharge_m3s")] {
        let err = e
            .assess(&Situation::at_discharge(q))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(field), "{err}");
    }
    let mut s = Situation::at_discharge(1_000.0);
    s.month = 13;
    assert!(e.assess(&s).unwrap_err().to_string().starts_with("month"));
    // Deserialised from JSON, as an integrator would send it: the same error.
    let json = r#"{"discharge_m3s":5000,"now_min":0,"level":null,"peak_level":null,"readings":[],
        "forecast":null,"month":7,"hour":8,"alarms":[],"hazards":[{"id":"h","kind":"piping",
        "site":null,"grid":999999,"severity":2}],"unavailable":[],"tasks":{},"arrival_hours":null}"#;
    let s: Situation = serde_json::from_str(json).expect("situation JSON");
    assert!(e.assess(&s).is_err());
}

/// The same situation gives byte-identical JSON on one thread and on two, over a sweep with
/// alarms and hazards (assignment and depot draws are sequential; the rest is collected in order).
#[test]
fn one_and_two_threads_give_the_same_json() {
    let e = engine();
    let pool = |n| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .expect("thread pool")
    };
    let (one, two) = (pool(1), pool(2));
    let sc = e.scenario();
    let works = sc
        .sites
        .iter()
        .position(|s| s.kind == SiteKind::Works)
        .expect("a works");
    for q in [0.0, 4_500.0, 9_000.0, 16_000.0, 22_000.0] {
        let mut s = Situation::at_discharge(q);
        s.alarms.push(SensorAlarm {
            site: SiteIdx(works as u32),
        });
        s.hazards.push(Hazard {
            id: "h.1".into(),
            kind: floodgrid_engine::hazard::HazardKind::Piping,
            site: Some(SiteIdx(works as u32)),
            grid: sc.sites[works].grid.unwrap_or(GridIdx(0)),
            severity: 3,
        });
        let a = one.install(|| serde_json::to_string(&e.assess(&s).unwrap()).unwrap());
        let b = two.install(|| serde_json::to_string(&e.assess(&s).unwrap()).unwrap());
        assert!(a == b, "1- and 2-thread JSON differ at {q} m³/s");
    }
}

/// One person, one place: no instance lists the same person twice, at any discharge of the river
/// (a guardian leading their own resident's task was also picked by the roster search).
#[test]
fn nobody_is_twice_on_one_instance_over_the_whole_sweep() {
    let e = engine();
    let mut checked = 0usize;
    for step in 0..=60 {
        let q = f64::from(step) * 500.0;
        let a = e.assess(&Situation::at_discharge(q)).unwrap();
        for t in &a.tasks {
            let mut ids: Vec<&str> = t.assignees.iter().map(|p| p.person.id.as_str()).collect();
            ids.sort_unstable();
            let n = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), n, "{} at {q} m³/s has a person twice", t.id);
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} instances checked");
}

/// At the design flood the plan reads as practice: households are cleared by one checklist per
/// grid (no per-household evacuation task), what the town's own staff cannot fill is split
/// from the external support to request, and nobody who must be carried goes by dump truck.
#[test]
fn the_design_flood_plan_reads_as_practice() {
    let e = engine();
    let sc = e.scenario();
    let a = e.assess(&Situation::at_discharge(22_000.0)).unwrap();
    let evacuation = sc
        .plan
        .category_ids(floodgrid_engine::plan::CategoryKind::Evacuation);
    let evac: Vec<_> = a
        .tasks
        .iter()
        .filter(|t| evacuation.contains(&t.card.category.as_str()))
        .collect();
    assert!(!evac.is_empty());
    // 1. Household clearance: by grid, never by household.
    assert!(
        evac.iter().all(|t| t
            .target
            .as_ref()
            .is_none_or(|x| x.kind != ForEach::Household)),
        "a per-household evacuation task"
    );
    let mut checklists: HashMap<(&str, &str), u32> = HashMap::new();
    for t in &evac {
        if t.target.as_ref().is_some_and(|x| x.kind == ForEach::Grid) {
            *checklists
                .entry((&*t.card.instruction, &*t.grid))
                .or_default() += 1;
        }
    }
    assert!(checklists.values().all(|&n| n == 1), "one per grid");
    let households_grids: std::collections::HashSet<&str> = a
        .evacuation
        .evacuees
        .iter()
        .filter(|x| x.card.evac_class.is_some())
        .map(|x| x.card.grid.as_str())
        .collect();
    assert!(
        households_grids
            .iter()
            .all(|g| checklists.keys().any(|(_, cg)| cg == g)),
        "every grid with households to move has its checklist"
    );
    // 2. Staff short and support to request are separate, by the roles' `external` flag.
    let external = |id: &str| sc.config.roles.iter().any(|r| r.id == id && r.external);
    assert!(!a.shortfalls.support.is_empty(), "support to request");
    assert!(a.shortfalls.support.iter().all(|s| external(&s.role)));
    assert!(a.shortfalls.people.iter().all(|s| !external(&s.role)));
    // 3. Those who must be carried: ambulance, or boat once cut off; no dump truck on any
    // evacuation task.
    for x in a.evacuation.evacuees.iter().filter(|x| x.card.assisted) {
        assert!(
            matches!(
                x.means,
                floodgrid_engine::response::Means::Ambulance
                    | floodgrid_engine::response::Means::Boat
            ),
            "{} goes by {:?}",
            x.card.resident,
            x.means
        );
    }
    let dump: Vec<&str> = sc
        .config
        .materials
        .iter()
        .filter(|m| m.name.contains("自卸"))
        .map(|m| m.id.as_str())
        .collect();
    assert!(!dump.is_empty(), "the bundled scenario has dump trucks");
    // People ride buses and ambulances: no task about a key person, and none that moves the
    // grid's key persons or sheltered people, takes a dump truck (goods and livestock may).
    let moves_people = |t: &&&floodgrid_engine::assess::TaskInstance| {
        t.target
            .as_ref()
            .is_some_and(|x| x.kind == ForEach::KeyPerson)
            || t.materials.iter().any(|m| {
                [
                    &sc.config.evacuation.bus_material,
                    &sc.config.evacuation.ambulance_material,
                ]
                .iter()
                .any(|v| v.as_deref() == Some(&*m.material))
            })
    };
    let carrying: Vec<_> = evac.iter().filter(moves_people).collect();
    assert!(carrying.len() > 10, "{}", carrying.len());
    for t in carrying {
        assert!(
            t.materials.iter().all(|m| !dump.contains(&&*m.material)),
            "{} takes a dump truck",
            t.id
        );
    }
}
