//! Drawing: `draw(frame, &App)` paints the whole screen from the model and changes nothing but
//! the scroll offsets and the map's pixel cache (both caches of what was drawn). One module per
//! part of the screen; the layout adapts from 80×24 (compact: map beside one list, to-do list or
//! log below) to 200×60 and more (every pane at once).
//!
//! Text is measured with `unicode-width` and cut with a visible `…`, so Chinese (two columns a
//! character) lines up.

pub mod dialogs;
pub mod help;
pub mod lists;
pub mod map;
pub mod top;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Widget};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::app::{App, Input, Pane};
use crate::i18n;
use floodgrid_engine::hydro::WarningLevel;
use floodgrid_engine::plan::TaskStatus;

/// Where each part of the screen goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Top bar.
    pub top: Rect,
    /// Warning banner.
    pub banner: Rect,
    /// Key persons (wide layout).
    pub left: Option<Rect>,
    /// Map.
    pub map: Rect,
    /// Households (wide layout).
    pub right: Option<Rect>,
    /// The one list beside the map (compact layout).
    pub side: Option<Rect>,
    /// To-do list.
    pub todo: Rect,
    /// Event log (wide layout; compact shows it in place of the to-do list when focused).
    pub log: Option<Rect>,
    /// Status / command line.
    pub status: Rect,
    /// Whether the compact layout is used.
    pub compact: bool,
}

/// Below this width or height the compact layout is used.
pub const WIDE_MIN: (u16, u16) = (140, 36);

/// Splits the screen.
pub fn areas(area: Rect) -> Areas {
    let compact = area.width < WIDE_MIN.0 || area.height < WIDE_MIN.1;
    let row = |y: u16, h: u16| Rect::new(area.x, y, area.width, h);
    let top = row(area.y, 1.min(area.height));
    let banner = row(area.y + 1, 1.min(area.height.saturating_sub(1)));
    let status = row(area.bottom().saturating_sub(1), 1.min(area.height));
    let body_y = area.y + 2;
    let body_h = area.height.saturating_sub(3);
    let (mid_h, bottom_h) = if compact {
        let mid = (body_h * 9 / 21).max(5.min(body_h));
        (mid, body_h - mid)
    } else {
        let mid = body_h * 52 / 100;
        (mid, body_h - mid)
    };
    let mid = Rect::new(area.x, body_y, area.width, mid_h);
    let bottom = Rect::new(area.x, body_y + mid_h, area.width, bottom_h);
    if compact {
        let map_w = area.width * 55 / 100;
        Areas {
            top,
            banner,
            left: None,
            map: Rect::new(mid.x, mid.y, map_w, mid.height),
            right: None,
            side: Some(Rect::new(
                mid.x + map_w,
                mid.y,
                mid.width - map_w,
                mid.height,
            )),
            todo: bottom,
            log: None,
            status,
            compact,
        }
    } else {
        let left_w = (area.width * 19 / 100).clamp(30, 44);
        let right_w = (area.width * 19 / 100).clamp(30, 44);
        let map_w = area.width - left_w - right_w;
        let log_w = (area.width * 30 / 100).clamp(40, 80);
        Areas {
            top,
            banner,
            left: Some(Rect::new(mid.x, mid.y, left_w, mid.height)),
            map: Rect::new(mid.x + left_w, mid.y, map_w, mid.height),
            right: Some(Rect::new(
                mid.x + left_w + map_w,
                mid.y,
                right_w,
                mid.height,
            )),
            side: None,
            todo: Rect::new(bottom.x, bottom.y, bottom.width - log_w, bottom.height),
            log: Some(Rect::new(
                bottom.x + bottom.width - log_w,
                bottom.y,
                log_w,
                bottom.height,
            )),
            status,
            compact,
        }
    }
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    app.screen.set(frame.area());
    let a = areas(frame.area());
    top::top_bar(frame.buffer_mut(), a.top, app);
    top::banner(frame.buffer_mut(), a.banner, app);
    if let Some(r) = a.left {
        if app.side == Pane::Alarms || app.focus == Pane::Alarms {
            lists::alarms(frame.buffer_mut(), r, app);
        } else {
            lists::key_persons(frame.buffer_mut(), r, app);
        }
    }
    if let Some(r) = a.right {
        lists::households(frame.buffer_mut(), r, app);
    }
    if let Some(r) = a.side {
        match app.side {
            Pane::Households => lists::households(frame.buffer_mut(), r, app),
            Pane::Alarms => lists::alarms(frame.buffer_mut(), r, app),
            _ => lists::key_persons(frame.buffer_mut(), r, app),
        }
    }
    map::map(frame, a.map, app);
    match a.log {
        Some(r) => {
            lists::todo(frame.buffer_mut(), a.todo, app);
            lists::log(frame.buffer_mut(), r, app);
        }
        None if app.focus == Pane::Log => lists::log(frame.buffer_mut(), a.todo, app),
        None => lists::todo(frame.buffer_mut(), a.todo, app),
    }
    status_line(frame, a.status, app);
    if app.report_open {
        let body = Rect::new(
            a.top.x,
            a.banner.bottom(),
            a.top.width,
            a.status.y.saturating_sub(a.banner.bottom()),
        );
        report(frame.buffer_mut(), body, app);
    }
    if let Some(d) = &app.dialog {
        let screen = frame.area();
        dialogs::dialog(frame.buffer_mut(), screen, app, d);
    }
    if app.help {
        let screen = frame.area();
        help::help(frame.buffer_mut(), screen, app);
    }
}

