//! The cross-function suite lives in tests/; this library is empty on purpose.
