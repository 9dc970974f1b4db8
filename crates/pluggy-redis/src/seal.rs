//! The AEAD behind [`pluggy_core::fleet::seal`]: AES-256-GCM from ring, keyed by HKDF-SHA256
//! from the client secret.

use pluggy_core::ClientSecret;
use pluggy_core::fleet::seal::{NONCE_LEN, Sealer, TAG_LEN};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, Salt};
use ring::rand::{SecureRandom, SystemRandom};

/// The HKDF salt: names this use of the client secret, so the derived key serves nothing else.
const SALT: &[u8] = b"pluggy-rs fleet key store v1";

/// AES-256-GCM with a key derived from the client secret and the namespace (base URL and
/// client id), and a random nonce per seal. `Debug` shows no key material.
pub struct AesGcmSealer {
    key: LessSafeKey,
    random: SystemRandom,
}

impl std::fmt::Debug for AesGcmSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AesGcmSealer(AES-256-GCM)")
    }
}

impl AesGcmSealer {
    /// The sealer of `context`'s keys: `HKDF-SHA256(salt, secret, info = context)`.
    pub fn new(secret: &ClientSecret, context: &[u8]) -> Self {
        let prk = Salt::new(HKDF_SHA256, SALT).extract(secret.expose_secret().as_bytes());
        let info = [context];
        let okm = prk
            .expand(&info, &AES_256_GCM)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self {
            key: LessSafeKey::new(UnboundKey::from(okm)),
            random: SystemRandom::new(),
        }
    }
}

impl Sealer for AesGcmSealer {
    fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        if self.random.fill(&mut nonce).is_err() {
            // Without randomness there is no safe nonce: an empty blob never opens, so the
            // key is simply not shared.
            return Vec::new();
        }
        let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + TAG_LEN);
        out.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        let sealed = self.key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        );
        if sealed.is_err() {
            zeroize::Zeroize::zeroize(&mut body);
            return Vec::new();
        }
        out.extend_from_slice(&body);
        zeroize::Zeroize::zeroize(&mut body);
        out
    }

    fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain_len = self
            .key
            .open_in_place(nonce, Aad::from(aad), &mut body)
            .ok()?
            .len();
        body.truncate(plain_len);
        Some(body)
    }
}

#[cfg(test)]
mod tests {
    use pluggy_core::ApiKey;
    use pluggy_core::fleet::seal::{open_key, seal_key};
    use pluggy_core::fleet::shared_key::{StoreEpoch, StoredKey};

    use super::*;

    fn key() -> StoredKey {
        StoredKey {
            key: ApiKey::new("eyJ.the-api-key.sig"),
            epoch: StoreEpoch::new(7),
            expires_unix: 1_800_000_000,
        }
    }

    #[test]
    fn only_the_same_secret_and_namespace_open_a_key() {
        let secret = ClientSecret::new("the-client-secret");
        let sealer = AesGcmSealer::new(&secret, b"ctx-a");
        let blob = seal_key(&sealer, &key(), b"ctx-a");
        let text = String::from_utf8_lossy(&blob);
        assert!(!text.contains("the-api-key"), "the key is stored in clear");
        assert_eq!(open_key(&sealer, &blob, b"ctx-a"), Some(key()));

        let other_secret = AesGcmSealer::new(&ClientSecret::new("another-secret"), b"ctx-a");
        assert_eq!(open_key(&other_secret, &blob, b"ctx-a"), None);
        let other_namespace = AesGcmSealer::new(&secret, b"ctx-b");
        assert_eq!(open_key(&other_namespace, &blob, b"ctx-b"), None);
        assert_eq!(open_key(&sealer, &blob, b"ctx-b"), None, "context is bound");

        // Tampering with the authenticated header (epoch, expiry) or the ciphertext fails.
        for at in [3, 12, blob.len() - 1] {
            let mut bad = blob.clone();
            bad[at] ^= 1;
            assert_eq!(open_key(&sealer, &bad, b"ctx-a"), None, "byte {at}");
        }
        // Two seals of one key differ (fresh nonces).
        assert_ne!(seal_key(&sealer, &key(), b"ctx-a"), blob);
        assert!(!format!("{sealer:?}").contains("secret"));
    }
}
