//! The architecture as tests: the engine's crates depend on each other one way, in the order
//! docs/ARCHITECTURE.md draws (cargo already refuses a cycle; this also refuses an arrow that
//! skips the design, such as the model depending on the solver), and no crate has a cycle between
//! its own top-level modules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The engine's crates, lowest first; each may depend only on crates before it.
const LAYERS: [&str; 5] = [
    "floodgrid-model",
    "floodgrid-flood",
    "floodgrid-scenario",
    "floodgrid-assess",
    "floodgrid-session",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `floodgrid-*` names in a Cargo.toml's `[dependencies]` table.
fn engine_deps(manifest: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps
            && let Some(name) = line.split(['.', ' ', '=']).next()
            && name.starts_with("floodgrid-")
        {
            out.insert(name.to_string());
        }
    }
    out
}

#[test]
fn engine_crates_depend_one_way() {
    for (i, name) in LAYERS.iter().enumerate() {
        let dir = name.trim_start_matches("floodgrid-");
        let manifest = std::fs::read_to_string(root().join("engine").join(dir).join("Cargo.toml"))
            .expect("crate manifest");
        assert!(manifest.contains(&format!("name = \"{name}\"")), "{dir}");
        for dep in engine_deps(&manifest) {
            let j = LAYERS.iter().position(|l| *l == dep);
            assert!(
                j.is_some_and(|j| j < i),
                "{name} depends on {dep}, which is not below it ({LAYERS:?})"
            );
        }
    }
    // The facade re-exports every layer and adds nothing of its own.
    let facade = std::fs::read_to_string(root().join("engine/Cargo.toml")).expect("facade");
    let deps = engine_deps(&facade);
    assert_eq!(deps, LAYERS.iter().map(|s| s.to_string()).collect());
}

/// Top-level modules a source file names through `crate::m` or `crate::{m, ..}` — and, for a
/// file whose parent is the crate root (`src/m.rs`, `src/m/mod.rs`), through `super::` too.
fn crate_paths(text: &str, super_is_root: bool) -> BTreeSet<String> {
    let mut out = named_after(text, "crate::");
    if super_is_root {
        out.extend(named_after(text, "super::"));
    }
    out
}

/// The first path segments after each `prefix` (`prefix m` or `prefix {m, ..}`).
fn named_after(text: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect()
    };
    for (at, _) in text.match_indices(prefix) {
        let rest = &text[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let body = &group[..group.find('}').unwrap_or(group.len())];
            for part in body.split(',') {
                let name = ident(part.trim());
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name = ident(rest);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_crate_has_a_module_cycle() {
    for name in LAYERS {
        let src = root()
            .join("engine")
            .join(name.trim_start_matches("floodgrid-"))
            .join("src");
        // module -> modules it names
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("source dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let rel = path.strip_prefix(&src).expect("under src");
                let top = rel
                    .components()
                    .next()
                    .and_then(|c| c.as_os_str().to_str())
                    .map(|s| s.trim_end_matches(".rs").to_string())
                    .expect("a name");
                if top == "lib" {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("source");
                // Unit tests may reach anywhere.
                let code = text.split("#[cfg(test)]").next().unwrap_or("");
                let depth = rel.components().count();
                let super_is_root = depth == 1 || (depth == 2 && rel.ends_with("mod.rs"));
                let deps = crate_paths(code, super_is_root);
                graph
                    .entry(top.clone())
                    .or_default()
                    .extend(deps.into_iter().filter(|d| *d != top));
            }
        }
        let modules: BTreeSet<String> = graph.keys().cloned().collect();
        for edges in graph.values_mut() {
            edges.retain(|d| modules.contains(d));
        }
        // Depth-first search for a back edge.
        fn visit(
            m: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            state: &mut BTreeMap<String, u8>,
            path: &mut Vec<String>,
        ) -> Option<Vec<String>> {
            match state.get(m) {
                Some(2) => return None,
                Some(1) => {
                    let start = path.iter().position(|p| p == m).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(m.to_string());
                    return Some(cycle);
                }
                _ => {}
            }
            state.insert(m.to_string(), 1);
            path.push(m.to_string());
            for d in graph.get(m).into_iter().flatten() {
                if let Some(c) = visit(d, graph, state, path) {
                    return Some(c);
                }
            }
            path.pop();
            state.insert(m.to_string(), 2);
            None
        }
        let mut state = BTreeMap::new();
        for m in graph.keys() {
            let cycle = visit(m, &graph, &mut state, &mut Vec::new());
            assert!(cycle.is_none(), "{name}: module cycle {cycle:?}");
        }
    }
}
