//! JSON Schemas of the files planners edit, for editor completion (taplo / Even Better TOML read
//! the `#:schema` directive at the top of each bundled file).

use crate::{RawDrill, RawPlanFile, RawScenario};

/// (file name, schema JSON) for `scenario.toml`, plan files and drill scripts.
///
/// ```
/// let schemas = floodgrid_scenario::schema::schemas();
/// assert_eq!(schemas.len(), 3);
/// assert!(schemas[1].1.contains("\"instruction\""));
/// ```
pub fn schemas() -> Vec<(&'static str, String)> {
    let render = |s: schemars::Schema| {
        let mut text = serde_json::to_string_pretty(&s).unwrap_or_default();
        text.push('\n');
        text
    };
    vec![
        (
            "scenario.schema.json",
            render(schemars::schema_for!(RawScenario)),
        ),
        (
            "plan.schema.json",
            render(schemars::schema_for!(RawPlanFile)),
        ),
        ("drill.schema.json", render(schemars::schema_for!(RawDrill))),
    ]
}
