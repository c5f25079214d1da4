//! The committed `docs/` must be what the schemas and examples generate: a description, rule or
//! example changed without regenerating fails here.

use std::path::Path;

use ivschat_provider::docs;
use ivschat_provider::registration::IvschatProvider;

#[test]
fn committed_docs_match_the_schemas() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let pages = docs::generate(&IvschatProvider, &root.join("examples"));
    assert!(
        pages.iter().any(|p| p.path == "resources/room.md"),
        "room page generated"
    );
    let mut stale = Vec::new();
    for page in &pages {
        let path = root.join("docs").join(&page.path);
        match std::fs::read_to_string(&path) {
            Ok(text) if text == page.text => {}
            Ok(_) => stale.push(format!("{} differs", page.path)),
            Err(_) => stale.push(format!("{} is missing", page.path)),
        }
    }
    assert!(
        stale.is_empty(),
        "docs/ is out of date ({}): run `cargo run --bin gen-docs` and commit",
        stale.join(", ")
    );
}

#[test]
fn every_attribute_of_every_type_is_described() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in docs::generate(&IvschatProvider, &root.join("examples")) {
        for line in page.text.lines().filter(|l| l.starts_with("- `")) {
            let (_, after_type) = line.split_once(") ").unwrap_or((line, ""));
            assert!(
                !after_type.trim().is_empty(),
                "{}: undocumented attribute: {line}",
                page.path
            );
        }
    }
}

/// The IAM guide lists exactly the registered types: a type added without its IAM actions
/// fails here.
#[test]
fn the_iam_guide_lists_every_type() {
    use ivschat_provider::iam::{NEEDS, TypeKind};
    use ivschat_provider::server::TypeTable;
    let registry = TypeTable::new(&IvschatProvider);
    let mut registered: Vec<(TypeKind, String)> = Vec::new();
    registered.extend(
        registry
            .resources
            .keys()
            .map(|n| (TypeKind::Resource, n.clone())),
    );
    registered.extend(
        registry
            .data_sources
            .keys()
            .map(|n| (TypeKind::DataSource, n.clone())),
    );
    registered.extend(
        registry
            .ephemeral_resources
            .keys()
            .map(|n| (TypeKind::EphemeralResource, n.clone())),
    );
    registered.extend(
        registry
            .list_resources
            .keys()
            .map(|n| (TypeKind::ListResource, n.clone())),
    );
    registered.extend(
        registry
            .actions
            .keys()
            .map(|n| (TypeKind::Action, n.clone())),
    );
    registered.extend(
        registry
            .functions
            .keys()
            .map(|n| (TypeKind::Function, n.clone())),
    );
    registered.sort();
    let mut listed: Vec<(TypeKind, String)> =
        NEEDS.iter().map(|t| (t.kind, t.name.to_owned())).collect();
    listed.sort();
    assert_eq!(listed, registered);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/guides/iam.md")).unwrap();
    for needle in [
        "`ivschat:UntagResource`",
        "create_markers = false",
        "\"Version\": \"2012-10-17\"",
        "\"ivschat:SendEvent\"",
    ] {
        assert!(guide.contains(needle), "{needle}");
    }
}
