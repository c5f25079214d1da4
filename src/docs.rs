//! Registry-style documentation generated from the schemas: every description, rule and default
//! written once in the schema appears in `docs/` without being written again. Examples come from
//! `examples/`, the same files the tests apply.

use std::fmt::Write as _;
use std::path::Path as FsPath;

use crate::schema::{Attribute, AttributeType, Block, Mode, NestedBlock, Nesting, Schema};
use crate::server::{Provider, TypeTable};
use crate::value::Type;

/// One generated file: its path under `docs/` and its text.
pub struct Page {
    pub path: String,
    pub text: String,
}

/// Every page of the provider's documentation. `examples` is the project's `examples/` folder.
pub fn generate<P: Provider>(provider: &P, examples: &FsPath) -> Vec<Page> {
    let registry = TypeTable::new(provider);
    let prefix = provider.type_prefix();
    let mut pages = vec![Page {
        path: "index.md".to_owned(),
        text: index_page(prefix, &registry.provider_schema, examples),
    }];
    for (name, r) in &registry.resources {
        pages.push(Page {
            path: format!("resources/{}.md", short(name, prefix)),
            text: type_page(
                name,
                "Resource",
                &r.schema,
                examples,
                "resources",
                "resource.tf",
                true,
            ),
        });
    }
    for (name, d) in &registry.data_sources {
        pages.push(Page {
            path: format!("data-sources/{}.md", short(name, prefix)),
            text: type_page(
                name,
                "Data Source",
                &d.schema,
                examples,
                "data-sources",
                "data-source.tf",
                false,
            ),
        });
    }
    for (name, l) in &registry.list_resources {
        pages.push(Page {
            path: format!("list-resources/{}.md", short(name, prefix)),
            text: type_page(
                name,
                "List Resource",
                &l.schema,
                examples,
                "list-resources",
                "list-resource.tfquery.hcl",
                false,
            ),
        });
    }
    for (name, e) in &registry.ephemeral_resources {
        pages.push(Page {
            path: format!("ephemeral-resources/{}.md", short(name, prefix)),
            text: type_page(
                name,
                "Ephemeral Resource",
                &e.schema,
                examples,
                "ephemeral-resources",
                "ephemeral-resource.tf",
                false,
            ),
        });
    }
    for (name, a) in &registry.actions {
        pages.push(Page {
            path: format!("actions/{}.md", short(name, prefix)),
            text: type_page(
                name,
                "Action",
                &a.schema,
                examples,
                "actions",
                "action.tf",
                false,
            ),
        });
    }
    for (name, f) in &registry.functions {
        pages.push(Page {
            path: format!("functions/{name}.md"),
            text: function_page(name, f, examples),
        });
    }
    pages.push(Page {
        path: "guides/iam.md".to_owned(),
        text: iam_page(),
    });
    pages
}

