//! Where a fleet keeps its state in Redis, per API (base URL) and application (client id).

use pluggy_core::BaseUrl;
use pluggy_core::ClientId;

/// The Redis names of one fleet's shared key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Names {
    /// The record: a hash with `epoch` and the sealed `blob`.
    pub(crate) record: String,
    /// The refresh lease.
    pub(crate) lease: String,
    /// The pub/sub channel that carries each new epoch.
    pub(crate) channel: String,
    /// The AEAD context that binds a sealed key to this namespace.
    pub(crate) context: Vec<u8>,
}

impl Names {
    pub(crate) fn new(base: &BaseUrl, client_id: &ClientId) -> Self {
        let record = format!("pluggy:key:{base}:{client_id}");
        Self {
            lease: format!("{record}:lease"),
            channel: format!("{record}:epochs"),
            context: format!("{base}\n{client_id}").into_bytes(),
            record,
        }
    }
}

/// Takes the lease if it is free (`-1`), or answers its remaining life in milliseconds.
pub(crate) const LEASE_SCRIPT: &str = r#"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return -1 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return 0 end
return ttl
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_differ_by_api_and_application() {
        let emulator = BaseUrl::parse("http://127.0.0.1:7000").unwrap();
        let real = BaseUrl::parse("https://api.pluggy.ai").unwrap();
        let a = Names::new(&emulator, &ClientId::new("app"));
        let b = Names::new(&real, &ClientId::new("app"));
        let c = Names::new(&emulator, &ClientId::new("other"));
        assert_ne!(a.record, b.record);
        assert_ne!(a.record, c.record);
        assert_ne!(a.context, b.context);
        assert!(a.lease.starts_with(&a.record) && a.channel.starts_with(&a.record));
    }
}
