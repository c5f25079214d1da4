//! Seeded fault injection.

use crate::config::Faults;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::sync::Mutex;
use std::time::Duration;

/// What to do to one request.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decision {
    pub access_denied: bool,
    pub pending_verification: bool,
    pub latency: Duration,
    pub throttle: bool,
    pub internal_error: bool,
    pub reset_after_commit: bool,
}

pub(crate) struct FaultInjector {
    inner: Mutex<(Faults, StdRng)>,
}

fn rng_for(f: &Faults) -> StdRng {
    match f.seed {
        Some(s) => StdRng::seed_from_u64(s),
        None => StdRng::seed_from_u64(rand::random()),
    }
}

impl FaultInjector {
    pub(crate) fn new(f: Faults) -> Self {
        let rng = rng_for(&f);
        Self {
            inner: Mutex::new((f, rng)),
        }
    }

    pub(crate) fn get(&self) -> Faults {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .0
            .clone()
    }

    /// Replaces the settings and reseeds.
    pub(crate) fn set(&self, f: Faults) {
        let rng = rng_for(&f);
        *self.inner.lock().unwrap_or_else(|e| e.into_inner()) = (f, rng);
    }

    /// Draws the faults of one request: always three draws, in a fixed order, so that a
    /// seed reproduces the same sequence.
    pub(crate) fn decide(&self, op: &str, can_be_pending: bool) -> Decision {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (f, rng) = &mut *g;
        let access_denied = f.deny_operations.iter().any(|d| d == op);
        let pending_verification = f.pending_verification && can_be_pending;
        if f.throttle_rate <= 0.0
            && f.internal_error_rate <= 0.0
            && f.reset_after_commit_rate <= 0.0
        {
            return Decision {
                latency: f.latency,
                access_denied,
                pending_verification,
                ..Decision::default()
            };
        }
        let a: f64 = rng.random();
        let b: f64 = rng.random();
        let c: f64 = rng.random();
        Decision {
            access_denied,
            pending_verification,
            latency: f.latency,
            throttle: a < f.throttle_rate,
            internal_error: b < f.internal_error_rate,
            reset_after_commit: c < f.reset_after_commit_rate,
        }
    }

    /// Whether the answer of a call of `op` that took effect is lost. Counted rules are
    /// used up first; the generator is drawn only when a rule with a rate matches, so
    /// settings without lost answers keep their fault sequence.
    pub(crate) fn lose_answer(&self, op: &str) -> bool {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (f, rng) = &mut *g;
        let mut rate: f64 = 0.0;
        for rule in f.lose_answers.iter_mut().filter(|r| r.operation == op) {
            if rule.count > 0 {
                rule.count -= 1;
                return true;
            }
            rate = rate.max(rule.rate);
        }
        rate > 0.0 && rng.random::<f64>() < rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoseAnswer;

    #[test]
    fn counted_lost_answers_are_used_up_then_the_rate_applies() {
        let inj = FaultInjector::new(Faults {
            seed: Some(1),
            lose_answers: vec![
                LoseAnswer {
                    operation: "CreateRoom".into(),
                    count: 2,
                    rate: 0.0,
                },
                LoseAnswer {
                    operation: "DeleteRoom".into(),
                    count: 0,
                    rate: 1.0,
                },
            ],
            ..Faults::default()
        });
        assert!(!inj.lose_answer("GetRoom"));
        assert!(inj.lose_answer("CreateRoom"));
        assert!(inj.lose_answer("CreateRoom"));
        assert!(!inj.lose_answer("CreateRoom"));
        assert!(inj.lose_answer("DeleteRoom"));
        assert_eq!(inj.get().lose_answers[0].count, 0);
    }
}
