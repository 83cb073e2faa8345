//! Runnable examples of eyened-orm live in `examples/`; run one with
//! `cargo run -p examples --example quickstart`.
