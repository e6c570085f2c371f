//! Drill events: what the commander sees happen (injects, level changes, field reports). Each has a
//! kind, a status the console colours and an [`EventDetail`]: the structured content (ids and
//! figures) that the console renders in its language. The Chinese `text` kept beside it for
//! reports and older readers is rendered from the detail by [`EventDetail::text_zh`] alone.

use floodgrid_model::drill::{ActionKind, Audience, InjectKind, StoneAlarm};
use floodgrid_model::hydro::WarningLevel;
use floodgrid_model::plan::{TaskStatus, TaskStep};
use floodgrid_scenario::Scenario;
use serde::{Deserialize, Serialize};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A scripted inject arrived.
    Inject,
    /// The warning level changed.
    Level,
    /// New task instances became active.
    TasksActivated,
    /// A task was dispatched.
    Dispatched,
    /// The assignees accepted (接单).
    Accepted,
    /// They reached the place and started.
    Arrived,
    /// A patrol or progress report from the field.
    Report,
    /// The task was reported done (销单).
    Done,
    /// A done task was verified (访单).
    Verified,
    /// A task passed its deadline.
    Overdue,
    /// A message was pushed.
    Pushed,
    /// An alarm was acknowledged.
    AlarmAcknowledged,
    /// The action could not be applied.
    Rejected,
}

impl EventKind {
    /// The kind's name, the same word in Markdown and JSON (its serde name).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Inject => "inject",
            EventKind::Level => "level",
            EventKind::TasksActivated => "tasks_activated",
            EventKind::Dispatched => "dispatched",
            EventKind::Accepted => "accepted",
            EventKind::Arrived => "arrived",
            EventKind::Report => "report",
            EventKind::Done => "done",
            EventKind::Verified => "verified",
            EventKind::Overdue => "overdue",
            EventKind::Pushed => "pushed",
            EventKind::AlarmAcknowledged => "alarm_acknowledged",
            EventKind::Rejected => "rejected",
        }
    }
}

/// How it stands: the colour on the map and in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Routine, nothing wrong.
    Normal,
    /// Needs attention.
    Attention,
    /// Danger.
    Danger,
    /// Resolved.
    Resolved,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Drill minute.
    pub t_min: f64,
    /// Kind.
    pub kind: EventKind,
    /// Status.
    pub status: EventStatus,
    /// Task instance concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Person concerned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// Grid where it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<String>,
    /// What happened, as data. `None` only in journals written before details existed and for
    /// live-feed lines that carry nothing but their own prose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<EventDetail>,
    /// The event in Chinese for reports and the log: [`EventDetail::text_zh`] of `detail` when
    /// there is one.
    pub text: String,
}

