//! The `Checkout` class (being written).
