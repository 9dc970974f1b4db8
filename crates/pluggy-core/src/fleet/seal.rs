//! The byte layout of a sealed API key at rest, and the [`Sealer`] trait the AEAD implements.
//!
//! ```text
//! offset  len  field
//! 0       1    version (1)
//! 1       8    epoch, big-endian u64
//! 9       8    expiry, Unix seconds, big-endian i64
//! 17      12   nonce           ┐ written and read by the Sealer
//! 29      n+16 ciphertext+tag  ┘ (AES-256-GCM in the driver)
//! ```
//!
//! The 17-byte header, followed by the caller's context (base URL and client id, so a blob
//! cannot be moved to another namespace), is the AEAD's associated data: epoch and expiry are
//! authenticated, not encrypted. A blob that fails to parse or to open is ignored and replaced
//! ([`open_key`] answers `None`).

use zeroize::Zeroizing;

use super::shared_key::{StoreEpoch, StoredKey};
use crate::secret::ApiKey;

/// The format version written by [`seal_key`].
pub const VERSION: u8 = 1;
/// The header length: version, epoch, expiry.
pub const HEADER_LEN: usize = 17;
/// The AEAD nonce length the sealer writes first.
pub const NONCE_LEN: usize = 12;
/// The AEAD tag length the sealer appends.
pub const TAG_LEN: usize = 16;

/// An authenticated cipher. The output of `seal` is `nonce || ciphertext || tag`.
pub trait Sealer {
    /// Encrypts `plain`, binding `aad`.
    fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8>;
    /// Decrypts and authenticates; `None` if the blob was not sealed with this key and `aad`.
    fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>>;
}

/// A blob split into its fields, before opening.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BlobParts<'a> {
    /// The key's epoch.
    pub epoch: StoreEpoch,
    /// The key's expiry, Unix seconds.
    pub expires_unix: i64,
    /// The header bytes (part of the associated data).
    pub header: &'a [u8],
    /// `nonce || ciphertext || tag`.
    pub sealed: &'a [u8],
}

/// Why a blob could not be parsed. Carries no secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// Shorter than a header, nonce and tag.
    #[error("sealed key blob too short")]
    TooShort,
    /// A version this build does not read.
    #[error("sealed key blob has unknown version {0}")]
    Version(u8),
    /// Epoch 0 is never written.
    #[error("sealed key blob has epoch 0")]
    ZeroEpoch,
}

/// The header for a key of `epoch` expiring at `expires_unix`.
pub fn format_header(epoch: StoreEpoch, expires_unix: i64) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[0] = VERSION;
    h[1..9].copy_from_slice(&epoch.get().to_be_bytes());
    h[9..17].copy_from_slice(&expires_unix.to_be_bytes());
    h
}

/// Splits a blob into its fields, checking the version and lengths.
pub fn parse_blob(blob: &[u8]) -> Result<BlobParts<'_>, BlobError> {
    if blob.len() < HEADER_LEN + NONCE_LEN + TAG_LEN {
        return Err(BlobError::TooShort);
    }
    if blob[0] != VERSION {
        return Err(BlobError::Version(blob[0]));
    }
    let mut e = [0u8; 8];
    e.copy_from_slice(&blob[1..9]);
    let epoch = u64::from_be_bytes(e);
    if epoch == 0 {
        return Err(BlobError::ZeroEpoch);
    }
    e.copy_from_slice(&blob[9..17]);
    Ok(BlobParts {
        epoch: StoreEpoch::new(epoch),
        expires_unix: i64::from_be_bytes(e),
        header: &blob[..HEADER_LEN],
        sealed: &blob[HEADER_LEN..],
    })
}

fn aad(header: &[u8], context: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut a = Zeroizing::new(Vec::with_capacity(header.len() + context.len()));
    a.extend_from_slice(header);
    a.extend_from_slice(context);
    a
}

/// Seals `key` into a blob for the store. `context` names the namespace (base URL, client id).
pub fn seal_key(sealer: &dyn Sealer, key: &StoredKey, context: &[u8]) -> Vec<u8> {
    let header = format_header(key.epoch, key.expires_unix);
    let sealed = sealer.seal(key.key.expose_secret().as_bytes(), &aad(&header, context));
    let mut blob = Vec::with_capacity(HEADER_LEN + sealed.len());
    blob.extend_from_slice(&header);
    blob.extend_from_slice(&sealed);
    blob
}

