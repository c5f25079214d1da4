//! The provider's types by full name, with their schemas built once.

use std::collections::BTreeMap;

use crate::diagnostics::Diagnostic;
use crate::schema::Schema;
use crate::server::action::DynAction;
use crate::server::data_source::DynDataSource;
use crate::server::ephemeral::DynEphemeralResource;
use crate::server::function::{FunctionError, RegisteredFunction};
use crate::server::list::DynListResource;
use crate::server::provider::Provider;
use crate::server::resource::ServedResource;
use crate::value::Type;

pub struct TypeEntry<T> {
    pub imp: T,
    pub schema: Schema,
    /// The schema's implied object type, what values of this type are encoded against.
    pub ty: Type,
}

impl<T> TypeEntry<T> {
    fn new(imp: T, schema: Schema) -> TypeEntry<T> {
        let ty = schema.implied_type();
        TypeEntry { imp, schema, ty }
    }
}

pub struct TypeTable<D> {
    pub provider_schema: Schema,
    pub provider_type: Type,
    pub resources: BTreeMap<String, TypeEntry<ServedResource<D>>>,
    pub data_sources: BTreeMap<String, TypeEntry<Box<dyn DynDataSource<D>>>>,
    pub ephemeral_resources: BTreeMap<String, TypeEntry<Box<dyn DynEphemeralResource<D>>>>,
    /// Provider-defined functions by bare name (`parse_arn`), not prefixed.
    pub functions: BTreeMap<String, RegisteredFunction>,
    /// List resources by full name, the name of the managed resource type they list.
    pub list_resources: BTreeMap<String, TypeEntry<Box<dyn DynListResource<D>>>>,
    pub actions: BTreeMap<String, TypeEntry<Box<dyn DynAction<D>>>>,
}

impl<D: Send + Sync + 'static> TypeTable<D> {
    pub fn new<P: Provider<Data = D>>(provider: &P) -> TypeTable<D> {
        let prefix = provider.type_prefix();
        let provider_schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|r| {
                let schema = r.resource.schema();
                (
                    format!("{prefix}_{}", r.resource.name()),
                    TypeEntry::new(r, schema),
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|d| {
                let schema = d.schema();
                (format!("{prefix}_{}", d.name()), TypeEntry::new(d, schema))
            })
            .collect();
        let ephemeral_resources = provider
            .ephemeral_resources()
            .into_iter()
            .map(|e| {
                let schema = e.schema();
                (format!("{prefix}_{}", e.name()), TypeEntry::new(e, schema))
            })
            .collect();
        let functions = provider
            .functions()
            .into_iter()
            .map(|f| (f.name().to_owned(), RegisteredFunction::new(f)))
            .collect();
        let list_resources = provider
            .list_resources()
            .into_iter()
            .map(|l| {
                let schema = l.schema();
                (format!("{prefix}_{}", l.name()), TypeEntry::new(l, schema))
            })
            .collect();
        let actions = provider
            .actions()
            .into_iter()
            .map(|a| {
                let schema = a.schema();
                (format!("{prefix}_{}", a.name()), TypeEntry::new(a, schema))
            })
            .collect();
        TypeTable {
            actions,
            provider_type: provider_schema.implied_type(),
            provider_schema,
            resources,
            data_sources,
            ephemeral_resources,
            functions,
            list_resources,
        }
    }

    pub fn list_resource(
        &self,
        name: &str,
    ) -> Result<&TypeEntry<Box<dyn DynListResource<D>>>, Diagnostic> {
        self.list_resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown List Resource Type",
                format!("This provider has no list resource type {name:?}."),
            )
        })
    }

    pub fn action(&self, name: &str) -> Result<&TypeEntry<Box<dyn DynAction<D>>>, Diagnostic> {
        self.actions.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Action Type",
                format!("This provider has no action type {name:?}."),
            )
        })
    }

    pub fn ephemeral_resource(
        &self,
        name: &str,
    ) -> Result<&TypeEntry<Box<dyn DynEphemeralResource<D>>>, Diagnostic> {
        self.ephemeral_resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Ephemeral Resource Type",
                format!("This provider has no ephemeral resource type {name:?}."),
            )
        })
    }

    pub fn function(&self, name: &str) -> Result<&RegisteredFunction, FunctionError> {
        self.functions
            .get(name)
            .ok_or_else(|| FunctionError::new(format!("This provider has no function {name:?}.")))
    }

    pub fn resource(&self, name: &str) -> Result<&TypeEntry<ServedResource<D>>, Diagnostic> {
        self.resources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Resource Type",
                format!("This provider has no resource type {name:?}."),
            )
        })
    }

    pub fn data_source(
        &self,
        name: &str,
    ) -> Result<&TypeEntry<Box<dyn DynDataSource<D>>>, Diagnostic> {
        self.data_sources.get(name).ok_or_else(|| {
            Diagnostic::error(
                "Unknown Data Source",
                format!("This provider has no data source {name:?}."),
            )
        })
    }
}