/// The IAM guide: the actions of each type and mode ([`crate::iam::NEEDS`]), then a minimal
/// policy allowing all of them.
fn iam_page() -> String {
    use crate::iam::{NEEDS, all_operations, on_one_object};
    let mut out = front_matter(
        "IAM permissions",
        "The IAM actions each resource, data source, action and mode needs, and a minimal policy.",
    );
    out.push_str(
        "# IAM permissions\n\n\
         <!-- generated from src/iam.rs; regenerate with `cargo run --bin gen-docs` -->\n\
         The provider calls only the IVS Chat API (`ivschat:*` actions), and STS when configured to assume a \
         role: `sts:AssumeRole` for `assume_role`, `sts:AssumeRoleWithWebIdentity` for \
         `assume_role_with_web_identity` (allowed by the role's trust policy). Configuring the provider calls \
         nothing.\n\n\
         Creates tag the new object with a temporary marker, `terraform-provider-ivschat:create-token`, and \
         remove it once the create is confirmed: they need `ivschat:TagResource` and `ivschat:UntagResource`, \
         and a tag key that tag policies or SCPs restricting `aws:TagKeys` allow. For accounts that cannot, set \
         the provider's `create_markers = false` (a create whose outcome is unknown is then not retried).\n\n\
         | Type | Name | Mode | IAM actions | Only when |\n|---|---|---|---|---|\n",
    );
    for t in NEEDS.iter() {
        for m in t.modes {
            let actions: Vec<String> = m
                .operations
                .iter()
                .map(|op| format!("`ivschat:{}`", op.name()))
                .collect();
            let actions = if actions.is_empty() {
                "none".to_owned()
            } else {
                actions.join(", ")
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {actions} | {} |",
                t.kind.title(),
                t.name,
                m.mode,
                m.note
            );
        }
    }
    out.push_str(
        "\n`ivschat_logging_configuration` also needs the permissions AWS documents for delivering IVS Chat \
         logs to its destination (CloudWatch Logs, S3 or Firehose).\n\n\
         ## Minimal policy\n\n\
         Every action above; the calls on one object are limited to IVS Chat ",
    );
    out.push_str(&crate::iam::object_kinds_in_words());
    out.push_str(". Drop the actions of the types and modes you do not use.\n\n```json\n");
    let quoted = |ops: Vec<String>| {
        ops.iter()
            .map(|o| format!("        \"{o}\""))
            .collect::<Vec<_>>()
            .join(",\n")
    };
    let (object, account): (Vec<_>, Vec<_>) = all_operations()
        .into_iter()
        .partition(|op| on_one_object(*op));
    let names = |ops: Vec<crate::aws::Operation>| {
        ops.into_iter()
            .map(|op| format!("ivschat:{}", op.name()))
            .collect::<Vec<_>>()
    };
    let _ = writeln!(
        out,
        "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {{\n      \"Sid\": \"CreateAndList\",\n      \
         \"Effect\": \"Allow\",\n      \"Action\": [\n{}\n      ],\n      \"Resource\": \"*\"\n    }},\n    {{\n      \
         \"Sid\": \"OneObject\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n{}\n      ],\n      \
         \"Resource\": [\n{}\n      ]\n    }}\n  ]\n}}\n```",
        quoted(names(account)),
        quoted(names(object)),
        quoted(crate::iam::object_patterns())
    );
    out
}

/// A provider-defined function: summary, example, signature and arguments.
fn function_page(
    name: &str,
    f: &crate::server::function::RegisteredFunction,
    examples: &FsPath,
) -> String {
    let mut out = front_matter(
        &format!("{name} function - terraform-provider-ivschat"),
        f.imp.summary(),
    );
    let _ = writeln!(
        out,
        "# function: {name}

{}

{}
",
        f.imp.summary(),
        f.imp.description()
    );
    let example = examples.join("functions").join(name).join("function.tf");
    if let Some(example) = read_example(&example) {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}\n```\n");
    }
    out.push_str(
        "<!-- generated from the function definition; regenerate with `cargo run --bin gen-docs` -->\n",
    );
    let params: Vec<String> = f
        .parameters
        .iter()
        .map(|p| format!("{} {}", p.name, hcl_type(&p.ty)))
        .collect();
    let _ = writeln!(
        out,
        "## Signature\n\n```text\n{name}({}) {}\n```\n",
        params.join(", "),
        hcl_type(&f.return_type)
    );
    out.push_str("## Arguments\n\n");
    for (i, p) in f.parameters.iter().enumerate() {
        let null = if p.allow_null { " Nullable." } else { "" };
        let _ = writeln!(
            out,
            "{}. `{}` ({}) {}{null}",
            i + 1,
            p.name,
            type_name(&p.ty),
            p.description.trim()
        );
    }
    out
}

/// A type as written in Terraform's type constraints: `string`, `object({...})`.
fn hcl_type(t: &Type) -> String {
    match t {
        Type::String => "string".to_owned(),
        Type::Number => "number".to_owned(),
        Type::Bool => "bool".to_owned(),
        Type::Dynamic => "any".to_owned(),
        Type::List(e) => format!("list({})", hcl_type(e)),
        Type::Set(e) => format!("set({})", hcl_type(e)),
        Type::Map(e) => format!("map({})", hcl_type(e)),
        Type::Object(attrs) => {
            let fields: Vec<String> = attrs
                .iter()
                .map(|(k, v)| format!("{k} = {}", hcl_type(v)))
                .collect();
            format!("object({{{}}})", fields.join(", "))
        }
        Type::Tuple(es) => {
            let items: Vec<String> = es.iter().map(hcl_type).collect();
            format!("tuple([{}])", items.join(", "))
        }
    }
}

fn short<'a>(name: &'a str, prefix: &str) -> &'a str {
    name.strip_prefix(prefix)
        .and_then(|s| s.strip_prefix('_'))
        .unwrap_or(name)
}

fn read_example(path: &FsPath) -> Option<String> {
    std::fs::read_to_string(path)
        .ok()
        .map(|s| s.trim_end().to_owned())
}

fn front_matter(title: &str, description: &str) -> String {
    let first = description.lines().next().unwrap_or("");
    format!("---\npage_title: \"{title}\"\nsubcategory: \"\"\ndescription: |-\n  {first}\n---\n\n")
}

fn index_page(prefix: &str, schema: &Schema, examples: &FsPath) -> String {
    let mut out = front_matter(&format!("{prefix} Provider"), &schema.block.description);
    let _ = writeln!(out, "# {prefix} Provider\n\n{}\n", schema.block.description);
    if let Some(example) = read_example(&examples.join("provider").join("provider.tf")) {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}\n```\n");
    }
    out.push_str(AUTHENTICATION);
    out.push_str(
        "<!-- generated from the provider schema; regenerate with `cargo run --bin gen-docs` -->\n",
    );
    out.push_str("## Schema\n\n");
    block_sections(&mut out, &schema.block, "");
    out
}

