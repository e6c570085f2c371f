//! The update function without a terminal: commands, keys, dispatch and the task lifecycle, the
//! journal, the drill-driver seam, and the help drawn from the keymap.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use common::*;
use floodgrid_engine::assess::Situation;
use floodgrid_engine::drill::{Action as DrillAction, JournalRecord, read_journal};
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::plan::TaskStatus;
use floodgrid_tui::app::{Dialog, DispatchStep, LogEvent, Pane};
use floodgrid_tui::{
    Action, App, AppOptions, Clock, DrillDriver, DriverNote, DriverUpdate, JsonlJournal, Lang,
    Message, keymap, update,
};
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

#[test]
fn flow_22000_raises_the_red_banner_and_the_red_orders() {
    let mut a = app(Lang::En);
    assert_eq!(a.assessment.level, WarningLevel::None);
    type_line(&mut a, ":flow 22000");
    assert_eq!(a.situation.discharge_m3s, 22000.0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    // The banner, in red.
    for (w, h) in [(80, 24), (200, 60)] {
        let t = draw(&a, w, h);
        let buf = t.backend().buffer();
        let banner: String = (0..w).map(|x| buf[(x, 1)].symbol().to_string()).collect();
        assert!(banner.contains("RED WARNING"), "{banner}");
        assert_eq!(buf[(2, 1)].bg, Color::Red);
    }
    // The red orders head the to-do list, marked new.
    let first_page: Vec<_> = a.todo_view[..10]
        .iter()
        .map(|&i| &a.assessment.tasks[i])
        .collect();
    assert!(
        first_page
            .iter()
            .all(|t| t.card.instruction.starts_with("red.")),
        "{:?}",
        first_page.iter().map(|t| &t.id).collect::<Vec<_>>()
    );
    assert!(first_page.iter().all(|t| a.new_tasks.contains(&*t.id)));
    let shown = screen(&a, 200, 60);
    let title = first_page[0]
        .card
        .title_en
        .as_deref()
        .unwrap_or(&first_page[0].card.title);
    assert!(shown.contains(&title[..20]), "{shown}");
    // And they are the instructions of the red level.
    assert!(
        a.assessment
            .tasks
            .iter()
            .filter(|t| t.card.instruction.starts_with("red."))
            .count()
            > 20
    );
}

#[test]
fn discharge_keys_step_by_500_and_5000_and_never_below_zero() {
    let mut a = app(Lang::En);
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.situation.discharge_m3s, 500.0);
    key(&mut a, KeyCode::Char('}'));
    assert_eq!(a.situation.discharge_m3s, 5500.0);
    assert_eq!(a.assessment.level, WarningLevel::Blue);
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.situation.discharge_m3s, 5000.0);
    key(&mut a, KeyCode::Char('{'));
    key(&mut a, KeyCode::Char('{'));
    assert_eq!(a.situation.discharge_m3s, 0.0);
    assert_eq!(a.history, vec![0.0, 500.0, 5500.0, 5000.0, 0.0, 0.0]);
    // A level that falls drops the new marks.
    assert!(a.new_tasks.is_empty());
}

