//! The identity, MoveResourceState and ListResource RPCs end to end through [`GrpcProvider`],
//! with an in-memory "thing" type: what Terraform sends, what it gets back.

use std::sync::Arc;

use async_trait::async_trait;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tonic::Request;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::plugin::tfplugin6 as pb;
use crate::plugin::tfplugin6::provider_server::Provider as _;
use crate::schema::{Attribute, Schema};
use crate::server::data_source::DynDataSource;
use crate::server::grpc::GrpcProvider;
use crate::server::{
    Context, DynListResource, Failed, IdentitySchema, ListRequest, ListResource, Listed,
    MoveSource, Provider, Resource, ServedResource, Server, wire,
};
use crate::value::{Value, msgpack};

struct TestProvider;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct ThingModel {
    arn: Option<String>,
    name: Option<String>,
}

/// What a `moved` block from an `old_thing` brings (registered with [`Thing`]).
fn adopt_thing(source: &MoveSource<'_>) -> Result<ThingModel, Diagnostics> {
    if source.type_name == "old_thing" {
        Ok(ThingModel {
            arn: source.state["id"].as_str().map(str::to_owned),
            name: source.state["title"].as_str().map(str::to_owned),
        })
    } else {
        Err(Diagnostic::error("Unsupported Resource Move", "only old_thing").into())
    }
}

struct Thing;

#[async_trait]
impl Resource<()> for Thing {
    type Model = ThingModel;

    fn name(&self) -> &'static str {
        "thing"
    }

    fn schema(&self) -> Schema {
        Schema::new("A thing.")
            .attribute(
                Attribute::string("arn")
                    .computed()
                    .stable()
                    .description("ARN."),
            )
            .attribute(Attribute::string("name").optional().description("Name."))
    }

    fn identity(&self) -> Option<IdentitySchema> {
        Some(IdentitySchema::new().string("arn", "ARN."))
    }

    async fn create(
        &self,
        _ctx: &Context<'_, ()>,
        plan: ThingModel,
    ) -> Result<ThingModel, Failed<ThingModel>> {
        Ok(ThingModel {
            arn: Some("arn:new".to_owned()),
            ..plan
        })
    }

    async fn read(
        &self,
        _ctx: &Context<'_, ()>,
        state: ThingModel,
    ) -> Result<Option<ThingModel>, Diagnostics> {
        Ok(Some(state))
    }

    async fn update(
        &self,
        _ctx: &Context<'_, ()>,
        _prior: ThingModel,
        plan: ThingModel,
    ) -> Result<ThingModel, Failed<ThingModel>> {
        Ok(plan)
    }

    async fn delete(&self, _ctx: &Context<'_, ()>, _state: ThingModel) -> Result<(), Diagnostics> {
        Ok(())
    }

    async fn import(
        &self,
        _ctx: &Context<'_, ()>,
        id: &str,
    ) -> Option<Result<ThingModel, Diagnostics>> {
        Some(Ok(ThingModel {
            arn: Some(id.to_owned()),
            name: None,
        }))
    }
}

struct ThingList;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct ThingListConfig {
    prefix: Option<String>,
}

#[async_trait]
impl ListResource<()> for ThingList {
    type Config = ThingListConfig;
    type Model = ThingModel;

    fn name(&self) -> &'static str {
        "thing"
    }

    fn schema(&self) -> Schema {
        Schema::new("Things.").attribute(
            Attribute::string("prefix")
                .optional()
                .description("Prefix."),
        )
    }

    async fn list(
        &self,
        _ctx: &Context<'_, ()>,
        config: ThingListConfig,
        request: ListRequest,
    ) -> Result<Vec<Listed<ThingModel>>, Diagnostics> {
        let prefix = config.prefix.unwrap_or_default();
        Ok((0..5)
            .map(|i| format!("{prefix}{i}"))
            .take(request.limit)
            .map(|name| Listed {
                display_name: name.clone(),
                object: ThingModel {
                    arn: Some(format!("arn:{name}")),
                    name: request.full.then_some(name),
                },
            })
            .collect())
    }
}

