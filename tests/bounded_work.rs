//! Bounded work on hostile input (issue #16): every case builds a small scenario or file in a
//! temporary directory (a copy of `tests/fixtures/tiny`, altered), runs the real `floodgrid`
//! binary and requires that it ends within 5 s with an error, that the error is located
//! (`file:line:col` where the input is a file, the flag's name where it is an argument), and that
//! the child's peak resident memory stays under 1 GiB. Each case prints one line
//! `bounded-work: CASE, SECONDS s, MiB MiB` (`cargo test --test bounded_work -- --nocapture`).

mod common;

use common::copy_dir;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest any case may run.
const TIME_LIMIT: Duration = Duration::from_secs(5);
/// The most memory any case may take, MiB.
const MEMORY_LIMIT_MIB: f64 = 1024.0;

fn tiny() -> PathBuf {
    common::fixture("tiny")
}

/// A copy of `tiny` in a temporary directory.
fn tiny_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tiny");
    copy_dir(&tiny(), &dir);
    (tmp, dir)
}

/// Replaces the first `from` in a file; panics when it is absent, so a case cannot silently stop
/// testing anything.
fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// How a run ended.
struct Outcome {
    /// Exit code (`None`: killed by a signal).
    code: Option<i32>,
    stderr: String,
    seconds: f64,
    peak_mib: f64,
}

/// Runs `floodgrid ARGS` in `cwd`, killing it past the time limit, and measures its peak memory
/// (`ru_maxrss` from `wait4`).
#[cfg(unix)]
// The child is reaped by `wait4` (which also gives its peak memory), not by `Child::wait`.
#[allow(clippy::zombie_processes)]
fn run(case: &str, cwd: &Path, args: &[&str]) -> Outcome {
    use std::os::unix::process::ExitStatusExt;
    let out = tempfile::tempdir().expect("tempdir");
    let stdout = std::fs::File::create(out.path().join("stdout")).expect("stdout file");
    let stderr = std::fs::File::create(out.path().join("stderr")).expect("stderr file");
    let start = Instant::now();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_floodgrid"))
        .args(args)
        .current_dir(cwd)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("floodgrid starts");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: `pid` is our own child, not yet reaped (std never waits on it here); status
        // and usage point at live locals.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if start.elapsed() > TIME_LIMIT * 2 && !killed {
            // SAFETY: signalling our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let seconds = start.elapsed().as_secs_f64();
    // Linux reports ru_maxrss in KiB.
    let peak_mib = usage.ru_maxrss as f64 / 1024.0;
    let status = std::process::ExitStatus::from_raw(status);
    let err = std::fs::read_to_string(out.path().join("stderr")).unwrap_or_default();
    println!("bounded-work: {case}, {seconds:.2} s, {peak_mib:.0} MiB");
    if std::env::var_os("BOUNDED_WORK_STDERR").is_some() {
        println!("{}", tail(&err));
    }
    Outcome {
        code: status.code(),
        stderr: err,
        seconds,
        peak_mib,
    }
}

/// The run ended in time, within memory, with an error.
fn assert_bounded_error(case: &str, o: &Outcome) {
    assert!(
        o.seconds < TIME_LIMIT.as_secs_f64(),
        "{case}: took {:.2} s (limit {TIME_LIMIT:?}); stderr: {}",
        o.seconds,
        tail(&o.stderr)
    );
    assert!(
        o.peak_mib < MEMORY_LIMIT_MIB,
        "{case}: peak memory {:.0} MiB",
        o.peak_mib
    );
    assert!(
        matches!(o.code, Some(c) if c != 0 && c != 101),
        "{case}: expected an error exit (not success, a panic or a signal), got {:?}; stderr: {}",
        o.code,
        tail(&o.stderr)
    );
}

fn tail(s: &str) -> &str {
    let n = s.len();
    let mut at = n.saturating_sub(2000);
    while !s.is_char_boundary(at) {
        at += 1;
    }
    &s[at..]
}

/// Every `NAME:LINE:COL` in `text` with a file name ending in `file`, LINE and COL ≥ 1.
fn locations(text: &str, file: &str) -> Vec<(usize, usize)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(file) {
        let after = &rest[at + file.len()..];
        let mut parts = after.splitn(3, ':');
        let (_, line, col) = (parts.next(), parts.next(), parts.next());
        let num = |s: Option<&str>| -> Option<usize> {
            let s = s?;
            let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        };
        if after.starts_with(':')
            && let (Some(l), Some(c)) = (num(line), num(col))
            && l >= 1
            && c >= 1
        {
            found.push((l, c));
        }
        rest = &rest[at + file.len()..];
    }
    found
}

