//! Where a drill's inputs came from: the scenario directory and the script, with content hashes
//! a journal's header keeps so that a resume or a report can tell whether the files changed.

use std::fs::File;
use std::hash::Hasher;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// What a journal's header records of a drill's inputs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provenance {
    /// The scenario directory as given (shown in reports).
    pub scenario: String,
    /// The script file as given (shown in reports; empty: the script's own `file`).
    pub script: String,
    /// The same, absolute (what `report` and `--resume` open again from any directory); empty
    /// when unknown.
    pub scenario_path: String,
    /// The script file, absolute; empty when unknown.
    pub script_path: String,
    /// [`scenario_hash`] of that directory; empty when unknown.
    pub scenario_hash: String,
    /// [`file_hash`] of the script file; empty when unknown.
    pub script_hash: String,
}

impl Provenance {
    /// The provenance of a drill on the scenario in `dir` with the script file `script`.
    pub fn of(dir: &Path, script: &Path) -> io::Result<Provenance> {
        let absolute = |p: &Path| -> io::Result<String> {
            Ok(std::fs::canonicalize(p)?.display().to_string())
        };
        Ok(Provenance {
            scenario: dir.display().to_string(),
            script: script.display().to_string(),
            scenario_path: absolute(dir)?,
            script_path: absolute(script)?,
            scenario_hash: scenario_hash(dir)?,
            script_hash: file_hash(script)?,
        })
    }
}

/// FNV-1a, 64 bits: stable across platforms and versions (unlike `DefaultHasher`), and enough to
/// tell an edited file from the one a journal was written against.
struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn hash_file_into(h: &mut Fnv, path: &Path) -> io::Result<()> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        h.write(&buf[..n]);
    }
}

/// The content hash of one file (`fnv1a64:` and 16 hex digits).
pub fn file_hash(path: &Path) -> io::Result<String> {
    let mut h = Fnv(FNV_OFFSET);
    hash_file_into(&mut h, path)?;
    Ok(format!("fnv1a64:{:016x}", h.finish()))
}

/// The kinds of file a scenario is made of (by extension): what its readers read.
const SCENARIO_FILES: [&str; 7] = ["toml", "geojson", "json", "csv", "asc", "tif", "tiff"];

/// The content hash of a scenario directory: every scenario file's path (relative,
/// `/`-separated) and bytes, in path order, except drill scripts (`drills/`, hashed on their own)
/// and hidden files. Only the kinds of file a scenario is made of count ([`SCENARIO_FILES`]), so
/// a journal or outbox written into the directory (`floodgrid drill . --journal j.jsonl`) does
/// not change the hash as it grows. Bounded: at most 10,000 files and 8 levels of folders.
pub fn scenario_hash(dir: &Path) -> io::Result<String> {
    const MAX_FILES: usize = 10_000;
    const MAX_DEPTH: usize = 8;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new(), 0usize)];
    while let Some((path, rel, depth)) = stack.pop() {
        for entry in std::fs::read_dir(&path)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || (depth == 0 && name == "drills") {
                continue;
            }
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type()?;
            if kind.is_dir() {
                if depth + 1 < MAX_DEPTH {
                    stack.push((entry.path(), rel, depth + 1));
                }
            } else if kind.is_file() {
                let ext = Path::new(&rel)
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(str::to_ascii_lowercase);
                if !ext.is_some_and(|e| SCENARIO_FILES.contains(&e.as_str())) {
                    continue;
                }
                files.push((rel, entry.path()));
                if files.len() > MAX_FILES {
                    return Err(io::Error::other(format!(
                        "{} holds more than {MAX_FILES} files; is it a scenario directory?",
                        dir.display()
                    )));
                }
            }
        }
    }
    files.sort();
    let mut h = Fnv(FNV_OFFSET);
    for (rel, path) in &files {
        h.write(rel.as_bytes());
        h.write(&[0]);
        hash_file_into(&mut h, path)?;
        h.write(&[0xff]);
    }
    Ok(format!("fnv1a64:{:016x}", h.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_in_the_scenario_directory_leaves_its_hash_alone_and_an_edit_does_not() {
        let dir = std::env::temp_dir().join(format!("floodgrid-prov-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("plan")).unwrap();
        std::fs::write(dir.join("scenario.toml"), "name = \"x\"\n").unwrap();
        std::fs::write(dir.join("people.csv"), "id,name\np.1,a\n").unwrap();
        std::fs::write(dir.join("plan/10.toml"), "level = \"blue\"\n").unwrap();
        let before = scenario_hash(&dir).unwrap();
        // A journal and an outbox written beside the scenario's files, growing.
        std::fs::write(dir.join("j.jsonl"), "{\"t\":\"header\"}\n").unwrap();
        std::fs::write(dir.join("out.jsonl"), "{}\n").unwrap();
        std::fs::write(dir.join("notes.md"), "what we did\n").unwrap();
        assert_eq!(scenario_hash(&dir).unwrap(), before);
        // An edited roster or plan file, or a new one, changes it.
        std::fs::write(dir.join("people.csv"), "id,name\np.1,b\n").unwrap();
        let edited = scenario_hash(&dir).unwrap();
        assert_ne!(edited, before);
        std::fs::write(dir.join("plan/20.toml"), "level = \"red\"\n").unwrap();
        assert_ne!(scenario_hash(&dir).unwrap(), edited);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
