//! The plan's condition language: a small, typed expression language for `when` and `where`.
//! Parsed and type-checked once at load; it names data, it can never run code.
//!
//! ```text
//! expr    := or
//! or      := and ("or" and)*
//! and     := not ("and" not)*
//! not     := "not" not | cmp
//! cmp     := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum | "in" "[" expr ("," expr)* "]")?
//! sum     := product (("+" | "-") product)*
//! product := unary (("*" | "/") unary)*
//! unary   := "-" unary | atom
//! atom    := number | string | "true" | "false" | level | trend | name | "(" expr ")"
//! ```

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::hydro::{Trend, WarningLevel};

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    /// A number (f64).
    Number,
    /// `true` or `false`.
    Bool,
    /// A string.
    Str,
    /// A warning level (ordered).
    Level,
    /// A trend.
    Trend,
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Str => "string",
            Type::Level => "level",
            Type::Trend => "trend",
        })
    }
}

/// What an instruction iterates over with `for_each`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForEach {
    /// One instance per matching grid.
    Grid,
    /// One instance per matching site.
    Site,
    /// One instance per matching key person.
    KeyPerson,
    /// One instance per matching farm household.
    Household,
    /// One instance per matching person of the personnel roster.
    Person,
    /// One instance per matching active hazard.
    Hazard,
}

impl ForEach {
    /// All contexts.
    pub const ALL: [ForEach; 6] = [
        ForEach::Grid,
        ForEach::Site,
        ForEach::KeyPerson,
        ForEach::Household,
        ForEach::Person,
        ForEach::Hazard,
    ];

    /// The name in files (`grid`, `site`, `key_person`, ...), also the prefix of its fields.
    pub fn name(self) -> &'static str {
        match self {
            ForEach::Grid => "grid",
            ForEach::Site => "site",
            ForEach::KeyPerson => "key_person",
            ForEach::Household => "household",
            ForEach::Person => "person",
            ForEach::Hazard => "hazard",
        }
    }

    /// Parses a context name.
    pub fn from_name(s: &str) -> Option<ForEach> {
        ForEach::ALL.into_iter().find(|f| f.name() == s)
    }
}

/// Where a name is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everywhere.
    Global,
    /// Only in a `for_each` of this kind.
    Context(ForEach),
}

/// A name the language knows: its type, scope, and for strings the values it can take.
#[derive(Debug)]
pub struct VarInfo {
    /// The name as an enum.
    pub key: VarKey,
    /// Full name as written, e.g. `grid.dike_km`.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Where it may be used.
    pub scope: Scope,
    /// For enumerated strings, the allowed values (empty: any string).
    pub values: &'static [&'static str],
    /// One line of meaning, for help and the schema.
    pub doc: &'static str,
}

/// Index of a name in [`VARS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VarId(pub u16);

impl VarId {
    /// The name's description.
    pub fn info(self) -> &'static VarInfo {
        &VARS[self.0 as usize]
    }
}

/// Grid kinds as written in files (the [`GridKind`](crate::grid::GridKind) vocabulary).
pub const GRID_KINDS: &[&str] = crate::grid::GridKind::NAMES;
/// Site kinds as written in files (the [`SiteKind`](crate::grid::SiteKind) vocabulary).
pub const SITE_KINDS: &[&str] = crate::grid::SiteKind::NAMES;
/// Key-person categories.
pub const KEY_PERSON_CATEGORIES: &[&str] = &[
    "elderly_alone",
    "disabled",
    "bedridden",
    "pregnant",
    "child",
    "chronic_ill",
];
/// Farm-household categories (what they grow or keep).
pub const HOUSEHOLD_CATEGORIES: &[&str] =
    &["grain", "vegetable", "orchard", "fish_pond", "livestock"];
/// Hazard kinds as written in files (the [`HazardKind`](crate::hazard::HazardKind) vocabulary).
pub const HAZARD_KINDS: &[&str] = crate::hazard::HazardKind::NAMES;
/// Shifts of personnel (the [`Shift`](crate::grid::Shift) vocabulary).
pub const SHIFTS: &[&str] = crate::grid::Shift::NAMES;

macro_rules! vars {
    ($( $key:ident = $name:literal : $ty:ident, $scope:expr, $values:expr, $doc:literal; )*) => {
        /// Every name of the language as an enum, so evaluation dispatches without comparing
        /// strings. `HazardCount` stands for every `hazard_count.<kind>` name (the kind is the
        /// name's suffix, see [`hazard_count_kind`]).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum VarKey { HazardCount, $( $key ),* }

        /// Every name of the language, in a fixed order ([`VarId`] indexes it): the table
        /// below, then one `hazard_count.<kind>` per kind of the hazard vocabulary.
        pub static VARS: std::sync::LazyLock<Vec<VarInfo>> = std::sync::LazyLock::new(|| {
            let mut v = vec![ $( VarInfo { key: VarKey::$key, name: $name, ty: Type::$ty, scope: $scope, values: $values, doc: $doc } ),* ];
            for kind in crate::hazard::HazardKind::ALL {
                v.push(VarInfo {
                    key: VarKey::HazardCount,
                    name: Box::leak(format!("hazard_count.{}", kind.name()).into_boxed_str()),
                    ty: Type::Number,
                    scope: G,
                    values: ANY,
                    doc: "active hazards of the kind after the dot",
                });
            }
            v
        });
    };
}