/// The run's stderr locates an error in `file` at `line` (any column ≥ 1).
fn assert_located(case: &str, o: &Outcome, file: &str, line: usize) {
    let at = locations(&o.stderr, file);
    assert!(
        at.iter().any(|&(l, _)| l == line),
        "{case}: expected an error at {file}:{line}:COL, found {at:?} in:\n{}",
        tail(&o.stderr)
    );
}

/// 1-based line of the first `needle` in a file.
fn line_of(path: &Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("read");
    let at = text.find(needle).expect("needle in file");
    text[..at].matches('\n').count() + 1
}

/// The headless drill of `tiny`.
const DRILL: &[&str] = &[
    "drill",
    ".",
    "--headless",
    "--script",
    "drills/01-rise-to-yellow.toml",
];

/// Edits one file of a fresh copy of `tiny` (`from` → `to`), runs `floodgrid ARGS` in it, and
/// asserts the run ended in time and memory with an error at the line of that file holding
/// `at`. Returns the outcome for the case's own checks.
fn edited_copy_is_refused(
    case: &str,
    rel: &str,
    (from, to): (&str, &str),
    at: &str,
    args: &[&str],
) -> Outcome {
    let (_t, dir) = tiny_copy();
    let path = dir.join(rel);
    replace(&path, from, to);
    let line = line_of(&path, at);
    let o = run(case, &dir, args);
    assert_bounded_error(case, &o);
    let name = Path::new(rel)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_located(case, &o, &name, line);
    o
}

#[test]
fn a_condition_with_too_many_words_is_refused_at_its_place() {
    // 20,000 `and`s: a flat chain that once passed `check` and overflowed the stack in assess.
    let long = vec!["level >= blue"; 20_001].join(" and ");
    let o = edited_copy_is_refused(
        "condition, 20,000 and",
        "plan/10-blue.toml",
        ("when = \"level == blue\"", &format!("when = \"{long}\"")),
        "when = \"level >= blue and",
        &["check", "."],
    );
    assert!(o.stderr.contains("at most"), "{}", tail(&o.stderr));
}

#[test]
fn a_condition_with_too_many_terms_is_refused_at_its_place() {
    // 200,000 `+` terms once overflowed the stack in `check`.
    let sum = vec!["1"; 200_000].join(" + ");
    edited_copy_is_refused(
        "condition, 200,000 + terms",
        "plan/10-blue.toml",
        (
            "when = \"level == blue\"",
            &format!("when = \"Q >= {sum}\""),
        ),
        "when = \"Q >= 1 + 1",
        &["check", "."],
    );
}

#[test]
fn a_drill_longer_than_the_limit_is_refused_at_its_hydrograph_point() {
    edited_copy_is_refused(
        "drill hydrograph to minute 1e9",
        "drills/01-rise-to-yellow.toml",
        ("[360, 3300]", "[1000000000, 3300]"),
        "hydrograph = ",
        DRILL,
    );
}

#[test]
fn an_inject_after_the_drills_end_is_refused_at_its_minute() {
    edited_copy_is_refused(
        "inject at minute 1e9",
        "drills/01-rise-to-yellow.toml",
        ("at_min = 200", "at_min = 1e9"),
        "at_min = 1e9",
        DRILL,
    );
}

#[test]
fn an_impossible_discharge_is_refused() {
    let (_t, dir) = tiny_copy();
    // On the command line: the flag is named with the river's range.
    let o = run(
        "assess --discharge 1e30",
        &dir,
        &["assess", ".", "--discharge", "1e30"],
    );
    assert_bounded_error("assess discharge", &o);
    assert!(
        o.stderr.contains("--discharge") && o.stderr.contains("max_discharge_m3s"),
        "{}",
        tail(&o.stderr)
    );
    let o = run(
        "simulate --discharge 1e30",
        &dir,
        &[
            "simulate",
            ".",
            "--discharge",
            "1e30",
            "--duration",
            "600",
            "--out",
            "out",
        ],
    );
    assert_bounded_error("simulate discharge", &o);
    assert!(
        o.stderr.contains("--discharge") && o.stderr.contains("max_discharge_m3s"),
        "{}",
        tail(&o.stderr)
    );
    // In a drill's hydrograph: located at the point.
    edited_copy_is_refused(
        "drill hydrograph discharge 1e30",
        "drills/01-rise-to-yellow.toml",
        ("[360, 3300]", "[360, 1e30]"),
        "hydrograph = ",
        DRILL,
    );
}

