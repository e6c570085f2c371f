//! The plan files (`plan.toml` or `plan/*.toml`): categories, message templates and instructions,
//! with every reference resolved and every condition parsed and type-checked.

use std::collections::{BTreeMap, HashMap};

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::config::{ScenarioConfig, valid_id};
use super::diag::{Diagnostics, unknown};
use super::source::SourceFile;
use super::toml_doc::{array_items, de_table, de_value, inner_span, parse_toml};
use floodgrid_model::plan::{
    Category, CategoryIdx, CategoryKind, Condition, ForEach, Instruction, InstructionIdx, OnFall,
    Phase, Plan, Scope, SourceRef, Template, TemplateIdx, VARS,
};

/// One plan file as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "floodgrid plan file")]
pub struct RawPlanFile<C = RawCategory, T = RawTemplate, I = RawInstruction> {
    /// Default tree node for this file's instructions: routine, blue, yellow, orange, red, stand_down.
    #[schemars(with = "Option<String>")]
    pub level: Option<Spanned<String>>,
    /// Title of this part of the plan.
    pub title: Option<String>,
    /// Field values used when an instruction omits them.
    pub defaults: Option<RawInstruction>,
    /// Categories.
    #[serde(default)]
    pub category: Vec<C>,
    /// One-click push message templates.
    #[serde(default)]
    pub template: Vec<T>,
    /// Instructions.
    #[serde(default)]
    pub instruction: Vec<I>,
}

/// `[[category]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCategory {
    /// Id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Chinese name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// What the engine does with its work: patrol, information, evacuation or other (default:
    /// the kind the id names, else other).
    #[schemars(with = "Option<String>")]
    pub kind: Option<Spanned<String>>,
}

/// `[[template]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTemplate {
    /// Id.
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    /// Text with {placeholders} such as {grid.name}, {Q}, {level}.
    #[schemars(with = "String")]
    pub text: Spanned<String>,
    /// A notice to the public: it also goes to the phones of the residents registered in the
    /// grids concerned (default false: staff only).
    #[serde(default)]
    pub public: bool,
}

/// A role, or a list of roles meaning any of them.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany {
    /// One role id.
    One(String),
    /// Any of these role ids.
    Many(Vec<String>),
}

/// `[[instruction]]`, and `[defaults]` (the same fields but `id`, `title` and `title_en`, used when
/// an instruction omits them).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInstruction {
    /// Stable id, [a-z0-9_.-] (instructions only).
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    /// Chinese title (instructions only).
    #[schemars(with = "Option<String>")]
    pub title: Option<Spanned<String>>,
    /// English title (instructions only).
    pub title_en: Option<String>,
    /// Category id.
    #[schemars(with = "Option<String>")]
    pub category: Option<Spanned<String>>,
    /// Tree node.
    #[schemars(with = "Option<String>")]
    pub level: Option<Spanned<String>>,
    /// Condition.
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    /// grid | site | key_person | household | person | hazard.
    #[schemars(with = "Option<String>")]
    pub for_each: Option<Spanned<String>>,
    /// Filter condition on the for_each items.
    #[serde(rename = "where")]
    #[schemars(with = "Option<String>")]
    pub filter: Option<Spanned<String>>,
    /// Role id, or list of role ids (any of).
    #[schemars(with = "Option<OneOrMany>")]
    pub role: Option<Spanned<OneOrMany>>,
    /// Headcount per instance.
    #[schemars(with = "Option<u32>")]
    pub people: Option<Spanned<i64>>,
    /// Materials per instance: { material_id = quantity }.
    #[schemars(with = "Option<BTreeMap<String, f64>>")]
    pub materials: Option<Spanned<BTreeMap<String, Spanned<f64>>>>,
    /// Working time, minutes.
    #[schemars(with = "Option<f64>")]
    pub duration_min: Option<Spanned<f64>>,
    /// Due this many minutes after the trigger.
    #[schemars(with = "Option<f64>")]
    pub deadline_min: Option<Spanned<f64>>,
    /// Due this many hours before the water arrives.
    #[schemars(with = "Option<f64>")]
    pub before_arrival_h: Option<Spanned<f64>>,
    /// Recurs every N minutes while active.
    #[schemars(with = "Option<f64>")]
    pub repeat_min: Option<Spanned<f64>>,
    /// Instruction ids that must be done first.
    #[schemars(with = "Option<Vec<String>>")]
    pub depends_on: Option<Vec<Spanned<String>>>,
    /// 1 highest .. 5 lowest.
    #[schemars(with = "Option<u8>")]
    pub priority: Option<Spanned<i64>>,
    /// Template id for one-click push.
    #[schemars(with = "Option<String>")]
    pub message: Option<Spanned<String>>,
    /// stand_down (default) or keep.
    #[schemars(with = "Option<String>")]
    pub on_fall: Option<Spanned<String>>,
    /// Practice basis or remark.
    pub note: Option<String>,
}

