//! The grid electronic map on a ratatui `Canvas` with half-block pixels (two colours a cell):
//! working grids filled by flooded share or depth, the river, dikes and roads as lines, works,
//! depots, shelters, boat stations and command posts as letters, the selected grid outlined.
//!
//! The canvas has no polygon fill: [`MapGeometry`] buckets the grid outlines once, and
//! [`MapCache`] keeps which grid lies under each pixel for the last size and viewport drawn, so
//! a frame only looks colours up.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use ratatui::widgets::canvas::{Canvas, Line as CanvasLine, Painter, Shape};

use super::{fit, pane_block};
use crate::app::{App, MapColour, Pane, is_filled};
use crate::i18n;
use floodgrid_engine::flood::GridExposure;
use floodgrid_engine::grid::{SiteGeometry, SiteKind};
use floodgrid_engine::scenario::Scenario;

const BUCKETS: usize = 48;
const NO_GRID: u16 = u16::MAX;

/// Outlines and sites of the map, in projected metres, with a bucket index of the filled grids.
#[derive(Debug, Clone, Default)]
pub struct MapGeometry {
    /// `[min_x, min_y, max_x, max_y]` of all grids.
    pub bounds: [f64; 4],
    /// Filled grids (indices into `Scenario::grids`); later ones win where they overlap.
    fills: Vec<usize>,
    /// Per bucket, positions in `fills` whose bounding box touches it.
    buckets: Vec<Vec<u16>>,
    /// Line sites: kind and vertices.
    lines: Vec<(SiteKind, Vec<[f64; 2]>)>,
    /// Point sites shown as letters.
    points: Vec<(SiteKind, [f64; 2])>,
    /// Smart-stone sensors (drawn when zoomed in).
    stones: Vec<[f64; 2]>,
}

impl MapGeometry {
    /// Prepares the map of a scenario.
    pub fn new(sc: &Scenario) -> MapGeometry {
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for g in &sc.grids {
            if let Some(bb) = g.region.bbox {
                let (lo, hi) = (bb.min(), bb.max());
                b = [
                    b[0].min(lo.x),
                    b[1].min(lo.y),
                    b[2].max(hi.x),
                    b[3].max(hi.y),
                ];
            }
        }
        if !(b[0] < b[2] && b[1] < b[3]) {
            b = [0.0, 0.0, 1.0, 1.0];
        }
        // Grids first, dedicated grids (works) over them.
        let mut fills: Vec<usize> = (0..sc.grids.len())
            .filter(|&g| is_filled(sc.grids[g].kind))
            .collect();
        fills.sort_by_key(|&g| (sc.grids[g].kind, g));
        fills.truncate(NO_GRID as usize - 1);
        let mut buckets = vec![Vec::new(); BUCKETS * BUCKETS];
        let (bw, bh) = (
            (b[2] - b[0]) / BUCKETS as f64,
            (b[3] - b[1]) / BUCKETS as f64,
        );
        let cell = |v: f64, lo: f64, step: f64| {
            (((v - lo) / step).floor().max(0.0) as usize).min(BUCKETS - 1)
        };
        for (k, &g) in fills.iter().enumerate() {
            let Some(bb) = sc.grids[g].region.bbox else {
                continue;
            };
            let (lo, hi) = (bb.min(), bb.max());
            for by in cell(lo.y, b[1], bh)..=cell(hi.y, b[1], bh) {
                for bx in cell(lo.x, b[0], bw)..=cell(hi.x, b[0], bw) {
                    buckets[by * BUCKETS + bx].push(k as u16);
                }
            }
        }
        let mut lines = Vec::new();
        let mut points = Vec::new();
        let mut stones = Vec::new();
        for s in &sc.sites {
            match (&s.geometry, s.kind) {
                (SiteGeometry::Line(v), k) if k.is_line() => lines.push((k, v.clone())),
                (_, SiteKind::SmartStone) => stones.push(s.geometry.anchor()),
                (
                    _,
                    SiteKind::Works
                    | SiteKind::ControlWorks
                    | SiteKind::Depot
                    | SiteKind::Shelter
                    | SiteKind::BoatStation
                    | SiteKind::CommandPost,
                ) => points.push((s.kind, s.geometry.anchor())),
                _ => {}
            }
        }
        // Roads under dikes under the river.
        lines.sort_by_key(|(k, _)| match k {
            SiteKind::Road => 0,
            SiteKind::ProductionDike => 1,
            SiteKind::MainDike => 2,
            _ => 3,
        });
        MapGeometry {
            bounds: b,
            fills,
            buckets,
            lines,
            points,
            stones,
        }
    }

