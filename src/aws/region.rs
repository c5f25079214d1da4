//! Where IVS Chat runs: the regions with an endpoint, for warnings and error messages.

/// The regions where IVS Chat has an endpoint. Source: botocore 1.43.11,
/// `botocore/data/endpoints.json`, partition `aws`, service `ivschat` (no other partition
/// lists the service); the same seven as the IVS Chat endpoints page of the AWS General
/// Reference.
pub const IVSCHAT_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "eu-central-1",
    "eu-west-1",
    "us-east-1",
    "us-west-2",
];

/// Whether IVS Chat has an endpoint in `region`.
pub fn serves_ivschat(region: &str) -> bool {
    IVSCHAT_REGIONS.contains(&region)
}
