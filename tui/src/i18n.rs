//! The console's words in Chinese and English. Every fixed string is a [`Tr`] constant with both
//! languages, so neither can be left out; strings with numbers are small functions over [`Lang`].
//!
//! Chrome strings stay clear of East Asian *ambiguous*-width symbols (arrows, circled digits,
//! superscripts, middle dots), which CJK terminals draw two columns wide: a test scans them.

use floodgrid_engine::hydro::{Trend, WarningLevel};
use floodgrid_engine::plan::{TaskStatus, TaskStep};
use serde::{Deserialize, Serialize};

/// The console's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// 中文.
    Zh,
    /// English.
    #[default]
    En,
}

impl Lang {
    /// From a locale value such as `zh_CN.UTF-8` (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese for
    /// `zh*`, English otherwise.
    pub fn from_locale(value: &str) -> Lang {
        if value.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    /// The language the environment asks for: the first non-empty of `LC_ALL`, `LC_MESSAGES`,
    /// `LANG`.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty())
            .map(|v| Lang::from_locale(&v))
            .unwrap_or_default()
    }

    /// Parses `zh` / `en` (as typed after `:lang`).
    pub fn from_name(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "cn" | "中文" => Some(Lang::Zh),
            "en" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks one of two.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// A fixed string in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    /// Chinese.
    pub zh: &'static str,
    /// English.
    pub en: &'static str,
}

impl Tr {
    /// The string in a language.
    pub const fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

macro_rules! tr {
    ($($(#[$m:meta])* $name:ident = $zh:literal, $en:literal;)*) => {
        $($(#[$m])* pub const $name: Tr = Tr { zh: $zh, en: $en };)*
        /// Every fixed string, for the width test.
        pub const ALL: &[Tr] = &[$($name),*];
    };
}

tr! {
    /// Help group: the legend.
    GROUP_LEGEND = "图例：符号与状态", "Legend: symbols and statuses";
    /// Help footer when it scrolls.
    HELP_SCROLL = "j/k 翻看，? 或 Esc 关闭", "j/k scroll, ? or Esc closes";
    /// Legend: task statuses.
    LEGEND_TASK = "任务状态", "task status";
    /// Legend: resident statuses.
    LEGEND_RESIDENT = "群众状态", "resident status";
    /// Legend: tree marks.
    LEGEND_TREE = "任务树：+ 折叠，- 展开", "task tree: + folded, - open";
    /// Legend: map sites.
    LEGEND_SITES = "地图设施", "map sites";
    /// Legend: map report letters.
    LEGEND_MARKERS = "地图现场标记", "map field marks";
    /// Legend: NEW.
    LEGEND_NEW = "新：升级后新增任务", "NEW: new since the level rose";
    /// Legend: log fold.
    LEGEND_FOLD = "(xN)：N 条连续超时合并", "(xN): N overdue notices folded";
    /// Status: pending.
    ST_PENDING = "待派单", "to dispatch";
    /// Status: dispatched.
    ST_DISPATCHED = "已派单", "dispatched";
    /// Status: accepted.
    ST_ACCEPTED = "已接单", "accepted";
    /// Status: in progress.
    ST_IN_PROGRESS = "处置中", "under way";
    /// Status: done.
    ST_DONE = "已销单", "done";
    /// Status: verified.
    ST_VERIFIED = "已访单", "verified";
    /// Status: overdue.
    ST_OVERDUE = "超时未处置", "overdue";
    /// Status: stood down.
    ST_STOOD_DOWN = "已撤销", "stood down";
    /// Resident: cut off.
    RSL_CUT_OFF = "家中已进水，被困", "home already flooded";
    /// Resident: to move.
    RSL_TO_MOVE = "在转移名单上", "on the list to move";
    /// Resident: moving.
    RSL_MOVING = "转移任务已派", "being moved";
    /// Resident: out.
    RSL_OUT = "已转移", "moved out";
    /// Resident: safe.
    RSL_SAFE = "不受淹", "dry: safe";
    /// Marker: inject.
    MK_INJECT = "突发情况", "inject";
    /// Marker: report.
    MK_REPORT = "现场报告", "field report";
    /// Marker: people on site.
    MK_PEOPLE = "人员到位", "people on site";
    /// Marker: late.
    MK_LATE = "超时", "late";
    /// Marker: done.
    MK_DONE = "已完成", "done";
    /// To-do list in tree form.
    TREE = "任务树", "tree";
    /// Tree column: not yet dispatched.
    COL_ACTIVE = "待派", "to do";
    /// Tree column: dispatched.
    COL_SENT = "已派", "sent";
    /// Tree column: done.
    COL_DONE = "完成", "done";
    /// Tree column: overdue.
    COL_LATE = "超时", "late";
    /// Help group: alarms.
    GROUP_ALARMS = "报警与呼叫", "Alarms and calls";
    /// Help group: bulk.
    GROUP_BULK = "批量操作", "Bulk actions";
    /// A task no longer in the plan's assessment whose instruction is unknown.
    TASK_UNKNOWN = "（未知任务）", "(unknown task)";
    /// An inject of unknown kind.
    INJECT = "突发情况", "inject";
    /// A level change the console could not read.
    LEVEL_CHANGED = "预警级别变化", "warning level changed";
    /// Event: accepted.
    EV_ACCEPTED = "接单", "Accepted";
    /// Event: on site.
    EV_ARRIVED = "到位", "On site";
    /// Event: patrol report.
    EV_PATROL = "巡查回报（未发现新险情）", "Patrol report (nothing new)";
    /// Event: field report.
    EV_REPORT = "现场报告", "Field report";
    /// Event: done.
    EV_DONE = "销单", "Done";
    /// Event: verified.
    EV_VERIFIED = "访单", "Verified";
    /// Event: overdue.
    EV_OVERDUE = "超时", "Overdue";
    /// Event: video call.
    EV_CALL = "云视讯调度", "Video call";
    /// Event: message pushed.
    EV_PUSHED = "消息已推送", "Message pushed";
    /// Event: alarm acknowledged.
    EV_ACKED = "已确认报警", "Alarm acknowledged";
    /// Event: an action was refused.
    EV_REJECTED = "操作未执行", "Not applied";
    /// Alarm queue pane.
    ALARMS = "报警与报告", "Alarms and reports";
    /// Alarm queue: nothing yet.
    NO_ALARMS = "暂无报警", "No alarms yet";
    /// Alarm queue: waiting.
    ALARM_NEW = "待确认", "new";
    /// Alarm queue: acknowledged.
    ALARM_ACKED = "已确认", "acked";
    /// Alarm queue hint.
    ALARM_HINT = "x 确认  d 派单  Enter 地图  t 呼叫", "x ack  d dispatch  Enter map  t call";
    /// Inject banner: keys.
    BANNER_KEYS = "x 确认  ! 报警队列", "x acknowledge  ! alarm queue";
    /// Start prompt.
    START_PROMPT = "演练已就绪（暂停）：按 空格 开始，? 帮助", "Drill ready (paused): Space starts, ? help";
    /// End banner.
    END_BANNER = "演练结束：时钟已停止。R 评估报告，q 退出", "Drill over: the clock has stopped. R report, q quits";
    /// Report pane.
    REPORT = "评估报告", "After-action report";
    /// Report pane footer.
    REPORT_KEYS = "j/k 滚动  R 或 Esc 关闭", "j/k scroll  R or Esc closes";
    /// Clock: ended.
    ENDED = "已结束", "ended";
    /// Call dialog title.
    CALL = "云视讯调度：呼叫", "Video call to";
    /// Call dialog: nobody.
    NOBODY_THERE = "该网格无人员", "Nobody in this grid";
    /// People search hint.
    SEARCH_HINT = "/ 搜索姓名、岗位、网格", "/ search name, role, grid";
    /// Reassign dialog title.
    REASSIGN = "改派：选择人员", "Reassign: pick people";
    /// Bulk dialog title.
    BULK = "批量操作", "Bulk action";
    /// Bulk confirm keys.
    BULK_KEYS = "Enter/y 确认  Esc/n 取消", "Enter/y confirm  Esc/n cancel";
    /// Load column.
    COL_LOAD = "负荷", "load";
    /// Role column.
    COL_ROLE = "岗位", "role";
    /// Log filter: all.
    LF_ALL = "全部", "all";
    /// Log filter: attention.
    LF_ATTENTION = "需关注", "attention";
    /// Log filter: danger.
    LF_DANGER = "危险", "danger";
    /// Log filter: alarms.
    LF_ALARMS = "报警", "alarms";
    /// Log filter: field.
    LF_FIELD = "现场", "field";
    /// Log filter: commander.
    LF_COMMANDER = "指挥", "commander";
    /// Mode: what-if.
    MODE_WHATIF = "假设推演", "what-if";
    /// Mode: drill.
    MODE_DRILL = "演练", "drill";
    /// Mode: live.
    MODE_LIVE = "实时", "live";
    /// Discharge label.
    DISCHARGE = "流量", "Q";
    /// Stage label.
    STAGE = "水位", "stage";
    /// Routine banner.
    ROUTINE = "常态 日常防汛工作", "Routine: no warning";
    /// Key persons pane.
    KEY_PERSONS = "重点人员", "Key persons";
    /// Households pane.
    HOUSEHOLDS = "滩区群众", "Floodplain";
    /// Map pane.
    MAP = "网格电子地图", "Grid map";
    /// To-do pane.
    TODO = "待办任务", "To-do";
    /// Log pane.
    LOG = "事件日志", "Event log";
    /// Help title.
    HELP = "帮助：按键与命令", "Help: keys and commands";
    /// Help footer.
    HELP_CLOSE = "按 ? 或 Esc 关闭", "? or Esc closes";
    /// Exposed (short tag).
    EXPOSED = "涉水", "exposed";
    /// Persons unit.
    PERSONS = "人", "persons";
    /// Households unit.
    HH_UNIT = "户", "households";
    /// Class.
    CLASS = "类", "class";
    /// Column: total.
    COL_TOTAL = "总数", "total";
    /// Column: to move.
    COL_TO_MOVE = "待转移", "move";
    /// Column: cut off.
    COL_CUT_OFF = "被困", "cut";
    /// Column: moved.
    COL_MOVED = "已转移", "out";
    /// Evacuation order.
    EVAC_ORDER = "转移顺序", "Evacuation order";
    /// Nobody to evacuate.
    NONE_TO_MOVE = "无需转移", "nobody to move";
    /// Resident status: safe.
    RS_SAFE = "安全", "safe";
    /// Resident status: to move.
    RS_TO_MOVE = "待转", "move";
    /// Resident status: cut off.
    RS_CUT_OFF = "被困", "CUT";
    /// Resident status: moving.
    RS_MOVING = "转移中", "going";
    /// Resident status: out.
    RS_OUT = "已转", "out";
    /// Map: colour by flooded share.
    MAP_BY_SHARE = "按淹没比例", "by flooded share";
    /// Map: colour by depth.
    MAP_BY_DEPTH = "按最大水深", "by max depth";
    /// Map legend.
    MAP_LEGEND = "W险工 D仓库 S避险点 B船 C指挥部", "W works D depot S shelter B boats C post";
    /// Map legend, short.
    MAP_LEGEND_SHORT = "W险工 D库 S避险", "W works D depot S shelter";
    /// Dispatch dialog title.
    DISPATCH = "派单", "Dispatch";
    /// Dispatch: pick an instance.
    DISPATCH_PICK_TASK = "1 选择任务", "1 Pick the task";
    /// Dispatch: pick people.
    DISPATCH_PICK_PEOPLE = "2 选择人员（建议人选在前）", "2 Pick people (suggested first)";
    /// Dispatch: confirm.
    DISPATCH_CONFIRM = "3 确认派单", "3 Confirm";
    /// Dispatch: footer on the task step.
    DISPATCH_KEYS_TASK = "Enter 下一步  Esc 取消", "Enter next  Esc cancel";
    /// Dispatch: footer on the people step.
    DISPATCH_KEYS_PEOPLE = "空格 选/不选  Enter 下一步  Esc 返回", "Space pick  Enter next  Esc back";
    /// Dispatch: footer on the confirm step.
    DISPATCH_KEYS_CONFIRM = "Enter 确认派单  Esc 返回", "Enter dispatch  Esc back";
    /// Dispatch: nothing to dispatch.
    NOTHING_TO_DISPATCH = "没有可派的任务", "Nothing to dispatch";
    /// Push dialog title.
    PUSH = "一键推送", "Push";
    /// Push: pick the message.
    PUSH_PICK_MESSAGE = "1 选择消息", "1 Pick the message";
    /// Push: pick recipients.
    PUSH_PICK_AUDIENCE = "2 选择对象", "2 Pick the recipients";
    /// Push: confirm.
    PUSH_CONFIRM = "3 确认推送", "3 Confirm";
    /// Push footer, confirm step.
    PUSH_KEYS_CONFIRM = "Enter 推送  Esc 返回", "Enter push  Esc back";
    /// Push footer, other steps.
    PUSH_KEYS = "Enter 下一步  Esc 返回", "Enter next  Esc back";
    /// Suggested.
    SUGGESTED = "建议", "suggested";
    /// Task details title.
    TASK_DETAILS = "任务详情", "Task";
    /// Grid details title.
    GRID_DETAILS = "网格详情", "Grid";
    /// Resident details title.
    RESIDENT_DETAILS = "人员详情", "Resident";
    /// Quit confirmation.
    CONFIRM_QUIT = "演练进行中，确定退出？ y 退出 / n 继续", "A drill is running. Quit? y quit / n stay";
    /// Status-line hint.
    HINT = "? 帮助  : 命令  / 筛选  Tab 切换  d 派单  p 推送  q 退出", "? help  : command  / filter  Tab focus  d dispatch  p push  q quit";
    /// Filter prompt.
    FILTER = "筛选", "filter";
    /// Column: status.
    COL_STATUS = "状态", "stat";
    /// Column: due.
    COL_DUE = "时限", "due";
    /// Column: task.
    COL_TASK = "任务", "task";
    /// Column: where.
    COL_WHERE = "对象", "target";
    /// Column: people.
    COL_PEOPLE = "人员", "people";
    /// Column: short.
    COL_SHORT = "缺口", "short";
    /// New marker.
    NEW = "新", "NEW";
    /// Leader.
    LEADER = "带队", "leader";
    /// Shelter.
    SHELTER = "安置点", "shelter";
    /// Means.
    MEANS = "方式", "means";
    /// Category.
    CATEGORY = "类别", "category";
    /// Grid.
    GRID = "网格", "grid";
    /// Phone.
    PHONE = "电话", "phone";
    /// Needs.
    NEEDS = "需求", "needs";
    /// Status.
    STATUS = "状态", "status";
    /// Priority.
    PRIORITY = "优先级", "priority";
    /// Deadline.
    DEADLINE = "时限", "deadline";
    /// Assignees.
    ASSIGNEES = "责任人", "assignees";
    /// Materials.
    MATERIALS = "物资", "materials";
    /// Depends on.
    DEPENDS = "前置任务", "waits for";
    /// Message.
    MESSAGE = "推送消息", "message";
    /// Exposure.
    EXPOSURE = "淹没", "exposure";
    /// People in the grid.
    PEOPLE_IN_GRID = "网格人员", "personnel";
    /// Open instances.
    OPEN_TASKS = "未完成任务", "open tasks";
    /// Parent.
    PARENT = "上级", "parent";
    /// Nobody.
    NOBODY = "无人", "nobody";
    /// Not found.
    NONE = "无", "none";
    /// Trend rising.
    TREND_RISING = "上涨", "rising";
    /// Trend falling.
    TREND_FALLING = "回落", "falling";
    /// Trend steady.
    TREND_STEADY = "平稳", "steady";
    /// Group: river.
    GROUP_RIVER = "水情", "River";
    /// Group: tasks.
    GROUP_TASKS = "任务", "Tasks";
    /// Group: moving around.
    GROUP_NAV = "浏览", "Moving around";
    /// Group: map.
    GROUP_MAP = "地图", "Map";
    /// Group: drill clock.
    GROUP_CLOCK = "演练时钟", "Drill clock";
    /// Group: dialogs.
    GROUP_DIALOG = "对话框", "Dialogs";
    /// Group: commands.
    GROUP_COMMANDS = "命令（: 后输入）", "Commands (after :)";
    /// Means: on foot.
    MEANS_FOOT = "步行", "on foot";
    /// Means: evacuation bus.
    MEANS_BUS = "客车", "bus";
    /// Means: ambulance or escorted vehicle.
    MEANS_AMBULANCE = "救护车", "ambulance";
    /// Means: boat.
    MEANS_BOAT = "冲锋舟", "boat";
    /// Paused.
    PAUSED = "暂停", "paused";
    /// Journal.
    JOURNAL = "日志文件", "journal";
    /// Margin to the discharge that wets a home.
    MARGIN = "距进水流量", "margin";
}

/// A warning level's banner name.
pub fn level_name(lang: Lang, level: WarningLevel) -> &'static str {
    match lang {
        Lang::Zh => level.name_zh(),
        Lang::En => match level {
            WarningLevel::None => "No warning",
            WarningLevel::Blue => "BLUE WARNING",
            WarningLevel::Yellow => "YELLOW WARNING",
            WarningLevel::Orange => "ORANGE WARNING",
            WarningLevel::Red => "RED WARNING",
        },
    }
}

/// The response line of the banner (`I级响应` / `Level I response`).
pub fn response(lang: Lang, response: &str) -> String {
    match lang {
        Lang::Zh => format!("{response}级应急响应"),
        Lang::En => format!("level {response} emergency response"),
    }
}

/// A trend as a short ASCII mark and a word (no ambiguous-width arrows).
pub fn trend(lang: Lang, trend: Trend) -> (&'static str, &'static str) {
    match trend {
        Trend::Rising => ("^", TREND_RISING.get(lang)),
        Trend::Falling => ("v", TREND_FALLING.get(lang)),
        Trend::Steady => ("=", TREND_STEADY.get(lang)),
    }
}

/// A task status as a tag of at most four columns.
pub fn status_tag(lang: Lang, status: TaskStatus) -> &'static str {
    let (zh, en) = match status {
        TaskStatus::Pending => ("待派", "todo"),
        TaskStatus::Dispatched => ("已派", "sent"),
        TaskStatus::Accepted => ("已接", "acpt"),
        TaskStatus::InProgress => ("进行", "work"),
        TaskStatus::Done => ("销单", "done"),
        TaskStatus::Verified => ("访毕", "vrfd"),
        TaskStatus::Overdue => ("超时", "LATE"),
        TaskStatus::StoodDown => ("撤销", "off"),
    };
    lang.pick(zh, en)
}

/// A lifecycle step, as a verb.
pub fn step_name(lang: Lang, step: TaskStep) -> &'static str {
    let (zh, en) = match step {
        TaskStep::Dispatch => ("派单", "dispatch"),
        TaskStep::Accept => ("接单", "accept"),
        TaskStep::Start => ("开工", "start"),
        TaskStep::Complete => ("销单", "complete"),
        TaskStep::Verify => ("访单", "verify"),
        TaskStep::MarkOverdue => ("超时", "mark overdue"),
        TaskStep::StandDown => ("撤销", "stand down"),
        TaskStep::Reactivate => ("恢复", "reactivate"),
    };
    lang.pick(zh, en)
}

/// A key-person or household category.
pub fn resident_category(lang: Lang, category: &str) -> String {
    let zh = match category {
        "elderly_alone" => "独居老人",
        "child" => "留守儿童",
        "disabled" => "残疾人",
        "chronic_ill" => "慢性病",
        "bedridden" => "卧床",
        "pregnant" => "孕产妇",
        "grain" => "粮食",
        "vegetable" => "蔬菜",
        "livestock" => "养殖",
        "orchard" => "果园",
        "fish_pond" => "鱼塘",
        other => return other.replace('_', " "),
    };
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => category.replace('_', " "),
    }
}

/// A discharge with thousands separators and the unit (ASCII `m3/s`: `³` is ambiguous-width).
pub fn discharge(q: f64) -> String {
    format!("{} m3/s", thousands(q))
}

/// An integer with thousands separators.
pub fn thousands(v: f64) -> String {
    let n = if v.is_finite() { v.round() as i64 } else { 0 };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A drill clock: `T+hh:mm`.
pub fn clock(now_min: f64) -> String {
    let m = if now_min.is_finite() {
        now_min.max(0.0).floor() as u64
    } else {
        0
    };
    format!("T+{:02}:{:02}", m / 60, m % 60)
}

/// Minutes left until a deadline, compact: `45m`, `2h05`, `-10m` when past.
pub fn due(minutes: f64) -> String {
    if !minutes.is_finite() {
        return "-".into();
    }
    let m = minutes.round() as i64;
    let sign = if m < 0 { "-" } else { "" };
    let a = m.unsigned_abs();
    if a < 100 {
        format!("{sign}{a}m")
    } else {
        format!("{sign}{}h{:02}", a / 60, a % 60)
    }
}

/// An inject kind as the commander reads it.
pub fn inject_kind(lang: Lang, kind: floodgrid_engine::drill::InjectKind) -> &'static str {
    use floodgrid_engine::drill::InjectKind as K;
    let (zh, en) = match kind {
        K::Hazard(h) => (h.name_zh(), h.name_en()),
        K::SmartStoneAlarm => ("智能石头报警", "smart-stone alarm"),
        K::PersonUnavailable => ("人员失联", "person unavailable"),
    };
    lang.pick(zh, en)
}

/// A bulk action's verb.
pub fn bulk_name(lang: Lang, kind: crate::app::BulkKind) -> &'static str {
    use crate::app::BulkKind as B;
    match kind {
        B::Dispatch => lang.pick("派单（建议人员）", "dispatch to suggested people"),
        B::Accept => lang.pick("接单", "accept"),
        B::Close => lang.pick("销单", "close"),
    }
}

/// The event log's filter as its title shows it.
pub fn log_filter(lang: Lang, f: crate::app::LogFilter) -> &'static str {
    use crate::app::LogFilter as F;
    match f {
        F::All => LF_ALL.get(lang),
        F::Attention => LF_ATTENTION.get(lang),
        F::Danger => LF_DANGER.get(lang),
        F::Alarms => LF_ALARMS.get(lang),
        F::Field => LF_FIELD.get(lang),
        F::Commander => LF_COMMANDER.get(lang),
    }
}