#[test]
fn a_dispatch_is_recorded_in_the_situation_and_written_to_the_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.jsonl");
    let journal = JsonlJournal::append(&path, "scenarios/huayuankou").expect("journal");
    let mut a = App::new(
        engine(),
        AppOptions {
            lang: Lang::En,
            journal: Some(Box::new(journal)),
            ..AppOptions::default()
        },
    );
    type_line(&mut a, ":flow 22000");
    let task = a.selected_task().expect("a selected task").clone();
    assert_eq!(task.status, TaskStatus::Pending);
    // d: the instance; Enter: people, the engine's suggestions picked first; Enter: confirm.
    key(&mut a, KeyCode::Char('d'));
    key(&mut a, KeyCode::Enter);
    let Some(Dialog::Dispatch(d)) = &a.dialog else {
        panic!("the dispatch dialog is open");
    };
    assert_eq!(d.step, DispatchStep::People);
    let suggested: Vec<_> = d.candidates.iter().take_while(|c| c.suggested).collect();
    assert_eq!(suggested.len(), task.assignees.len());
    assert!(suggested.iter().all(|c| c.chosen));
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    assert!(a.dialog.is_none());
    let rec = a.situation.tasks.get(&*task.id).expect("a task record");
    assert_eq!(rec.status, TaskStatus::Dispatched);
    assert_eq!(a.task(&task.id).unwrap().status, TaskStatus::Dispatched);
    let people: Vec<String> = task
        .assignees
        .iter()
        .map(|p| p.person.id.to_string())
        .collect();

    // The drill journal's format: a header, then the actions; it reads back as one.
    let records = read_journal(&path).expect("a journal");
    assert_eq!(
        records,
        vec![
            JournalRecord::Header {
                scenario: "scenarios/huayuankou".into(),
                script: String::new(),
                seed: 0,
                auto_dispatch: false,
                scenario_path: String::new(),
                script_path: String::new(),
                scenario_hash: String::new(),
                script_hash: String::new(),
            },
            JournalRecord::Action {
                seq: 1,
                t_min: 0.0,
                action: DrillAction::SetDischarge {
                    discharge_m3s: 22000.0
                },
                auto: false,
            },
            JournalRecord::Action {
                seq: 2,
                t_min: 0.0,
                action: DrillAction::Dispatch {
                    task: task.id.to_string(),
                    people,
                },
                auto: false,
            },
        ]
    );
    // Opened again, it goes on after its last record (no second header).
    drop(a);
    let mut a = App::new(
        engine(),
        AppOptions {
            lang: Lang::En,
            journal: Some(Box::new(
                JsonlJournal::append(&path, "scenarios/huayuankou").expect("journal"),
            )),
            ..AppOptions::default()
        },
    );
    type_line(&mut a, ":flow 3000");
    let records = read_journal(&path).expect("a journal");
    assert_eq!(records.len(), 4);
    assert!(matches!(records[3], JournalRecord::Action { seq: 3, .. }));
}

#[test]
fn a_file_that_is_not_a_journal_is_not_written_into() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "shopping list\nmilk\n").expect("write");
    let err = JsonlJournal::append(&path, "x").expect_err("refused");
    assert!(err.to_string().contains("not a journal"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("read"),
        "shopping list\nmilk\n"
    );
}

#[test]
fn a_push_goes_to_the_recipients_picked_and_into_the_journal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.jsonl");
    let mut a = App::new(
        engine(),
        AppOptions {
            lang: Lang::Zh,
            journal: Some(Box::new(
                JsonlJournal::append(&path, "scenarios/huayuankou").expect("journal"),
            )),
            ..AppOptions::default()
        },
    );
    type_line(&mut a, ":flow 22000");
    // p: the message (a task's one-click message); Enter: recipients; Down: the role; Enter;
    // Enter: push.
    key(&mut a, KeyCode::Char('p'));
    let Some(Dialog::Push(d)) = &a.dialog else {
        panic!("the push dialog is open");
    };
    let text = a.assessment.tasks[d.tasks[d.cursor]]
        .message
        .clone()
        .expect("a message");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Down);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    assert!(a.dialog.is_none());
    let journal = std::fs::read_to_string(&path).expect("journal");
    let last: serde_json::Value =
        serde_json::from_str(journal.lines().last().expect("a line")).expect("JSON");
    assert_eq!(last["type"], "action");
    assert_eq!(last["action"]["kind"], "push");
    assert_eq!(last["action"]["text"], text.as_str());
    assert_eq!(last["action"]["audience"]["to"], "role");
    assert!(matches!(
        a.log.last().unwrap().event,
        LogEvent::Pushed { .. }
    ));
    assert!(a.log_text(a.log.last().unwrap()).starts_with("推送给"));
}

#[test]
fn accept_complete_verify_follow_the_lifecycle_and_refuse_out_of_order() {
    let mut a = app(Lang::En);
    type_line(&mut a, ":flow 22000");
    let id = a.selected_task().unwrap().id.to_string();
    key(&mut a, KeyCode::Char('v'));
    assert_eq!(a.task(&id).unwrap().status, TaskStatus::Pending);
    assert!(matches!(
        a.log.last().unwrap().event,
        LogEvent::Refused { .. }
    ));
    update(
        &mut a,
        Message::Action(Action::Command(DrillAction::Dispatch {
            task: id.clone(),
            people: vec![],
        })),
    );
    for (k, want) in [
        ('a', TaskStatus::Accepted),
        ('c', TaskStatus::Done),
        ('v', TaskStatus::Verified),
    ] {
        key(&mut a, KeyCode::Char(k));
        assert_eq!(a.task(&id).unwrap().status, want);
        assert_eq!(a.situation.tasks[&id].status, want);
    }
    // The selection stays on the instance through the reassessments.
    assert_eq!(&*a.selected_task().unwrap().id, id);
}

