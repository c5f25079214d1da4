//! The ephemeral resource contract (Terraform ≥ 1.10), typed for ephemeral resource code and
//! erased for the registry.
//!
//! An ephemeral resource is opened when Terraform needs its value (in plan and again in apply),
//! may be renewed while Terraform still uses it, and is closed at the end of the run. Its result
//! never reaches a plan or state file. What the resource needs to renew or close it travels in
//! `private` bytes that Terraform holds for the length of the run only.

use std::time::SystemTime;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::schema::Schema;
use crate::server::resource::Context;
use crate::value::{Type, Value};
use crate::value_serde;

/// What opening an ephemeral resource gives back.
#[derive(Debug)]
pub struct Opened<M> {
    /// The result object: the configuration plus every computed attribute.
    pub result: M,
    /// When set, Terraform calls Renew before this instant if it still needs the value.
    pub renew_at: Option<SystemTime>,
    /// Opaque bytes passed back to Renew and Close.
    pub private: Option<Vec<u8>>,
}

/// What renewing an ephemeral resource gives back.
#[derive(Debug, Default)]
pub struct Renewed {
    /// The next renewal deadline, if another renewal is needed.
    pub renew_at: Option<SystemTime>,
    /// Replaces the private bytes held by Terraform.
    pub private: Option<Vec<u8>>,
}

#[async_trait]
pub trait EphemeralResource<D: Send + Sync + 'static>: Send + Sync + 'static {
    type Model: Serialize + DeserializeOwned + Send + Sync;

    /// The type name after the provider prefix: `chat_token` for `ivschat_chat_token`.
    fn name(&self) -> &'static str;

    fn schema(&self) -> Schema;

    fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Makes the ephemeral object the (wholly known) configuration describes.
    async fn open(
        &self,
        ctx: &Context<'_, D>,
        config: Self::Model,
    ) -> Result<Opened<Self::Model>, Diagnostics>;

