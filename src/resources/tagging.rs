//! Applying a change of tags with the fewest calls: one UntagResource for removed keys, one
//! TagResource for added or changed ones, none when nothing changed.

use std::collections::BTreeMap;

use crate::provider::ProviderData;
use crate::provider::client::{ApiError, IvsChat, Operation};
use crate::provider::tags;

pub async fn update_tags(
    data: &ProviderData,
    client: &IvsChat,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let removed: Vec<String> = old
        .keys()
        .filter(|k| !new.contains_key(*k))
        .cloned()
        .collect();
    let changed: BTreeMap<String, String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let removed: Vec<String> = {
        // Keys the provider ignores are never touched.
        let keep = tags::tags_to_send(
            data,
            &removed.iter().map(|k| (k.clone(), String::new())).collect(),
        );
        removed
            .into_iter()
            .filter(|k| keep.contains_key(k))
            .collect()
    };
    let changed = tags::tags_to_send(data, &changed);
    if !removed.is_empty() {
        client
            .call(Operation::UntagResource, |c| {
                c.untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(removed.clone()))
                    .send()
            })
            .await?;
    }
    if !changed.is_empty() {
        client
            .call(Operation::TagResource, |c| {
                c.tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(changed.clone()))
                    .send()
            })
            .await?;
    }
    Ok(())
}
