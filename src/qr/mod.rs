//! QR codes (filled in below).
