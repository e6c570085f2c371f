//! `drills/*.toml`: drill scripts with their hydrograph and injects, every reference resolved.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::ScenarioParts;
use super::diag::Diagnostics;
use super::diag::unknown;
use super::source::SourceFile;
use super::toml_doc::{array_items, de_table, de_value, parse_toml};
use floodgrid_model::drill::{
    ActionKind, Contingency, DrillScript, Expectation, Inject, InjectBreach, InjectKind,
    InjectPlace, StoneAlarm,
};
use floodgrid_model::grid::SiteKind;
use floodgrid_model::grid::{GridIdx, PersonIdx, SiteIdx};
use floodgrid_model::hazard::HazardKind;

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
    /// A hazard kind (piping, seepage, sliding, collapse, root_stone, overtopping, breach,
    /// production_dike_breach, road_cut, waterlogging, people_trapped, public_safety,
    /// staff_casualty, other), smart_stone_alarm or person_unavailable.
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
    /// Person id: who drops out (person_unavailable), or the staff member hurt (staff_casualty:
    /// out of the roster from then on, their work re-sent).
    #[schemars(with = "Option<String>")]
    pub person: Option<Spanned<String>>,
    /// Text the players receive.
    pub text: String,
    /// Objective tested.
    pub objective: Option<String>,
    /// The controller (导调) who delivers the inject.
    pub controller: Option<String>,
    /// The player (a person or post) it goes to.
    pub player: Option<String>,
    /// Attachments of a field report: photo paths or URLs.
    #[serde(default)]
    pub attachments: Vec<String>,
    /// smart_stone_alarm only: what the stones report.
    #[schemars(with = "Option<RawStoneAlarm>")]
    pub alarm: Option<Spanned<RawStoneAlarm>>,
    /// A contingency inject: it fires only when this response is missing by its minute.
    #[schemars(with = "Option<RawUnless>")]
    pub unless: Option<Spanned<RawUnless>>,
    /// Expected responses.
    #[serde(default)]
    pub expect: Vec<RawExpect>,
    /// breach only: how the dike is cut (every field optional).
    #[schemars(with = "Option<RawBreach>")]
    pub breach: Option<Spanned<RawBreach>>,
}

/// `breach = { ... }` of a breach inject: the cut the 2D solver runs.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBreach {
    /// Level the dike is cut down to, m (default: the median ground within 100 m of the breach).
    pub level_m: Option<f64>,
    /// Width when it opens, m (default 30).
    pub width_m: Option<f64>,
    /// Width it grows to, m (default: the opening width).
    pub final_width_m: Option<f64>,
    /// Minutes it takes to grow to the final width (default 60 when it grows).
    pub widening_min: Option<f64>,
    /// Hours of drill time the solver runs from the inject, 1–48 (default 12).
    pub horizon_h: Option<f64>,
}

/// `alarm = { ... }` of a smart_stone_alarm inject.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStoneAlarm {
    /// Smart stones in alarm (1 or more).
    pub stones: u32,
    /// The groyne (坝垛) number, as the works numbers them.
    pub groyne: Option<String>,
    /// Largest displacement among the stones, mm.
    pub displacement_mm: Option<f64>,
    /// Largest tilt among the stones, degrees.
    pub tilt_deg: Option<f64>,
}

/// `unless = { ... }` of a contingency inject: the response whose absence makes it fire.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawUnless {
    /// An instruction dispatched (or done) since `since_min`.
    #[schemars(with = "Option<String>")]
    pub instruction: Option<Spanned<String>>,
    /// Or a commander action kind taken since `since_min`.
    #[schemars(with = "Option<String>")]
    pub action: Option<Spanned<String>>,
    /// Drill minute the response is looked for from (default 0).
    pub since_min: Option<f64>,
}

/// Farthest an inject point may lie from the dike line it breaches, m.
const BREACH_POINT_REACH_M: f64 = 300.0;

/// An expected response.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawExpect {
    /// Instruction id.
    #[schemars(with = "Option<String>")]
    pub instruction: Option<Spanned<String>>,
    /// Or an action kind (`ActionKind`, not a clock one): set_discharge, dispatch, reassign,
    /// accept, close, verify, push, acknowledge_alarm.
    #[schemars(with = "Option<String>")]
    pub action: Option<Spanned<String>>,
    /// Minutes after the inject (0 to the drill's length limit).
    #[schemars(with = "f64")]
    pub within_min: Spanned<f64>,
}