/// Loads all plan files (already read) into a plan. References to roles and materials are checked
/// against `config` when it loaded.
pub(crate) fn load_plan(
    files: &[SourceFile],
    config: Option<&ScenarioConfig>,
    d: &mut Diagnostics,
) -> Plan {
    let mut plan = Plan::default();
    // First pass: parse every file, gather categories, templates and raw instructions.
    struct Pending {
        src: usize,
        id: Spanned<String>,
        title: Spanned<String>,
        raw: RawInstruction,
        file_level: Option<Spanned<String>>,
        defaults: RawInstruction,
    }
    let mut pending: Vec<Pending> = Vec::new();
    let mut category_spans: HashMap<String, (usize, std::ops::Range<usize>)> = HashMap::new();
    let mut template_spans: HashMap<String, (usize, std::ops::Range<usize>)> = HashMap::new();
    for (fi, src) in files.iter().enumerate() {
        let Some(root) = parse_toml(src, d) else {
            continue;
        };
        let cats = array_items(&root, "category");
        let temps = array_items(&root, "template");
        let instrs = array_items(&root, "instruction");
        let Some(head) = de_table::<RawPlanFile<IgnoredAny, IgnoredAny, IgnoredAny>>(root, src, d)
        else {
            continue;
        };
        if let Some(l) = &head.level
            && Phase::from_name(l.get_ref()).is_none()
        {
            d.error(
                src,
                l.span(),
                format!(
                    "level `{}`; expected one of routine, blue, yellow, orange, red, stand_down",
                    l.get_ref()
                ),
            );
        }
        for c in cats {
            let Some(c) = de_value::<RawCategory>(c, src, d) else {
                continue;
            };
            if let Some((f, _)) = category_spans.get(c.id.get_ref()) {
                d.error(
                    src,
                    c.id.span(),
                    format!(
                        "category `{}` is already declared in {}; expected unique ids",
                        c.id.get_ref(),
                        files[*f].display
                    ),
                );
                continue;
            }
            category_spans.insert(c.id.get_ref().clone(), (fi, c.id.span()));
            let kind = match &c.kind {
                None => CategoryKind::default_for(c.id.get_ref()),
                Some(k) => CategoryKind::from_name(k.get_ref()).unwrap_or_else(|| {
                    d.error(
                        src,
                        k.span(),
                        format!(
                            "unknown category kind `{}`; expected one of {}",
                            k.get_ref(),
                            CategoryKind::NAMES.join(", ")
                        ),
                    );
                    CategoryKind::Other
                }),
            };
            plan.categories.push(Category {
                id: c.id.into_inner(),
                name: c.name,
                name_en: c.name_en,
                kind,
            });
        }
        for t in temps {
            let Some(t) = de_value::<RawTemplate>(t, src, d) else {
                continue;
            };
            if template_spans.contains_key(t.id.get_ref()) {
                d.error(
                    src,
                    t.id.span(),
                    format!(
                        "template `{}` is declared twice; expected unique ids",
                        t.id.get_ref()
                    ),
                );
                continue;
            }
            check_placeholders(src, &t.text, d);
            template_spans.insert(t.id.get_ref().clone(), (fi, t.id.span()));
            plan.templates.push(Template {
                id: t.id.into_inner(),
                text: t.text.into_inner(),
                public: t.public,
            });
        }
        let defaults = head.defaults.clone().unwrap_or_default();
        for f in [&defaults.id, &defaults.title].into_iter().flatten() {
            {
                d.error(
                    src,
                    f.span(),
                    "[defaults] cannot set `id` or `title`; expected them in each [[instruction]]",
                );
            }
        }
        for item in instrs {
            let whole = item.span();
            let Some(mut raw) = de_value::<RawInstruction>(item, src, d) else {
                continue;
            };
            let (id, title) = match (raw.id.take(), raw.title.take()) {
                (Some(id), Some(title)) => (id, title),
                (id, _) => {
                    let missing = if id.is_none() { "id" } else { "title" };
                    d.error(src, whole.start..whole.start + 1, format!("this [[instruction]] has no `{missing}`; expected `id` and `title` in every instruction"));
                    continue;
                }
            };
            pending.push(Pending {
                src: fi,
                id,
                title,
                raw,
                file_level: head.level.clone(),
                defaults: defaults.clone(),
            });
        }
    }

    // Ids first, so depends_on can point forward.
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut keep = vec![true; pending.len()];
    for (k, p) in pending.iter().enumerate() {
        let src = &files[p.src];
        let id = p.id.get_ref();
        if !valid_id(id) {
            d.error(
                src,
                p.id.span(),
                format!("instruction id `{id}`; expected letters, digits, `_`, `-` or `.` only"),
            );
        }
        if let Some(&first) = ids.get(id) {
            let f = &pending[first];
            let (line, _) = files[f.src].locate(f.id.span().start);
            d.error(
                src,
                p.id.span(),
                format!(
                    "instruction id `{id}` is already used at {}:{line}; expected unique ids",
                    files[f.src].display
                ),
            );
            keep[k] = false;
        } else {
            ids.insert(id.clone(), k);
        }
    }
    let kept: Vec<usize> = (0..pending.len()).filter(|&k| keep[k]).collect();
    let index_of: HashMap<&str, u32> = kept
        .iter()
        .enumerate()
        .map(|(n, &k)| (pending[k].id.get_ref().as_str(), n as u32))
        .collect();

    let cat_index: HashMap<&str, u32> = plan
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i as u32))
        .collect();
    let tmpl_index: HashMap<&str, u32> = plan
        .templates
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i as u32))
        .collect();
    let mut dep_spans: Vec<Vec<(u32, std::ops::Range<usize>)>> = Vec::new();
    let mut built: Vec<Instruction> = Vec::new();

    for &k in &kept {
        let p = &pending[k];
        let src = &files[p.src];
        let f = &p.raw;
        let df = &p.defaults;
        let id_span = p.id.span();
        let pick = |a: &Option<Spanned<String>>, b: &Option<Spanned<String>>| {
            a.clone().or_else(|| b.clone())
        };
        let mut ok = true;

        let phase = match pick(&f.level, &df.level).or_else(|| p.file_level.clone()) {
            Some(l) => match Phase::from_name(l.get_ref()) {
                Some(ph) => Some(ph),
                None => {
                    if f.level.is_some() {
                        d.error(src, l.span(), format!("level `{}`; expected one of routine, blue, yellow, orange, red, stand_down", l.get_ref()));
                    }
                    None
                }
            },
            None => {
                d.error(src, id_span.clone(), format!("instruction `{}` has no `level` and its file sets none; expected routine, blue, yellow, orange, red or stand_down", p.id.get_ref()));
                None
            }
        };
        let category = match pick(&f.category, &df.category) {
            Some(c) => match cat_index.get(c.get_ref().as_str()) {
                Some(&i) => Some(CategoryIdx(i)),
                None => {
                    d.error(
                        src,
                        c.span(),
                        unknown(
                            "category",
                            c.get_ref(),
                            plan.categories.iter().map(|c| c.id.as_str()),
                        ),
                    );
                    None
                }
            },
            None => {
                d.error(src, id_span.clone(), format!("instruction `{}` has no `category`; expected one of the declared [[category]] ids", p.id.get_ref()));
                None
            }
        };
        let for_each = match pick(&f.for_each, &df.for_each) {
            Some(fe) => match ForEach::from_name(fe.get_ref()) {
                Some(x) => Some(x),
                None => {
                    d.error(src, fe.span(), format!("for_each `{}`; expected one of grid, site, key_person, household, person, hazard", fe.get_ref()));
                    ok = false;
                    None
                }
            },
            None => None,
        };
        let when = match pick(&f.when, &df.when) {
            Some(w) => compile(src, &w, for_each, d),
            None => {
                d.error(src, id_span.clone(), format!("instruction `{}` has no `when`; expected a condition such as \"level >= orange\"", p.id.get_ref()));
                None
            }
        };
        let filter = match pick(&f.filter, &df.filter) {
            Some(w) if for_each.is_none() && ok => {
                d.error(src, w.span(), "`where` filters the items of `for_each`, but this instruction has no for_each; expected a for_each or no where");
                None
            }
            Some(w) => compile(src, &w, for_each, d),
            None => None,
        };
        let mut roles = Vec::new();
        match f.role.clone().or_else(|| df.role.clone()) {
            Some(r) => {
                let names = match r.get_ref() {
                    OneOrMany::One(s) => vec![s.clone()],
                    OneOrMany::Many(v) => v.clone(),
                };
                if names.is_empty() {
                    d.error(
                        src,
                        r.span(),
                        "empty role list; expected at least one role id",
                    );
                }
                if let Some(cfg) = config {
                    for n in names {
                        match cfg.role(&n) {
                            Some(ri) => roles.push(ri),
                            None => d.unknown_ref(
                                src,
                                r.span(),
                                "role",
                                &n,
                                cfg.roles.iter().map(|r| r.id.as_str()),
                            ),
                        }
                    }
                }
            }
            None => d.error(
                src,
                id_span.clone(),
                format!(
                    "instruction `{}` has no `role`; expected a role id from scenario.toml",
                    p.id.get_ref()
                ),
            ),
        }
        let people = match f.people.clone().or_else(|| df.people.clone()) {
            Some(n) if !(1..=10_000).contains(n.get_ref()) => {
                d.error(
                    src,
                    n.span(),
                    format!(
                        "people = {}; expected a headcount from 1 to 10000",
                        n.get_ref()
                    ),
                );
                1
            }
            Some(n) => *n.get_ref() as u32,
            None => 1,
        };
        let mut materials = Vec::new();
        if let Some(m) = f.materials.clone().or_else(|| df.materials.clone()) {
            for (name, qty) in m.get_ref() {
                let q = *qty.get_ref();
                if !(q.is_finite() && q > 0.0) {
                    d.error(
                        src,
                        qty.span(),
                        format!("quantity {q} of `{name}`; expected a number above 0"),
                    );
                    continue;
                }
                if let Some(cfg) = config {
                    match cfg.material(name) {
                        Some(mi) => materials.push((mi, q)),
                        None => d.error(
                            src,
                            m.span(),
                            unknown(
                                "material",
                                name,
                                cfg.materials.iter().map(|m| m.id.as_str()),
                            ),
                        ),
                    }
                }
            }
        }
        let minutes = |v: Option<Spanned<f64>>,
                       what: &str,
                       default: Option<f64>,
                       d: &mut Diagnostics|
         -> Option<f64> {
            match v {
                Some(x)
                    if !(x.get_ref().is_finite()
                        && *x.get_ref() >= 0.0
                        && *x.get_ref() <= 525_600.0) =>
                {
                    d.error(
                        src,
                        x.span(),
                        format!(
                            "{what} = {}; expected a number from 0 to 525600",
                            x.get_ref()
                        ),
                    );
                    default
                }
                Some(x) => Some(*x.get_ref()),
                None => default,
            }
        };
        let duration_min = minutes(
            f.duration_min.clone().or_else(|| df.duration_min.clone()),
            "duration_min",
            Some(60.0),
            d,
        )
        .unwrap_or(60.0);
        let deadline_min = minutes(
            f.deadline_min.clone().or_else(|| df.deadline_min.clone()),
            "deadline_min",
            Some(60.0),
            d,
        )
        .unwrap_or(60.0);
        let before_arrival_h = minutes(
            f.before_arrival_h
                .clone()
                .or_else(|| df.before_arrival_h.clone()),
            "before_arrival_h",
            None,
            d,
        );
        let repeat_min = match f.repeat_min.clone().or_else(|| df.repeat_min.clone()) {
            Some(x) if !(x.get_ref().is_finite() && *x.get_ref() >= 1.0) => {
                d.error(
                    src,
                    x.span(),
                    format!("repeat_min = {}; expected at least 1 minute", x.get_ref()),
                );
                None
            }
            x => x.map(|x| *x.get_ref()),
        };
        let priority = match f.priority.clone().or_else(|| df.priority.clone()) {
            Some(p) if !(1..=5).contains(p.get_ref()) => {
                d.error(
                    src,
                    p.span(),
                    format!("priority {}; expected 1 (highest) to 5", p.get_ref()),
                );
                3
            }
            Some(p) => *p.get_ref() as u8,
            None => 3,
        };
        let message = match pick(&f.message, &df.message) {
            Some(m) => match tmpl_index.get(m.get_ref().as_str()) {
                Some(&i) => {
                    if let Some(t) = plan.templates.get(i as usize) {
                        check_template_fits(src, &m, &t.text, for_each, d);
                    }
                    Some(TemplateIdx(i))
                }
                None => {
                    d.error(
                        src,
                        m.span(),
                        unknown(
                            "template",
                            m.get_ref(),
                            plan.templates.iter().map(|t| t.id.as_str()),
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let on_fall = match pick(&f.on_fall, &df.on_fall) {
            Some(o) => match o.get_ref().as_str() {
                "stand_down" => OnFall::StandDown,
                "keep" => OnFall::Keep,
                other => {
                    d.error(
                        src,
                        o.span(),
                        format!("on_fall `{other}`; expected stand_down or keep"),
                    );
                    OnFall::StandDown
                }
            },
            None => OnFall::StandDown,
        };
        let mut deps = Vec::new();
        for dep in f
            .depends_on
            .clone()
            .or_else(|| df.depends_on.clone())
            .unwrap_or_default()
        {
            match index_of.get(dep.get_ref().as_str()) {
                Some(&i) => deps.push((i, dep.span())),
                None => d.error(
                    src,
                    dep.span(),
                    unknown("instruction", dep.get_ref(), index_of.keys().copied()),
                ),
            }
        }
        let title = p.title.get_ref().trim().to_string();
        if title.is_empty() {
            d.error(
                src,
                p.title.span(),
                "empty title; expected the instruction's text in Chinese",
            );
        }
        let (line, _) = src.locate(id_span.start);
        // Keep a placeholder for unusable instructions so indices stay aligned with `index_of`.
        let when = when.unwrap_or_else(|| Condition {
            source: String::new(),
            expr: floodgrid_model::plan::Expr::Bool(false),
            context: None,
        });
        built.push(Instruction {
            id: p.id.get_ref().clone(),
            title,
            title_en: f.title_en.clone(),
            category: category.unwrap_or(CategoryIdx(0)),
            phase: phase.unwrap_or(Phase::Routine),
            when,
            for_each,
            filter,
            roles,
            people,
            materials,
            duration_min,
            deadline_min,
            before_arrival_h,
            repeat_min,
            depends_on: deps.iter().map(|(i, _)| InstructionIdx(*i)).collect(),
            priority,
            message,
            on_fall,
            note: f.note.clone().or_else(|| df.note.clone()),
            source: SourceRef {
                file: src.display.clone(),
                line,
            },
        });
        dep_spans.push(deps);
    }

    // depends_on must be acyclic: report each cycle once, at the edge that closes it.
    let n = built.len();
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some((dep, span)) = dep_spans[node].get(*next).cloned() {
                *next += 1;
                let dep = dep as usize;
                match state[dep] {
                    0 => {
                        state[dep] = 1;
                        stack.push((dep, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|&(x, _)| x == dep).unwrap_or(0);
                        let mut cycle: Vec<&str> = stack[pos..]
                            .iter()
                            .map(|&(x, _)| built[x].id.as_str())
                            .collect();
                        cycle.push(built[dep].id.as_str());
                        let k = kept[node];
                        d.error(
                            &files[pending[k].src],
                            span,
                            format!(
                                "depends_on makes a cycle: {}; expected dependencies that end",
                                cycle.join(" → ")
                            ),
                        );
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    plan.instructions = built;
    plan
}

fn compile(
    src: &SourceFile,
    text: &Spanned<String>,
    ctx: Option<ForEach>,
    d: &mut Diagnostics,
) -> Option<Condition> {
    match Condition::parse(text.get_ref(), ctx) {
        Ok(c) => Some(c),
        Err(e) => {
            let span = inner_span(src, &text.span(), &e.span);
            d.error(src, span, e.message);
            None
        }
    }
}

fn check_placeholders(src: &SourceFile, text: &Spanned<String>, d: &mut Diagnostics) {
    let t = text.get_ref();
    let mut rest = 0;
    while let Some(open) = t[rest..].find('{') {
        let open = rest + open;
        let Some(close) = t[open..].find('}') else {
            break;
        };
        let close = open + close;
        let name = &t[open + 1..close];
        if !VARS.iter().any(|v| v.name == name) && !matches!(name, "level_name" | "time" | "sender")
        {
            let span = inner_span(src, &text.span(), &(open..close + 1));
            d.warning(
                src,
                span,
                format!("placeholder `{{{name}}}` is not a known name; it will be left as written"),
            );
        }
        rest = close + 1;
    }
}

/// Warns, at the instruction's `message` reference, about each placeholder of its template that
/// names an item field (`{grid.name}`) the instruction's `for_each` does not provide: it would be
/// sent as written.
fn check_template_fits(
    src: &SourceFile,
    message: &Spanned<String>,
    text: &str,
    for_each: Option<ForEach>,
    d: &mut Diagnostics,
) {
    let mut rest = 0;
    let mut missing: Vec<&str> = Vec::new();
    while let Some(open) = text[rest..].find('{') {
        let open = rest + open;
        let Some(close) = text[open..].find('}') else {
            break;
        };
        let close = open + close;
        let name = &text[open + 1..close];
        if let Some(v) = VARS.iter().find(|v| v.name == name)
            && let Scope::Context(fe) = v.scope
            && for_each != Some(fe)
            && !missing.contains(&name)
        {
            missing.push(name);
        }
        rest = close + 1;
    }
    if missing.is_empty() {
        return;
    }
    let have = for_each.map_or("no for_each".to_string(), |fe| {
        format!("for_each = \"{}\"", fe.name())
    });
    let names: Vec<String> = missing.iter().map(|n| format!("{{{n}}}")).collect();
    d.warning(
        src,
        message.span(),
        format!(
            "template `{}` uses {} but this instruction has {have}; it would be sent as written",
            message.get_ref(),
            names.join(", ")
        ),
    );
}