/// Opens a blob read from the store: `None` (ignore it, replace it) if it does not parse, does
/// not open with this sealer and context, or its plaintext is not UTF-8.
pub fn open_key(sealer: &dyn Sealer, blob: &[u8], context: &[u8]) -> Option<StoredKey> {
    let parts = parse_blob(blob).ok()?;
    let plain = Zeroizing::new(sealer.open(parts.sealed, &aad(parts.header, context))?);
    let text = std::str::from_utf8(&plain).ok()?;
    if text.is_empty() {
        return None;
    }
    Some(StoredKey {
        key: ApiKey::new(text),
        epoch: parts.epoch,
        expires_unix: parts.expires_unix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XOR "cipher" with a checksum tag over aad and plaintext: enough to test the format.
    struct FakeSealer(u8);

    fn tag(k: u8, aad: &[u8], plain: &[u8]) -> [u8; TAG_LEN] {
        let mut t = [k; TAG_LEN];
        for (i, b) in aad.iter().chain(plain).enumerate() {
            t[i % TAG_LEN] = t[i % TAG_LEN].wrapping_mul(31).wrapping_add(*b);
        }
        t
    }

    impl Sealer for FakeSealer {
        fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
            let mut out = vec![7u8; NONCE_LEN];
            out.extend(plain.iter().map(|b| b ^ self.0));
            out.extend_from_slice(&tag(self.0, aad, plain));
            out
        }
        fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
            let body = sealed.get(NONCE_LEN..sealed.len().checked_sub(TAG_LEN)?)?;
            let plain: Vec<u8> = body.iter().map(|b| b ^ self.0).collect();
            (sealed[sealed.len() - TAG_LEN..] == tag(self.0, aad, &plain)).then_some(plain)
        }
    }

    fn key() -> StoredKey {
        StoredKey {
            key: ApiKey::new("secret-api-key"),
            epoch: StoreEpoch::new(42),
            expires_unix: 1_700_007_200,
        }
    }

    #[test]
    fn round_trip_and_layout() {
        let blob = seal_key(&FakeSealer(0x5a), &key(), b"ctx");
        assert_eq!(blob[0], VERSION);
        assert_eq!(&blob[1..9], &42u64.to_be_bytes());
        assert_eq!(&blob[9..17], &1_700_007_200i64.to_be_bytes());
        assert_eq!(
            blob.len(),
            HEADER_LEN + NONCE_LEN + "secret-api-key".len() + TAG_LEN
        );
        assert!(!blob.windows(6).any(|w| w == b"secret"));
        let back = open_key(&FakeSealer(0x5a), &blob, b"ctx").unwrap();
        assert_eq!(back, key());
    }

    #[test]
    fn wrong_key_context_or_tampering_is_ignored() {
        let s = FakeSealer(0x5a);
        let blob = seal_key(&s, &key(), b"ctx");
        assert!(open_key(&FakeSealer(0x11), &blob, b"ctx").is_none());
        assert!(open_key(&s, &blob, b"other").is_none());
        let mut moved = blob.clone();
        moved[8] ^= 1; // epoch rewritten: authenticated, so refused
        assert!(open_key(&s, &moved, b"ctx").is_none());
        let mut later = blob.clone();
        later[16] ^= 1; // expiry extended
        assert!(open_key(&s, &later, b"ctx").is_none());
    }

    #[test]
    fn garbage_does_not_parse() {
        assert_eq!(parse_blob(b""), Err(BlobError::TooShort));
        assert_eq!(parse_blob(&[1; 44]), Err(BlobError::TooShort));
        let mut blob = seal_key(&FakeSealer(1), &key(), b"");
        blob[0] = 9;
        assert_eq!(parse_blob(&blob), Err(BlobError::Version(9)));
        let mut zero = seal_key(&FakeSealer(1), &key(), b"");
        zero[1..9].copy_from_slice(&[0; 8]);
        assert_eq!(parse_blob(&zero), Err(BlobError::ZeroEpoch));
        assert!(
            open_key(
                &FakeSealer(1),
                b"not a blob at all, just text in redis",
                b""
            )
            .is_none()
        );
    }
}
