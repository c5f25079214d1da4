//! The `timeouts { create = "10m" }` block shared by resources, as hashicorp/aws spells it.

use serde::{Deserialize, Serialize};

use crate::duration::OPERATION_TIMEOUT;
use crate::schema::DurationBetween;
use crate::schema::{Attribute, Block, NestedBlock, Nesting};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Model {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete: Option<String>,
}

/// A `timeouts` block with one optional duration per operation.
pub fn block(operations: &[&str]) -> NestedBlock {
    let mut block = Block::new("How long each operation may take before Terraform gives up.");
    for op in operations {
        block = block.attribute(
            Attribute::string(op)
                .optional()
                .description(format!("Time limit of {op} (default 5 minutes)."))
                .validate(DurationBetween(OPERATION_TIMEOUT)),
        );
    }
    NestedBlock::new("timeouts", Nesting::Single, block)
}