const G: Scope = Scope::Global;
const GRID: Scope = Scope::Context(ForEach::Grid);
const SITE: Scope = Scope::Context(ForEach::Site);
const KP: Scope = Scope::Context(ForEach::KeyPerson);
const HH: Scope = Scope::Context(ForEach::Household);
const PERSON: Scope = Scope::Context(ForEach::Person);
const HAZ: Scope = Scope::Context(ForEach::Hazard);
const ANY: &[&str] = &[];

vars! {
    Q = "Q": Number, G, ANY, "discharge at the reference gauge, m³/s";
    Stage = "stage": Number, G, ANY, "stage (水位) at the reference gauge, m, from its rating curve";
    Level = "level": Level, G, ANY, "current warning level";
    PeakLevel = "peak_level": Level, G, ANY, "highest level reached in this flood event";
    Trend = "trend": Trend, G, ANY, "rising / steady / falling";
    ForecastPeak = "forecast.peak": Number, G, ANY, "forecast peak discharge, m³/s";
    ForecastHoursToPeak = "forecast.hours_to_peak": Number, G, ANY, "hours until the forecast peak";
    Alarms = "alarms": Number, G, ANY, "active smart-stone alarms";
    Hazards = "hazards": Number, G, ANY, "active hazards of all kinds";
    FloodedGrids = "flooded_grids": Number, G, ANY, "grids with any flooded area";
    ExposedPeople = "exposed_people": Number, G, ANY, "people exposed in the whole scenario";
    Month = "month": Number, G, ANY, "month of the clock, 1-12";
    Hour = "hour": Number, G, ANY, "hour of the clock, 0-23";
    GridId = "grid.id": Str, GRID, ANY, "grid id";
    GridName = "grid.name": Str, GRID, ANY, "grid name";
    GridKind = "grid.kind": Str, GRID, GRID_KINDS, "grid kind";
    GridParent = "grid.parent": Str, GRID, ANY, "parent grid id";
    GridVillage = "grid.village": Str, GRID, ANY, "id of the village or community the grid belongs to";
    GridPopulation = "grid.population": Number, GRID, ANY, "residents of the grid";
    GridAreaKm2 = "grid.area_km2": Number, GRID, ANY, "area, km²";
    GridDikeKm = "grid.dike_km": Number, GRID, ANY, "main dike length inside the grid, km";
    GridWorks = "grid.works": Number, GRID, ANY, "defence works inside the grid";
    GridKeyPersons = "grid.key_persons": Number, GRID, ANY, "key persons registered in the grid";
    GridHouseholds = "grid.households": Number, GRID, ANY, "farm households registered in the grid";
    GridHazards = "grid.hazards": Number, GRID, ANY, "active hazards in the grid";
    GridExposedPeople = "grid.exposed_people": Number, GRID, ANY, "people in flooded cells";
    GridExposedKeyPersons = "grid.exposed_key_persons": Number, GRID, ANY, "key persons in flooded cells";
    GridExposedHouseholds = "grid.exposed_households": Number, GRID, ANY, "farm households in flooded cells";
    GridFloodedFraction = "grid.flooded_fraction": Number, GRID, ANY, "flooded share of the grid's area, 0-1";
    GridMaxDepthM = "grid.max_depth_m": Number, GRID, ANY, "deepest water in the grid, m";
    GridMeanDepthM = "grid.mean_depth_m": Number, GRID, ANY, "mean depth over the flooded area, m";
    GridWetDischarge = "grid.wet_discharge": Number, GRID, ANY, "discharge at which the grid first gets wet, m³/s";
    GridArrivalHours = "grid.arrival_hours": Number, GRID, ANY, "hours until the water arrives (2D solver)";
    GridHouseholdsDue = "grid.households_due": Number, GRID, ANY, "households of the grid (and the grids under it) whose evacuation order is due now";
    GridKeyPersonsDue = "grid.key_persons_due": Number, GRID, ANY, "key persons of the grid (and the grids under it) whose evacuation order is due now";
    GridPersonsDue = "grid.persons_due": Number, GRID, ANY, "persons of the grid (and the grids under it) whose evacuation order is due now";
    GridFloodplain = "grid.floodplain": Bool, GRID, ANY, "the grid lies in the floodplain (滩区)";
    SiteId = "site.id": Str, SITE, ANY, "site id";
    SiteName = "site.name": Str, SITE, ANY, "site name";
    SiteKind = "site.kind": Str, SITE, SITE_KINDS, "site kind";
    SiteGrid = "site.grid": Str, SITE, ANY, "id of the grid holding the site";
    SiteWork = "site.work": Str, SITE, ANY, "for a smart stone, the works it guards";
    SiteChainageKm = "site.chainage_km": Number, SITE, ANY, "chainage along the reach, km";
    SiteSensors = "site.sensors": Number, SITE, ANY, "smart-stone sensors on the works";
    SiteAlarms = "site.alarms": Number, SITE, ANY, "active smart-stone alarms on the works";
    SiteHazards = "site.hazards": Number, SITE, ANY, "active hazards at the site";
    SiteCapacity = "site.capacity": Number, SITE, ANY, "shelter beds (all categories)";
    SiteExposed = "site.exposed": Bool, SITE, ANY, "the site is in flooded cells";
    KeyPersonId = "key_person.id": Str, KP, ANY, "key person id";
    KeyPersonCategory = "key_person.category": Str, KP, KEY_PERSON_CATEGORIES, "key-person category";
    KeyPersonName = "key_person.name": Str, KP, ANY, "name";
    KeyPersonGrid = "key_person.grid": Str, KP, ANY, "grid id";
    KeyPersonNeeds = "key_person.needs": Str, KP, ANY, "special needs (wheelchair, stretcher, ...)";
    KeyPersonExposed = "key_person.exposed": Bool, KP, ANY, "in a flooded cell";
    KeyPersonHoursToWater = "key_person.hours_to_water": Number, KP, ANY, "hours until the forecast water reaches the home (infinite: not within the forecast)";
    KeyPersonOrderDue = "key_person.order_due": Bool, KP, ANY, "the evacuation order is due now: the water comes within the lead time and the order margin, or is there";
    KeyPersonAssisted = "key_person.assisted": Bool, KP, ANY, "must be carried (ambulance or escorted vehicle, stretcher team)";
    KeyPersonFloodplain = "key_person.floodplain": Bool, KP, ANY, "lives in the floodplain";
    HouseholdId = "household.id": Str, HH, ANY, "household id";
    HouseholdCategory = "household.category": Str, HH, HOUSEHOLD_CATEGORIES, "what the household farms";
    HouseholdName = "household.name": Str, HH, ANY, "name of the head of the household";
    HouseholdGrid = "household.grid": Str, HH, ANY, "grid id";
    HouseholdEvacClass = "household.evac_class": Number, HH, ANY, "evacuation class, 1 first";
    HouseholdSize = "household.size": Number, HH, ANY, "persons in the household";
    HouseholdExposed = "household.exposed": Bool, HH, ANY, "in a flooded cell";
    HouseholdHoursToWater = "household.hours_to_water": Number, HH, ANY, "hours until the forecast water reaches the home (infinite: not within the forecast)";
    HouseholdOrderDue = "household.order_due": Bool, HH, ANY, "the evacuation order is due now: the water comes within the lead time and the order margin, or is there";
    HouseholdFloodplain = "household.floodplain": Bool, HH, ANY, "lives in the floodplain";
    PersonId = "person.id": Str, PERSON, ANY, "person id";
    PersonRole = "person.role": Str, PERSON, ANY, "role id";
    PersonTeam = "person.team": Str, PERSON, ANY, "team";
    PersonGrid = "person.grid": Str, PERSON, ANY, "home grid id";
    PersonShift = "person.shift": Str, PERSON, SHIFTS, "day / night / any";
    HazardId = "hazard.id": Str, HAZ, ANY, "hazard id";
    HazardKind = "hazard.kind": Str, HAZ, HAZARD_KINDS, "hazard kind";
    HazardEngineering = "hazard.engineering": Bool, HAZ, ANY, "a failure of the dike or works (crews and materials repair it)";
    HazardSite = "hazard.site": Str, HAZ, ANY, "site id where it happens (may be empty)";
    HazardGrid = "hazard.grid": Str, HAZ, ANY, "grid id where it happens";
    HazardSeverity = "hazard.severity": Number, HAZ, ANY, "1 minor .. 3 severe";
}

