//! The server against Terraform's rules, with an in-memory resource type: what apply returns
//! always matches the plan, failures keep what exists, reads report disappearance, and stored
//! state is migrated and decoded leniently.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::*;
use crate::schema::{Attribute, IntBetween, Schema};
use crate::server::data_source::DynDataSource;

#[derive(Default)]
struct Cloud {
    widgets: Mutex<BTreeMap<String, i64>>,
    fail_next: Mutex<Option<&'static str>>,
}

struct TestProvider;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct WidgetModel {
    id: Option<String>,
    name: Option<String>,
    size: Option<i64>,
    label: Option<String>,
}

struct Widget;

/// Private data the widget keeps: how many times it was written or read.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Generation(u32);

impl PrivateData for Generation {
    const KEY: &'static str = "generation";
}

#[async_trait]
impl Resource<Cloud> for Widget {
    type Model = WidgetModel;

    fn name(&self) -> &'static str {
        "widget"
    }

    fn schema(&self) -> Schema {
        Schema::new("A widget.")
            .version(1)
            .attribute(
                Attribute::string("id")
                    .computed()
                    .stable()
                    .description("Id."),
            )
            .attribute(
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .description("Name."),
            )
            .attribute(
                Attribute::number("size")
                    .default(3)
                    .validate(IntBetween(1, 9))
                    .description("Size."),
            )
            .attribute(
                Attribute::string("label")
                    .optional_computed()
                    .description("Label, computed when unset."),
            )
    }

    async fn create(
        &self,
        ctx: &Context<'_, Cloud>,
        plan: WidgetModel,
    ) -> Result<WidgetModel, Failed<WidgetModel>> {
        let name = plan.name.clone().unwrap_or_default();
        let fail = ctx.provider.fail_next.lock().unwrap().take();
        if fail == Some("before") {
            return Err(Failed::nothing_created(Diagnostic::error(
                "Boom",
                "nothing made",
            )));
        }
        ctx.provider
            .widgets
            .lock()
            .unwrap()
            .insert(name.clone(), plan.size.unwrap_or(0));
        let made = WidgetModel {
            id: Some(format!("w-{name}")),
            // The API normalizes names to upper case; the plan's value must still win.
            name: Some(name.to_uppercase()),
            size: plan.size,
            label: Some("from-api".to_owned()),
        };
        ctx.set_private(&Generation(1));
        if fail == Some("after") {
            return Err(Failed::with_partial(
                made,
                Diagnostic::error("Boom", "made, then a later step failed"),
            ));
        }
        Ok(made)
    }

    async fn read(
        &self,
        ctx: &Context<'_, Cloud>,
        state: WidgetModel,
    ) -> Result<Option<WidgetModel>, Diagnostics> {
        if ctx.provider.fail_next.lock().unwrap().take() == Some("read") {
            return Err(Diagnostic::error("Unreachable", "network down").into());
        }
        let name = state.name.clone().unwrap_or_default();
        // Each read counts up the generation kept in private state.
        let generation = ctx.private::<Generation>().map_or(0, |g| g.0);
        ctx.set_private(&Generation(generation + 1));
        Ok(ctx
            .provider
            .widgets
            .lock()
            .unwrap()
            .get(&name)
            .map(|size| WidgetModel {
                size: Some(*size),
                ..state
            }))
    }

    async fn update(
        &self,
        ctx: &Context<'_, Cloud>,
        prior: WidgetModel,
        plan: WidgetModel,
    ) -> Result<WidgetModel, Failed<WidgetModel>> {
        match ctx.provider.fail_next.lock().unwrap().take() {
            Some("update") => {
                return Err(Failed::nothing_created(Diagnostic::error(
                    "Boom",
                    "update refused",
                )));
            }
            // The label was applied, the size was not.
            Some("update-partly") => {
                return Err(Failed::with_partial(
                    WidgetModel {
                        label: plan.label.clone(),
                        ..prior
                    },
                    Diagnostic::error("Boom", "size refused"),
                ));
            }
            _ => {}
        }
        let name = plan.name.clone().unwrap_or_default();
        ctx.provider
            .widgets
            .lock()
            .unwrap()
            .insert(name, plan.size.unwrap_or(0));
        Ok(WidgetModel {
            label: Some("from-api".to_owned()),
            ..plan
        })
    }

    async fn delete(
        &self,
        ctx: &Context<'_, Cloud>,
        state: WidgetModel,
    ) -> Result<(), Diagnostics> {
        ctx.provider
            .widgets
            .lock()
            .unwrap()
            .remove(&state.name.unwrap_or_default());
        Ok(())
    }

    fn upgrade_state(
        &self,
        from: i64,
        mut state: serde_json::Value,
    ) -> Result<serde_json::Value, Diagnostics> {
        // Version 0 called the size "length".
        assert_eq!(from, 0);
        if let Some(length) = state.as_object_mut().and_then(|o| o.remove("length")) {
            state["size"] = length;
        }
        Ok(state)
    }
}

