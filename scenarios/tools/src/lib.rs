//! Seeded scenario generator (placeholder).
