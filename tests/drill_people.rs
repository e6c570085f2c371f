//! People and finished work: whoever finished a task is free again, and finished work is short
//! of nobody (on the tiny fixture, where the red level at 5,000 m³/s is short of boat crew).

use std::path::Path;

use floodgrid_engine::assess::{Engine, Situation, TaskRecord};
use floodgrid_engine::grid::PersonIdx;
use floodgrid_engine::plan::TaskStatus;
use floodgrid_engine::scenario::Scenario;

fn tiny() -> Engine {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny");
    Engine::build(Scenario::load(dir).expect("tiny loads")).expect("tiny builds")
}

#[test]
fn finished_work_frees_its_people_and_is_short_of_nobody() {
    let e = tiny();
    let sc = e.scenario();
    let first = e.assess(&Situation::at_discharge(5_000.0)).unwrap();
    assert!(
        first.summary.people_short > 0,
        "the fixture is short at 5,000"
    );
    // Every task done by the people it was given.
    let mut s = Situation::at_discharge(5_000.0);
    for t in &first.tasks {
        let assignees: Vec<PersonIdx> = t
            .assignees
            .iter()
            .filter_map(|a| sc.people.iter().position(|p| p.id == a.person.id))
            .map(|i| PersonIdx(i as u32))
            .collect();
        s.tasks.insert(
            t.id.to_string(),
            TaskRecord {
                status: TaskStatus::Done,
                triggered_min: 0.0,
                assignees,
            },
        );
    }
    let done = e.assess(&s).unwrap();
    assert_eq!(done.summary.people_short, 0, "finished work needs nobody");
    for t in done.tasks.iter().filter(|t| t.status == TaskStatus::Done) {
        assert_eq!(t.people_short, 0, "{}", t.id);
    }
    // The same people are free for new work: a task that appears now is staffed as it was at
    // the start.
    let mut again = s.clone();
    let boat = first
        .tasks
        .iter()
        .find(|t| !t.assignees.is_empty())
        .expect("a staffed task");
    again.tasks.remove(&*boat.id);
    let fresh = e.assess(&again).unwrap();
    let t = fresh.tasks.iter().find(|t| t.id == boat.id).unwrap();
    assert_eq!(t.status, TaskStatus::Pending);
    assert_eq!(t.assignees.len(), boat.assignees.len(), "{}", boat.id);
}
