//! The cashier desk component (being written).