    /// The grid under a point, if any filled grid holds it.
    fn grid_at(&self, sc: &Scenario, p: [f64; 2]) -> u16 {
        let b = self.bounds;
        if p[0] < b[0] || p[0] > b[2] || p[1] < b[1] || p[1] > b[3] {
            return NO_GRID;
        }
        let bx = (((p[0] - b[0]) / (b[2] - b[0]) * BUCKETS as f64) as usize).min(BUCKETS - 1);
        let by = (((p[1] - b[1]) / (b[3] - b[1]) * BUCKETS as f64) as usize).min(BUCKETS - 1);
        let mut found = NO_GRID;
        for &k in &self.buckets[by * BUCKETS + bx] {
            let g = self.fills[k as usize];
            if sc.grids[g].region.contains(p) {
                found = g as u16;
            }
        }
        found
    }
}

/// Which grid lies under each pixel, for one size and viewport.
#[derive(Debug, Clone, Default)]
pub struct MapCache {
    key: Option<(u16, u16, [u64; 4])>,
    pixels: Vec<u16>,
    /// Where the map's pixels were last drawn on the screen.
    inner: Rect,
}

impl MapCache {
    /// The grid under a screen cell of the last map drawn (either of its two half-block
    /// pixels), if any.
    pub fn grid_at_cell(&self, col: u16, row: u16) -> Option<usize> {
        let r = self.inner;
        if col < r.x || row < r.y || col >= r.right() || row >= r.bottom() {
            return None;
        }
        let w = r.width as usize;
        let (px, py) = ((col - r.x) as usize, (row - r.y) as usize * 2);
        [py, py + 1]
            .into_iter()
            .filter_map(|y| self.pixels.get(y * w + px).copied())
            .find(|&g| g != NO_GRID)
            .map(usize::from)
    }
}

/// The viewport: x and y bounds for a pixel size, a zoom and a centre.
pub fn viewport(
    geo: &MapGeometry,
    w_px: usize,
    h_px: usize,
    zoom: f64,
    centre: Option<[f64; 2]>,
) -> ([f64; 2], [f64; 2]) {
    let b = geo.bounds;
    let (bw, bh) = ((b[2] - b[0]) * 1.02, (b[3] - b[1]) * 1.02);
    let mpp = (bw / w_px.max(1) as f64).max(bh / h_px.max(1) as f64) / zoom.max(1.0);
    let c = match centre {
        Some(c) if zoom > 1.0 => c,
        _ => [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
    };
    let (hw, hh) = (mpp * w_px as f64 / 2.0, mpp * h_px as f64 / 2.0);
    ([c[0] - hw, c[0] + hw], [c[1] - hh, c[1] + hh])
}

fn share_colour(f: f64, g: usize) -> Color {
    match f {
        f if f <= 0.0 => dry(g),
        f if f <= 0.1 => Color::Rgb(120, 180, 225),
        f if f <= 0.3 => Color::Rgb(70, 135, 205),
        f if f <= 0.6 => Color::Rgb(40, 90, 185),
        _ => Color::Rgb(25, 45, 145),
    }
}

fn depth_colour(d: f64, g: usize) -> Color {
    match d {
        d if d <= 0.0 => dry(g),
        d if d <= 0.5 => Color::Rgb(120, 180, 225),
        d if d <= 1.5 => Color::Rgb(70, 135, 205),
        d if d <= 3.0 => Color::Rgb(40, 90, 185),
        _ => Color::Rgb(25, 45, 145),
    }
}

/// Dry grids in two greys so their borders show.
fn dry(g: usize) -> Color {
    if g.is_multiple_of(2) {
        Color::Rgb(44, 50, 44)
    } else {
        Color::Rgb(60, 68, 58)
    }
}

/// The legend: swatches and limits.
fn legend(colour: MapColour) -> [(Color, &'static str); 5] {
    match colour {
        MapColour::Share => [
            (dry(0), "0"),
            (share_colour(0.05, 0), "10%"),
            (share_colour(0.2, 0), "30%"),
            (share_colour(0.5, 0), "60%"),
            (share_colour(1.0, 0), "100%"),
        ],
        MapColour::Depth => [
            (dry(0), "0"),
            (depth_colour(0.3, 0), "0.5m"),
            (depth_colour(1.0, 0), "1.5m"),
            (depth_colour(2.0, 0), "3m"),
            (depth_colour(5.0, 0), "3m+"),
        ],
    }
}

struct Fill<'a> {
    pixels: &'a [u16],
    colours: &'a [Color],
    w: usize,
}

impl Shape for Fill<'_> {
    fn draw(&self, painter: &mut Painter) {
        for (i, &g) in self.pixels.iter().enumerate() {
            if let Some(&c) = self.colours.get(g as usize) {
                painter.paint(i % self.w, i / self.w, c);
            }
        }
    }
}

