//! The reference signing proxy (filled in by the proxy work).