/// A plan phase (the level whose orders it holds) as the task tree shows it.
pub fn phase_name(lang: Lang, p: floodgrid_engine::plan::Phase) -> &'static str {
    use floodgrid_engine::plan::Phase as P;
    let (zh, en) = match p {
        P::Routine => ("常态", "Routine"),
        P::Blue => ("蓝色预警（IV级）", "Blue warning (IV)"),
        P::Yellow => ("黄色预警（III级）", "Yellow warning (III)"),
        P::Orange => ("橙色预警（II级）", "Orange warning (II)"),
        P::Red => ("红色预警（I级）", "Red warning (I)"),
        P::StandDown => ("退水与恢复", "Stand-down"),
    };
    lang.pick(zh, en)
}

/// The legend the help shows: every symbol and status the screen draws, with its meaning. Task
/// and resident statuses come from the same functions the lists use.
pub fn legend(lang: Lang) -> Vec<(String, String)> {
    use floodgrid_engine::plan::TaskStatus as T;
    let mut out = Vec::new();
    let heading = |t: Tr| (String::new(), t.get(lang).to_string());
    out.push(heading(LEGEND_TASK));
    for (s, t) in [
        (T::Pending, ST_PENDING),
        (T::Dispatched, ST_DISPATCHED),
        (T::Accepted, ST_ACCEPTED),
        (T::InProgress, ST_IN_PROGRESS),
        (T::Done, ST_DONE),
        (T::Verified, ST_VERIFIED),
        (T::Overdue, ST_OVERDUE),
        (T::StoodDown, ST_STOOD_DOWN),
    ] {
        out.push((status_tag(lang, s).to_string(), t.get(lang).to_string()));
    }
    out.push(heading(LEGEND_RESIDENT));
    for (tag, t) in [
        (RS_CUT_OFF, RSL_CUT_OFF),
        (RS_TO_MOVE, RSL_TO_MOVE),
        (RS_MOVING, RSL_MOVING),
        (RS_OUT, RSL_OUT),
        (RS_SAFE, RSL_SAFE),
    ] {
        out.push((tag.get(lang).to_string(), t.get(lang).to_string()));
    }
    out.push(heading(LEGEND_SITES));
    out.push((String::new(), MAP_LEGEND.get(lang).to_string()));
    out.push(heading(LEGEND_MARKERS));
    for (c, t) in MARKERS {
        out.push((c.to_string(), t.get(lang).to_string()));
    }
    out.push((String::new(), LEGEND_TREE.get(lang).to_string()));
    out.push((String::new(), LEGEND_NEW.get(lang).to_string()));
    out.push((String::new(), LEGEND_FOLD.get(lang).to_string()));
    out
}