/// The longest drill a script may describe, minutes (30 days): hydrograph points, injects and
/// expected response times beyond it are errors, so no script can make a drill run for ever.
pub const MAX_DRILL_MIN: f64 = 30.0 * 24.0 * 60.0;

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
        if !(t.is_finite() && q.is_finite() && t >= 0.0 && q >= 0.0 && t <= MAX_DRILL_MIN) {
            d.error(
                src,
                p.span(),
                format!(
                    "hydrograph point [{t}, {q}]; expected [minutes 0 to {MAX_DRILL_MIN} (30 days), discharge ≥ 0]"
                ),
            );
            continue;
        }
        if let Some(max_q) = parts.max_discharge_m3s
            && q > max_q
        {
            d.error(
                src,
                p.span(),
                format!(
                    "hydrograph point [{t}, {q}]: {q} m³/s is more than this river can carry; expected 0 to {max_q} m³/s (the scenario's max_discharge_m3s)"
                ),
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
            let all = InjectKind::names();
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
        if !(at.is_finite() && (0.0..=MAX_DRILL_MIN).contains(&at)) {
            d.error(
                src,
                raw.at_min.span(),
                format!("at_min {at}; expected minutes 0 to {MAX_DRILL_MIN} (30 days)"),
            );
            continue;
        }
        let place = if let Some(s) = &raw.site {
            match site_index.get(s.get_ref().as_str()) {
                Some(&i) => InjectPlace::Site(SiteIdx(i)),
                None => {
                    d.unknown_ref(
                        src,
                        s.span(),
                        "site",
                        s.get_ref(),
                        parts.sites.iter().map(|s| s.id.as_str()),
                    );
                    continue;
                }
            }
        } else if let Some(g) = &raw.grid {
            match grid_index.get(g.get_ref().as_str()) {
                Some(&i) => InjectPlace::Grid(GridIdx(i)),
                None => {
                    d.unknown_ref(
                        src,
                        g.span(),
                        "grid",
                        g.get_ref(),
                        parts.grids.iter().map(|g| g.id.as_str()),
                    );
                    continue;
                }
            }
        } else if let Some(p) = &raw.person {
            match person_index.get(p.get_ref().as_str()) {
                Some(&i) => InjectPlace::Person(PersonIdx(i)),
                None => {
                    d.unknown_ref(
                        src,
                        p.span(),
                        "person",
                        p.get_ref(),
                        parts.people.iter().map(|p| p.id.as_str()),
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
        let hazard = kind.hazard();
        let breach = if hazard.is_some_and(HazardKind::is_breach) {
            let dike = match &place {
                InjectPlace::Site(si) => {
                    let ok = floodgrid_model::grid::dike_lines(parts.sites)
                        .iter()
                        .any(|(i, _)| i == si);
                    if !ok && let Some(s) = &raw.site {
                        d.error(
                            src,
                            s.span(),
                            format!(
                                "site \"{}\" is not a main or production dike line; a breach needs one",
                                s.get_ref()
                            ),
                        );
                    }
                    ok.then_some((*si, None))
                }
                InjectPlace::Point { xy, lonlat } => {
                    match floodgrid_model::grid::nearest_dike(parts.sites, *xy) {
                        Some((si, dist)) if dist <= BREACH_POINT_REACH_M => Some((si, Some(*xy))),
                        near => {
                            let what = near
                                .and_then(|(si, dist)| {
                                    parts.sites.get(si.ix()).map(|s| {
                                        format!("the nearest, \"{}\", is {dist:.0} m away", s.id)
                                    })
                                })
                                .unwrap_or_else(|| "the scenario has none".into());
                            let span = raw
                                .point
                                .as_ref()
                                .map(|p| p.span())
                                .unwrap_or(raw.kind.span());
                            d.error(
                                src,
                                span,
                                format!(
                                    "breach point [{}, {}] is not on a main or production dike line ({what}); expected a point within {BREACH_POINT_REACH_M:.0} m of one, or `site = \"<dike id>\"`",
                                    lonlat[0], lonlat[1]
                                ),
                            );
                            None
                        }
                    }
                }
                _ => {
                    d.error(
                        src,
                        raw.kind.span(),
                        "a breach needs `site = \"<main or production dike id>\"` or a `point` on one",
                    );
                    None
                }
            };
            let spec = raw.breach.as_ref().map(|b| b.get_ref());
            let empty = RawBreach::default();
            let b = spec.unwrap_or(&empty);
            let span = raw
                .breach
                .as_ref()
                .map(|b| b.span())
                .unwrap_or(raw.kind.span());
            let width = b.width_m.unwrap_or(30.0);
            let final_width = b.final_width_m.unwrap_or(width);
            let widening = b
                .widening_min
                .unwrap_or(if final_width > width { 60.0 } else { 0.0 });
            let horizon = b.horizon_h.unwrap_or(12.0);
            let mut bad = Vec::new();
            if !(width.is_finite() && width > 0.0) {
                bad.push(format!("width_m {width}; expected metres > 0"));
            }
            if !(final_width.is_finite() && final_width >= width) {
                bad.push(format!(
                    "final_width_m {final_width}; expected metres ≥ width_m ({width})"
                ));
            }
            if !(widening.is_finite() && widening >= 0.0) {
                bad.push(format!("widening_min {widening}; expected minutes ≥ 0"));
            }
            if !(horizon.is_finite() && (1.0..=48.0).contains(&horizon)) {
                bad.push(format!("horizon_h {horizon}; expected hours from 1 to 48"));
            }
            if let Some(l) = b.level_m
                && !l.is_finite()
            {
                bad.push(format!("level_m {l}; expected a finite level in metres"));
            }
            for m in &bad {
                d.error(src, span.clone(), format!("breach {m}"));
            }
            match dike {
                Some((dike, at_xy)) if bad.is_empty() => Some(InjectBreach {
                    dike,
                    at_xy,
                    level_m: b.level_m,
                    width_m: width,
                    final_width_m: final_width,
                    widening_min: widening,
                    horizon_h: horizon,
                }),
                _ => continue,
            }
        } else {
            if let Some(b) = &raw.breach {
                d.error(
                    src,
                    b.span(),
                    format!(
                        "`breach` belongs to kind = \"breach\" or \"production_dike_breach\" only; this inject is \"{}\"",
                        kind.name()
                    ),
                );
            }
            None
        };
        // A main-dike breach cuts the main dike, a production-dike breach a production dike.
        if let (Some(h), Some(b)) = (hazard, &breach)
            && let Some(site) = parts.sites.get(b.dike.ix())
        {
            let want = match site.kind {
                SiteKind::MainDike => HazardKind::Breach,
                _ => HazardKind::ProductionDikeBreach,
            };
            if h != want {
                d.error(
                    src,
                    raw.kind.span(),
                    format!(
                        "kind \"{}\" but the dike cut, \"{}\", is a {}; expected kind = \"{}\"",
                        h.name(),
                        site.id,
                        site.kind.name(),
                        want.name()
                    ),
                );
                continue;
            }
        }
        let alarm = match (&raw.alarm, kind) {
            (Some(a), InjectKind::SmartStoneAlarm) => {
                let r = a.get_ref();
                let bad_reading = [r.displacement_mm, r.tilt_deg]
                    .into_iter()
                    .flatten()
                    .any(|x| !(x.is_finite() && x >= 0.0));
                if r.stones == 0 || bad_reading {
                    d.error(
                        src,
                        a.span(),
                        "alarm; expected stones ≥ 1 and readings (displacement_mm, tilt_deg) ≥ 0",
                    );
                    continue;
                }
                Some(StoneAlarm {
                    stones: r.stones,
                    groyne: r.groyne.clone(),
                    displacement_mm: r.displacement_mm,
                    tilt_deg: r.tilt_deg,
                })
            }
            (Some(a), _) => {
                d.error(
                    src,
                    a.span(),
                    format!(
                        "`alarm` belongs to kind = \"smart_stone_alarm\" only; this inject is \"{}\"",
                        kind.name()
                    ),
                );
                continue;
            }
            (None, InjectKind::SmartStoneAlarm) => Some(StoneAlarm {
                stones: 1,
                groyne: None,
                displacement_mm: None,
                tilt_deg: None,
            }),
            (None, _) => None,
        };
        let unless = match &raw.unless {
            None => None,
            Some(u) => {
                let r = u.get_ref();
                let instruction = match &r.instruction {
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
                let action = match &r.action {
                    Some(a) => match ActionKind::from_name(a.get_ref()).filter(|k| !k.is_clock()) {
                        Some(k) => Some(k),
                        None => {
                            d.error(
                                src,
                                a.span(),
                                format!(
                                    "action \"{}\"; expected one of {}",
                                    a.get_ref(),
                                    ActionKind::ALL
                                        .iter()
                                        .filter(|k| !k.is_clock())
                                        .map(|k| k.name())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            continue;
                        }
                    },
                    None => None,
                };
                let since = r.since_min.unwrap_or(0.0);
                if instruction.is_none() == action.is_none()
                    || !(since.is_finite() && (0.0..=at).contains(&since))
                {
                    d.error(
                        src,
                        u.span(),
                        format!(
                            "unless; expected one of `instruction` or `action`, and since_min from 0 to the inject's minute ({at})"
                        ),
                    );
                    continue;
                }
                Some(Contingency {
                    instruction,
                    action,
                    since_min: since,
                })
            }
        };
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
                && ActionKind::from_name(a.get_ref()).is_none_or(|k| k.is_clock())
            {
                d.error(
                    src,
                    a.span(),
                    format!(
                        "action \"{}\"; expected one of {}",
                        a.get_ref(),
                        ActionKind::ALL
                            .iter()
                            .filter(|k| !k.is_clock())
                            .map(|k| k.name())
                            .collect::<Vec<_>>()
                            .join(", ")
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
            let within = *e.within_min.get_ref();
            if !(within.is_finite() && (0.0..=MAX_DRILL_MIN).contains(&within)) {
                d.error(
                    src,
                    e.within_min.span(),
                    format!("within_min {within}; expected minutes 0 to {MAX_DRILL_MIN} (30 days)"),
                );
                continue;
            }
            expect.push(Expectation {
                instruction,
                action: e.action.map(|a| a.into_inner()),
                within_min: within,
            });
        }
        injects.push(Inject {
            at_min: at,
            kind,
            place,
            text: raw.text,
            objective: raw.objective,
            controller: raw.controller,
            player: raw.player,
            attachments: raw.attachments,
            alarm,
            unless,
            expect,
            breach,
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
