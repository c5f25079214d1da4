//! Applying a change of tags with the fewest calls: one UntagResource for removed keys, one
//! TagResource for added or changed ones, none when nothing changed. Keys the provider ignores
//! are never touched; the hidden create marker is dropped when the user's tags reach the limit.

use std::collections::{BTreeMap, HashMap};

use crate::aws::{ApiError, IvsChat, Operation};
use crate::provider::ProviderData;
use crate::provider::tags;

/// The keys to remove and the tags to add or change to go from `had` (as the API showed them)
/// to `new` (keys the provider ignores left out of both).
fn diff(
    data: &ProviderData,
    had: &HashMap<String, String>,
    new: &BTreeMap<String, String>,
) -> (Vec<String>, HashMap<String, String>) {
    let had: BTreeMap<String, String> = had.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let old = tags::tags_to_send(data, &had);
    let new = tags::tags_to_send(data, new);
    // Untagging a marker that is not there is harmless, so assume it may be.
    let removed = tags::keys_to_remove(&old, &new, true);
    let changed = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (removed, changed)
}

/// The tags an object carries after [`update_tags`] from `had` (as the API showed them) to
/// `new`: what the state records once both calls succeeded.
pub fn tags_after(
    data: &ProviderData,
    had: &HashMap<String, String>,
    new: &BTreeMap<String, String>,
) -> HashMap<String, String> {
    let (removed, changed) = diff(data, had, new);
    let mut tags = had.clone();
    for k in &removed {
        tags.remove(k);
    }
    tags.extend(changed);
    tags
}

/// Changes the tags of `arn` from `had` (as the API showed them) to `new` (the plan's
/// `tags_all`), with the fewest calls.
pub async fn update_tags(
    data: &ProviderData,
    client: &IvsChat,
    arn: &str,
    had: &HashMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<(), ApiError> {
    let (removed, changed) = diff(data, had, new);
    if removed.is_empty() && changed.is_empty() {
        return Ok(());
    }
    let result = send(client, arn, removed, changed).await;
    // Tag writes leave updateTime as it is: listings requested before they finished (or
    // failed, perhaps carried out) must not answer reads of the object.
    client.note_change(arn);
    result
}

async fn send(
    client: &IvsChat,
    arn: &str,
    removed: Vec<String>,
    changed: HashMap<String, String>,
) -> Result<(), ApiError> {
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
