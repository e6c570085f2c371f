//! Message templates: `{name}` placeholders filled from the condition language's names, worded
//! for people: a reference to a grid or a site (`{hazard.grid}`, `{key_person.grid}`, ...) reads
//! as its name, numbers of a thousand and more as whole numbers with thousands separators
//! (`22,000`), smaller ones with at most one decimal (the stage `{stage}` to the centimetre),
//! yes/no, levels and trends in Chinese.

use super::Engine;
use super::Situation;
use super::bindings::{DynEnv, Globals};
use floodgrid_model::plan::{Env, ForEach, Value, VarKey};

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
                // Stages are read to the centimetre, as gauges report them (46.15 m).
                "stage" if globals.stage.is_finite() => Some(format!("{:.2}", globals.stage)),
                // A message reads the hazard's kind in words (管涌), not its name in files.
                "hazard.kind" if fe == Some(ForEach::Hazard) => item
                    .and_then(|i| situation.hazards.get(i as usize))
                    .map(|h| h.kind.name_zh().to_string()),
                // Where it is: the site's name, or the grid's when it is at no site.
                "hazard.site" if fe == Some(ForEach::Hazard) => item
                    .and_then(|i| situation.hazards.get(i as usize))
                    .and_then(|h| {
                        let sc = &self.scenario;
                        h.site
                            .and_then(|s| sc.sites.get(s.ix()))
                            .map(|s| s.name.clone())
                            .or_else(|| sc.grids.get(h.grid.ix()).map(|g| g.name.clone()))
                    }),
                // Severity in the words of the hazard classes (一般 / 较大 / 重大).
                "hazard.severity" if fe == Some(ForEach::Hazard) => item
                    .and_then(|i| situation.hazards.get(i as usize))
                    .map(|h| severity_zh(h.severity).to_string()),
                _ => floodgrid_model::plan::var_by_name(name).and_then(|v| {
                    let refers = refers_to(v.info().key);
                    env.value(v).map(|x| match x {
                        Value::Num(n) => message_number(n),
                        Value::Bool(b) => if b { "是" } else { "否" }.to_string(),
                        Value::Str(s) => refers
                            .and_then(|fe| self.name_of(fe, s))
                            .unwrap_or(s)
                            .to_string(),
                        Value::Level(l) => l.name_zh().to_string(),
                        Value::Trend(t) => t.name_zh().to_string(),
                    })
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

/// A hazard's severity (1 minor .. 3 major) in the words of the hazard classes.
fn severity_zh(severity: u8) -> &'static str {
    match severity {
        0 | 1 => "一般",
        2 => "较大",
        _ => "重大",
    }
}

/// The kind of thing a name's value is the id of, when it is a reference.
fn refers_to(key: VarKey) -> Option<ForEach> {
    use VarKey as K;
    match key {
        K::GridParent
        | K::GridVillage
        | K::SiteGrid
        | K::KeyPersonGrid
        | K::HouseholdGrid
        | K::PersonGrid
        | K::HazardGrid => Some(ForEach::Grid),
        K::SiteWork | K::HazardSite => Some(ForEach::Site),
        _ => None,
    }
}

impl Engine {
    /// The name of a grid or site by id.
    fn name_of(&self, fe: ForEach, id: &str) -> Option<&str> {
        let i = *self.item_index.get(&(fe, id.to_string()))? as usize;
        let sc = &self.scenario;
        match fe {
            ForEach::Grid => sc.grids.get(i).map(|g| g.name.as_str()),
            ForEach::Site => sc.sites.get(i).map(|s| s.name.as_str()),
            _ => None,
        }
    }
}

/// A number as a message shows it: whole with thousands separators from 1,000 up, else at most
/// one decimal.
fn message_number(n: f64) -> String {
    if !n.is_finite() {
        return if n > 0.0 { "∞".into() } else { "—".into() };
    }
    let tenths = (n * 10.0).round() / 10.0;
    if tenths.abs() < 1_000.0 {
        return format!("{tenths}");
    }
    let whole = n.round().abs() as u64;
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0.0 {
        out.push('-');
    }
    for (k, c) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::message_number;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(message_number(22_000.0), "22,000");
        assert_eq!(message_number(1_234_567.4), "1,234,567");
        assert_eq!(message_number(999.96), "1,000");
        assert_eq!(message_number(4.25), "4.3");
        assert_eq!(message_number(-15_000.0), "-15,000");
        assert_eq!(message_number(f64::INFINITY), "∞");
    }
}
