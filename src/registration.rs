//! The provider and every Terraform type it serves: the one place that names the type folders,
//! so that [`crate::provider`] never imports them. A new type is one file in its folder (with
//! its `pub mod` line in the folder's `mod.rs`) plus one line in `types()`.
//!
//! Each type declares in its own file what it calls and needs ([`Declares`]): the IVS Chat API
//! operations it uses (each declared as a const of [`Operation`] beside its concept, with its
//! quota lane, [`Lane`]), its IAM needs and, for an object type, its ARN kind. Everything else is
//! derived here from the list of types: [`operations`] (the IAM guide's policy lists them in
//! this order), [`lanes`] (one `rate_limits` attribute each), [`NEEDS`] (the IAM guide) and
//! [`kinds`] (the ARN kinds `parse_arn` accepts).

use std::sync::LazyLock;

use async_trait::async_trait;

use crate::aws::{Lane, Operation};
use crate::diagnostics::Diagnostics;
use crate::domain::arn;
use crate::domain::declaration::{Declared, Declares};
use crate::domain::iam::TypeNeeds;
use crate::provider::{self, ProviderData};
use crate::schema::Schema;
use crate::server::{
    Adopt, DynAction, DynDataSource, DynEphemeralResource, DynListResource, Function, Provider,
    Resource, ServedResource,
};
use crate::value::Value;
use crate::{actions, data_sources, ephemeral_resources, functions, migrations, resources};

/// Every type the provider serves, one line each, in the IAM guide's order.
fn types() -> Vec<Declaration> {
    vec![
        resource(resources::room::Room, Some(migrations::room)),
        resource(
            resources::logging_configuration::LoggingConfiguration,
            Some(migrations::logging_configuration),
        ),
        data_source(data_sources::room::RoomDataSource),
        data_source(data_sources::rooms::RoomsDataSource),
        data_source(data_sources::logging_configuration::LoggingConfigurationDataSource),
        data_source(data_sources::logging_configurations::LoggingConfigurationsDataSource),
        ephemeral_resource(ephemeral_resources::chat_token::ChatToken),
        list_resource(resources::room::RoomList),
        list_resource(resources::logging_configuration::LoggingConfigurationList),
        action(actions::send_event::SendEvent),
        action(actions::delete_message::DeleteMessage),
        action(actions::disconnect_user::DisconnectUser),
        function(functions::parse_arn::ParseArn(kinds)),
        function(functions::room_arn::RoomArnFunction),
    ]
}

/// A registered type: what it declares, and the type itself.
struct Declaration {
    declared: Declared,
    served: Served,
}

/// A type, as the server takes it.
enum Served {
    Resource(ServedResource<ProviderData>),
    DataSource(Box<dyn DynDataSource<ProviderData>>),
    EphemeralResource(Box<dyn DynEphemeralResource<ProviderData>>),
    ListResource(Box<dyn DynListResource<ProviderData>>),
    Action(Box<dyn DynAction<ProviderData>>),
    Function(Box<dyn Function>),
}

/// A resource type, with how it adopts other providers' state (`moved` blocks,
/// [`crate::migrations`]) if it does.
fn resource<T: Resource<ProviderData> + Declares>(
    t: T,
    adopt: Option<Adopt<T::Model>>,
) -> Declaration {
    let served = match adopt {
        Some(adopt) => ServedResource::adopting(t, adopt),
        None => ServedResource::new(t),
    };
    Declaration {
        declared: T::DECLARED,
        served: Served::Resource(served),
    }
}

fn data_source<T: DynDataSource<ProviderData> + Declares + 'static>(t: T) -> Declaration {
    Declaration {
        declared: T::DECLARED,
        served: Served::DataSource(Box::new(t)),
    }
}

fn ephemeral_resource<T: DynEphemeralResource<ProviderData> + Declares + 'static>(
    t: T,
) -> Declaration {
    Declaration {
        declared: T::DECLARED,
        served: Served::EphemeralResource(Box::new(t)),
    }
}

fn list_resource<T: DynListResource<ProviderData> + Declares + 'static>(t: T) -> Declaration {
    Declaration {
        declared: T::DECLARED,
        served: Served::ListResource(Box::new(t)),
    }
}

fn action<T: DynAction<ProviderData> + Declares + 'static>(t: T) -> Declaration {
    Declaration {
        declared: T::DECLARED,
        served: Served::Action(Box::new(t)),
    }
}