/// The map's field marks: the letter drawn at a grid and what it means.
pub const MARKERS: [(char, Tr); 5] = [
    ('!', MK_INJECT),
    ('R', MK_REPORT),
    ('P', MK_PEOPLE),
    ('L', MK_LATE),
    ('V', MK_DONE),
];

/// The names an event line shows for the ids in an [`EventDetail`], in the console's language
/// (the console looks them up in the scenario; an id it does not know comes back as given).
///
/// [`EventDetail`]: floodgrid_engine::drill::EventDetail
pub trait EventNames {
    /// A task instance's title (instruction and grid or target).
    fn task(&self, id: &str) -> String;
    /// A person's name.
    fn person(&self, id: &str) -> String;
    /// A grid's name.
    fn grid(&self, id: &str) -> String;
    /// A site's name.
    fn site(&self, id: &str) -> String;
    /// A role's name.
    fn role(&self, id: &str) -> String;
    /// An engine message with the ids it quotes in backticks replaced by names.
    fn message(&self, text: &str) -> String;
}

/// A commander action's kind as a verb.
pub fn action_kind(lang: Lang, kind: floodgrid_engine::drill::ActionKind) -> &'static str {
    use floodgrid_engine::drill::ActionKind as A;
    let (zh, en) = match kind {
        A::SetDischarge => ("设定流量", "set discharge"),
        A::Dispatch => ("派单", "dispatch"),
        A::Reassign => ("改派", "reassign"),
        A::Accept => ("接单", "accept"),
        A::Close => ("销单", "close"),
        A::Verify => ("访单", "verify"),
        A::Push => ("推送", "push"),
        A::AcknowledgeAlarm => ("确认报警", "acknowledge alarm"),
        A::Call => ("云视讯调度", "call"),
        A::Pause => ("暂停", "pause"),
        A::Resume => ("继续", "resume"),
        A::Speed => ("调速", "speed"),
    };
    lang.pick(zh, en)
}

