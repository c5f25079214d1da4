//! The schema language: how a Terraform type declares its attributes and blocks, what each
//! accepts (validators) and how each is planned (defaults and plan modifiers).
//!
//! A schema is data. The server walks it to validate configuration, to plan, and to describe the
//! type to Terraform; resource code only declares it.

mod plan_modifiers;
mod validators;

use std::sync::Arc;

pub use plan_modifiers::{
    AttributePlan, PlanModifier, RequiresReplace, RequiresReplaceIf, UseStateForUnknown,
};
pub use validators::{
    AtMostOneOf, DurationBetween, Each, ExactlyOneOf, IntBetween, LengthBetween, Matches,
    NumberBetween, OneOf, SizeBetween, Validator, custom,
};

use crate::value::{Type, Value};

/// A versioned schema for a resource, data source, provider or other type.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn new(description: impl Into<String>) -> Schema {
        Schema {
            version: 0,
            block: Block::new(description),
        }
    }

    #[must_use]
    pub fn version(mut self, version: i64) -> Schema {
        self.version = version;
        self
    }

    #[must_use]
    pub fn attribute(mut self, attribute: Attribute) -> Schema {
        self.block.attributes.push(attribute);
        self
    }

    #[must_use]
    pub fn block(mut self, block: NestedBlock) -> Schema {
        self.block.blocks.push(block);
        self
    }

    /// A rule over the whole object (one-of across attributes and the like).
    #[must_use]
    pub fn validate(mut self, validator: impl Validator + 'static) -> Schema {
        self.block.validators.push(Arc::new(validator));
        self
    }

    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }
}

/// An object made of attributes and nested blocks.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub description: String,
    pub deprecated: bool,
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    /// Rules over the block's object as a whole.
    pub validators: Vec<Arc<dyn Validator>>,
}

impl Block {
    pub fn new(description: impl Into<String>) -> Block {
        Block {
            description: description.into(),
            ..Block::default()
        }
    }

    #[must_use]
    pub fn attribute(mut self, attribute: Attribute) -> Block {
        self.attributes.push(attribute);
        self
    }

    #[must_use]
    pub fn block(mut self, block: NestedBlock) -> Block {
        self.blocks.push(block);
        self
    }

    #[must_use]
    pub fn validate(mut self, validator: impl Validator + 'static) -> Block {
        self.validators.push(Arc::new(validator));
        self
    }

    pub fn implied_type(&self) -> Type {
        let attrs = self.attributes.iter().map(|a| (a.name.clone(), a.ty()));
        let blocks = self.blocks.iter().map(|b| (b.name.clone(), b.ty()));
        Type::Object(attrs.chain(blocks).collect())
    }

    pub fn attribute_named(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block_named(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.name == name)
    }
}

/// How a nested block or nested attribute repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one, as an object (null when absent).
    Single,
    /// Exactly one, always present (a block only).
    Group,
    List,
    Set,
    /// Keyed by label (a block) or key (an attribute).
    Map,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub name: String,
    pub nesting: Nesting,
    pub block: Block,
    pub min_items: u64,
    pub max_items: u64,
}

impl NestedBlock {
    pub fn new(name: &str, nesting: Nesting, block: Block) -> NestedBlock {
        NestedBlock {
            name: name.to_owned(),
            nesting,
            block,
            min_items: 0,
            max_items: 0,
        }
    }

    /// A list block holding at most one element, the shape `hashicorp/aws` uses for optional
    /// sub-objects (`message_review_handler { ... }`).
    pub fn list_max_one(name: &str, block: Block) -> NestedBlock {
        NestedBlock::new(name, Nesting::List, block).max_items(1)
    }

    #[must_use]
    pub fn min_items(mut self, n: u64) -> NestedBlock {
        self.min_items = n;
        self
    }

    #[must_use]
    pub fn max_items(mut self, n: u64) -> NestedBlock {
        self.max_items = n;
        self
    }

    pub fn ty(&self) -> Type {
        let object = self.block.implied_type();
        match self.nesting {
            Nesting::Single | Nesting::Group => object,
            Nesting::List => Type::List(Box::new(object)),
            Nesting::Set => Type::Set(Box::new(object)),
            Nesting::Map => Type::Map(Box::new(object)),
        }
    }
}

/// Whether the practitioner, the provider, or both set an attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    /// Set by the provider only.
    Computed,
    /// Set by the practitioner, else by the provider (a default, or what the API returns).
    OptionalComputed,
}

impl Mode {
    pub fn is_computed(self) -> bool {
        matches!(self, Mode::Computed | Mode::OptionalComputed)
    }

    pub fn is_settable(self) -> bool {
        !matches!(self, Mode::Computed)
    }
}

