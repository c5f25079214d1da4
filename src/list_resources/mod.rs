//! List resources for `terraform query` (Terraform ≥ 1.14), one file each, registered in
//! [`crate::registration`]. Each lists the objects of the managed resource type of the same name, with the
//! filters of the matching data source, so that they can be imported (by identity) and their
//! configuration generated.

pub mod logging_configuration;
pub mod room;

/// What `terraform query` prints for an object: its name and the id that ends its ARN, or the
/// ARN alone when it has no name.
pub(crate) fn display_name(name: Option<&str>, arn: &str) -> String {
    let id = arn.rsplit('/').next().unwrap_or(arn);
    match name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} ({id})"),
        None => arn.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_show_name_and_id() {
        let arn = "arn:aws:ivschat:us-east-1:123456789012:room/abcdEFGH1234";
        assert_eq!(display_name(Some("lobby"), arn), "lobby (abcdEFGH1234)");
        assert_eq!(display_name(Some(""), arn), arn);
        assert_eq!(display_name(None, arn), arn);
    }
}