fn status_line(frame: &mut Frame, area: Rect, app: &App) {
    let buf = frame.buffer_mut();
    let w = area.width as usize;
    let (text, style, cursor) = match &app.input {
        Input::Command(t) => (format!(":{t}"), Style::default().fg(Color::White), true),
        Input::Filter(t) => (
            format!("/{t}  ({})", i18n::FILTER.get(app.lang)),
            Style::default().fg(Color::White),
            true,
        ),
        Input::Normal => match app.flash.and_then(|i| app.log.get(i)) {
            Some(e) => {
                let style = match app.log_severity(e) {
                    crate::drill::Severity::Normal | crate::drill::Severity::Resolved => {
                        Style::default().fg(Color::Green)
                    }
                    crate::drill::Severity::Attention => Style::default()
                        .fg(Color::Yellow)
                        .add_modifier(Modifier::BOLD),
                    crate::drill::Severity::Danger => Style::default()
                        .fg(Color::LightRed)
                        .add_modifier(Modifier::BOLD),
                };
                (
                    format!(
                        " {} {}  | {}",
                        i18n::clock(e.at_min),
                        app.log_text(e),
                        i18n::HINT.get(app.lang)
                    ),
                    style,
                    false,
                )
            }
            None => (
                format!(" {}", i18n::HINT.get(app.lang)),
                Style::default().fg(Color::DarkGray),
                false,
            ),
        },
    };
    // A drill that waits for its first Space says so at the head of the line.
    let mut x = area.x;
    if app.waiting_to_start() && app.input == Input::Normal {
        let prompt = format!(" {} ", i18n::START_PROMPT.get(app.lang));
        let pw = prompt.width().min(w);
        buf.set_stringn(
            x,
            area.y,
            &prompt,
            pw,
            Style::default()
                .bg(Color::Cyan)
                .fg(Color::Black)
                .add_modifier(Modifier::BOLD),
        );
        x += pw as u16;
    }
    let rest = w - (x - area.x) as usize;
    let shown = fit(&text, rest);
    buf.set_stringn(x, area.y, &shown, rest, style);
    if cursor {
        let typed = match &app.input {
            Input::Command(t) | Input::Filter(t) => t.width() + 1,
            Input::Normal => 0,
        };
        let x = area.x + (typed as u16).min(area.width.saturating_sub(1));
        frame.set_cursor_position((x, area.y));
    }
}