/// What happened, one variant per thing a drill reports, with the ids and figures it needs and
/// nothing rendered: names come from the scenario when the event is shown. Serialized in the
/// journal under the event's `detail`, tagged by `what`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum EventDetail {
    /// A scripted inject arrived.
    Inject {
        /// Its number in the script, from 1 (alarms and hazards it raises are `inject{n}`).
        inject: usize,
        /// What it simulates, by its name in files.
        #[serde(with = "inject_kind_name")]
        kind: InjectKind,
        /// The script's prose for it (scenario text, shown as written).
        text: String,
        /// The grid it happened in (grid id): the site's, the person's, the point's or the root.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grid: Option<String>,
        /// The site it happened at (site id).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        site: Option<String>,
        /// The person it concerns (person id), for a person dropping out.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<String>,
        /// The hazard's severity (1–4), for a hazard inject.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<u8>,
        /// The smart stones' reading, for a smart-stone alarm at a site.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reading: Option<StoneAlarm>,
        /// Attachments the script names (file names).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<String>,
    },
    /// A contingency inject did not fire: the response it waited for came in time.
    InjectWithheld {
        /// The inject's number in the script, from 1.
        inject: usize,
        /// Its scripted minute.
        at_min: f64,
        /// What it would have simulated.
        #[serde(with = "inject_kind_name")]
        kind: InjectKind,
    },
    /// A breach inject's 2D flood routing finished.
    BreachRouted {
        /// The dike cut (site id).
        dike: String,
        /// Cell size of the run, m.
        cell_size_m: f64,
        /// Hours simulated.
        horizon_h: f64,
        /// Flooded area, km².
        flooded_area_km2: f64,
        /// Grids with residents the water reaches.
        grids_reached: usize,
        /// The first grids reached (grid id, hours after the breach), at most five.
        first: Vec<(String, f64)>,
    },
    /// A breach inject's 2D flood routing failed; the flood atlas stands in.
    BreachRoutingFailed {
        /// The dike cut (site id).
        dike: String,
        /// Why (the solver's words).
        error: String,
    },
    /// The warning level changed.
    Level {
        /// Level before.
        from: WarningLevel,
        /// Level now.
        to: WarningLevel,
        /// The discharge that moved it, m³/s.
        discharge_m3s: f64,
    },
    /// New task instances became active.
    TasksActivated {
        /// How many.
        count: usize,
    },
    /// A task was dispatched (派单).
    Dispatched {
        /// Task instance id.
        task: String,
        /// The people sent (person ids), lead first.
        people: Vec<String>,
    },
    /// Work under way was given to other people (改派).
    Reassigned {
        /// Task instance id.
        task: String,
        /// The people on it now (person ids), lead first.
        people: Vec<String>,
    },
    /// The assignees accepted (接单).
    Accepted {
        /// Task instance id.
        task: String,
    },
    /// The assignees reached the place and started (到位).
    Arrived {
        /// Task instance id.
        task: String,
    },
    /// A patrol came back with nothing new (巡查回报).
    PatrolReport {
        /// Task instance id.
        task: String,
    },
    /// The task was reported done (销单).
    Done {
        /// Task instance id.
        task: String,
    },
    /// A done task was verified (访单).
    Verified {
        /// Task instance id.
        task: String,
    },
    /// A task passed its deadline.
    Overdue {
        /// Task instance id.
        task: String,
    },
    /// A message was pushed.
    Pushed {
        /// Who it went to.
        audience: Audience,
        /// The plan's message template it was sent as (template id), if named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        template: Option<String>,
        /// The message as sent.
        text: String,
        /// How many people it reached.
        recipients: usize,
    },
    /// A direct video call (云视讯调度) to a person through a grid.
    Called {
        /// Person id.
        person: String,
        /// Grid id the call went through.
        grid: String,
    },
    /// A smart-stone alarm was acknowledged.
    AlarmAcknowledged {
        /// The works (site id).
        site: String,
        /// The alarm's id (`inject{n}`).
        alarm: String,
        /// The groyne (坝垛) number, as the works numbers them.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        groyne: Option<String>,
        /// Stones in alarm.
        stones: u32,
        /// Minute the alarm was raised.
        raised_min: f64,
    },
    /// A commander action could not be applied.
    Rejected {
        /// The action's kind.
        action: ActionKind,
        /// Why, as a reason code with its ids.
        reason: Refusal,
    },
    /// The situation could not be assessed (a script naming what its scenario lacks); the last
    /// assessment stands.
    Unassessable {
        /// Why, as the engine says it.
        error: String,
    },
}

impl EventDetail {
    /// The event kind this detail is (one source: the session takes the kind from here).
    pub fn kind(&self) -> EventKind {
        use EventDetail as D;
        match self {
            D::Inject { .. } => EventKind::Inject,
            D::InjectWithheld { .. } | D::BreachRouted { .. } | D::BreachRoutingFailed { .. } => {
                EventKind::Report
            }
            D::PatrolReport { .. } => EventKind::Report,
            D::Level { .. } => EventKind::Level,
            D::TasksActivated { .. } => EventKind::TasksActivated,
            D::Dispatched { .. } | D::Reassigned { .. } => EventKind::Dispatched,
            D::Accepted { .. } => EventKind::Accepted,
            D::Arrived { .. } => EventKind::Arrived,
            D::Done { .. } => EventKind::Done,
            D::Verified { .. } => EventKind::Verified,
            D::Overdue { .. } => EventKind::Overdue,
            D::Pushed { .. } | D::Called { .. } => EventKind::Pushed,
            D::AlarmAcknowledged { .. } => EventKind::AlarmAcknowledged,
            D::Rejected { .. } | D::Unassessable { .. } => EventKind::Rejected,
        }
    }

