//! Per-RPC cost of PlanResourceChange (issue 3). Run with `cargo bench --bench plan_rpc`.

fn main() {}