/// The after-action report over the body of the screen, scrollable.
fn report(buf: &mut Buffer, area: Rect, app: &App) {
    let Some(text) = &app.report else {
        return;
    };
    if area.height < 3 {
        return;
    }
    let l = app.lang;
    let inner = dialogs::frame_box(
        buf,
        area,
        i18n::REPORT.get(l).into(),
        i18n::REPORT_KEYS.get(l),
    );
    let w = inner.width as usize;
    for (k, line) in text
        .lines()
        .skip(app.report_scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        let style = if line.starts_with('#') {
            Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        buf.set_stringn(inner.x, inner.y + k as u16, fit(line, w), w, style);
    }
}

/// Cuts a string to `width` columns, ending in `…` when it was cut.
pub fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > width - 1 {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out
}

/// A table cell: [`fit`] to `width - 1` columns and padded to `width`, so neighbouring columns
/// are always separated by at least one space.
pub fn cell(s: &str, width: usize) -> String {
    let mut out = fit(s, width.saturating_sub(1));
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// Clears a pop-up's cells, and the halves of wide characters cut by its edges: a wide
/// character starting just left of the pop-up would otherwise be drawn over its left border,
/// and the right half of one cut by its right border would leave a stray half-cell.
pub fn clear_popup(buf: &mut Buffer, area: Rect) {
    Clear.render(area, buf);
    let bounds = buf.area;
    for y in area.top()..area.bottom() {
        if area.x > bounds.x {
            let left = &mut buf[(area.x - 1, y)];
            if left.symbol().width() > 1 {
                left.set_symbol(" ");
            }
        }
        let right = area.right();
        if right < bounds.right() {
            let cell = &mut buf[(right, y)];
            // The continuation cell of a wide character whose first half the pop-up covered.
            if cell.symbol().is_empty() {
                cell.set_symbol(" ");
            }
        }
    }
}

/// [`fit`], then padded with spaces to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let mut out = fit(s, width);
    let w = out.width();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

/// [`fit`], then padded on the left to exactly `width` columns.
pub fn pad_left(s: &str, width: usize) -> String {
    let f = fit(s, width);
    let w = f.width();
    let mut out: String = std::iter::repeat_n(' ', width.saturating_sub(w)).collect();
    out.push_str(&f);
    out
}

/// A pane's frame: rounded when focused, with a title.
pub fn pane_block<'a>(title: Line<'a>, focused: bool) -> Block<'a> {
    let style = if focused {
        Style::default()
            .fg(Color::Cyan)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(Color::Gray)
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(style)
        .title_top(title)
}

/// Writes a line of spans, cut to the area's width.
pub fn put(buf: &mut Buffer, x: u16, y: u16, width: u16, spans: Vec<Span<'_>>) {
    buf.set_line(x, y, &Line::from(spans), width);
}

/// The banner colours of a level: (background, foreground).
pub fn level_colours(level: WarningLevel) -> Option<(Color, Color)> {
    match level {
        WarningLevel::None => None,
        WarningLevel::Blue => Some((Color::Blue, Color::White)),
        WarningLevel::Yellow => Some((Color::Yellow, Color::Black)),
        WarningLevel::Orange => Some((Color::Indexed(208), Color::Black)),
        WarningLevel::Red => Some((Color::Red, Color::White)),
    }
}

/// The colour of a task status.
pub fn status_colour(s: TaskStatus) -> Style {
    let c = match s {
        TaskStatus::Pending => Color::White,
        TaskStatus::Dispatched => Color::Cyan,
        TaskStatus::Accepted => Color::LightBlue,
        TaskStatus::InProgress => Color::Yellow,
        TaskStatus::Done => Color::Green,
        TaskStatus::Verified => Color::LightGreen,
        TaskStatus::Overdue => return Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
        TaskStatus::StoodDown => Color::DarkGray,
    };
    Style::default().fg(c)
}

/// Style of the selected row.
pub fn selected_style(focused: bool) -> Style {
    if focused {
        Style::default().add_modifier(Modifier::REVERSED)
    } else {
        Style::default().add_modifier(Modifier::UNDERLINED)
    }
}

/// A rectangle of `w`×`h` centred in `area` (clipped to it).
pub fn centred(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_double_width_with_an_ellipsis() {
        assert_eq!(fit("花园口镇", 8), "花园口镇");
        assert_eq!(fit("花园口镇", 7), "花园口…");
        assert_eq!(fit("花园口镇", 6), "花园…");
        assert_eq!(pad("花园口镇", 7), "花园口…");
        assert_eq!(pad("花园", 5), "花园 ");
        assert_eq!(pad("abc", 2), "a…");
        assert_eq!(pad_left("7", 3), "  7");
        assert_eq!(fit("x", 0), "");
    }
}
