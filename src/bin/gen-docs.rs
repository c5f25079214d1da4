//! Writes `docs/` from the provider's schemas and `examples/`: `cargo run --bin gen-docs`.

use std::path::Path;

use anyhow::Context as _;
use ivschat_provider::docs;
use ivschat_provider::registration::IvschatProvider;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("docs");
    for page in docs::generate(&IvschatProvider, &root.join("examples")) {
        let path = out.join(&page.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, page.text).with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