#[async_trait]
impl Provider for TestProvider {
    type Data = Cloud;

    fn type_prefix(&self) -> &'static str {
        "test"
    }

    fn schema(&self) -> Schema {
        Schema::new("Test provider.")
    }

    async fn configure(&self, _config: &Value) -> Result<Cloud, Diagnostics> {
        Ok(Cloud::default())
    }

    fn resources(&self) -> Vec<ServedResource<Cloud>> {
        vec![ServedResource::new(Widget)]
    }

    fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Cloud>>> {
        Vec::new()
    }
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn config(name: &str, size: Value) -> Value {
    obj(&[
        ("id", Value::Null),
        ("name", name.into()),
        ("size", size),
        ("label", Value::Null),
    ])
}

async fn server() -> Server<TestProvider> {
    let server = Server::new(TestProvider);
    assert!(
        server
            .configure(&Value::Object(BTreeMap::new()))
            .await
            .is_empty()
    );
    server
}

fn set_failure(server: &Server<TestProvider>, what: &'static str) {
    *server.data().unwrap().fail_next.lock().unwrap() = Some(what);
}

async fn create(server: &Server<TestProvider>, name: &str) -> Value {
    let c = config(name, Value::Null);
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&Value::Null, &c, &c)
        .planned;
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&Value::Null, &planned, None)
        .await;
    assert!(diags.is_empty(), "{diags}");
    state
}

#[tokio::test]
async fn applied_state_keeps_every_planned_value_and_fills_the_unknowns() {
    let server = server().await;
    let c = config("a", Value::Null);
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&Value::Null, &c, &c)
        .planned;
    assert!(planned.attr("id").unwrap().is_unknown());
    assert!(planned.attr("label").unwrap().is_unknown());
    assert_eq!(planned.attr("size"), Some(&Value::int(3)));
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&Value::Null, &planned, None)
        .await;
    assert!(diags.is_empty(), "{diags}");
    assert_eq!(
        state.attr("name"),
        Some(&Value::string("a")),
        "the planned name wins over the API's"
    );
    assert_eq!(state.attr("id"), Some(&Value::string("w-a")));
    assert_eq!(state.attr("label"), Some(&Value::string("from-api")));
    assert!(state.is_wholly_known());
}

#[tokio::test]
async fn a_create_that_made_something_returns_it_with_the_error() {
    let server = server().await;
    set_failure(&server, "after");
    let c = config("b", Value::Null);
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&Value::Null, &c, &c)
        .planned;
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&Value::Null, &planned, None)
        .await;
    assert!(diags.has_errors());
    assert_eq!(
        state.attr("id"),
        Some(&Value::string("w-b")),
        "the object stays in state to be tainted"
    );
    assert!(state.is_wholly_known());

    set_failure(&server, "before");
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&Value::Null, &planned, None)
        .await;
    assert!(diags.has_errors());
    assert!(state.is_null(), "nothing was made, nothing is stored");
}

#[tokio::test]
async fn a_failed_update_keeps_the_prior_state() {
    let server = server().await;
    let prior = create(&server, "c").await;
    let c = config("c", Value::int(7));
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&prior, &c, &c)
        .planned;
    set_failure(&server, "update");
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&prior, &planned, None)
        .await;
    assert!(diags.has_errors());
    assert_eq!(state, prior);
}