#[test]
fn filter_goto_lang_and_focus() {
    let mut a = app(Lang::En);
    type_line(&mut a, ":flow 12000");
    key(&mut a, KeyCode::Char('/'));
    for c in "evac".chars() {
        key(&mut a, KeyCode::Char(c));
    }
    key(&mut a, KeyCode::Enter);
    assert!(!a.todo_view.is_empty());
    assert!(a.todo_view.len() < a.assessment.tasks.len());
    assert_eq!(a.todo.filter, "evac");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.todo_view.len(), a.assessment.tasks.len());

    type_line(&mut a, ":goto g.nandi.02");
    let g = a.selected_grid().expect("a grid");
    assert_eq!(a.engine().scenario().grids[g].id, "g.nandi.02");
    assert_eq!(a.dialog, Some(Dialog::Grid(g)));
    assert_eq!(a.focus, Pane::Map);
    key(&mut a, KeyCode::Esc);
    assert!(a.dialog.is_none());
    type_line(&mut a, ":goto nowhere-at-all");
    assert!(matches!(
        a.log.last().unwrap().event,
        LogEvent::NoSuchGrid(_)
    ));

    type_line(&mut a, ":lang zh");
    assert_eq!(a.lang, Lang::Zh);
    type_line(&mut a, ":bogus");
    assert!(matches!(
        a.log.last().unwrap().event,
        LogEvent::UnknownCommand(_)
    ));

    key(&mut a, KeyCode::Tab);
    assert_eq!(a.focus, Pane::KeyPersons);
    key(&mut a, KeyCode::BackTab);
    assert_eq!(a.focus, Pane::Map);
    key(&mut a, KeyCode::Char('q'));
    assert!(a.quit, "what-if quits without asking");
}

/// A driver that records what it is given and moves the river on each tick.
struct Scripted {
    seen: Rc<RefCell<Vec<DrillAction>>>,
    clock: Clock,
}

impl DrillDriver for Scripted {
    fn title(&self, _: Lang) -> String {
        "test drill".into()
    }
    fn clock(&self) -> Clock {
        self.clock
    }
    fn on_action(&mut self, action: &DrillAction, _: &mut Situation) -> DriverUpdate {
        self.seen.borrow_mut().push(action.clone());
        match action {
            DrillAction::Pause => self.clock.paused = true,
            DrillAction::Resume => self.clock.paused = false,
            DrillAction::Speed { factor } => self.clock.speed = *factor,
            _ => {}
        }
        DriverUpdate::default()
    }
    fn tick(&mut self, wall: Duration, s: &mut Situation) -> DriverUpdate {
        self.clock.now_min += wall.as_secs_f64() / 60.0 * self.clock.speed;
        s.now_min = self.clock.now_min;
        s.discharge_m3s = 16000.0;
        DriverUpdate {
            changed: true,
            notes: vec![DriverNote {
                zh: "马渡险工报警".into(),
                en: "Madu works alarm".into(),
                ..DriverNote::default()
            }],
            finished: false,
        }
    }
}

/// An English console driven by a [`Scripted`] drill paused at minute 0 at ×1, and what the
/// driver is handed.
fn scripted_app(
    journal: Option<Box<dyn floodgrid_tui::Journal>>,
) -> (App<'static>, Rc<RefCell<Vec<DrillAction>>>) {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let app = App::new(
        engine(),
        AppOptions {
            lang: Lang::En,
            journal,
            driver: Some(Box::new(Scripted {
                seen: seen.clone(),
                clock: Clock {
                    now_min: 0.0,
                    speed: 1.0,
                    paused: true,
                },
            })),
            ..AppOptions::default()
        },
    );
    (app, seen)
}

#[test]
fn clock_keys_go_to_the_drill_driver_and_ticks_move_the_situation() {
    let (mut a, seen) = scripted_app(None);
    key(&mut a, KeyCode::Char(' '));
    key(&mut a, KeyCode::Char('>'));
    type_line(&mut a, ":speed 60");
    assert_eq!(
        *seen.borrow(),
        vec![
            DrillAction::Resume,
            DrillAction::Speed { factor: 5.0 },
            DrillAction::Speed { factor: 60.0 }
        ]
    );
    assert!(!a.clock().paused);
    update(&mut a, Message::Tick(Duration::from_secs(60)));
    assert_eq!(a.clock().now_min, 60.0);
    assert_eq!(a.assessment.level, WarningLevel::Red);
    assert!(screen(&a, 80, 24).contains("test drill T+01:00 x60"));
    assert!(
        a.log_text(a.log.last().unwrap())
            .contains("Madu works alarm")
    );
    // Quitting a drill asks first.
    key(&mut a, KeyCode::Char('q'));
    assert_eq!(a.dialog, Some(Dialog::ConfirmQuit));
    key(&mut a, KeyCode::Char('n'));
    assert!(!a.quit);
    key(&mut a, KeyCode::Char('q'));
    key(&mut a, KeyCode::Char('y'));
    assert!(a.quit);
}

