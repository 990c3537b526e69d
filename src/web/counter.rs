//! The counter component (being written).