    /// The task instance it concerns (task id), if one.
    pub fn task(&self) -> Option<&str> {
        use EventDetail as D;
        match self {
            D::Dispatched { task, .. }
            | D::Reassigned { task, .. }
            | D::Accepted { task }
            | D::Arrived { task }
            | D::PatrolReport { task }
            | D::Done { task }
            | D::Verified { task }
            | D::Overdue { task } => Some(task),
            _ => None,
        }
    }

    /// The person it concerns (person id): the one called, the one dropping out, or the lead
    /// of the people dispatched.
    pub fn person(&self) -> Option<&str> {
        use EventDetail as D;
        match self {
            D::Dispatched { people, .. } | D::Reassigned { people, .. } => {
                people.first().map(String::as_str)
            }
            D::Called { person, .. } => Some(person),
            D::Inject { person, .. } => person.as_deref(),
            _ => None,
        }
    }

    /// The event in Chinese, as the journal's `text` and the report's timeline show it: names
    /// of people, sites, grids and roles from the scenario (an id it does not know shown as
    /// given). The only place the session writes event prose.
    pub fn text_zh(&self, sc: &Scenario) -> String {
        use EventDetail as D;
        let person = |id: &str| name_of(&sc.people, id, |x| (&x.id, &x.name));
        let site = |id: &str| name_of(&sc.sites, id, |x| (&x.id, &x.name));
        match self {
            D::Inject {
                kind,
                text,
                reading,
                attachments,
                ..
            } => {
                let mut s = format!("[{}] {text}", kind.name());
                if let Some(a) = reading {
                    let mut parts = Vec::new();
                    if let Some(g) = &a.groyne {
                        parts.push(format!("{g}号坝"));
                    }
                    parts.push(format!("{} 枚报警", a.stones));
                    if let Some(x) = a.displacement_mm {
                        parts.push(format!("位移 {x} mm"));
                    }
                    if let Some(x) = a.tilt_deg {
                        parts.push(format!("倾角 {x}°"));
                    }
                    s = format!("{s}（{}）", parts.join("，"));
                }
                if !attachments.is_empty() {
                    s = format!("{s}［附件 {}］", attachments.join("，"));
                }
                s
            }
            D::InjectWithheld { at_min, kind, .. } => format!(
                "预案外注入未触发（第{at_min}分钟，{}）：预期处置已落实",
                kind.name()
            ),
            D::BreachRouted {
                dike,
                cell_size_m,
                horizon_h,
                flooded_area_km2,
                grids_reached,
                first,
            } => {
                let first: Vec<String> =
                    first.iter().map(|(g, h)| format!("{g} {h:.1} h")).collect();
                format!(
                    "溃口洪水演进（{dike}，二维 {cell_size_m:.0} m 网格，{horizon_h:.0} h）：淹没 {flooded_area_km2:.1} km²，{grids_reached} 个有住户网格将进水；最先到达：{}",
                    if first.is_empty() {
                        "—".to_string()
                    } else {
                        first.join("，")
                    }
                )
            }
            D::BreachRoutingFailed { dike, error } => {
                format!("溃口洪水演进计算失败（{dike}）：{error}；按洪水风险图估计")
            }
            D::Level {
                from,
                to,
                discharge_m3s,
            } => format!(
                "{} → {}（Q = {:.0} m³/s）",
                from.name_zh(),
                to.name_zh(),
                discharge_m3s
            ),
            D::TasksActivated { count } => format!("新增 {count} 项任务"),
            D::Dispatched { task, people } | D::Reassigned { task, people } => {
                let verb = if matches!(self, D::Reassigned { .. }) {
                    "改派"
                } else {
                    "派单"
                };
                let names: Vec<String> = people.iter().map(|p| person(p)).collect();
                format!("{verb} {task} → {}", names.join("、"))
            }
            D::Accepted { task } => format!("接单 {task}"),
            D::Arrived { task } => format!("到位 {task}"),
            D::PatrolReport { task } => format!("巡查回报 {task}：未发现新险情"),
            D::Done { task } => format!("销单 {task}"),
            D::Verified { task } => format!("访单 {task}"),
            D::Overdue { task } => format!("超时 {task}"),
            D::Pushed { audience, text, .. } => {
                let to = match audience {
                    Audience::Everyone => "全体人员".to_string(),
                    Audience::Grid { grid } => name_of(&sc.grids, grid, |g| (&g.id, &g.name)),
                    Audience::Public { grid } => sc
                        .grids
                        .iter()
                        .find(|g| &g.id == grid)
                        .map_or_else(|| grid.clone(), |g| format!("{}群众和网格人员", g.name)),
                    Audience::Role { role } => sc
                        .config
                        .role(role)
                        .and_then(|r| sc.config.roles.get(r.ix()))
                        .map_or_else(|| role.clone(), |r| format!("全体{}", r.name)),
                };
                format!("推送 {to}：{text}")
            }
            D::Called { person: p, .. } => format!("云视讯调度 {}", person(p)),
            D::AlarmAcknowledged {
                site: s,
                groyne,
                stones,
                raised_min,
                ..
            } => {
                let groyne = groyne
                    .as_deref()
                    .map(|g| format!("{g}号坝"))
                    .unwrap_or_default();
                format!(
                    "确认报警 {}{groyne}（{stones} 枚智能石头，第{raised_min}分钟报警）",
                    site(s)
                )
            }
            D::Rejected { action, reason } => {
                format!("{}未执行：{}", action_zh(*action), reason.text_zh(sc))
            }
            D::Unassessable { error } => format!("态势无法评估：{error}"),
        }
    }
}