fn function<T: Function + Declares + 'static>(t: T) -> Declaration {
    Declaration {
        declared: T::DECLARED,
        served: Served::Function(Box::new(t)),
    }
}

/// The registered types of one kind, as the server takes them.
fn served<T>(pick: impl Fn(Served) -> Option<T>) -> Vec<T> {
    types().into_iter().filter_map(|t| pick(t.served)).collect()
}

/// Every type's IAM needs, in `types()` order (the IAM guide).
pub static NEEDS: LazyLock<Vec<TypeNeeds>> =
    LazyLock::new(|| types().into_iter().map(|t| t.declared.iam).collect());

/// Every kind of IVS Chat object a registered type is, once.
static KINDS: LazyLock<Vec<arn::ArnKind>> = LazyLock::new(|| {
    let mut all: Vec<arn::ArnKind> = Vec::new();
    for kind in types().iter().flat_map(|t| t.declared.kinds) {
        if !all.contains(kind) {
            all.push(*kind);
        }
    }
    all
});

/// The ARN kinds the parser accepts where any kind will do (`parse_arn`).
pub fn kinds() -> &'static [arn::ArnKind] {
    &KINDS
}

/// Every operation the registered types call, once. Types of one kind are taken together, each
/// one's own concept's operations first, then those it shares with others (tagging): rooms,
/// logging configurations, tags, chat tokens, messaging.
pub fn operations() -> Vec<Operation> {
    let declared: Vec<Declared> = types().into_iter().map(|t| t.declared).collect();
    let mut all: Vec<Operation> = Vec::new();
    for same_kind in declared.chunk_by(|a, b| a.iam.kind == b.iam.kind) {
        let groups = same_kind
            .iter()
            .map(|d| d.operations.len())
            .max()
            .unwrap_or(0);
        for i in 0..groups {
            let ops = same_kind
                .iter()
                .filter_map(|d| d.operations.get(i))
                .flat_map(|group| group.iter());
            for op in ops {
                if !all.contains(op) {
                    all.push(*op);
                }
            }
        }
    }
    all
}

/// The quota lanes of the registered operations, in [`operations`] order.
pub fn lanes() -> Vec<Lane> {
    crate::aws::lanes_of(operations().iter())
}

/// The IVS Chat provider.
#[derive(Debug, Default)]
pub struct IvschatProvider;

#[async_trait]
impl Provider for IvschatProvider {
    type Data = ProviderData;

