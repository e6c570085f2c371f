//! `drills/*.toml`: drill scripts with their hydrograph and injects, every reference resolved.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::ScenarioParts;
use super::diag::Diagnostics;
use super::plan_file::unknown;
use super::source::SourceFile;
use super::toml_doc::{array_items, de_table, de_value, parse_toml};
use crate::drill::{DrillScript, Expectation, Inject, InjectKind, InjectPlace};
use crate::grid::{GridIdx, PersonIdx, SiteIdx};

/// A drill script as written.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "floodgrid drill script")]
pub struct RawDrill<I = RawInject> {
    /// Name.
    pub name: String,
    /// English name.
    pub name_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Start, an RFC 3339 date-time such as 2026-07-28T06:00:00+08:00.
    #[schemars(with = "String")]
    pub start: Spanned<toml::value::Datetime>,
    /// Seed of the drill's randomness.
    pub seed: Option<u64>,
    /// [[minute, discharge m³/s], ...], minutes increasing.
    #[schemars(with = "Vec<[f64; 2]>")]
    pub hydrograph: Spanned<Vec<Spanned<[f64; 2]>>>,
    /// Scripted events.
    #[serde(default)]
    pub inject: Vec<I>,
    /// Scoring weights (free-form numbers by objective).
    pub scoring: Option<std::collections::BTreeMap<String, f64>>,
}

/// `[[inject]]`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInject {
    /// Drill minute.
    #[schemars(with = "f64")]
    pub at_min: Spanned<f64>,
    /// piping, seepage, sliding, collapse, root_stone, smart_stone_alarm, overtopping, breach, road_cut, person_unavailable, public_report.
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    /// Site id.
    #[schemars(with = "Option<String>")]
    pub site: Option<Spanned<String>>,
    /// Grid id.
    #[schemars(with = "Option<String>")]
    pub grid: Option<Spanned<String>>,
    /// [lon, lat].
    #[schemars(with = "Option<[f64; 2]>")]
    pub point: Option<Spanned<[f64; 2]>>,
    /// Person id (person_unavailable).
    #[schemars(with = "Option<String>")]
    pub person: Option<Spanned<String>>,
    /// Text the players receive.
    pub text: String,
    /// Objective tested.
    pub objective: Option<String>,
    /// Expected responses.
    #[serde(default)]
    pub expect: Vec<RawExpect>,
}

/// An expected response.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Instruction id.
    #[schemars(with = "Option<String>")]
    pub instruction: Option<Spanned<String>>,
    /// Or an action kind: dispatch, push, accept, close, verify, set_discharge, acknowledge_alarm, reassign.
    #[schemars(with = "Option<String>")]
    pub action: Option<Spanned<String>>,
    /// Minutes after the inject.
    pub within_min: f64,
}

/// Action kinds an expectation may name.
pub const ACTION_KINDS: &[&str] = &[
    "dispatch",
    "push",
    "accept",
    "close",
    "verify",
    "set_discharge",
    "acknowledge_alarm",
    "reassign",
];

