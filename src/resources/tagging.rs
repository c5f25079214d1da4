//! Applying a change of tags with the fewest calls: one UntagResource for removed keys, one
//! TagResource for added or changed ones, none when nothing changed. Keys the provider ignores
//! are never touched; the hidden create marker is dropped when the user's tags reach the limit.

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
    let old = tags::tags_to_send(data, old);
    let new = tags::tags_to_send(data, new);
    // Untagging a marker that is not there is harmless, so assume it may be.
    let removed = tags::keys_to_remove(&old, &new, true);
    let changed: std::collections::HashMap<String, String> = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !removed.is_empty() || !changed.is_empty() {
        // Tag writes leave updateTime as it is: listings fetched before must not answer reads.
        client.note_change(arn);
    }
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
