//! IVS Chat API operations and their quota lanes, as values: each concept declares its own
//! (`impl Operation { pub const GetRoom: Operation = Operation::of(&Spec::new(..)) }` beside the
//! room type, the tag operations in [`super::tagging`], ...), so the set is open and a new type
//! adds its operations in its own file. The client, pacing and diagnostics use only these
//! fields; the registry of every operation is kept above, by the provider's registration.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

/// A quota group of the IVS Chat API: every operation in it has the same rate quota (per
/// account, region and operation), and the provider's `rate_limits` block has one attribute
/// per lane to lower it.
#[derive(Clone, Copy, Debug)]
pub struct Lane {
    /// The attribute of the `rate_limits` block (`room`).
    pub name: &'static str,
    /// The IVS Chat quota, in calls per second per operation (it cannot be raised).
    pub quota: f64,
    /// The lane's operations in words, completing "each … operation" in the attribute's
    /// description: `room (CreateRoom, GetRoom, ...)`.
    pub operations: &'static str,
}

impl Lane {
    /// The rate to pace this lane's operations at: the configured one, else the quota.
    pub fn rate(self, rates: &RateLimits) -> f64 {
        rates.rate(self)
    }
}

impl PartialEq for Lane {
    fn eq(&self, other: &Lane) -> bool {
        self.name == other.name
    }
}

impl Eq for Lane {}

impl Hash for Lane {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

/// Requests per second per operation, by quota lane: the rates the configuration sets, by lane
/// name ([`Lane::name`]); a lane not set runs at its quota ([`Lane::quota`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateLimits {
    configured: BTreeMap<String, f64>,
}

impl RateLimits {
    /// The slowest rate accepted: one call every 100 seconds. Slower would make a single apply
    /// take hours, and keeps the spacing `1 / rate` small enough for any clock arithmetic.
    pub const MIN: f64 = 0.01;
    /// The fastest rate accepted, far above every IVS Chat quota (200 calls per second at most).
    pub const MAX: f64 = 10_000.0;

    /// These rates with `lane` at `rate`.
    pub fn with(mut self, lane: Lane, rate: f64) -> RateLimits {
        self.configured.insert(lane.name.to_owned(), rate);
        self
    }

    /// Sets the rate of the lane named `lane` (the `rate_limits` attribute).
    pub fn set(&mut self, lane: &str, rate: f64) {
        self.configured.insert(lane.to_owned(), rate);
    }

    /// The rate of `lane`: the configured one, else its quota.
    pub fn rate(&self, lane: Lane) -> f64 {
        self.configured
            .get(lane.name)
            .copied()
            .unwrap_or(lane.quota)
    }
}

/// What an operation does to objects: decides whether an attempt may be abandoned on
/// StopProvider, and whether an IAM policy can scope it to one object's ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Makes an object: an attempt in flight is never abandoned on StopProvider; the account
    /// is its IAM scope.
    Create,
    /// Lists the objects of an account and region.
    List,
    /// Acts on one existing object, named by its ARN.
    Object,
}

/// What defines an IVS Chat API operation; an [`Operation`] refers to one, declared in a const:
/// `pub const GetRoom: Operation = Operation::of(&Spec::new("GetRoom", LANE, "read", Scope::Object));`
#[derive(Debug)]
pub struct Spec {
    /// The API name, as in AWS documentation and CloudTrail.
    pub name: &'static str,
    pub lane: Lane,
    /// The verb of a diagnostic's summary: "Cannot {verb} {subject}".
    pub verb: &'static str,
    pub scope: Scope,
}

impl Spec {
    pub const fn new(name: &'static str, lane: Lane, verb: &'static str, scope: Scope) -> Spec {
        Spec {
            name,
            lane,
            verb,
            scope,
        }
    }
}

/// An IVS Chat API operation: a reference to its [`Spec`], as small as a pointer (errors
/// carry it). Two operations are the same when their names are.
#[derive(Clone, Copy)]
pub struct Operation(&'static Spec);

impl Operation {
    pub const fn of(spec: &'static Spec) -> Operation {
        Operation(spec)
    }

    /// Makes an object: an attempt in flight is never abandoned on StopProvider.
    pub fn is_create(self) -> bool {
        self.0.scope == Scope::Create
    }

    /// Acts on one object (its ARN can scope an IAM policy) rather than on the account.
    pub fn on_one_object(self) -> bool {
        self.0.scope == Scope::Object
    }

    /// The API name, as in AWS documentation and CloudTrail.
    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// The quota lane.
    pub fn lane(self) -> Lane {
        self.0.lane
    }

    /// The verb of a diagnostic's summary: "Cannot {verb} {subject}".
    pub fn verb(self) -> &'static str {
        self.0.verb
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Operation) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for Operation {}

impl Hash for Operation {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

/// The lanes of `operations`, each once, in the order they first appear.
pub fn lanes_of<'a>(operations: impl IntoIterator<Item = &'a Operation>) -> Vec<Lane> {
    let mut lanes: Vec<Lane> = Vec::new();
    for op in operations {
        if !lanes.contains(&op.lane()) {
            lanes.push(op.lane());
        }
    }
    lanes
}
