//! Resource identity (protocol 6.9, Terraform 1.12+): a small object that names a resource
//! instance for good (for IVS Chat, its ARN), stored by Terraform beside the state.
//!
//! A resource declares an [`IdentitySchema`] beside its schema; every identity attribute is a
//! copy of the state attribute of the same name, so the server derives identities from state
//! (read, plan, apply, import, move, list) without any code in the resource. States written
//! before identity existed gain one on their next refresh; the state itself does not change, so
//! the plan stays empty.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::server::{Provider, ResourceHandle, Server};
use crate::value::{Type, Value, json, msgpack};

/// One identity attribute: a copy of the state attribute `name`.
#[derive(Clone, Debug)]
pub struct IdentityAttribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    /// Needed in an `import { identity = { ... } }` block.
    pub required_for_import: bool,
}

/// The identity schema of a resource type.
#[derive(Clone, Debug)]
pub struct IdentitySchema {
    /// Independent of the resource schema's version.
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    pub fn new() -> IdentitySchema {
        IdentitySchema {
            version: 0,
            attributes: Vec::new(),
        }
    }

    /// Adds a string attribute, required for import, copied from the state attribute `name`.
    pub fn string(mut self, name: &str, description: &str) -> IdentitySchema {
        self.attributes.push(IdentityAttribute {
            name: name.to_owned(),
            ty: Type::String,
            description: description.to_owned(),
            required_for_import: true,
        });
        self
    }

    pub fn implied_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.clone(), a.ty.clone()))
                .collect(),
        )
    }

    /// The identity of the object `state` describes: its identity attributes, copied. `None`
    /// when there is no object, or when an identity attribute is null or unknown (a planned
    /// create: nothing to name yet; Terraform cannot even render an unknown identity in a plan).
    pub fn from_state(&self, state: &Value) -> Option<Value> {
        if state.is_null() || !state.is_known() {
            return None;
        }
        let mut identity = std::collections::BTreeMap::new();
        for a in &self.attributes {
            let v = state.attr(&a.name).cloned().unwrap_or(Value::Null);
            if v.is_null() || !v.is_wholly_known() {
                return None;
            }
            identity.insert(a.name.clone(), v);
        }
        Some(Value::Object(identity))
    }

    /// The import id an identity stands for: the value of its only attribute required for
    /// import. (Resources with a composite identity would need their own import.)
    pub fn import_id(&self, identity: &Value) -> Result<String, Diagnostic> {
        let required: Vec<&IdentityAttribute> = self
            .attributes
            .iter()
            .filter(|a| a.required_for_import)
            .collect();
        let [only] = required.as_slice() else {
            return Err(Diagnostic::bug(
                "import by identity needs exactly one attribute required for import",
            ));
        };
        match identity.attr(&only.name).and_then(Value::as_str) {
            Some(s) if !s.is_empty() => Ok(s.to_owned()),
            _ => Err(Diagnostic::error(
                "Incomplete Import Identity",
                format!(
                    "The import block's identity has no `{}`. Set it, for example \
                     `identity = {{ {} = \"...\" }}`.",
                    only.name, only.name
                ),
            )),
        }
    }
}

impl Default for IdentitySchema {
    fn default() -> IdentitySchema {
        IdentitySchema::new()
    }
}

/// Encodes an identity value (msgpack) for Terraform.
pub fn encode(identity: &Value, schema: &IdentitySchema) -> Result<Vec<u8>, Diagnostic> {
    msgpack::encode(identity, &schema.implied_type())
        .map_err(|e| Diagnostic::bug(format!("cannot encode a resource identity: {e}")))
}

impl<P: Provider> Server<P> {
    /// The identity schema of a resource type, if it has one.
    pub fn identity_schema(&self, type_name: &str) -> Option<IdentitySchema> {
        self.types()
            .resources
            .get(type_name)
            .and_then(|r| r.imp.resource.identity())
    }

    /// Every resource type's identity schema (GetResourceIdentitySchemas).
    pub fn identity_schemas(&self) -> Vec<(String, IdentitySchema)> {
        self.types()
            .resources
            .iter()
            .filter_map(|(n, r)| r.imp.resource.identity().map(|s| (n.clone(), s)))
            .collect()
    }

