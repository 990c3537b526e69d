//! The built-in cashier desk's pure logic (being written).