#[test]
fn an_over_large_sweep_is_refused() {
    let (_t, dir) = tiny_copy();
    let o = run(
        "assess --sweep 0:100000:1",
        &dir,
        &["assess", ".", "--sweep", "0:100000:1"],
    );
    assert_bounded_error("sweep", &o);
    assert!(o.stderr.contains("--sweep"), "{}", tail(&o.stderr));
}

/// A little-endian TIFF of one strip of 32-bit float samples, `width` × `height` declared,
/// `strip` as its (deflate-compressed) data, georeferenced with 30 m cells at `origin`.
fn tiff_bytes(width: u32, height: u32, strip: &[u8], origin: (f64, f64)) -> Vec<u8> {
    // Layout: header (8), IFD at 8, then the values that do not fit in an entry, then the strip.
    let scale = [30.0f64, 30.0, 0.0];
    let tie = [0.0f64, 0.0, 0.0, origin.0, origin.1, 0.0];
    let keys: [u16; 12] = [1, 1, 0, 2, 1024, 0, 1, 1, 3072, 0, 1, 4547];
    let entries: u16 = 13;
    let ifd_len = 2 + 12 * u32::from(entries) + 4;
    let scale_at = 8 + ifd_len;
    let tie_at = scale_at + 24;
    let keys_at = tie_at + 48;
    let strip_at = keys_at + 24;
    let mut b: Vec<u8> = Vec::new();
    b.extend_from_slice(b"II*\0");
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&entries.to_le_bytes());
    let mut entry = |tag: u16, typ: u16, count: u32, value: u32| {
        b.extend_from_slice(&tag.to_le_bytes());
        b.extend_from_slice(&typ.to_le_bytes());
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&value.to_le_bytes());
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const DOUBLE: u16 = 12;
    entry(256, LONG, 1, width); // ImageWidth
    entry(257, LONG, 1, height); // ImageLength
    entry(258, SHORT, 1, 32); // BitsPerSample
    entry(259, SHORT, 1, 8); // Compression: deflate
    entry(262, SHORT, 1, 1); // Photometric: black is zero
    entry(273, LONG, 1, strip_at); // StripOffsets
    entry(277, SHORT, 1, 1); // SamplesPerPixel
    entry(278, LONG, 1, height); // RowsPerStrip
    entry(279, LONG, 1, strip.len() as u32); // StripByteCounts
    entry(339, SHORT, 1, 3); // SampleFormat: float
    entry(33550, DOUBLE, 3, scale_at); // ModelPixelScale
    entry(33922, DOUBLE, 6, tie_at); // ModelTiepoint
    entry(34735, SHORT, 12, keys_at); // GeoKeyDirectory
    b.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    for v in scale.iter().chain(&tie) {
        b.extend_from_slice(&v.to_le_bytes());
    }
    for k in keys {
        b.extend_from_slice(&k.to_le_bytes());
    }
    b.extend_from_slice(strip);
    b
}

fn zlib(data: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for chunk in data {
        z.write_all(&chunk).expect("compress");
    }
    z.finish().expect("compress")
}

/// The tiny scenario with its DEM replaced by a GeoTIFF.
fn tiny_with_tif(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let (t, dir) = tiny_copy();
    std::fs::write(dir.join("dem.tif"), bytes).expect("write tif");
    replace(
        &dir.join("scenario.toml"),
        "dem = \"dem.asc\"",
        "dem = \"dem.tif\"",
    );
    (t, dir)
}

#[test]
fn a_deflate_bomb_geotiff_decompresses_no_further_than_its_dimensions() {
    // 40 × 40 cells declared (6,400 bytes of samples); the strip inflates to 512 MiB.
    let chunk = vec![0u8; 1 << 20];
    let strip = zlib((0..512).map(|_| chunk.clone()));
    assert!(strip.len() < 1 << 20, "the bomb is {} bytes", strip.len());
    let (_t, dir) = tiny_with_tif(&tiff_bytes(40, 40, &strip, (527_000.0, 3_918_200.0)));
    let line = line_of(&dir.join("scenario.toml"), "dem = ");
    let o = run(
        "GeoTIFF deflate bomb 40×40 → 512 MiB",
        &dir,
        &["check", "."],
    );
    // Refused after inflating one byte past the 6,400 its dimensions give it.
    assert_bounded_error("deflate bomb", &o);
    assert!(o.peak_mib < 256.0, "deflate bomb: {:.0} MiB", o.peak_mib);
    assert_located("deflate bomb", &o, "scenario.toml", line);
    assert!(o.stderr.contains("inflates"), "{}", tail(&o.stderr));
}