    /// A stored identity (always JSON) decoded and encoded as msgpack. Versions newer than ours
    /// are refused; there are no older versions yet.
    pub fn upgrade_resource_identity(
        &self,
        type_name: &str,
        version: i64,
        raw_json: &[u8],
    ) -> Result<Vec<u8>, Diagnostics> {
        let schema = self.identity_schema(type_name).ok_or_else(|| {
            Diagnostic::error(
                "Resource Has No Identity",
                format!("{type_name} has no resource identity in this provider version."),
            )
        })?;
        if version != schema.version {
            return Err(Diagnostic::error(
                "Unsupported Identity Version",
                format!(
                    "The stored identity of this {type_name} has version {version}; this \
                     provider knows version {}. Use the provider version that wrote it, or a newer one.",
                    schema.version
                ),
            )
            .into());
        }
        let value = json::decode_lenient(raw_json, &schema.implied_type()).map_err(|e| {
            Diagnostic::error(
                "Unreadable Resource Identity",
                format!("The stored identity of this {type_name} does not match its schema: {e}."),
            )
        })?;
        Ok(encode(&value, &schema)?)
    }
}

impl<P: Provider> ResourceHandle<'_, P> {
    /// The identity schema, if the type has one.
    pub fn identity_schema(&self) -> Option<IdentitySchema> {
        self.imp().identity()
    }

    /// The encoded identity of the object `state` describes, for a response's identity field.
    /// `Ok(None)`: the type has no identity, or the object none yet.
    pub fn identity_data(&self, state: &Value) -> Result<Option<Vec<u8>>, Diagnostic> {
        let Some(schema) = self.identity_schema() else {
            return Ok(None);
        };
        schema
            .from_state(state)
            .map(|id| encode(&id, &schema))
            .transpose()
    }

    /// The import id named by the identity of an `import { identity = {...} }` block, which
    /// `decode` decodes given the identity's type.
    pub fn import_id_from_identity(
        &self,
        decode: impl FnOnce(&Type) -> Result<Value, Diagnostic>,
    ) -> Result<String, Diagnostic> {
        let schema = self.identity_schema().ok_or_else(|| {
            Diagnostic::error(
                "Import By Identity Not Supported",
                format!("{} has no resource identity: import it by id.", self.name()),
            )
        })?;
        let value = decode(&schema.implied_type())?;
        schema.import_id(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arn_identity() -> IdentitySchema {
        IdentitySchema::new().string("arn", "The ARN.")
    }

    fn state(arn: Value) -> Value {
        Value::Object(
            [
                ("arn".to_owned(), arn),
                ("name".to_owned(), Value::string("x")),
            ]
            .into_iter()
            .collect(),
        )
    }

    #[test]
    fn identity_is_copied_from_state_and_absent_without_an_object() {
        let s = arn_identity();
        let id = s.from_state(&state(Value::string("arn:a"))).unwrap();
        assert_eq!(id.attr("arn").and_then(Value::as_str), Some("arn:a"));
        assert!(id.attr("name").is_none());
        assert!(s.from_state(&Value::Null).is_none());
        assert!(s.from_state(&state(Value::Null)).is_none());
        assert!(s.from_state(&state(Value::unknown())).is_none());
    }

    #[test]
    fn import_id_is_the_required_attribute() {
        let s = arn_identity();
        assert_eq!(
            s.import_id(&state(Value::string("arn:a"))).unwrap(),
            "arn:a"
        );
        let err = s.import_id(&state(Value::Null)).unwrap_err();
        assert!(err.detail.contains("identity = { arn"), "{}", err.detail);
    }

    #[test]
    fn wire_schema_names_the_attribute_and_its_type() {
        let w = crate::server::wire::identity_schema(&arn_identity());
        assert_eq!(w.identity_attributes.len(), 1);
        assert_eq!(w.identity_attributes[0].name, "arn");
        assert_eq!(w.identity_attributes[0].r#type, b"\"string\"".to_vec());
        assert!(w.identity_attributes[0].required_for_import);
    }
}
