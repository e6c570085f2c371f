//! floodgrid-tui: the ratatui drill console. A placeholder until the console issue lands; the
//! engine is the only dependency so far.

/// The console's name as shown in its title bar.
pub const TITLE: &str = "floodgrid drill console";
