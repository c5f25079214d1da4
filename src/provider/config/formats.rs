//! The shapes of regions and endpoint URLs.

/// `true` for strings shaped like an AWS region (`us-east-1`, `us-gov-west-1`, `eu-central-2`).
pub fn is_region_format(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Why `text` is not a usable endpoint URL, if it is not: it needs an `http` or `https`
/// scheme and a host.
pub fn endpoint_problem(text: &str) -> Option<String> {
    match text.parse::<http::Uri>() {
        Err(e) => Some(format!("it is not a URL ({e})")),
        Ok(uri) => match (uri.scheme_str(), uri.host()) {
            (Some("http" | "https"), Some(h)) if !h.is_empty() => {
                if uri.query().is_some() {
                    Some("it has a query string".to_owned())
                } else {
                    None
                }
            }
            (Some(s), _) if s != "http" && s != "https" => {
                Some(format!("its scheme {s:?} is not http or https"))
            }
            (None, _) => {
                Some("it has no scheme (write http://host:port or https://host)".to_owned())
            }
            _ => Some("it has no host".to_owned()),
        },
    }
}