    /// Extends the object's life. The default has nothing to renew.
    async fn renew(
        &self,
        _ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics> {
        Ok(Renewed {
            renew_at: None,
            private,
        })
    }

    /// Releases the object at the end of the run. The default has nothing to release.
    async fn close(
        &self,
        _ctx: &Context<'_, D>,
        _private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics> {
        Ok(())
    }
}

/// [`Opened`] with the result as a value of the schema's type.
pub type OpenedValue = Opened<Value>;

#[async_trait]
pub trait DynEphemeralResource<D>: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Value, diags: &mut Diagnostics);
    async fn open(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<OpenedValue, Diagnostics>;
    async fn renew(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics>;
    async fn close(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics>;
}

#[async_trait]
impl<D, E> DynEphemeralResource<D> for E
where
    D: Send + Sync + 'static,
    E: EphemeralResource<D>,
{
    fn name(&self) -> &'static str {
        EphemeralResource::name(self)
    }

    fn schema(&self) -> Schema {
        EphemeralResource::schema(self)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        EphemeralResource::validate(self, config, diags);
    }

    async fn open(
        &self,
        ctx: &Context<'_, D>,
        ty: &Type,
        config: &Value,
    ) -> Result<OpenedValue, Diagnostics> {
        let config: E::Model =
            value_serde::from_value(config).map_err(|e| e.diagnostic("the configuration"))?;
        let opened = EphemeralResource::open(self, ctx, config).await?;
        let result = value_serde::to_value(&opened.result, ty)
            .map_err(|e| Diagnostic::bug(format!("result does not fit the schema: {e}")))?;
        Ok(Opened {
            result,
            renew_at: opened.renew_at,
            private: opened.private,
        })
    }

    async fn renew(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<Renewed, Diagnostics> {
        EphemeralResource::renew(self, ctx, private).await
    }

    async fn close(
        &self,
        ctx: &Context<'_, D>,
        private: Option<Vec<u8>>,
    ) -> Result<(), Diagnostics> {
        EphemeralResource::close(self, ctx, private).await
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use serde::Deserialize;

    use super::*;
    use crate::schema::Attribute;
    use crate::server::{DynDataSource, Provider, Server};

    #[derive(Default)]
    struct Data {
        opens: AtomicUsize,
    }

    struct TestProvider;

    #[derive(Default, Serialize, Deserialize)]
    struct SecretModel {
        name: Option<String>,
        secret: Option<String>,
    }

    struct Secret;

    #[async_trait]
    impl EphemeralResource<Data> for Secret {
        type Model = SecretModel;

        fn name(&self) -> &'static str {
            "secret"
        }

        fn schema(&self) -> Schema {
            Schema::new("A secret.")
                .attribute(
                    Attribute::string("name")
                        .required()
                        .validate(crate::schema::LengthBetween(1, 5))
                        .description("Name."),
                )
                .attribute(
                    Attribute::string("secret")
                        .computed()
                        .sensitive()
                        .description("Secret."),
                )
        }

        async fn open(
            &self,
            ctx: &Context<'_, Data>,
            config: SecretModel,
        ) -> Result<Opened<SecretModel>, Diagnostics> {
            ctx.provider.opens.fetch_add(1, Ordering::SeqCst);
            Ok(Opened {
                result: SecretModel {
                    secret: Some(format!("s-{}", config.name.clone().unwrap_or_default())),
                    ..config
                },
                renew_at: None,
                private: Some(b"handle".to_vec()),
            })
        }
    }

    #[async_trait]
    impl Provider for TestProvider {
        type Data = Data;

        fn type_prefix(&self) -> &'static str {
            "test"
        }

        fn schema(&self) -> Schema {
            Schema::new("Test.")
        }

        async fn configure(&self, _config: &Value) -> Result<Data, Diagnostics> {
            Ok(Data::default())
        }

        fn resources(&self) -> Vec<crate::server::ServedResource<Data>> {
            Vec::new()
        }

        fn data_sources(&self) -> Vec<Box<dyn DynDataSource<Data>>> {
            Vec::new()
        }

        fn ephemeral_resources(&self) -> Vec<Box<dyn DynEphemeralResource<Data>>> {
            vec![Box::new(Secret)]
        }
    }

    fn config(name: Value) -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_owned(), name),
            ("secret".to_owned(), Value::Null),
        ]))
    }

    #[tokio::test]
    async fn open_keeps_the_config_sets_computed_values_and_passes_private_bytes() {
        let server = Server::new(TestProvider);
        let err = server
            .ephemeral_resource("test_secret")
            .unwrap()
            .open(&config(Value::string("a")))
            .await
            .unwrap_err();
        assert!(err.has_errors(), "opened before configuration");
        assert!(server.configure(&Value::Null).await.is_empty());
        let opened = server
            .ephemeral_resource("test_secret")
            .unwrap()
            .open(&config(Value::string("a")))
            .await
            .unwrap();
        assert_eq!(opened.result.attr("name"), Some(&Value::string("a")));
        assert_eq!(opened.result.attr("secret"), Some(&Value::string("s-a")));
        assert_eq!(opened.private.as_deref(), Some(&b"handle"[..]));
        let renewed = server
            .ephemeral_resource("test_secret")
            .unwrap()
            .renew(opened.private)
            .await
            .unwrap();
        assert_eq!(renewed.private.as_deref(), Some(&b"handle"[..]));
        assert!(
            server
                .ephemeral_resource("test_secret")
                .unwrap()
                .close(renewed.private)
                .await
                .is_empty()
        );
        assert!(server.ephemeral_resource("test_nothing").is_err());
    }

    #[tokio::test]
    async fn an_unknown_config_is_answered_unknown_without_opening() {
        let server = Server::new(TestProvider);
        assert!(server.configure(&Value::Null).await.is_empty());
        let opened = server
            .ephemeral_resource("test_secret")
            .unwrap()
            .open(&config(Value::unknown()))
            .await
            .unwrap();
        assert!(opened.result.attr("secret").is_some_and(Value::is_unknown));
        let data = server.data().unwrap();
        assert_eq!(data.opens.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn validation_checks_the_schema() {
        let server = Server::new(TestProvider);
        let diags = server
            .ephemeral_resource("test_secret")
            .unwrap()
            .validate(&config(Value::string("too long")));
        assert!(diags.has_errors(), "the name's rule is checked");
    }
}