/// The value shape of an attribute: a plain type, or nested attributes (protocol 6).
#[derive(Clone, Debug)]
pub enum AttributeType {
    Plain(Type),
    Nested {
        nesting: Nesting,
        attributes: Vec<Attribute>,
    },
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: AttributeType,
    pub mode: Mode,
    pub sensitive: bool,
    pub write_only: bool,
    pub description: String,
    pub deprecation: Option<String>,
    /// Planned when the configuration leaves the attribute null (needs an optional+computed mode).
    pub default: Option<Value>,
    pub validators: Vec<Arc<dyn Validator>>,
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
}

impl Attribute {
    pub fn new(name: &str, ty: Type) -> Attribute {
        Attribute {
            name: name.to_owned(),
            ty: AttributeType::Plain(ty),
            mode: Mode::Optional,
            sensitive: false,
            write_only: false,
            description: String::new(),
            deprecation: None,
            default: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
        }
    }

    pub fn string(name: &str) -> Attribute {
        Attribute::new(name, Type::String)
    }

    pub fn number(name: &str) -> Attribute {
        Attribute::new(name, Type::Number)
    }

    pub fn bool(name: &str) -> Attribute {
        Attribute::new(name, Type::Bool)
    }

    pub fn string_map(name: &str) -> Attribute {
        Attribute::new(name, Type::Map(Box::new(Type::String)))
    }

    pub fn string_list(name: &str) -> Attribute {
        Attribute::new(name, Type::List(Box::new(Type::String)))
    }

    pub fn string_set(name: &str) -> Attribute {
        Attribute::new(name, Type::Set(Box::new(Type::String)))
    }

    pub fn nested(name: &str, nesting: Nesting, attributes: Vec<Attribute>) -> Attribute {
        let mut a = Attribute::new(name, Type::Dynamic);
        a.ty = AttributeType::Nested {
            nesting,
            attributes,
        };
        a
    }

    #[must_use]
    pub fn required(mut self) -> Attribute {
        self.mode = Mode::Required;
        self
    }

    #[must_use]
    pub fn optional(mut self) -> Attribute {
        self.mode = Mode::Optional;
        self
    }

    #[must_use]
    pub fn computed(mut self) -> Attribute {
        self.mode = Mode::Computed;
        self
    }

    #[must_use]
    pub fn optional_computed(mut self) -> Attribute {
        self.mode = Mode::OptionalComputed;
        self
    }

    #[must_use]
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }

    #[must_use]
    pub fn write_only(mut self) -> Attribute {
        self.write_only = true;
        self
    }

    #[must_use]
    pub fn description(mut self, text: impl Into<String>) -> Attribute {
        self.description = text.into();
        self
    }

    #[must_use]
    pub fn deprecated(mut self, message: impl Into<String>) -> Attribute {
        self.deprecation = Some(message.into());
        self
    }

    /// The value planned when the configuration leaves the attribute null; makes the attribute
    /// optional+computed, so the default is known at plan time.
    #[must_use]
    pub fn default(mut self, value: impl Into<Value>) -> Attribute {
        self.default = Some(value.into());
        self.mode = Mode::OptionalComputed;
        self
    }

    /// Optional and planned null when unset, exactly as [`Attribute::optional`], but declared
    /// optional+computed (with a null default) because Terraform's generated configuration
    /// (`-generate-config-out`) writes `name = null` for a null attribute unless it is
    /// computed: such an attribute is left out of generated files when unset.
    #[must_use]
    pub fn optional_omittable(self) -> Attribute {
        self.default(Value::Null)
    }

    #[must_use]
    pub fn validate(mut self, validator: impl Validator + 'static) -> Attribute {
        self.validators.push(Arc::new(validator));
        self
    }

    #[must_use]
    pub fn plan_modifier(mut self, modifier: impl PlanModifier + 'static) -> Attribute {
        self.plan_modifiers.push(Arc::new(modifier));
        self
    }

    /// Keep the prior value instead of planning unknown when the object changes: for values the
    /// API never changes after creation (ids, ARNs, creation times).
    #[must_use]
    pub fn stable(self) -> Attribute {
        self.plan_modifier(UseStateForUnknown)
    }

    #[must_use]
    pub fn requires_replace(self) -> Attribute {
        self.plan_modifier(RequiresReplace)
    }

    pub fn ty(&self) -> Type {
        match &self.ty {
            AttributeType::Plain(t) => t.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => {
                let object = Type::Object(
                    attributes
                        .iter()
                        .map(|a| (a.name.clone(), a.ty()))
                        .collect(),
                );
                match nesting {
                    Nesting::Single | Nesting::Group => object,
                    Nesting::List => Type::List(Box::new(object)),
                    Nesting::Set => Type::Set(Box::new(object)),
                    Nesting::Map => Type::Map(Box::new(object)),
                }
            }
        }
    }
}