/// The hazard kind a `hazard_count.<kind>` name counts (`None` for any other name).
pub fn hazard_count_kind(var: VarId) -> Option<crate::hazard::HazardKind> {
    let info = var.info();
    if info.key != VarKey::HazardCount {
        return None;
    }
    crate::hazard::HazardKind::from_name(info.name.strip_prefix("hazard_count.")?)
}

/// Looks up a name.
pub fn var_by_name(name: &str) -> Option<VarId> {
    VARS.iter()
        .position(|v| v.name == name)
        .map(|i| VarId(i as u16))
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// A typed expression. Built only by [`Condition::parse`], so every node is well typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expr {
    /// A number literal.
    Num(f64),
    /// A bool literal.
    Bool(bool),
    /// A string literal.
    Str(String),
    /// A level literal.
    Level(WarningLevel),
    /// A trend literal.
    Trend(Trend),
    /// A name.
    Var(VarId),
    /// `not e`
    Not(Box<Expr>),
    /// `-e`
    Neg(Box<Expr>),
    /// `a op b`
    Bin(BinOp, Box<Expr>, Box<Expr>),
    /// `a in [b, c, ...]`
    In(Box<Expr>, Vec<Expr>),
}

/// A parsed, type-checked condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// The text as written.
    pub source: String,
    /// The expression (type bool).
    pub expr: Expr,
    /// The `for_each` contexts whose fields it uses (at most one).
    pub context: Option<ForEach>,
}