struct Dots<'a> {
    points: &'a [[f64; 2]],
    colour: Color,
}

impl Shape for Dots<'_> {
    fn draw(&self, painter: &mut Painter) {
        for p in self.points {
            if let Some((x, y)) = painter.get_point(p[0], p[1]) {
                painter.paint(x, y, self.colour);
            }
        }
    }
}

fn colours(app: &App, exposure: &[GridExposure], n: usize) -> Vec<Color> {
    (0..n)
        .map(|g| {
            let e = exposure.get(g);
            match app.map_colour {
                MapColour::Share => share_colour(e.map(|e| e.flooded_fraction).unwrap_or(0.0), g),
                MapColour::Depth => depth_colour(e.map(|e| e.max_depth_m).unwrap_or(0.0), g),
            }
        })
        .collect()
}

/// Draws the map pane.
pub fn map(frame: &mut Frame, area: Rect, app: &App) {
    let l = app.lang;
    let focused = app.focus == Pane::Map;
    let sc = app.engine().scenario();
    let selected = app.selected_grid();
    let mode = match app.map_colour {
        MapColour::Share => i18n::MAP_BY_SHARE.get(l),
        MapColour::Depth => i18n::MAP_BY_DEPTH.get(l),
    };
    let mut title = vec![Span::raw(format!(" {} {mode} ", i18n::MAP.get(l)))];
    if let Some(g) = selected {
        let e = app.assessment.exposure.get(g);
        let share = e.map(|e| e.flooded_fraction * 100.0).unwrap_or(0.0);
        title.push(Span::styled(
            format!("| {} {share:.0}% ", app.grid_name(g)),
            Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
        ));
    }
    if app.map_zoom > 1.0 {
        title.push(Span::raw(format!("x{:.1} ", app.map_zoom)));
    }
    let mut bottom: Vec<Span> = Vec::new();
    for (c, label) in legend(app.map_colour) {
        bottom.push(Span::styled("  ", Style::default().bg(c)));
        bottom.push(Span::raw(format!("{label} ")));
    }
    let wide_legend = i18n::MAP_LEGEND.get(l);
    let legend_text =
        if area.width as usize > 36 + unicode_width::UnicodeWidthStr::width(wide_legend) {
            wide_legend
        } else {
            i18n::MAP_LEGEND_SHORT.get(l)
        };
    bottom.push(Span::styled(
        fit(legend_text, (area.width as usize).saturating_sub(30)),
        Style::default().fg(Color::Gray),
    ));
    let block = pane_block(Line::from(title), focused).title_bottom(Line::from(bottom));
    let inner = block.inner(area);
    block.render(area, frame.buffer_mut());
    if inner.width < 2 || inner.height < 1 {
        return;
    }
    let (w, h) = (inner.width as usize, inner.height as usize * 2);
    let centre = selected
        .and_then(|g| sc.grids[g].region.bbox)
        .map(|b| [b.center().x, b.center().y]);
    let (xb, yb) = viewport(&app.map_geometry, w, h, app.map_zoom, centre);
    let key = (
        inner.width,
        inner.height,
        [
            xb[0].to_bits(),
            xb[1].to_bits(),
            yb[0].to_bits(),
            yb[1].to_bits(),
        ],
    );
    let mut cache = app.map_cache.borrow_mut();
    cache.inner = inner;
    if cache.key != Some(key) {
        let geo = &app.map_geometry;
        let (dx, dy) = (
            (xb[1] - xb[0]) / (w.max(2) - 1) as f64,
            (yb[1] - yb[0]) / (h.max(2) - 1) as f64,
        );
        cache.pixels = (0..h)
            .flat_map(|py| (0..w).map(move |px| (px, py)))
            .map(|(px, py)| geo.grid_at(sc, [xb[0] + px as f64 * dx, yb[1] - py as f64 * dy]))
            .collect();
        cache.key = Some(key);
    }
    let fill_colours = colours(app, &app.assessment.exposure, sc.grids.len());
    let geo = &app.map_geometry;
    let show_stones = app.map_zoom >= 2.0;
    let markers = app.driver().map(|d| d.markers()).unwrap_or_default();
    let canvas = Canvas::default()
        .marker(Marker::HalfBlock)
        .x_bounds(xb)
        .y_bounds(yb)
        .paint(|ctx| {
            ctx.draw(&Fill {
                pixels: &cache.pixels,
                colours: &fill_colours,
                w,
            });
            for (kind, v) in &geo.lines {
                let colour = match kind {
                    SiteKind::River => Color::Rgb(0, 170, 255),
                    SiteKind::MainDike => Color::Rgb(210, 160, 60),
                    SiteKind::ProductionDike => Color::Rgb(150, 120, 70),
                    _ => Color::Rgb(110, 110, 110),
                };
                for s in v.windows(2) {
                    ctx.draw(&CanvasLine::new(s[0][0], s[0][1], s[1][0], s[1][1], colour));
                }
            }
            if show_stones {
                ctx.draw(&Dots {
                    points: &geo.stones,
                    colour: Color::Rgb(255, 220, 120),
                });
            }
            if let Some(g) = selected {
                for poly in &sc.grids[g].region.polygons {
                    for s in poly.exterior().lines() {
                        ctx.draw(&CanvasLine::new(
                            s.start.x,
                            s.start.y,
                            s.end.x,
                            s.end.y,
                            Color::White,
                        ));
                    }
                }
            }
            for m in &markers {
                if let Some(b) = app
                    .lookup
                    .grid_by_id
                    .get(&m.grid)
                    .and_then(|&g| sc.grids[g].region.bbox)
                {
                    let style = super::lists::severity_style(m.severity)
                        .add_modifier(Modifier::BOLD | Modifier::REVERSED);
                    ctx.print(
                        b.center().x,
                        b.center().y,
                        Span::styled(m.letter.to_string(), style),
                    );
                }
            }
            for (kind, p) in &geo.points {
                let (letter, colour) = match kind {
                    SiteKind::Works | SiteKind::ControlWorks => ("W", Color::LightRed),
                    SiteKind::Depot => ("D", Color::Yellow),
                    SiteKind::Shelter => ("S", Color::LightGreen),
                    SiteKind::BoatStation => ("B", Color::LightCyan),
                    _ => ("C", Color::LightMagenta),
                };
                ctx.print(
                    p[0],
                    p[1],
                    Span::styled(
                        letter,
                        Style::default().fg(colour).add_modifier(Modifier::BOLD),
                    ),
                );
            }
        });
    canvas.render(inner, frame.buffer_mut());
}
