//! `make sim`: many seeds (`SEEDS`, from `FIRST`), or one (`SEED`) replayed with
//! its report. Exits non-zero on the first seed that breaks a guarantee.

fn main() -> anyhow::Result<()> {
    let var = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (steps, rate) = (var("STEPS", 400) as u32, var("RATE", 50));
    let seeds: Vec<u64> = match std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        Some(one) => vec![one],
        None => (var("FIRST", 1)..var("FIRST", 1) + var("SEEDS", 1000)).collect(),
    };
    let started = std::time::Instant::now();
    let (mut faults, mut crashes, mut checks, mut window) = (0, 0, 0, 0);
    for &seed in &seeds {
        let report = sim::run(seed, steps, rate)?;
        if seeds.len() == 1 {
            println!("{report:#?}");
        }
        if !report.violations.is_empty() {
            eprintln!("seed {seed} broke a guarantee (replay: make sim SEED={seed}):");
            for v in &report.violations {
                eprintln!("  {v}");
            }
            std::process::exit(1);
        }
        faults += report.faults;
        crashes += report.crashes;
        checks += report.invariants_checked;
        window += report.duplicate_window_mails;
    }
    println!(
        "sim: {} seeds × {steps} steps, {faults} faults ({crashes} crashes), {checks} invariant checks, \
         {window} mails in the duplicate window, 0 violations, {:.1} s",
        seeds.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