    fn type_prefix(&self) -> &'static str {
        "ivschat"
    }

    fn schema(&self) -> Schema {
        provider::provider_schema(&lanes())
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        provider::validate_config(config, &lanes(), diags);
    }

    async fn configure(&self, config: &Value) -> Result<ProviderData, Diagnostics> {
        provider::configure(config)
    }

    fn resources(&self) -> Vec<ServedResource<ProviderData>> {
        served(|t| match t {
            Served::Resource(r) => Some(r),
            _ => None,
        })
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<ProviderData>>> {
        served(|t| match t {
            Served::DataSource(d) => Some(d),
            _ => None,
        })
    }

    fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<ProviderData>>> {
        served(|t| match t {
            Served::EphemeralResource(e) => Some(e),
            _ => None,
        })
    }

    fn actions(&self) -> Vec<Box<dyn DynAction<ProviderData>>> {
        served(|t| match t {
            Served::Action(a) => Some(a),
            _ => None,
        })
    }

    fn functions(&self) -> Vec<Box<dyn Function>> {
        served(|t| match t {
            Served::Function(f) => Some(f),
            _ => None,
        })
    }

    fn list_resources(&self) -> Vec<Box<dyn DynListResource<ProviderData>>> {
        served(|t| match t {
            Served::ListResource(l) => Some(l),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::RateLimits;

    /// Every operation a type declares, in declaration order (types, then groups).
    fn declared_operations() -> Vec<Operation> {
        types()
            .iter()
            .flat_map(|t| t.declared.operations.iter())
            .flat_map(|group| group.iter().copied())
            .collect()
    }

    #[test]
    fn the_registry_lists_every_declared_operation_once() {
        let all = operations();
        let declared = declared_operations();
        for op in &declared {
            assert_eq!(all.iter().filter(|o| *o == op).count(), 1, "{op}: {all:?}");
        }
        for op in &all {
            assert!(declared.contains(op), "{op} is declared by no type");
        }
        let at = |op: &Operation| all.iter().position(|o| o == op).unwrap();
        // Each group keeps its declared order.
        for group in types().iter().flat_map(|t| t.declared.operations.iter()) {
            let positions: Vec<usize> = group.iter().map(at).collect();
            assert!(positions.is_sorted(), "{group:?} out of order in {all:?}");
        }
        // Types of one kind are taken together, their own concepts' operations before the
        // ones they share (tagging) that no earlier kind listed.
        let declared: Vec<Declared> = types().into_iter().map(|t| t.declared).collect();
        let mut seen: Vec<Operation> = Vec::new();
        for same_kind in declared.chunk_by(|a, b| a.iam.kind == b.iam.kind) {
            let own: Vec<Operation> = same_kind
                .iter()
                .filter_map(|d| d.operations.first())
                .flat_map(|g| g.iter().copied())
                .filter(|op| !seen.contains(op))
                .collect();
            let shared: Vec<Operation> = same_kind
                .iter()
                .flat_map(|d| d.operations.iter().skip(1))
                .flat_map(|g| g.iter().copied())
                .filter(|op| !seen.contains(op) && !own.contains(op))
                .collect();
            if let (Some(last_own), Some(first_shared)) =
                (own.iter().map(at).max(), shared.iter().map(at).min())
            {
                assert!(
                    last_own < first_shared,
                    "{own:?} before {shared:?}: {all:?}"
                );
            }
            seen.extend(own);
            seen.extend(shared);
        }
    }

    #[test]
    fn every_operation_has_a_verb_and_its_quota_lane() {
        let rates = RateLimits::default();
        for op in operations() {
            assert!(!op.verb().is_empty());
            // The IVS Chat quotas (calls per second), by operation.
            let expected = match op.name() {
                n if n.contains("LoggingConfiguration") => 3.0,
                n if n.contains("Room") && n != "DeleteMessage" => 5.0,
                "TagResource" | "UntagResource" | "ListTagsForResource" => 10.0,
                "CreateChatToken" => 200.0,
                _ => 100.0,
            };
            assert_eq!(op.lane().rate(&rates), expected, "{op}");
        }
    }

    #[test]
    fn every_type_is_served_as_the_kind_it_declares() {
        use crate::domain::iam::TypeKind;
        let all = types();
        assert_eq!(all.len(), NEEDS.len());
        for t in all {
            let served = match t.served {
                Served::Resource(_) => TypeKind::Resource,
                Served::DataSource(_) => TypeKind::DataSource,
                Served::EphemeralResource(_) => TypeKind::EphemeralResource,
                Served::ListResource(_) => TypeKind::ListResource,
                Served::Action(_) => TypeKind::Action,
                Served::Function(_) => TypeKind::Function,
            };
            assert_eq!(served, t.declared.iam.kind, "{}", t.declared.iam.name);
        }
    }

    #[test]
    fn the_arn_parser_gets_the_kinds_the_types_declare() {
        use crate::domain::arn::Arn;
        let mut declared = Vec::new();
        for kind in types().iter().flat_map(|t| t.declared.kinds) {
            if !declared.contains(kind) {
                declared.push(*kind);
            }
        }
        assert!(!declared.is_empty());
        assert_eq!(kinds(), declared);
        for kind in kinds() {
            let s = format!(
                "arn:aws:ivschat:us-east-1:123456789012:{}/abc",
                kind.as_str()
            );
            assert_eq!(
                Arn::parse(&s, kinds()).map(|a| (a.to_string(), a.kind)),
                Ok((s.clone(), *kind))
            );
        }
        assert!(kinds().iter().all(|k| k.as_str() != "stage"));
        let err =
            Arn::parse("arn:aws:ivschat:us-east-1:123456789012:stage/abc", kinds()).unwrap_err();
        let names: Vec<&str> = kinds().iter().map(|k| k.as_str()).collect();
        let form = match names.as_slice() {
            [one] => format!(":{one}/<id>"),
            _ => format!(":<{}>/<id>", names.join("|")),
        };
        assert!(err.to_string().contains(&form), "{err}");
    }

    /// A resource manages objects of a declared kind (its own, or its parent's for a part of
    /// one, such as a tag): the IAM guide's resource patterns then cover its calls.
    #[test]
    fn every_resource_type_manages_a_declared_kind_of_object() {
        for t in types() {
            if let Served::Resource(_) = t.served {
                assert!(!t.declared.kinds.is_empty(), "{}", t.declared.iam.name);
            }
        }
    }
}