#[async_trait]
impl Provider for TestProvider {
    type Data = ();

    fn type_prefix(&self) -> &'static str {
        "test"
    }

    fn schema(&self) -> Schema {
        Schema::new("Test provider.")
    }

    async fn configure(&self, _config: &Value) -> Result<(), Diagnostics> {
        Ok(())
    }

    fn resources(&self) -> Vec<ServedResource<()>> {
        vec![ServedResource::adopting(Thing, adopt_thing)]
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<()>>> {
        Vec::new()
    }

    fn list_resources(&self) -> Vec<Box<dyn DynListResource<()>>> {
        vec![Box::new(ThingList)]
    }
}

async fn grpc() -> GrpcProvider<TestProvider> {
    let server = Server::new(TestProvider);
    assert!(
        server
            .configure(&Value::Object(Default::default()))
            .await
            .is_empty()
    );
    GrpcProvider::new(Arc::new(server))
}

fn identity_arn(data: Option<&pb::ResourceIdentityData>) -> Option<String> {
    let ty = IdentitySchema::new().string("arn", "").implied_type();
    let bytes = &data?.identity_data.as_ref()?.msgpack;
    msgpack::decode(bytes, &ty)
        .ok()?
        .attr("arn")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn thing(arn: Value, name: Value) -> Value {
    Value::Object(
        [("arn".to_owned(), arn), ("name".to_owned(), name)]
            .into_iter()
            .collect(),
    )
}

fn dv(v: &Value) -> Option<pb::DynamicValue> {
    let ty = Resource::schema(&Thing).implied_type();
    Some(wire::encode(v, &ty).unwrap())
}

#[tokio::test]
async fn identity_schemas_and_identities_on_read_plan_apply_import() {
    let g = grpc().await;
    let schemas = g
        .get_resource_identity_schemas(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    let s = &schemas.identity_schemas["test_thing"];
    assert_eq!(s.identity_attributes[0].name, "arn");
    assert!(s.identity_attributes[0].required_for_import);

    let state = thing(Value::string("arn:a"), Value::string("n"));
    let read = g
        .read_resource(Request::new(pb::read_resource::Request {
            type_name: "test_thing".into(),
            current_state: dv(&state),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        identity_arn(read.new_identity.as_ref()).as_deref(),
        Some("arn:a")
    );

    // A create plans no identity (the ARN is unknown); apply returns it.
    let config = thing(Value::Null, Value::string("n"));
    let plan = g
        .plan_resource_change(Request::new(pb::plan_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: None,
            proposed_new_state: dv(&config),
            config: dv(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.diagnostics.is_empty(), "{:?}", plan.diagnostics);
    assert!(plan.planned_identity.is_none());
    let apply = g
        .apply_resource_change(Request::new(pb::apply_resource_change::Request {
            type_name: "test_thing".into(),
            prior_state: None,
            planned_state: plan.planned_state,
            config: dv(&config),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        identity_arn(apply.new_identity.as_ref()).as_deref(),
        Some("arn:new")
    );

    // Import by identity: no id, the identity's arn.
    let identity = crate::server::identity::encode(
        &Value::Object(
            [("arn".to_owned(), Value::string("arn:imported"))]
                .into_iter()
                .collect(),
        ),
        &IdentitySchema::new().string("arn", ""),
    )
    .map(crate::server::wire::identity_data)
    .unwrap();
    let imported = g
        .import_resource_state(Request::new(pb::import_resource_state::Request {
            type_name: "test_thing".into(),
            identity: Some(identity),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(
        imported.diagnostics.is_empty(),
        "{:?}",
        imported.diagnostics
    );
    let r = &imported.imported_resources[0];
    assert_eq!(
        identity_arn(r.identity.as_ref()).as_deref(),
        Some("arn:imported")
    );
}

#[tokio::test]
async fn stored_identities_upgrade_from_json_and_newer_versions_are_refused() {
    let g = grpc().await;
    let up = g
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: "test_thing".into(),
            version: 0,
            raw_identity: Some(pb::RawState {
                json: br#"{"arn":"arn:x"}"#.to_vec(),
                ..Default::default()
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        identity_arn(up.upgraded_identity.as_ref()).as_deref(),
        Some("arn:x")
    );
    let newer = g
        .upgrade_resource_identity(Request::new(pb::upgrade_resource_identity::Request {
            type_name: "test_thing".into(),
            version: 3,
            raw_identity: Some(pb::RawState {
                json: br#"{"arn":"arn:x"}"#.to_vec(),
                ..Default::default()
            }),
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(newer.upgraded_identity.is_none());
    assert_eq!(newer.diagnostics[0].summary, "Unsupported Identity Version");
}

#[tokio::test]
async fn moves_map_the_source_state_and_add_the_identity() {
    let g = grpc().await;
    let moved = g
        .move_resource_state(Request::new(pb::move_resource_state::Request {
            source_provider_address: "old".into(),
            source_type_name: "old_thing".into(),
            source_state: Some(pb::RawState {
                json: br#"{"id":"arn:moved","title":"t"}"#.to_vec(),
                ..Default::default()
            }),
            target_type_name: "test_thing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(moved.diagnostics.is_empty(), "{:?}", moved.diagnostics);
    let ty = Resource::schema(&Thing).implied_type();
    let state = wire::decode(moved.target_state.as_ref(), &ty).unwrap();
    assert_eq!(state.attr("name").and_then(Value::as_str), Some("t"));
    assert_eq!(
        identity_arn(moved.target_identity.as_ref()).as_deref(),
        Some("arn:moved")
    );

    for (source, json) in [
        ("other_thing", &br#"{}"#[..]),
        ("old_thing", &b"not json"[..]),
    ] {
        let refused = g
            .move_resource_state(Request::new(pb::move_resource_state::Request {
                source_type_name: source.into(),
                source_state: Some(pb::RawState {
                    json: json.to_vec(),
                    ..Default::default()
                }),
                target_type_name: "test_thing".into(),
                ..Default::default()
            }))
            .await
            .unwrap()
            .into_inner();
        assert!(refused.target_state.is_none(), "{source}");
        assert_eq!(refused.diagnostics.len(), 1, "{source}");
    }
    let caps = g
        .get_provider_schema(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert!(caps.server_capabilities.unwrap().move_resource_state);
    assert!(caps.list_resource_schemas.contains_key("test_thing"));
}

async fn list(
    g: &GrpcProvider<TestProvider>,
    full: bool,
    limit: i64,
) -> Vec<pb::list_resource::Event> {
    let config_ty = ListResource::schema(&ThingList).implied_type();
    let config = Value::Object(
        [("prefix".to_owned(), Value::string("t"))]
            .into_iter()
            .collect(),
    );
    let stream = g
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "test_thing".into(),
            config: Some(wire::encode(&config, &config_ty).unwrap()),
            include_resource_object: full,
            limit,
        }))
        .await
        .unwrap()
        .into_inner();
    stream.map(|e| e.unwrap()).collect().await
}

#[tokio::test]
async fn listing_streams_identities_display_names_and_objects_up_to_the_limit() {
    let g = grpc().await;
    let events = list(&g, false, 100).await;
    assert_eq!(events.len(), 5);
    assert_eq!(events[0].display_name, "t0");
    assert_eq!(
        identity_arn(events[0].identity.as_ref()).as_deref(),
        Some("arn:t0")
    );
    assert!(events[0].resource_object.is_none());

    let events = list(&g, true, 2).await;
    assert_eq!(events.len(), 2);
    let ty = Resource::schema(&Thing).implied_type();
    let object = wire::decode(events[1].resource_object.as_ref(), &ty).unwrap();
    assert_eq!(object.attr("name").and_then(Value::as_str), Some("t1"));

    let metadata = g
        .get_metadata(Request::new(Default::default()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(metadata.list_resources[0].type_name, "test_thing");
    let unknown = g
        .list_resource(Request::new(pb::list_resource::Request {
            type_name: "test_nothing".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    let events: Vec<_> = unknown.map(|e| e.unwrap()).collect().await;
    assert_eq!(
        events[0].diagnostic[0].summary,
        "Unknown List Resource Type"
    );
}