/// The provider page's authentication section; the "No Valid Credential Sources Found" error
/// points here (`docs/index.md#authentication`).
const AUTHENTICATION: &str = "## Authentication

The provider looks for credentials in this order and uses the first source that gives some:

1. `access_key` and `secret_key` (and `token`) in the provider block.
2. `profile` in the provider block: that profile of the shared files.
3. The environment: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
4. The profile named by `AWS_PROFILE`, else `default`, in the shared credentials and config files
   (`shared_credentials_files` / `AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`;
   `shared_config_files` / `AWS_CONFIG_FILE`, default `~/.aws/config`): static keys,
   `credential_process`, SSO (`aws sso login`) or a role to assume.
5. Web identity: `AWS_WEB_IDENTITY_TOKEN_FILE` with `AWS_ROLE_ARN`.
6. Container credentials (ECS, EKS Pod Identity): `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
   `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
7. The EC2 instance metadata service (IMDS), unless `AWS_EC2_METADATA_DISABLED=true`.

Then `assume_role_with_web_identity` and `assume_role` are applied in turn, if set.

Credentials are loaded on the first API call, not at configuration, so `terraform validate` and
plans that call nothing need none. When no source gives credentials, the error
\"No Valid Credential Sources Found\" lists each source above with what this machine had for it.
The errors for a refused, unresolvable or silent endpoint name the endpoint and where it came
from (`endpoints.ivschat`, `AWS_ENDPOINT_URL_IVSCHAT`, `AWS_ENDPOINT_URL`, the shared config
file, or the default endpoint of the region).

To try the provider without AWS, run `ivschat-local` and point the provider at it with
`endpoints { ivschat = \"http://127.0.0.1:4510\" }` (or `AWS_ENDPOINT_URL_IVSCHAT`) and any
static keys.

";

fn type_page(
    name: &str,
    kind: &str,
    schema: &Schema,
    examples: &FsPath,
    folder: &str,
    example_file: &str,
    importable: bool,
) -> String {
    let mut out = front_matter(
        &format!("{name} {kind} - terraform-provider-ivschat"),
        &schema.block.description,
    );
    let _ = writeln!(out, "# {name} ({kind})\n\n{}\n", schema.block.description);
    let dir = examples.join(folder).join(name);
    if let Some(example) = read_example(&dir.join(example_file)) {
        let _ = writeln!(out, "## Example Usage\n\n```terraform\n{example}\n```\n");
    }
    out.push_str(
        "<!-- generated from the schema; regenerate with `cargo run --bin gen-docs` -->\n",
    );
    out.push_str("## Schema\n\n");
    block_sections(&mut out, &schema.block, "");
    if let Some(import) = importable
        .then(|| read_example(&dir.join("import.sh")))
        .flatten()
    {
        {
            let _ = writeln!(
                out,
                "## Import\n\nImport is supported using the following syntax:\n\n```shell\n{import}\n```"
            );
        }
    }
    out
}