/// A number as short as it reads: no decimals when whole, otherwise one.
fn short(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// A drill event's line (without the clock) in a language, from its detail alone: every word
/// from here, every name through `names`, so no id or engine prose shows.
pub fn event_line(
    lang: Lang,
    detail: &floodgrid_engine::drill::EventDetail,
    names: &dyn EventNames,
) -> String {
    use floodgrid_engine::drill::{Audience, EventDetail as D};
    let zh = lang == Lang::Zh;
    let people = |ids: &[String]| {
        let v: Vec<String> = ids.iter().map(|p| names.person(p)).collect();
        v.join(lang.pick("、", ", "))
    };
    match detail {
        D::Inject {
            kind,
            text,
            grid,
            site,
            person,
            severity,
            reading,
            attachments,
            ..
        } => {
            let label = inject_kind(lang, *kind);
            let mut parts: Vec<String> = Vec::new();
            match (site, grid) {
                (Some(s), _) => parts.push(names.site(s)),
                (None, Some(g)) => parts.push(names.grid(g)),
                (None, None) => {}
            }
            if let Some(p) = person {
                parts.push(names.person(p));
            }
            if let Some(a) = reading {
                if let Some(g) = &a.groyne {
                    parts.push(if zh {
                        format!("{g}号坝")
                    } else {
                        format!("groyne {g}")
                    });
                }
                parts.push(if zh {
                    format!("{} 枚报警", a.stones)
                } else {
                    format!("{} stones in alarm", a.stones)
                });
                if let Some(x) = a.displacement_mm {
                    parts.push(format!(
                        "{} {} mm",
                        lang.pick("位移", "displacement"),
                        short(x)
                    ));
                }
                if let Some(x) = a.tilt_deg {
                    parts.push(format!("{} {} deg", lang.pick("倾角", "tilt"), short(x)));
                }
            }
            if let Some(s) = severity {
                parts.push(format!("{} {s}", lang.pick("严重度", "severity")));
            }
            if !attachments.is_empty() {
                parts.push(if zh {
                    format!("附件 {} 个", attachments.len())
                } else {
                    format!("{} attachments", attachments.len())
                });
            }
            if zh {
                // The script's prose is Chinese scenario text: shown in the Chinese console.
                let mut s = format!("{label}：{text}");
                if !parts.is_empty() {
                    s.push_str(&format!("（{}）", parts.join("，")));
                }
                s
            } else if parts.is_empty() {
                format!("Inject: {label}")
            } else {
                format!("Inject: {label}, {}", parts.join(", "))
            }
        }
        D::InjectWithheld { at_min, kind, .. } => {
            let label = inject_kind(lang, *kind);
            if zh {
                format!(
                    "预案外注入未触发：{label}（{}），预期处置已落实",
                    clock(*at_min)
                )
            } else {
                format!(
                    "Contingency inject withheld: {label} ({}), the expected response came",
                    clock(*at_min)
                )
            }
        }
        D::BreachRouted {
            dike,
            cell_size_m,
            horizon_h,
            flooded_area_km2,
            grids_reached,
            first,
        } => {
            let first: Vec<String> = first
                .iter()
                .map(|(g, h)| format!("{} {h:.1} h", names.grid(g)))
                .collect();
            let first = if first.is_empty() {
                "-".to_string()
            } else {
                first.join(lang.pick("，", ", "))
            };
            let dike = names.site(dike);
            if zh {
                format!(
                    "溃口洪水演进（{dike}，{cell_size_m:.0} m 网格，{horizon_h:.0} h）：淹没 {flooded_area_km2:.1} km2，{grids_reached} 个有住户网格将进水；最先到达：{first}"
                )
            } else {
                format!(
                    "Breach routing ({dike}, {cell_size_m:.0} m cells, {horizon_h:.0} h): {flooded_area_km2:.1} km2 flooded, {grids_reached} inhabited grids reached; first: {first}"
                )
            }
        }
        D::BreachRoutingFailed { dike, error } => {
            let dike = names.site(dike);
            let error = names.message(error);
            if zh {
                format!("溃口洪水演进计算失败（{dike}）：{error}；按洪水风险图估计")
            } else {
                format!("Breach routing failed ({dike}): {error}; using the flood atlas")
            }
        }
        D::Level {
            from,
            to,
            discharge_m3s,
        } => format!(
            "{} {} {} (Q = {})",
            level_name(lang, *from),
            lang.pick("转", "to"),
            level_name(lang, *to),
            discharge(*discharge_m3s)
        ),
        D::TasksActivated { count } => {
            if zh {
                format!("新增任务 {count} 项")
            } else {
                format!("{count} new tasks")
            }
        }
        D::Dispatched { task, people: p } => {
            if zh {
                format!("派单：{}，给 {}", names.task(task), people(p))
            } else {
                format!("Dispatched: {} to {}", names.task(task), people(p))
            }
        }
        D::Reassigned { task, people: p } => {
            if zh {
                format!("改派：{}，给 {}", names.task(task), people(p))
            } else {
                format!("Reassigned: {} to {}", names.task(task), people(p))
            }
        }
        D::Accepted { task } => format!("{}: {}", EV_ACCEPTED.get(lang), names.task(task)),
        D::Arrived { task } => format!("{}: {}", EV_ARRIVED.get(lang), names.task(task)),
        D::PatrolReport { task } => format!("{}: {}", EV_PATROL.get(lang), names.task(task)),
        D::Done { task } => format!("{}: {}", EV_DONE.get(lang), names.task(task)),
        D::Verified { task } => format!("{}: {}", EV_VERIFIED.get(lang), names.task(task)),
        D::Overdue { task } => format!("{}: {}", EV_OVERDUE.get(lang), names.task(task)),
        D::Pushed {
            audience,
            text,
            recipients,
            ..
        } => {
            let to = match audience {
                Audience::Everyone => lang.pick("全体人员", "everyone").to_string(),
                Audience::Grid { grid } => names.grid(grid),
                Audience::Public { grid } => {
                    let g = names.grid(grid);
                    if zh {
                        format!("{g}群众和网格人员")
                    } else {
                        format!("residents and staff of {g}")
                    }
                }
                Audience::Role { role } => names.role(role),
            };
            if zh {
                format!("推送 {to}（{recipients} 人）：{text}")
            } else {
                format!("Message pushed to {to} ({recipients} people)")
            }
        }
        D::Called { person, grid } => format!(
            "{}: {}, {}",
            EV_CALL.get(lang),
            names.person(person),
            names.grid(grid)
        ),
        D::AlarmAcknowledged {
            site,
            groyne,
            stones,
            raised_min,
            ..
        } => {
            let site = names.site(site);
            match (zh, groyne) {
                (true, Some(g)) => format!(
                    "{}：{site}{g}号坝（{stones} 枚智能石头，{} 报警）",
                    EV_ACKED.zh,
                    clock(*raised_min)
                ),
                (true, None) => format!(
                    "{}：{site}（{stones} 枚智能石头，{} 报警）",
                    EV_ACKED.zh,
                    clock(*raised_min)
                ),
                (false, Some(g)) => format!(
                    "{}: {site}, groyne {g} ({stones} stones, raised {})",
                    EV_ACKED.en,
                    clock(*raised_min)
                ),
                (false, None) => format!(
                    "{}: {site} ({stones} stones, raised {})",
                    EV_ACKED.en,
                    clock(*raised_min)
                ),
            }
        }
        D::Rejected { action, reason } => format!(
            "{} ({}): {}",
            EV_REJECTED.get(lang),
            action_kind(lang, *action),
            refusal(lang, reason, names)
        ),
        D::Unassessable { error } => {
            if zh {
                format!("态势无法评估：{}", names.message(error))
            } else {
                format!("The situation cannot be assessed: {}", names.message(error))
            }
        }
    }
}

/// Why an action was refused, from its reason code, with names for its ids.
pub fn refusal(
    lang: Lang,
    reason: &floodgrid_engine::drill::Refusal,
    names: &dyn EventNames,
) -> String {
    use floodgrid_engine::drill::Refusal as R;
    let zh = lang == Lang::Zh;
    match reason {
        R::BadDischarge { value } => {
            if zh {
                format!("流量 {value} 无效，应不小于 0")
            } else {
                format!("discharge {value} is not a flow (m3/s, at least 0)")
            }
        }
        R::BadSpeed { factor } => {
            if zh {
                format!("倍速 {factor} 无效，应在 0 到 3600 之间")
            } else {
                format!("speed {factor} is outside 0 to 3600")
            }
        }
        R::UnknownPerson { person } => format!(
            "{} {}",
            lang.pick("没有此人员", "no such person"),
            quoted(person)
        ),
        R::UnknownGrid { grid } => format!(
            "{} {}",
            lang.pick("没有此网格", "no such grid"),
            quoted(grid)
        ),
        R::UnknownRole { role } => format!(
            "{} {}",
            lang.pick("没有此角色", "no such role"),
            quoted(role)
        ),
        R::UnknownSite { site } => format!(
            "{} {}",
            lang.pick("没有此工程", "no such site"),
            quoted(site)
        ),
        R::NoActiveTask { task } => {
            if zh {
                format!("{} 不是当前任务", names.task(task))
            } else {
                format!("{} is not an active task", names.task(task))
            }
        }
        R::NobodyToSend { task } => {
            if zh {
                format!("{} 无建议人员，也未指定人员", names.task(task))
            } else {
                format!(
                    "nobody to send on {}: no suggestion and no people given",
                    names.task(task)
                )
            }
        }
        R::Transition { task, from, step } => {
            if zh {
                format!(
                    "{} 处于「{}」，不能{}",
                    names.task(task),
                    status_tag(lang, *from),
                    step_name(lang, *step)
                )
            } else {
                format!(
                    "cannot {} {}: it is {}",
                    step_name(lang, *step),
                    names.task(task),
                    status_tag(lang, *from)
                )
            }
        }
        R::EmptyMessage => lang.pick("消息为空", "the message is empty").to_string(),
        R::NoOpenAlarm { site, .. } => {
            if zh {
                format!("{} 没有待确认的报警", names.site(site))
            } else {
                format!("no open alarm at {}", names.site(site))
            }
        }
        R::NotInGrid { person, grid } => {
            if zh {
                format!("{} 不在{}", names.person(person), names.grid(grid))
            } else {
                format!("{} is not in {}", names.person(person), names.grid(grid))
            }
        }
    }
}

/// Something the user typed that names nothing in the scenario, quoted as typed (it is not an
/// id of the scenario, so it is shown, not looked up).
fn quoted(typed: &str) -> String {
    format!("\"{typed}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(22000.0), "22,000");
        assert_eq!(thousands(500.0), "500");
        assert_eq!(thousands(-1234567.0), "-1,234,567");
        assert_eq!(clock(125.0), "T+02:05");
        assert_eq!(due(45.0), "45m");
        assert_eq!(due(125.0), "2h05");
        assert_eq!(due(-10.0), "-10m");
    }

    #[test]
    fn locale() {
        assert_eq!(Lang::from_locale("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
    }
}