impl Condition {
    /// Whether the condition reads a name for which `pred` holds (e.g. any hazard count).
    pub fn reads(&self, pred: &dyn Fn(VarId) -> bool) -> bool {
        fn walk(e: &Expr, pred: &dyn Fn(VarId) -> bool) -> bool {
            match e {
                Expr::Var(v) => pred(*v),
                Expr::Not(x) | Expr::Neg(x) => walk(x, pred),
                Expr::Bin(_, a, b) => walk(a, pred) || walk(b, pred),
                Expr::In(a, list) => walk(a, pred) || list.iter().any(|x| walk(x, pred)),
                _ => false,
            }
        }
        walk(&self.expr, pred)
    }
}

/// A parse or type error: byte range inside the condition text, and what was found and expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondError {
    /// Byte range inside the condition string.
    pub span: Range<usize>,
    /// The message.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    Ident(String),
    Op(&'static str),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    End,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("number `{n}`"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Ident(s) => format!("`{s}`"),
        Tok::Op(o) => format!("`{o}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::Comma => "`,`".into(),
        Tok::End => "the end of the condition".into(),
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, Range<usize>)>, CondError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |span: Range<usize>, m: String| CondError { span, message: m };
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                // exponent sign
                if (b[i] == b'e' || b[i] == b'E') && matches!(b.get(i + 1), Some(b'+' | b'-')) {
                    i += 1;
                }
                i += 1;
            }
            let text: String = src[start..i].chars().filter(|&c| c != '_').collect();
            let v: f64 = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    err(
                        start..i,
                        format!("found `{}`, expected a number", &src[start..i]),
                    )
                })?;
            out.push((Tok::Num(v), start..i));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push((Tok::Ident(src[start..i].to_string()), start..i));
            continue;
        }
        if c == b'\'' || c == b'"' {
            let close = src[i + 1..].find(c as char).map(|j| i + 1 + j);
            let Some(close) = close else {
                return Err(err(
                    start..src.len(),
                    format!("unterminated string; expected a closing {}", c as char),
                ));
            };
            out.push((Tok::Str(src[i + 1..close].to_string()), start..close + 1));
            i = close + 1;
            continue;
        }
        let two = src.get(i..i + 2).unwrap_or("");
        let (tok, len) = match two {
            "==" => (Tok::Op("=="), 2),
            "!=" => (Tok::Op("!="), 2),
            "<=" => (Tok::Op("<="), 2),
            ">=" => (Tok::Op(">="), 2),
            "&&" => return Err(err(i..i + 2, "found `&&`, expected `and`".into())),
            "||" => return Err(err(i..i + 2, "found `||`, expected `or`".into())),
            _ => match c {
                b'<' => (Tok::Op("<"), 1),
                b'>' => (Tok::Op(">"), 1),
                b'+' => (Tok::Op("+"), 1),
                b'-' => (Tok::Op("-"), 1),
                b'*' => (Tok::Op("*"), 1),
                b'/' => (Tok::Op("/"), 1),
                b'(' => (Tok::LParen, 1),
                b')' => (Tok::RParen, 1),
                b'[' => (Tok::LBracket, 1),
                b']' => (Tok::RBracket, 1),
                b',' => (Tok::Comma, 1),
                b'=' => return Err(err(i..i + 1, "found `=`, expected `==` to compare".into())),
                b'!' => return Err(err(i..i + 1, "found `!`, expected `not` or `!=`".into())),
                _ => {
                    let ch = src[i..].chars().next().unwrap_or('?');
                    let end = i + ch.len_utf8();
                    let hint = if ch == '＝'
                        || ch == '（'
                        || ch == '）'
                        || ch == '，'
                        || ch == '’'
                        || ch == '‘'
                    {
                        " (a full-width character: switch the input method to half-width)"
                    } else {
                        ""
                    };
                    return Err(err(
                        i..end,
                        format!(
                            "unexpected character `{ch}`{hint}; expected a name, number, string or operator"
                        ),
                    ));
                }
            },
        };
        out.push((tok, i..i + len));
        i += len;
    }
    out.push((Tok::End, src.len()..src.len()));
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, Range<usize>)>,
    pos: usize,
    ctx: Option<ForEach>,
    used_ctx: Option<ForEach>,
    src: &'a str,
    depth: usize,
}