/// Why a commander action was refused: a reason code with the ids and values it is about. Its
/// `Display` is the engine's English message ([`Drill::apply`](crate::Drill::apply) returns it);
/// the journal keeps the code, tagged by `code`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// A discharge that is negative or not a number.
    #[error("discharge {value}; expected m³/s ≥ 0")]
    BadDischarge {
        /// The value given.
        value: f64,
    },
    /// A speed outside 0 < factor ≤ 3600.
    #[error("speed {factor}; expected 0 < factor ≤ 3600")]
    BadSpeed {
        /// The factor given.
        factor: f64,
    },
    /// A person id the scenario does not have.
    #[error("unknown person `{person}`")]
    UnknownPerson {
        /// The id given.
        person: String,
    },
    /// A grid id the scenario does not have.
    #[error("unknown grid `{grid}`")]
    UnknownGrid {
        /// The id given.
        grid: String,
    },
    /// A role id the scenario does not have.
    #[error("unknown role `{role}`")]
    UnknownRole {
        /// The id given.
        role: String,
    },
    /// A site id the scenario does not have.
    #[error("unknown site `{site}`")]
    UnknownSite {
        /// The id given.
        site: String,
    },
    /// A task id that is not an active instance.
    #[error("no active task `{task}`")]
    NoActiveTask {
        /// The id given.
        task: String,
    },
    /// A dispatch without people and without a suggestion from the engine.
    #[error("nobody to send on `{task}`: no suggestion and no people given")]
    NobodyToSend {
        /// Task instance id.
        task: String,
    },
    /// A step the task's status does not allow.
    #[error("cannot {step:?} `{task}`: it is {}", from.name())]
    Transition {
        /// Task instance id.
        task: String,
        /// Its status.
        from: TaskStatus,
        /// The refused step.
        step: TaskStep,
    },
    /// A push without text.
    #[error("empty message")]
    EmptyMessage,
    /// No open alarm at the site (or not the one named).
    #[error("no open alarm{} at `{site}`", alarm.as_ref().map(|a| format!(" `{a}`")).unwrap_or_default())]
    NoOpenAlarm {
        /// Site id.
        site: String,
        /// The alarm id given, if one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alarm: Option<String>,
    },
    /// A call to a person through a grid they are not in.
    #[error("`{person}` is not in grid `{grid}`")]
    NotInGrid {
        /// Person id.
        person: String,
        /// Grid id.
        grid: String,
    },
}

