//! The one keymap: every key the console answers to, the [`Action`] it stands for, and its help
//! text in both languages. Key handling looks keys up here and the `?` overlay is drawn from the
//! same table, so the two cannot disagree. Text typed after `:` or `/` never reaches this table.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{Action, BulkKind};
use crate::i18n::{self, Tr};

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The main screen (no dialog open).
    Main,
    /// Inside a dialog (dispatch, details, quit).
    Dialog,
}

/// A help-overlay section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// River: discharge.
    River,
    /// Task lifecycle.
    Tasks,
    /// Focus, lists, filter, help.
    Nav,
    /// Map.
    Map,
    /// Drill clock (forwarded to the drill driver).
    Clock,
    /// The alarm queue and calls.
    Alarms,
    /// Bulk actions over the to-do list's view.
    Bulk,
    /// Dialog keys.
    Dialog,
}

impl Group {
    /// In drawing order.
    pub const ALL: [Group; 8] = [
        Group::River,
        Group::Tasks,
        Group::Alarms,
        Group::Bulk,
        Group::Nav,
        Group::Map,
        Group::Clock,
        Group::Dialog,
    ];

    /// Heading.
    pub fn title(self) -> Tr {
        match self {
            Group::River => i18n::GROUP_RIVER,
            Group::Tasks => i18n::GROUP_TASKS,
            Group::Nav => i18n::GROUP_NAV,
            Group::Map => i18n::GROUP_MAP,
            Group::Clock => i18n::GROUP_CLOCK,
            Group::Alarms => i18n::GROUP_ALARMS,
            Group::Bulk => i18n::GROUP_BULK,
            Group::Dialog => i18n::GROUP_DIALOG,
        }
    }
}

/// One binding.
#[derive(Debug)]
pub struct Binding {
    /// Where it applies.
    pub scope: Scope,
    /// Keys (any of them).
    pub keys: &'static [KeyCode],
    /// How the keys are written in the help (ASCII).
    pub label: &'static str,
    /// What it does.
    pub action: Action,
    /// Help section.
    pub group: Group,
    /// Help text.
    pub help: Tr,
    /// Drawn on the help line of the binding before it (`]` with `[`): the text there covers
    /// both.
    pub with_prev: bool,
}

const fn b(
    scope: Scope,
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    group: Group,
    zh: &'static str,
    en: &'static str,
) -> Binding {
    Binding {
        scope,
        keys,
        label,
        action,
        group,
        help: Tr { zh, en },
        with_prev: false,
    }
}

/// A binding drawn on the help line of the one before it.
const fn p(
    scope: Scope,
    keys: &'static [KeyCode],
    label: &'static str,
    action: Action,
    group: Group,
) -> Binding {
    Binding {
        scope,
        keys,
        label,
        action,
        group,
        help: Tr { zh: "", en: "" },
        with_prev: true,
    }
}

use Group as G;
use KeyCode as K;
use Scope::{Dialog as D, Main as M};

/// Small discharge step, m³/s.
pub const SMALL_STEP_M3S: f64 = 500.0;
/// Large discharge step, m³/s.
pub const LARGE_STEP_M3S: f64 = 5000.0;