type Typed = (Expr, Type, Range<usize>);

const MAX_DEPTH: usize = 64;

/// The most words and symbols (tokens) a condition may have: far beyond any plan's (the bundled
/// plan's longest has about 40), and small enough that no chain of operators can exhaust the
/// stack of the evaluator.
pub const MAX_TOKENS: usize = 1_000;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].0
    }
    fn span(&self) -> Range<usize> {
        self.toks[self.pos.min(self.toks.len() - 1)].1.clone()
    }
    fn bump(&mut self) -> (Tok, Range<usize>) {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s == kw)
    }
    fn fail<T>(&self, expected: &str) -> Result<T, CondError> {
        Err(CondError {
            span: self.span(),
            message: format!("found {}, expected {expected}", describe(self.peek())),
        })
    }
    fn enter(&mut self) -> Result<(), CondError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CondError {
                span: self.span(),
                message: format!(
                    "the condition nests deeper than {MAX_DEPTH} levels; expected a simpler condition"
                ),
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Typed, CondError> {
        self.enter()?;
        let mut lhs = self.and()?;
        while self.is_kw("or") {
            self.bump();
            let rhs = self.and()?;
            lhs = self.logic(BinOp::Or, lhs, rhs)?;
        }
        self.depth -= 1;
        Ok(lhs)
    }
    fn and(&mut self) -> Result<Typed, CondError> {
        let mut lhs = self.not()?;
        while self.is_kw("and") {
            self.bump();
            let rhs = self.not()?;
            lhs = self.logic(BinOp::And, lhs, rhs)?;
        }
        Ok(lhs)
    }
    fn logic(&self, op: BinOp, l: Typed, r: Typed) -> Result<Typed, CondError> {
        for side in [&l, &r] {
            if side.1 != Type::Bool {
                return Err(CondError {
                    span: side.2.clone(),
                    message: format!(
                        "`{}` takes bools on both sides; found a {} here",
                        op.symbol(),
                        side.1
                    ),
                });
            }
        }
        let span = l.2.start..r.2.end;
        Ok((
            Expr::Bin(op, Box::new(l.0), Box::new(r.0)),
            Type::Bool,
            span,
        ))
    }
    fn not(&mut self) -> Result<Typed, CondError> {
        if self.is_kw("not") {
            let (_, s) = self.bump();
            self.enter()?;
            let inner = self.not()?;
            self.depth -= 1;
            if inner.1 != Type::Bool {
                return Err(CondError {
                    span: inner.2,
                    message: format!("`not` takes a bool; found a {}", inner.1),
                });
            }
            let span = s.start..inner.2.end;
            return Ok((Expr::Not(Box::new(inner.0)), Type::Bool, span));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> Result<Typed, CondError> {
        let lhs = self.sum()?;
        if self.is_kw("in") {
            self.bump();
            if *self.peek() != Tok::LBracket {
                return self.fail("`[` to start the list after `in`");
            }
            self.bump();
            let mut items = Vec::new();
            loop {
                let item = self.sum()?;
                self.check_eq_types(&lhs, &item, "in")?;
                items.push(item.0);
                match self.peek() {
                    Tok::Comma => {
                        self.bump();
                    }
                    Tok::RBracket => break,
                    _ => return self.fail("`,` or `]` in the list"),
                }
            }
            let (_, end) = self.bump();
            let span = lhs.2.start..end.end;
            return Ok((Expr::In(Box::new(lhs.0), items), Type::Bool, span));
        }
        let op = match self.peek() {
            Tok::Op("==") => BinOp::Eq,
            Tok::Op("!=") => BinOp::Ne,
            Tok::Op("<") => BinOp::Lt,
            Tok::Op("<=") => BinOp::Le,
            Tok::Op(">") => BinOp::Gt,
            Tok::Op(">=") => BinOp::Ge,
            _ => return Ok(lhs),
        };
        let (_, op_span) = self.bump();
        let rhs = self.sum()?;
        if let Tok::Op(o @ ("==" | "!=" | "<" | "<=" | ">" | ">=")) = self.peek() {
            return Err(CondError {
                span: self.span(),
                message: format!(
                    "found a second comparison `{o}`; comparisons do not chain, expected `and` between two comparisons"
                ),
            });
        }
        match op {
            BinOp::Eq | BinOp::Ne => self.check_eq_types(&lhs, &rhs, op.symbol())?,
            _ => {
                let ordered = |t: Type| matches!(t, Type::Number | Type::Level);
                if !(ordered(lhs.1) && lhs.1 == rhs.1) {
                    let message = if lhs.1 != rhs.1 {
                        mismatch(&lhs, &rhs, op.symbol())
                    } else {
                        format!(
                            "`{}` orders numbers and levels; found two {}s, expected `==` or `!=`",
                            op.symbol(),
                            lhs.1
                        )
                    };
                    return Err(CondError {
                        span: op_span,
                        message,
                    });
                }
            }
        }
        let span = lhs.2.start..rhs.2.end;
        Ok((
            Expr::Bin(op, Box::new(lhs.0), Box::new(rhs.0)),
            Type::Bool,
            span,
        ))
    }
    fn check_eq_types(&self, l: &Typed, r: &Typed, op: &str) -> Result<(), CondError> {
        if l.1 != r.1 {
            return Err(CondError {
                span: l.2.start..r.2.end,
                message: mismatch(l, r, op),
            });
        }
        // A literal compared with an enumerated field must be one of its values.
        for (a, b) in [(l, r), (r, l)] {
            if let (Expr::Var(v), Expr::Str(s)) = (&a.0, &b.0) {
                let info = v.info();
                if !info.values.is_empty() && !info.values.contains(&s.as_str()) {
                    return Err(CondError {
                        span: b.2.clone(),
                        message: format!(
                            "'{s}' is not a value of `{}`; expected one of {}",
                            info.name,
                            info.values.join(", ")
                        ),
                    });
                }
            }
        }
        Ok(())
    }
    fn sum(&mut self) -> Result<Typed, CondError> {
        let mut lhs = self.product()?;
        loop {
            let op = match self.peek() {
                Tok::Op("+") => BinOp::Add,
                Tok::Op("-") => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.product()?;
            lhs = arith(op, lhs, rhs)?;
        }
    }
    fn product(&mut self) -> Result<Typed, CondError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Op("*") => BinOp::Mul,
                Tok::Op("/") => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = arith(op, lhs, rhs)?;
        }
    }
    fn unary(&mut self) -> Result<Typed, CondError> {
        if *self.peek() == Tok::Op("-") {
            let (_, s) = self.bump();
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            if inner.1 != Type::Number {
                return Err(CondError {
                    span: inner.2,
                    message: format!("`-` takes a number; found a {}", inner.1),
                });
            }
            let span = s.start..inner.2.end;
            return Ok(match inner.0 {
                Expr::Num(n) => (Expr::Num(-n), Type::Number, span),
                e => (Expr::Neg(Box::new(e)), Type::Number, span),
            });
        }
        self.atom()
    }
    fn atom(&mut self) -> Result<Typed, CondError> {
        let (tok, span) = self.bump();
        match tok {
            Tok::Num(n) => Ok((Expr::Num(n), Type::Number, span)),
            Tok::Str(s) => Ok((Expr::Str(s), Type::Str, span)),
            Tok::LParen => {
                let inner = self.or()?;
                if *self.peek() != Tok::RParen {
                    return self.fail("`)`");
                }
                let (_, end) = self.bump();
                Ok((inner.0, inner.1, span.start..end.end))
            }
            Tok::Ident(name) => self.name(&name, span),
            other => {
                self.pos -= usize::from(other != Tok::End);
                Err(CondError {
                    span,
                    message: format!(
                        "found {}, expected a name, number, string or `(`",
                        describe(&other)
                    ),
                })
            }
        }
    }
    fn name(&mut self, name: &str, span: Range<usize>) -> Result<Typed, CondError> {
        match name {
            "true" => return Ok((Expr::Bool(true), Type::Bool, span)),
            "false" => return Ok((Expr::Bool(false), Type::Bool, span)),
            "and" | "or" | "not" | "in" => {
                return Err(CondError {
                    span,
                    message: format!("found `{name}`, expected a value before it"),
                });
            }
            _ => {}
        }
        if let Some(l) = WarningLevel::from_name(name) {
            return Ok((Expr::Level(l), Type::Level, span));
        }
        if let Some(t) = Trend::from_name(name) {
            return Ok((Expr::Trend(t), Type::Trend, span));
        }
        let Some(id) = var_by_name(name) else {
            return Err(CondError {
                span,
                message: unknown_name(name, self.ctx),
            });
        };
        let info = id.info();
        if let Scope::Context(c) = info.scope {
            if self.ctx != Some(c) {
                let have = match self.ctx {
                    Some(h) => format!("this instruction has for_each = \"{}\"", h.name()),
                    None => "this instruction has no for_each".to_string(),
                };
                return Err(CondError {
                    span,
                    message: format!(
                        "`{name}` is only available with for_each = \"{}\"; {have}",
                        c.name()
                    ),
                });
            }
            self.used_ctx = Some(c);
        }
        let _ = self.src;
        Ok((Expr::Var(id), info.ty, span))
    }
}

fn mismatch(l: &Typed, r: &Typed, op: &str) -> String {
    let hint = match (l.1, r.1) {
        (Type::Level, Type::Number) | (Type::Number, Type::Level) => {
            "; levels compare with level names (none, blue, yellow, orange, red), discharges with `Q`"
        }
        (Type::Str, Type::Level) | (Type::Level, Type::Str) => "; write level names without quotes",
        (Type::Str, Type::Trend) | (Type::Trend, Type::Str) => "; write trend names without quotes",
        _ => "",
    };
    format!(
        "`{op}` needs the same type on both sides; found a {} and a {}{hint}",
        l.1, r.1
    )
}

fn arith(op: BinOp, l: Typed, r: Typed) -> Result<Typed, CondError> {
    for side in [&l, &r] {
        if side.1 != Type::Number {
            return Err(CondError {
                span: side.2.clone(),
                message: format!("`{}` takes numbers; found a {} here", op.symbol(), side.1),
            });
        }
    }
    let span = l.2.start..r.2.end;
    Ok((
        Expr::Bin(op, Box::new(l.0), Box::new(r.0)),
        Type::Number,
        span,
    ))
}

fn unknown_name(name: &str, ctx: Option<ForEach>) -> String {
    let mut best: Option<(usize, &str)> = None;
    let candidates = VARS
        .iter()
        .filter(|v| match v.scope {
            Scope::Global => true,
            Scope::Context(c) => Some(c) == ctx,
        })
        .map(|v| v.name)
        .chain([
            "true", "false", "none", "blue", "yellow", "orange", "red", "rising", "steady",
            "falling",
        ]);
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= 2.max(name.len() / 4) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    match best {
        Some((_, c)) => format!("unknown name `{name}`; did you mean `{c}`?"),
        None => {
            if let Some((prefix, _)) = name.split_once('.')
                && let Some(f) = ForEach::from_name(prefix)
            {
                let fields: Vec<&str> = VARS
                    .iter()
                    .filter(|v| v.scope == Scope::Context(f))
                    .map(|v| v.name.trim_start_matches(prefix).trim_start_matches('.'))
                    .collect();
                return format!(
                    "unknown name `{name}`; `{prefix}` has the fields {}",
                    fields.join(", ")
                );
            }
            format!(
                "unknown name `{name}`; expected Q, level, trend, forecast.peak, ... (see the condition language in the formats doc)"
            )
        }
    }
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

impl Condition {
    /// Parses and type-checks a condition. `context` is the instruction's `for_each`, whose
    /// fields the condition may use. The whole condition must be a bool.
    ///
    /// ```
    /// use floodgrid_model::plan::{Condition, ForEach};
    /// let c = Condition::parse("level >= orange and grid.dike_km > 0", Some(ForEach::Grid)).unwrap();
    /// assert_eq!(c.context, Some(ForEach::Grid));
    /// let e = Condition::parse("level >= 4000", None).unwrap_err();
    /// assert!(e.message.contains("level names"));
    /// ```
    pub fn parse(source: &str, context: Option<ForEach>) -> Result<Condition, CondError> {
        let toks = lex(source)?;
        // Bounded work: a chain of `and`s or `+`s builds a tree as deep as it is long, and
        // evaluating (or dropping) that tree recurses once per level.
        if toks.len() > MAX_TOKENS {
            return Err(CondError {
                span: toks[MAX_TOKENS].1.start..source.len(),
                message: format!(
                    "the condition has {} words and symbols; expected at most {MAX_TOKENS} (split it over several instructions or use `in [...]`)",
                    toks.len() - 1
                ),
            });
        }
        let mut p = Parser {
            toks,
            pos: 0,
            ctx: context,
            used_ctx: None,
            src: source,
            depth: 0,
        };
        if *p.peek() == Tok::End {
            return Err(CondError {
                span: 0..source.len(),
                message: "the condition is empty; expected e.g. `level >= blue`".into(),
            });
        }
        let (expr, ty, span) = p.or()?;
        if *p.peek() != Tok::End {
            return p.fail("an operator (`and`, `or`, `==`, ...) or the end of the condition");
        }
        if ty != Type::Bool {
            return Err(CondError {
                span,
                message: format!(
                    "the condition is a {ty}, expected a bool (a comparison such as `Q >= 4000`)"
                ),
            });
        }
        Ok(Condition {
            source: source.to_string(),
            expr,
            context: p.used_ctx,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str, ctx: Option<ForEach>) -> Expr {
        match Condition::parse(s, ctx) {
            Ok(c) => c.expr,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }
    fn err(s: &str, ctx: Option<ForEach>) -> CondError {
        Condition::parse(s, ctx).expect_err(s)
    }

    #[test]
    fn precedence_or_and_not() {
        let e = ok("not Q > 1 and level == red or trend == rising", None);
        let Expr::Bin(BinOp::Or, l, _) = e else {
            panic!("top is not or")
        };
        let Expr::Bin(BinOp::And, n, _) = *l else {
            panic!("and under or")
        };
        assert!(matches!(*n, Expr::Not(_)));
    }

    #[test]
    fn arithmetic_binds_tighter_than_comparison() {
        let e = ok("forecast.peak - Q * 2 > 1_000", None);
        let Expr::Bin(BinOp::Gt, l, r) = e else {
            panic!()
        };
        assert_eq!(*r, Expr::Num(1000.0));
        let Expr::Bin(BinOp::Sub, _, m) = *l else {
            panic!()
        };
        assert!(matches!(*m, Expr::Bin(BinOp::Mul, _, _)));
    }

    #[test]
    fn every_operator_parses() {
        for s in [
            "Q == 1",
            "Q != 1",
            "Q < 1",
            "Q <= 1",
            "Q > 1",
            "Q >= 1",
            "Q + 1 > 2",
            "Q - 1 > 2",
            "Q * 2 > 2",
            "Q / 2 > 2",
            "-Q < 0",
            "not (Q > 1)",
            "Q > 1 and Q < 9",
            "Q > 1 or Q < 9",
            "level in [red, orange]",
            "trend != falling",
            "level > none",
            "true",
            "not false",
        ] {
            ok(s, None);
        }
        ok(
            "grid.kind in ['grid', 'dedicated'] and grid.floodplain",
            Some(ForEach::Grid),
        );
        ok(
            "household.evac_class == 1 and household.floodplain",
            Some(ForEach::Household),
        );
    }

    #[test]
    fn type_errors_point_at_the_problem() {
        let e = err("level >= 4000", None);
        assert_eq!(e.span, 6..8);
        let e = err("Q > 1 and 5", None);
        assert_eq!(e.span, 10..11);
        assert!(e.message.contains("bools"));
        let e = err("trend < rising", None);
        assert!(e.message.contains("`==` or `!=`"), "{}", e.message);
        let e = err("Q + 1", None);
        assert!(e.message.contains("expected a bool"));
        let e = err("grid.kind == 'dedicatd'", Some(ForEach::Grid));
        assert_eq!(e.span, 13..23);
        let e = err("level == 'red'", None);
        assert!(e.message.contains("without quotes"));
    }

    #[test]
    fn syntax_errors_point_at_the_problem() {
        let e = err("Q >= ", None);
        assert_eq!(e.span, 5..5);
        let e = err("Q = 4000", None);
        assert_eq!(e.span, 2..3);
        let e = err("(Q > 1", None);
        assert!(e.message.contains("`)`"));
        let e = err("Q > 1 && level == red", None);
        assert_eq!(e.span, 6..8);
        let e = err("1 < Q < 5", None);
        assert!(e.message.contains("do not chain"));
        let e = err("", None);
        assert!(e.message.contains("empty"));
        let e = err("grid.kind == 'x", Some(ForEach::Grid));
        assert!(e.message.contains("unterminated"));
        let e = err("Q > 1 Q", None);
        assert_eq!(e.span, 6..7);
    }

    #[test]
    fn names_and_scopes() {
        let e = err("grid.dike_km > 0", None);
        assert!(
            e.message
                .contains("only available with for_each = \"grid\""),
            "{}",
            e.message
        );
        let e = err("Qq > 0", None);
        assert!(e.message.contains("did you mean `Q`"), "{}", e.message);
        let e = err("grid.zzzzzzzzz > 0", Some(ForEach::Grid));
        assert!(e.message.contains("fields"), "{}", e.message);
        let c = Condition::parse("Q > 1", Some(ForEach::Grid)).unwrap();
        assert_eq!(c.context, None);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let s = format!("{}Q > 1{}", "(".repeat(200), ")".repeat(200));
        assert!(err(&s, None).message.contains("nests deeper"));
        let s = format!("{}Q > 1", "not ".repeat(200));
        assert!(err(&s, None).message.contains("nests deeper"));
        let s = format!("{}1 > 0", "-".repeat(200));
        assert!(err(&s, None).message.contains("nests deeper"));
        // Far longer still: refused by length before any tree is built.
        let s = format!("{}Q > 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(err(&s, None).message.contains("at most 1000"));
    }

    /// Flat chains do not nest in the source, but their tree is as deep as they are long:
    /// 20,000 `and`s and 200,000 `+` terms are refused by length, with the span at the limit,
    /// instead of overflowing the stack when evaluated or dropped.
    #[test]
    fn long_flat_chains_are_an_error_not_a_stack_overflow() {
        let s = vec!["Q > 1"; 20_001].join(" and ");
        let e = err(&s, None);
        assert!(e.message.contains("at most 1000"), "{}", e.message);
        assert!(e.span.start > 0 && e.span.end == s.len());
        let s = format!("{} > 0", vec!["Q"; 200_000].join(" + "));
        assert!(err(&s, None).message.contains("at most 1000"));
        // A long but reasonable chain still parses and evaluates.
        let s = vec!["Q > 1"; 150].join(" and ");
        assert!(Condition::parse(&s, None).is_ok());
    }

    #[test]
    fn full_width_characters_get_a_hint() {
        let e = err("Q （ 1", None);
        assert!(e.message.contains("half-width"));
    }
}