/// The name of the item of `items` with id `id` (`fields` gives an item's id and name); an id
/// not in the scenario is shown as given.
fn name_of<T>(items: &[T], id: &str, fields: impl Fn(&T) -> (&String, &String)) -> String {
    items
        .iter()
        .map(&fields)
        .find(|(x, _)| *x == id)
        .map_or_else(|| id.to_string(), |(_, name)| name.clone())
}

impl Refusal {
    /// The refusal in Chinese with names from the scenario (for [`EventDetail::text_zh`]).
    pub fn text_zh(&self, sc: &Scenario) -> String {
        use Refusal as R;
        let person = |id: &str| name_of(&sc.people, id, |x| (&x.id, &x.name));
        let grid = |id: &str| name_of(&sc.grids, id, |x| (&x.id, &x.name));
        let site = |id: &str| name_of(&sc.sites, id, |x| (&x.id, &x.name));
        match self {
            R::BadDischarge { value } => format!("流量 {value} 无效，应不小于 0"),
            R::BadSpeed { factor } => format!("倍速 {factor} 无效，应在 0 到 3600 之间"),
            R::UnknownPerson { person } => format!("没有人员 {person}"),
            R::UnknownGrid { grid } => format!("没有网格 {grid}"),
            R::UnknownRole { role } => format!("没有角色 {role}"),
            R::UnknownSite { site } => format!("没有工程 {site}"),
            R::NoActiveTask { task } => format!("{task} 不是当前任务"),
            R::NobodyToSend { task } => format!("{task} 无建议人员，也未指定人员"),
            R::Transition { task, from, step } => {
                format!(
                    "{task} 处于「{}」，不能{}",
                    status_zh(*from),
                    step_zh(*step)
                )
            }
            R::EmptyMessage => "消息为空".to_string(),
            R::NoOpenAlarm { site: s, .. } => format!("{} 没有待确认的报警", site(s)),
            R::NotInGrid { person: p, grid: g } => format!("{} 不在{}", person(p), grid(g)),
        }
    }
}

/// A commander action's kind in Chinese.
fn action_zh(kind: ActionKind) -> &'static str {
    use ActionKind as A;
    match kind {
        A::SetDischarge => "设定流量",
        A::Dispatch => "派单",
        A::Reassign => "改派",
        A::Accept => "接单",
        A::Close => "销单",
        A::Verify => "访单",
        A::Push => "推送",
        A::AcknowledgeAlarm => "确认报警",
        A::Call => "云视讯调度",
        A::Pause => "暂停",
        A::Resume => "继续",
        A::Speed => "调速",
    }
}

/// A task status in Chinese.
fn status_zh(status: TaskStatus) -> &'static str {
    use TaskStatus as S;
    match status {
        S::Pending => "待派单",
        S::Dispatched => "已派单",
        S::Accepted => "已接单",
        S::InProgress => "处置中",
        S::Done => "已销单",
        S::Verified => "已访单",
        S::Overdue => "超时未处置",
        S::StoodDown => "已撤销",
    }
}

/// A task step in Chinese.
fn step_zh(step: TaskStep) -> &'static str {
    use TaskStep as S;
    match step {
        S::Dispatch => "派单",
        S::Accept => "接单",
        S::Start => "开工",
        S::Complete => "销单",
        S::Verify => "访单",
        S::MarkOverdue => "标记超时",
        S::StandDown => "撤销",
        S::Reactivate => "重新启用",
    }
}

/// [`InjectKind`] in the journal by its name in files (`piping`, `smart_stone_alarm`, …).
mod inject_kind_name {
    use floodgrid_model::drill::InjectKind;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(k: &InjectKind, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(k.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<InjectKind, D::Error> {
        let s = String::deserialize(d)?;
        InjectKind::from_name(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown inject kind `{s}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_the_serde_names() {
        use EventKind as K;
        for k in [
            K::Inject,
            K::Level,
            K::TasksActivated,
            K::Dispatched,
            K::Accepted,
            K::Arrived,
            K::Report,
            K::Done,
            K::Verified,
            K::Overdue,
            K::Pushed,
            K::AlarmAcknowledged,
            K::Rejected,
        ] {
            assert_eq!(
                serde_json::to_string(&k).unwrap(),
                format!("\"{}\"", k.name())
            );
        }
    }
}
