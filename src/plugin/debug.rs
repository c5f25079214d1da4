//! Debug mode (`--debug`): the provider is started by hand (for example under
//! a debugger) and Terraform attaches to it through `TF_REATTACH_PROVIDERS`.
//!
//! No magic cookie and no TLS. The one stdout line is a shell assignment to
//! copy; the explanation goes to stderr. The process serves until Ctrl-C or
//! SIGTERM, across any number of Terraform runs.

use super::handshake::{Network, PROTOCOL_VERSION};

/// The `TF_REATTACH_PROVIDERS` JSON value for this process.
pub(crate) fn reattach_json(provider_address: &str, network: Network, address: &str) -> String {
    let config = serde_json::json!({
        provider_address: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            // Required for protocol 6: tells Terraform not to manage the process.
            "Test": true,
            "Addr": { "Network": network.as_str(), "String": address },
        }
    });
    config.to_string()
}

/// The stdout line: `TF_REATTACH_PROVIDERS='...'`.
///
/// The JSON never holds a single quote unless the socket path does; such a
/// path is escaped for POSIX shells.
pub(crate) fn stdout_line(json: &str) -> String {
    format!("TF_REATTACH_PROVIDERS='{}'", json.replace('\'', r"'\''"))
}

/// Human instructions for stderr.
pub(crate) fn instructions(provider_address: &str) -> String {
    format!(
        "Provider {provider_address} started in debug mode.\n\
         To attach Terraform, set the TF_REATTACH_PROVIDERS environment variable to the \
         value printed on standard output, for example by running that line in your shell \
         (it is a POSIX shell assignment; add `export` in front), then run Terraform as \
         usual in the same shell.\n\
         The provider keeps serving across Terraform runs. Stop it with Ctrl-C or SIGTERM."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reattach_config_shape() {
        let json = reattach_json(
            "registry.terraform.io/ivschat/ivschat",
            Network::Unix,
            "/t/s",
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        let p = &v["registry.terraform.io/ivschat/ivschat"];
        assert_eq!(p["Protocol"], "grpc");
        assert_eq!(p["ProtocolVersion"], 6);
        assert_eq!(p["Test"], true);
        assert_eq!(p["Pid"], std::process::id());
        assert_eq!(p["Addr"]["Network"], "unix");
        assert_eq!(p["Addr"]["String"], "/t/s");
        assert!(stdout_line(&json).starts_with("TF_REATTACH_PROVIDERS='{"));
    }
}
