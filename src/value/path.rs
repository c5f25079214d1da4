//! Attribute paths: where in a value a diagnostic or a replacement applies.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathStep {
    Attribute(String),
    Key(String),
    Index(i64),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Path(Vec<PathStep>);

impl Path {
    pub fn root() -> Path {
        Path(Vec::new())
    }

    pub fn attr(name: &str) -> Path {
        Path(vec![PathStep::Attribute(name.to_owned())])
    }

    pub fn steps(&self) -> &[PathStep] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    #[must_use]
    pub fn join_attr(&self, name: &str) -> Path {
        self.with(PathStep::Attribute(name.to_owned()))
    }

    #[must_use]
    pub fn join_key(&self, key: &str) -> Path {
        self.with(PathStep::Key(key.to_owned()))
    }

    #[must_use]
    pub fn join_index(&self, index: usize) -> Path {
        self.with(PathStep::Index(i64::try_from(index).unwrap_or(i64::MAX)))
    }

    fn with(&self, step: PathStep) -> Path {
        let mut steps = self.0.clone();
        steps.push(step);
        Path(steps)
    }

    /// `self` is `other` or lies inside it.
    pub fn starts_with(&self, other: &Path) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl From<Vec<PathStep>> for Path {
    fn from(steps: Vec<PathStep>) -> Path {
        Path(steps)
    }
}

/// Renders the path as HCL would address it: `message_review_handler[0].uri`, `tags["env"]`.
impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Attribute(a) if i == 0 => write!(f, "{a}")?,
                PathStep::Attribute(a) => write!(f, ".{a}")?,
                PathStep::Key(k) => write!(f, "[{k:?}]")?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Path {
    /// Builds a path from steps collected innermost-first (as errors unwind).
    pub(crate) fn from_reversed(mut steps: Vec<PathStep>) -> Path {
        steps.reverse();
        Path(steps)
    }
}
