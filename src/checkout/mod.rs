//! The checkout flow's pure logic (being written).