#[test]
fn without_a_drill_the_clock_keys_say_so() {
    let mut a = app(Lang::En);
    key(&mut a, KeyCode::Char(' '));
    assert!(matches!(a.log.last().unwrap().event, LogEvent::NoClock));
}

#[test]
fn the_help_overlay_lists_every_binding_of_the_keymap() {
    for lang in [Lang::En, Lang::Zh] {
        let mut a = app(lang);
        key(&mut a, KeyCode::Char('?'));
        assert!(a.help);
        let shown = screen(&a, 200, 60);
        for b in keymap::KEYMAP {
            assert!(shown.contains(b.label), "{}: {shown}", b.label);
            if !b.with_prev {
                assert!(shown.contains(b.help.get(lang)), "{}: {shown}", b.label);
            }
        }
        for c in keymap::COMMANDS {
            assert!(shown.contains(c.usage));
        }
        key(&mut a, KeyCode::Esc);
        assert!(!a.help);
    }
}

#[test]
fn chrome_text_has_no_ambiguous_width_symbols() {
    use unicode_width::UnicodeWidthChar;
    let mut texts: Vec<&str> = Vec::new();
    for t in floodgrid_tui::i18n::ALL {
        texts.push(t.zh);
        texts.push(t.en);
    }
    for b in keymap::KEYMAP {
        texts.extend([b.label, b.help.zh, b.help.en]);
    }
    for c in keymap::COMMANDS {
        texts.extend([c.usage, c.help.zh, c.help.en]);
    }
    for t in texts {
        for c in t.chars() {
            assert_eq!(
                c.width(),
                c.width_cjk(),
                "{c:?} in {t:?} is ambiguous-width"
            );
        }
    }
}

/// Every commander command reaches the journal through the one action type, including the two
/// the console's own action enum used to drop: reassign and alarm acknowledgement.
#[test]
fn reassign_and_alarm_acknowledgement_are_journaled_like_any_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("journal.jsonl");
    let journal = JsonlJournal::append(&path, "scenarios/huayuankou").expect("journal");
    let (mut a, seen) = scripted_app(Some(Box::new(journal)));
    type_line(&mut a, ":flow 22000");
    let task = a.selected_task().expect("a selected task").clone();
    let e = engine();
    let sc = e.scenario();
    let (p1, p2) = (sc.people[0].id.clone(), sc.people[1].id.clone());
    let works = sc
        .sites
        .iter()
        .find(|s| s.kind == floodgrid_engine::grid::SiteKind::Works)
        .expect("a works")
        .id
        .clone();
    let commands = [
        DrillAction::Dispatch {
            task: task.id.to_string(),
            people: vec![p1],
        },
        DrillAction::Reassign {
            task: task.id.to_string(),
            people: vec![p2.clone()],
        },
        DrillAction::AcknowledgeAlarm {
            site: works,
            alarm: None,
        },
    ];
    for c in &commands {
        update(&mut a, Message::Action(Action::Command(c.clone())));
    }
    let rec = a.situation.tasks.get(&*task.id).expect("a task record");
    assert_eq!(
        rec.status,
        TaskStatus::Dispatched,
        "a reassignment keeps the status"
    );
    assert_eq!(
        rec.assignees
            .iter()
            .map(|p| e.scenario().people[p.ix()].id.clone())
            .collect::<Vec<_>>(),
        vec![p2]
    );
    let journaled: Vec<DrillAction> = read_journal(&path)
        .expect("a journal")
        .into_iter()
        .filter_map(|r| match r {
            JournalRecord::Action { action, .. } => Some(action),
            _ => None,
        })
        .skip(1) // the discharge
        .collect();
    assert_eq!(journaled, commands);
    // The driver was handed the same commands after the discharge.
    assert_eq!(seen.borrow()[1..], commands);
}