pub(crate) fn load_drill(
    src: &SourceFile,
    id: &str,
    parts: &ScenarioParts,
    d: &mut Diagnostics,
) -> Option<DrillScript> {
    let root = parse_toml(src, d)?;
    let injects_raw = array_items(&root, "inject");
    let head: RawDrill<IgnoredAny> = de_table(root, src, d)?;
    let mut hydrograph = Vec::new();
    for (i, p) in head.hydrograph.get_ref().iter().enumerate() {
        let [t, q] = *p.get_ref();
        if !(t.is_finite() && q.is_finite() && t >= 0.0 && q >= 0.0) {
            d.error(
                src,
                p.span(),
                format!("hydrograph point [{t}, {q}]; expected [minutes ≥ 0, discharge ≥ 0]"),
            );
            continue;
        }
        if let Some(&(pt, _)) = hydrograph.last()
            && t <= pt
        {
            d.error(src, p.span(), format!("hydrograph point {} at minute {t} is not after minute {pt}; expected increasing times", i + 1));
            continue;
        }
        hydrograph.push((t, q));
    }
    if hydrograph.is_empty() {
        d.error(
            src,
            head.hydrograph.span(),
            "the hydrograph is empty; expected [[minute, discharge], ...]",
        );
    }
    let site_index: HashMap<&str, u32> = parts
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i as u32))
        .collect();
    let grid_index: HashMap<&str, u32> = parts
        .grids
        .iter()
        .enumerate()
        .map(|(i, g)| (g.id.as_str(), i as u32))
        .collect();
    let person_index: HashMap<&str, u32> = parts
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect();
    let mut injects = Vec::new();
    for item in injects_raw {
        let Some(raw) = de_value::<RawInject>(item, src, d) else {
            continue;
        };
        let Some(kind) = InjectKind::from_name(raw.kind.get_ref()) else {
            let all: Vec<&str> = InjectKind::ALL.iter().map(|k| k.name()).collect();
            d.error(
                src,
                raw.kind.span(),
                format!(
                    "inject kind \"{}\"; expected one of {}",
                    raw.kind.get_ref(),
                    all.join(", ")
                ),
            );
            continue;
        };
        let at = *raw.at_min.get_ref();
        if !(at.is_finite() && at >= 0.0) {
            d.error(
                src,
                raw.at_min.span(),
                format!("at_min {at}; expected minutes ≥ 0"),
            );
            continue;
        }
        let place = if let Some(s) = &raw.site {
            match site_index.get(s.get_ref().as_str()) {
                Some(&i) => InjectPlace::Site(SiteIdx(i)),
                None => {
                    d.error(
                        src,
                        s.span(),
                        unknown(
                            "site",
                            s.get_ref(),
                            parts.sites.iter().map(|s| s.id.as_str()),
                        ),
                    );
                    continue;
                }
            }
        } else if let Some(g) = &raw.grid {
            match grid_index.get(g.get_ref().as_str()) {
                Some(&i) => InjectPlace::Grid(GridIdx(i)),
                None => {
                    d.error(
                        src,
                        g.span(),
                        unknown(
                            "grid",
                            g.get_ref(),
                            parts.grids.iter().map(|g| g.id.as_str()),
                        ),
                    );
                    continue;
                }
            }
        } else if let Some(p) = &raw.person {
            match person_index.get(p.get_ref().as_str()) {
                Some(&i) => InjectPlace::Person(PersonIdx(i)),
                None => {
                    d.error(
                        src,
                        p.span(),
                        unknown(
                            "person",
                            p.get_ref(),
                            parts.people.iter().map(|p| p.id.as_str()),
                        ),
                    );
                    continue;
                }
            }
        } else if let Some(pt) = &raw.point {
            let [lon, lat] = *pt.get_ref();
            match &parts.crs {
                Some(crs) if crs.covers_lonlat(lon, lat) => {
                    let (x, y) = crs.forward(lon, lat);
                    InjectPlace::Point {
                        lonlat: [lon, lat],
                        xy: [x, y],
                    }
                }
                _ => {
                    d.error(src, pt.span(), format!("point [{lon}, {lat}] is not in the scenario's area; expected [lon, lat] in degrees"));
                    continue;
                }
            }
        } else {
            InjectPlace::None
        };
        if kind == InjectKind::PersonUnavailable && !matches!(place, InjectPlace::Person(_)) {
            d.error(
                src,
                raw.kind.span(),
                "person_unavailable needs `person = \"<person id>\"`",
            );
        }
        let mut expect = Vec::new();
        for e in raw.expect {
            let instruction = match &e.instruction {
                Some(i) => match parts.plan.instruction(i.get_ref()) {
                    Some(ix) => Some(ix),
                    None => {
                        d.error(
                            src,
                            i.span(),
                            unknown(
                                "instruction",
                                i.get_ref(),
                                parts.plan.instructions.iter().map(|x| x.id.as_str()),
                            ),
                        );
                        continue;
                    }
                },
                None => None,
            };
            if let Some(a) = &e.action
                && !ACTION_KINDS.contains(&a.get_ref().as_str())
            {
                d.error(
                    src,
                    a.span(),
                    format!(
                        "action \"{}\"; expected one of {}",
                        a.get_ref(),
                        ACTION_KINDS.join(", ")
                    ),
                );
                continue;
            }
            if instruction.is_none() && e.action.is_none() {
                d.error(
                    src,
                    raw.at_min.span(),
                    "an expectation needs `instruction` or `action`",
                );
                continue;
            }
            expect.push(Expectation {
                instruction,
                action: e.action.map(|a| a.into_inner()),
                within_min: e.within_min.max(0.0),
            });
        }
        injects.push(Inject {
            at_min: at,
            kind,
            place,
            text: raw.text,
            objective: raw.objective,
            expect,
        });
    }
    injects.sort_by(|a, b| a.at_min.total_cmp(&b.at_min));
    let start = head.start.get_ref();
    if start.date.is_none() || start.time.is_none() {
        d.error(
            src,
            head.start.span(),
            format!("start {start}; expected a full date-time such as 2026-07-28T06:00:00+08:00"),
        );
    }
    Some(DrillScript {
        id: id.to_string(),
        name: head.name,
        name_en: head.name_en,
        description: head.description,
        start: start.to_string(),
        seed: head.seed.unwrap_or(0),
        hydrograph,
        injects,
        scoring: head.scoring.unwrap_or_default(),
        file: src.display.clone(),
    })
}