/// Issue 13, finding 4: the planned values of what the update did not apply are not recorded.
#[tokio::test]
async fn a_partly_failed_update_records_only_what_was_applied() {
    let server = server().await;
    let prior = create(&server, "p").await;
    let mut c = config("p", Value::int(7));
    if let Value::Object(attrs) = &mut c {
        attrs.insert("label".to_owned(), Value::string("new-label"));
    }
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&prior, &c, &c)
        .planned;
    set_failure(&server, "update-partly");
    let (state, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&prior, &planned, None)
        .await;
    assert!(diags.has_errors());
    assert_eq!(
        state.attr("size"),
        prior.attr("size"),
        "the size was not applied"
    );
    assert_eq!(state.attr("label"), Some(&Value::string("new-label")));
}

#[tokio::test]
async fn private_state_written_on_apply_comes_back_on_read() {
    let server = server().await;
    let c = config("q", Value::Null);
    let planned = server
        .resource("test_widget")
        .unwrap()
        .plan(&Value::Null, &c, &c)
        .planned;
    let (state, private, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&Value::Null, &planned, None)
        .await;
    assert!(diags.is_empty(), "{diags}");
    assert_eq!(
        PrivateState::decode(Some(&private)).get(),
        Some(Generation(1))
    );
    let (_, private, _) = server
        .resource("test_widget")
        .unwrap()
        .read(&state, Some(&private))
        .await;
    assert_eq!(
        PrivateState::decode(Some(&private)).get(),
        Some(Generation(2))
    );
    // A destroyed object keeps nothing.
    let (gone, private, _) = server
        .resource("test_widget")
        .unwrap()
        .apply(&state, &Value::Null, Some(&private))
        .await;
    assert!(gone.is_null() && private.is_empty());
}

#[tokio::test]
async fn reads_report_gone_objects_as_null_and_keep_state_on_errors() {
    let server = server().await;
    let state = create(&server, "d").await;
    set_failure(&server, "read");
    let (kept, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .read(&state, None)
        .await;
    assert!(diags.has_errors());
    assert_eq!(kept, state, "a failed read never drops the object");
    let (deleted, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .apply(&state, &Value::Null, None)
        .await;
    assert!(diags.is_empty() && deleted.is_null());
    let (gone, _, diags) = server
        .resource("test_widget")
        .unwrap()
        .read(&state, None)
        .await;
    assert!(diags.is_empty());
    assert!(gone.is_null());
}

#[tokio::test]
async fn requires_replace_is_reported_and_a_destroy_plans_null() {
    let server = server().await;
    let prior = create(&server, "e").await;
    let c = config("f", Value::Null);
    let change = server.resource("test_widget").unwrap().plan(&prior, &c, &c);
    assert_eq!(change.requires_replace, vec![Path::attr("name")]);
    let destroy = server
        .resource("test_widget")
        .unwrap()
        .plan(&prior, &Value::Null, &Value::Null);
    assert!(destroy.planned.is_null());
}

#[tokio::test]
async fn stored_state_is_migrated_and_decoded_leniently() {
    let server = server().await;
    let v0 = br#"{"id":"w-g","name":"g","length":5,"label":"x","dropped_long_ago":true}"#;
    let state = server
        .resource("test_widget")
        .unwrap()
        .upgrade_state(0, v0)
        .unwrap();
    assert_eq!(state.attr("size"), Some(&Value::int(5)));
    assert_eq!(state.attr("name"), Some(&Value::string("g")));
    let newer = server
        .resource("test_widget")
        .unwrap()
        .upgrade_state(2, b"{}")
        .unwrap_err();
    assert!(
        newer.to_string().contains("Upgrade the provider"),
        "{newer}"
    );
}

#[tokio::test]
async fn validation_reports_the_rule_and_path_and_skips_unknowns() {
    let server = server().await;
    let diags = server
        .resource("test_widget")
        .unwrap()
        .validate(&config("h", Value::int(10)));
    let d = diags.iter().next().unwrap();
    assert_eq!(d.path, Some(Path::attr("size")));
    assert!(d.detail.contains("between 1 and 9"), "{d}");
    assert!(
        server
            .resource("test_widget")
            .unwrap()
            .validate(&config("h", Value::unknown()))
            .is_empty()
    );
    let unknown_type = server
        .resource("test_nope")
        .map_or_else(Diagnostics::from, |r| r.validate(&config("h", Value::Null)));
    assert!(unknown_type.has_errors());
}
