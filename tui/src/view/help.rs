//! The `?` overlay, drawn from the keymap table and the command list, so it always tells the
//! truth about the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use super::{centred, fit, pad, put};
use crate::app::App;
use crate::i18n;
use crate::keymap::{self, Group};

/// Draws the help overlay.
pub fn help(buf: &mut Buffer, screen: Rect, app: &App) {
    let l = app.lang;
    // One entry a line: headings, bindings, then the commands.
    let mut entries: Vec<(Option<String>, String)> = Vec::new();
    for g in Group::ALL {
        entries.push((None, g.title().get(l).to_string()));
        for b in keymap::group(g) {
            match entries.last_mut() {
                Some((Some(label), _)) if b.with_prev => {
                    label.push(' ');
                    label.push_str(b.label);
                }
                _ => entries.push((Some(b.label.to_string()), b.help.get(l).to_string())),
            }
        }
    }
    entries.push((None, i18n::GROUP_COMMANDS.get(l).to_string()));
    for c in keymap::COMMANDS {
        entries.push((Some(c.usage.to_string()), c.help.get(l).to_string()));
    }
    entries.push((None, i18n::GROUP_LEGEND.get(l).to_string()));
    for (sym, text) in i18n::legend(l) {
        if sym.is_empty() {
            entries.push((Some(String::new()), text));
        } else {
            entries.push((Some(sym), text));
        }
    }
    let cols = if screen.width >= 100 { 3 } else { 2 };
    let rows = screen.height.saturating_sub(2).max(1) as usize;
    // Too many for the screen: a window of the entries, scrolled by j/k.
    let fits = entries.len().div_ceil(cols) <= rows;
    let per_col = entries.len().div_ceil(cols).min(rows);
    let offset = if fits {
        0
    } else {
        app.help_scroll
            .min(entries.len().saturating_sub(per_col * cols))
    };
    let entries = &entries[offset..];
    let col_w = ((screen.width.saturating_sub(4)) / cols as u16).min(44);
    let w = col_w * cols as u16 + 2;
    let h = (per_col as u16 + 2).min(screen.height);
    let area = centred(screen, w, h);
    let footer = if fits {
        i18n::HELP_CLOSE.get(l)
    } else {
        i18n::HELP_SCROLL.get(l)
    };
    let inner = super::dialogs::frame_box(buf, area, i18n::HELP.get(l).into(), footer);
    let key_w = 12usize;
    for (k, (key, text)) in entries.iter().enumerate() {
        let (c, r) = (k / per_col, k % per_col);
        if c >= cols {
            break;
        }
        if r as u16 >= inner.height {
            continue;
        }
        let x = inner.x + c as u16 * col_w;
        let y = inner.y + r as u16;
        let cw = col_w.saturating_sub(1) as usize;
        let spans = match key {
            None => vec![Span::styled(
                fit(text, cw),
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            )],
            Some(key) => vec![
                Span::styled(pad(key, key_w), Style::default().fg(Color::Cyan)),
                Span::raw(fit(text, cw.saturating_sub(key_w))),
            ],
        };
        put(buf, x, y, col_w.saturating_sub(1), spans);
    }
}