#[test]
fn a_geotiff_claiming_absurd_dimensions_is_refused_before_decoding() {
    // 2^20 × 2^20 cells declared (4 TiB of float samples); a 1 MB stream of zeros.
    let chunk = vec![0u8; 1 << 20];
    let strip = zlib((0..64).map(|_| chunk.clone()));
    let (_t, dir) = tiny_with_tif(&tiff_bytes(
        1 << 20,
        1 << 20,
        &strip,
        (527_000.0, 3_918_200.0),
    ));
    let line = line_of(&dir.join("scenario.toml"), "dem = ");
    let o = run("GeoTIFF header 2^20 × 2^20", &dir, &["check", "."]);
    assert_bounded_error("huge GeoTIFF", &o);
    assert_located("huge GeoTIFF", &o, "scenario.toml", line);
    assert!(o.stderr.contains("cells"), "{}", tail(&o.stderr));
}

#[test]
fn an_ascii_grid_claiming_absurd_dimensions_is_refused_at_its_header() {
    let (_t, dir) = tiny_copy();
    let dem = dir.join("dem.asc");
    replace(&dem, "ncols 40", "ncols 4000000000");
    replace(&dem, "nrows 40", "nrows 4000000000");
    let o = run("ESRI ASCII header 4e9 × 4e9", &dir, &["check", "."]);
    assert_bounded_error("huge ASCII grid", &o);
    assert!(
        !locations(&o.stderr, "dem.asc").is_empty(),
        "huge ASCII grid: not located:\n{}",
        tail(&o.stderr)
    );
}

/// A point in the tiny DEM's south-west quarter, projected metres.
const FLOODPLAIN: &str = "527300,3917300";

/// The stand-alone solver on the tiny DEM with one inflow row.
fn simulate_standalone(
    case: &str,
    dir: &Path,
    inflow_csv: &str,
    at: &str,
    extra: &[&str],
) -> Outcome {
    std::fs::write(dir.join("inflow.csv"), inflow_csv).expect("write inflow");
    let mut args = vec![
        "simulate",
        "--dem",
        "dem.asc",
        "--inflow",
        "inflow.csv",
        "--inflow-at",
        at,
        "--out",
        "out",
        "--threads",
        "1",
    ];
    if !extra.contains(&"--duration") {
        args.extend(["--duration", "3600"]);
    }
    args.extend_from_slice(extra);
    run(case, dir, &args)
}

#[test]
fn the_solver_refuses_an_inflow_that_would_collapse_its_time_step() {
    let (_t, dir) = tiny_copy();
    let o = simulate_standalone(
        "solver inflow 1e30 m³/s",
        &dir,
        "time_s,discharge_m3s\n0,1e30\n3600,1e30\n",
        FLOODPLAIN,
        &[],
    );
    assert_bounded_error("solver inflow", &o);
    assert_located("solver inflow", &o, "inflow.csv", 2);
    assert!(o.stderr.contains("time step"), "{}", tail(&o.stderr));
}

#[test]
fn the_solver_refuses_a_millimetre_cell_size() {
    let (_t, dir) = tiny_copy();
    replace(&dir.join("dem.asc"), "cellsize 30", "cellsize 0.001");
    let line = line_of(&dir.join("dem.asc"), "cellsize");
    let o = simulate_standalone(
        "solver cell size 1 mm",
        &dir,
        "time_s,discharge_m3s\n0,10\n",
        "527000.01,3917000.01",
        &[],
    );
    assert_bounded_error("solver 1 mm cells", &o);
    assert_located("solver 1 mm cells", &o, "dem.asc", line);
    assert!(o.stderr.contains("time step"), "{}", tail(&o.stderr));
}

#[test]
fn the_solver_refuses_an_absurd_initial_depth() {
    let (_t, dir) = tiny_copy();
    let o = simulate_standalone(
        "solver initial depth 1e30 m",
        &dir,
        "time_s,discharge_m3s\n0,10\n",
        FLOODPLAIN,
        &["--initial-depth", "1e30"],
    );
    assert_bounded_error("solver depth", &o);
    assert!(o.stderr.contains("--initial-depth"), "{}", tail(&o.stderr));
}

#[test]
fn the_solver_refuses_a_simulated_time_beyond_the_limit() {
    // A dry grid still steps every 10 s: 1e12 s was 1e11 steps (it ran for ever).
    let (_t, dir) = tiny_copy();
    let o = simulate_standalone(
        "simulate --duration 1e12 s",
        &dir,
        "time_s,discharge_m3s\n0,0\n",
        FLOODPLAIN,
        &["--duration", "1e12"],
    );
    assert_bounded_error("simulate duration", &o);
    assert!(
        o.stderr.contains("--duration 1000000000000: expected"),
        "{}",
        tail(&o.stderr)
    );
}
