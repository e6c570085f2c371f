//! Message templates: `{name}` placeholders filled from the condition language's names.

use super::Engine;
use super::Situation;
use super::bindings::{DynEnv, Globals};
use floodgrid_model::plan::{Env, ForEach, Value};

impl Engine {
    /// Fills `{name}` placeholders of a template.
    pub(super) fn render(
        &self,
        text: &str,
        globals: &Globals,
        fe: Option<ForEach>,
        item: Option<u32>,
        situation: &Situation,
    ) -> String {
        let env = DynEnv {
            engine: self,
            globals,
            situation,
            ctx: fe.zip(item),
        };
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                return out;
            };
            let name = &after[..close];
            let value = match name {
                "level_name" => Some(globals.level.name_zh().to_string()),
                // A message reads the hazard's kind in words (管涌), not its name in files.
                "hazard.kind" if fe == Some(ForEach::Hazard) => item
                    .and_then(|i| situation.hazards.get(i as usize))
                    .map(|h| h.kind.name_zh().to_string()),
                _ => floodgrid_model::plan::var_by_name(name)
                    .and_then(|v| env.value(v))
                    .map(|v| match v {
                        Value::Num(n) => format!("{}", (n * 10.0).round() / 10.0),
                        Value::Bool(b) => b.to_string(),
                        Value::Str(s) => s.to_string(),
                        Value::Level(l) => l.name_zh().to_string(),
                        Value::Trend(t) => t.name().to_string(),
                    }),
            };
            match value {
                Some(v) => out.push_str(&v),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }
}