/// The keymap.
#[rustfmt::skip]
pub static KEYMAP: &[Binding] = &[
    b(M, &[K::Char(']')], "]", Action::StepDischarge { delta_m3s: SMALL_STEP_M3S }, G::River, "流量 加/减 500", "discharge +/- 500"),
    p(M, &[K::Char('[')], "[", Action::StepDischarge { delta_m3s: -SMALL_STEP_M3S }, G::River),
    b(M, &[K::Char('}')], "}", Action::StepDischarge { delta_m3s: LARGE_STEP_M3S }, G::River, "流量 加/减 5000", "discharge +/- 5000"),
    p(M, &[K::Char('{')], "{", Action::StepDischarge { delta_m3s: -LARGE_STEP_M3S }, G::River),
    b(M, &[K::Char('d')], "d", Action::OpenDispatch, G::Tasks, "派单：任务>人员>确认", "dispatch: task>people>ok"),
    b(M, &[K::Char('p')], "p", Action::OpenPush, G::Tasks, "推送：消息>对象>确认", "push: message>to>ok"),
    b(M, &[K::Char('a')], "a", Action::Accept, G::Tasks, "接单（所选任务）", "accept (selected task)"),
    b(M, &[K::Char('c')], "c", Action::Complete, G::Tasks, "销单：完成", "complete (done)"),
    b(M, &[K::Char('v')], "v", Action::Verify, G::Tasks, "访单：核实", "verify"),
    b(M, &[K::Char('r')], "r", Action::Reassign, G::Tasks, "改派所选任务的人员", "reassign the selected task"),
    b(M, &[K::Char('!')], "!", Action::Alarms, G::Alarms, "报警队列", "alarm queue"),
    b(M, &[K::Char('x')], "x", Action::Acknowledge, G::Alarms, "确认报警（所选或横幅中）", "acknowledge the alarm"),
    b(M, &[K::Char('t')], "t", Action::Call, G::Alarms, "云视讯调度：呼叫网格内人员", "video call someone in a grid"),
    b(M, &[K::Char('D')], "D", Action::Bulk(BulkKind::Dispatch), G::Bulk, "批量派单给建议人员（当前筛选）", "bulk dispatch to suggested"),
    b(M, &[K::Char('A')], "A", Action::Bulk(BulkKind::Accept), G::Bulk, "批量接单（当前筛选）", "accept all shown"),
    b(M, &[K::Char('C')], "C", Action::Bulk(BulkKind::Close), G::Bulk, "批量销单（当前筛选）", "close all shown"),
    b(M, &[K::Char('f')], "f", Action::LogFilter, G::Nav, "事件日志筛选：级别/类别", "log filter: severity / kind"),
    b(M, &[K::Char('R')], "R", Action::Report, G::Clock, "评估报告（演练结束后）", "after-action report"),
    b(M, &[K::Char('T')], "T", Action::TodoView, G::Tasks, "任务树/列表切换（Enter 展开）", "task tree / list (Enter opens)"),
    b(M, &[K::Tab], "Tab", Action::FocusNext, G::Nav, "下一窗格", "next pane"),
    b(M, &[K::BackTab], "S-Tab", Action::FocusPrev, G::Nav, "上一窗格", "previous pane"),
    b(M, &[K::Down, K::Char('j')], "j", Action::Down, G::Nav, "下移/上移（方向键）", "down / up (arrows too)"),
    p(M, &[K::Up, K::Char('k')], "k", Action::Up, G::Nav),
    b(M, &[K::PageDown], "PgDn", Action::PageDown, G::Nav, "翻页", "page down / up"),
    p(M, &[K::PageUp], "PgUp", Action::PageUp, G::Nav),
    b(M, &[K::Home, K::Char('g')], "g", Action::Top, G::Nav, "到顶/到底（Home End）", "first / last (Home End)"),
    p(M, &[K::End, K::Char('G')], "G", Action::Bottom, G::Nav),
    b(M, &[K::Enter], "Enter", Action::Open, G::Nav, "详情", "details"),
    b(M, &[K::Char('/')], "/", Action::Filter, G::Nav, "筛选当前列表", "filter the list"),
    b(M, &[K::Char(':')], ":", Action::CommandLine, G::Nav, "命令行", "command line"),
    b(M, &[K::Esc], "Esc", Action::Back, G::Nav, "返回，清除筛选", "back, clear filter"),
    b(M, &[K::Char('?')], "?", Action::Help, G::Nav, "帮助", "help"),
    b(M, &[K::Char('q')], "q", Action::Quit, G::Nav, "退出（演练中先确认）", "quit (asks in a drill)"),
    b(M, &[K::Char('m')], "m", Action::MapColour, G::Map, "着色：淹没比例/水深", "colour: share / depth"),
    b(M, &[K::Char('+'), K::Char('=')], "+", Action::ZoomIn, G::Map, "放大所选网格/缩小", "zoom in on grid / out"),
    p(M, &[K::Char('-')], "-", Action::ZoomOut, G::Map),
    b(M, &[K::Char('0')], "0", Action::ZoomReset, G::Map, "全镇", "whole town"),
    b(M, &[K::Char(' ')], "Space", Action::TogglePause, G::Clock, "暂停/继续", "pause / run"),
    b(M, &[K::Char('>')], ">", Action::Faster, G::Clock, "加速/减速", "faster / slower"),
    p(M, &[K::Char('<')], "<", Action::Slower, G::Clock),
    b(D, &[K::Down, K::Char('j')], "j", Action::Down, G::Dialog, "下移/上移", "down / up"),
    p(D, &[K::Up, K::Char('k')], "k", Action::Up, G::Dialog),
    b(D, &[K::Char(' ')], "Space", Action::Toggle, G::Dialog, "选中/取消人员", "pick / unpick"),
    b(D, &[K::Char('/')], "/", Action::Filter, G::Dialog, "搜索人员：姓名/岗位/网格", "search name / role / grid"),
    b(D, &[K::Enter, K::Char('y')], "Enter y", Action::Open, G::Dialog, "下一步/确认", "next / confirm"),
    b(D, &[K::Esc, K::Char('n')], "Esc n", Action::Back, G::Dialog, "返回/取消", "back / cancel"),
];

/// A command of the `:` line, for the help.
#[derive(Debug)]
pub struct CommandHelp {
    /// How it is typed.
    pub usage: &'static str,
    /// What it does.
    pub help: Tr,
}

/// The `:` commands.
#[rustfmt::skip]
pub static COMMANDS: &[CommandHelp] = &[
    CommandHelp { usage: ":flow 22000", help: Tr { zh: "设定流量", en: "set the discharge" } },
    CommandHelp { usage: ":goto GRID", help: Tr { zh: "定位网格（编号或名称）", en: "find a grid (id or name)" } },
    CommandHelp { usage: ":lang zh|en", help: Tr { zh: "界面语言", en: "language" } },
    CommandHelp { usage: ":speed 10", help: Tr { zh: "演练倍速", en: "drill speed" } },
    CommandHelp { usage: ":q", help: Tr { zh: "退出", en: "quit" } },
];

/// The action a key stands for in a scope. `Ctrl-C` always quits.
pub fn lookup(scope: Scope, key: &KeyEvent) -> Option<&'static Action> {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return match key.code {
            K::Char('c') => Some(&QUIT),
            _ => None,
        };
    }
    KEYMAP
        .iter()
        .find(|b| b.scope == scope && b.keys.contains(&key.code))
        .map(|b| &b.action)
}

static QUIT: Action = Action::Quit;

/// Bindings of a help section.
pub fn group(group: Group) -> impl Iterator<Item = &'static Binding> {
    KEYMAP.iter().filter(move |b| b.group == group)
}
