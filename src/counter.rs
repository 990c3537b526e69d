//! Counter checkout: payer-code recognition and keyboard-wedge scanner detection (being written).