/// The Required / Optional / Read-Only lists of a block, then a section per nested block.
fn block_sections(out: &mut String, block: &Block, anchor_prefix: &str) {
    type Member = fn(&Attribute) -> bool;
    let groups: [(&str, Member); 3] = [
        ("Required", |a| a.mode == Mode::Required),
        ("Optional", |a| {
            matches!(a.mode, Mode::Optional | Mode::OptionalComputed)
        }),
        ("Read-Only", |a| a.mode == Mode::Computed),
    ];
    let mut nested: Vec<(&str, String, Block)> = Vec::new();
    for (title, member) in groups {
        let attrs: Vec<&Attribute> = block.attributes.iter().filter(|a| member(a)).collect();
        let blocks: Vec<&NestedBlock> = block
            .blocks
            .iter()
            .filter(|b| match title {
                "Required" => b.min_items > 0,
                "Optional" => b.min_items == 0,
                _ => false,
            })
            .collect();
        if attrs.is_empty() && blocks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n");
        let mut lines: Vec<(String, String)> = Vec::new();
        for a in attrs {
            let anchor = format!("{anchor_prefix}{}", a.name);
            let mut line = format!(
                "- `{}` ({}) {}",
                a.name,
                attribute_type(a),
                attribute_text(a)
            );
            if let AttributeType::Nested { attributes, .. } = &a.ty {
                let _ = write!(
                    line,
                    " (see [below for nested schema](#nestedatt--{anchor}))"
                );
                nested.push((
                    "nestedatt",
                    anchor,
                    Block {
                        attributes: attributes.clone(),
                        ..Block::default()
                    },
                ));
            }
            lines.push((a.name.clone(), line));
        }
        for b in blocks {
            let anchor = format!("{anchor_prefix}{}", b.name);
            let line = format!(
                "- `{}` ({}) {} (see [below for nested schema](#nestedblock--{anchor}))",
                b.name,
                block_type(b),
                b.block.description
            );
            nested.push(("nestedblock", anchor, b.block.clone()));
            lines.push((b.name.clone(), line));
        }
        lines.sort();
        for (_, line) in lines {
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push('\n');
    }
    for (kind, anchor, inner) in nested {
        let _ = writeln!(
            out,
            "<a id=\"{kind}--{anchor}\"></a>\n### Nested Schema for `{}`\n",
            anchor.replace("--", ".")
        );
        block_sections(out, &inner, &format!("{anchor}--"));
    }
}

fn attribute_text(a: &Attribute) -> String {
    let mut text = a.description.trim().to_owned();
    for v in &a.validators {
        let _ = write!(text, " Must {}.", v.rule());
    }
    if let Some(default) = a.default.as_ref().filter(|d| !d.is_null()) {
        let shown = match default {
            crate::value::Value::String(s) => format!("{s:?}"),
            other => other
                .as_i64()
                .map_or_else(|| format!("{other:?}"), |i| i.to_string()),
        };
        let _ = write!(text, " Defaults to `{shown}`.");
    }
    for m in &a.plan_modifiers {
        let d = m.description();
        if d.contains("forces") {
            let _ = write!(text, " {d}");
        }
    }
    if a.sensitive {
        text.push_str(" Sensitive.");
    }
    if let Some(message) = &a.deprecation {
        let _ = write!(text, " **Deprecated:** {message}");
    }
    text.trim().to_owned()
}

fn attribute_type(a: &Attribute) -> String {
    match &a.ty {
        AttributeType::Plain(t) => type_name(t),
        AttributeType::Nested { nesting, .. } => match nesting {
            Nesting::Single | Nesting::Group => "Attributes".to_owned(),
            Nesting::List => "Attributes List".to_owned(),
            Nesting::Set => "Attributes Set".to_owned(),
            Nesting::Map => "Attributes Map".to_owned(),
        },
    }
}

fn block_type(b: &NestedBlock) -> String {
    let base = match b.nesting {
        Nesting::Single | Nesting::Group => "Block".to_owned(),
        Nesting::List => "Block List".to_owned(),
        Nesting::Set => "Block Set".to_owned(),
        Nesting::Map => "Block Map".to_owned(),
    };
    match (b.min_items, b.max_items) {
        (0, 0) => base,
        (min, 0) => format!("{base}, Min: {min}"),
        (0, max) => format!("{base}, Max: {max}"),
        (min, max) => format!("{base}, Min: {min}, Max: {max}"),
    }
}

fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".to_owned(),
        Type::Number => "Number".to_owned(),
        Type::Bool => "Boolean".to_owned(),
        Type::Dynamic => "Dynamic".to_owned(),
        Type::List(e) => format!("List of {}", type_name(e)),
        Type::Set(e) => format!("Set of {}", type_name(e)),
        Type::Map(e) => format!("Map of {}", type_name(e)),
        Type::Object(_) => "Object".to_owned(),
        Type::Tuple(_) => "Tuple".to_owned(),
    }
}
