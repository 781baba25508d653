//! The fault plan: one seeded random stream decides, call by call, whether a
//! port answers, fails before its effect, fails after it, or the process dies
//! there.

use std::sync::Mutex;

/// SplitMix64: small, fast, and the same numbers for the same seed everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `per_mille`/1000.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.next_u64() % 1000 < per_mille
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// What happens to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// The call fails and changes nothing.
    FailBefore,
    /// The change is made, but the caller sees an error (a lost answer).
    FailAfter,
    /// The process dies before the call.
    CrashBefore,
    /// The process dies after the change, before it learns of it.
    CrashAfter,
}

/// The plan for one run: how often each fault happens, and whether faults are on
/// (the run ends with a quiet phase, as the world does after an outage).
#[derive(Debug)]
pub struct FaultPlan {
    rng: Mutex<Rng>,
    on: Mutex<bool>,
    /// Per mille of calls that get a fault while faults are on.
    pub rate: u64,
    crashed: Mutex<bool>,
    /// Every fault drawn, for the run's report.
    drawn: Mutex<u64>,
}

impl FaultPlan {
    pub fn new(seed: u64, rate: u64) -> Self {
        Self {
            rng: Mutex::new(Rng::new(seed ^ 0xFA17)),
            on: Mutex::new(true),
            rate,
            crashed: Mutex::new(false),
            drawn: Mutex::new(0),
        }
    }

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn quiet(&self) {
        *Self::lock(&self.on) = false;
    }

    /// The fault for the next call.
    pub fn next(&self) -> Fault {
        if !*Self::lock(&self.on) {
            return Fault::None;
        }
        let mut rng = Self::lock(&self.rng);
        if !rng.chance(self.rate) {
            return Fault::None;
        }
        *Self::lock(&self.drawn) += 1;
        match rng.below(4) {
            0 => Fault::FailBefore,
            1 => Fault::FailAfter,
            2 => Fault::CrashBefore,
            _ => Fault::CrashAfter,
        }
    }

    /// Runs one call whose effect is `op` as the next fault says: the error the
    /// caller sees is `failed(fault)` (before or after the effect), and a crash
    /// never returns (the driver drops the invocation).
    pub async fn around<T, E>(
        &self,
        op: impl std::future::Future<Output = Result<T, E>>,
        failed: impl FnOnce(Fault) -> E,
    ) -> Result<T, E> {
        match self.next() {
            Fault::None => op.await,
            f @ Fault::FailBefore => Err(failed(f)),
            f @ Fault::FailAfter => {
                let _ = op.await;
                Err(failed(f))
            }
            Fault::CrashBefore => {
                self.crash();
                std::future::pending().await
            }
            Fault::CrashAfter => {
                let _ = op.await;
                self.crash();
                std::future::pending().await
            }
        }
    }

    pub fn crash(&self) {
        *Self::lock(&self.crashed) = true;
    }

    /// Whether the process died since the last call, and forget it.
    pub fn take_crash(&self) -> bool {
        std::mem::take(&mut *Self::lock(&self.crashed))
    }

    pub fn faults_drawn(&self) -> u64 {
        *Self::lock(&self.drawn)
    }
}
