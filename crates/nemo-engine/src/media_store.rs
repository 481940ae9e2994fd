//! Content-addressed media storage through `object_store`.
//!
//! Every object lives under `sha256/<first two hex digits>/<full hash>` and is written with
//! `PutMode::Create`, so writing the same bytes twice (a retried upload, a re-run render) is
//! harmless: `AlreadyExists` counts as success. `LocalFileSystem` is the default backend;
//! an S3-compatible store is a constructor away because nothing else touches paths.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload, WriteMultipart};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

/// Files up to this size are written in one `put`; larger ones stream as a multipart upload
/// so a 500 MB upload is never held in memory.
const SINGLE_PUT_LIMIT: u64 = 16 * 1024 * 1024;
const MULTIPART_CHUNK: usize = 8 * 1024 * 1024;

/// Errors of the media store.
#[derive(Debug, thiserror::Error)]
pub enum MediaStoreError {
    #[error("object store error: {0}")]
    Store(#[from] object_store::Error),
    #[error("media file io error on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("object key {0:?} is not a content-addressed key")]
    BadKey(String),
}

/// The media store handle.
#[derive(Debug, Clone)]
pub struct MediaStore {
    store: Arc<dyn ObjectStore>,
    /// Set for the local backend: objects are plain files under this directory, so ffmpeg can
    /// read them in place.
    local_root: Option<PathBuf>,
}

/// The key of a content hash: `sha256/ab/<hash>`.
pub fn key_for(sha256: &str) -> String {
    let prefix = sha256.get(..2).unwrap_or("00");
    format!("sha256/{prefix}/{sha256}")
}

/// Whether a string is a lowercase hex sha256.
pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// sha256 (hex) and size of a file, read in chunks.
pub async fn hash_file(path: &Path) -> Result<(String, u64), MediaStoreError> {
    let io = |source| MediaStoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0_u8; 256 * 1024];
    let mut size = 0_u64;
    loop {
        let n = file.read(&mut buf).await.map_err(io)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size))
}

impl MediaStore {
    /// A store of plain files under `root` (created when missing).
    pub fn local(root: &Path) -> Result<Self, MediaStoreError> {
        std::fs::create_dir_all(root).map_err(|source| MediaStoreError::Io {
            path: root.to_owned(),
            source,
        })?;
        let fs = LocalFileSystem::new_with_prefix(root)?;
        let canonical = std::fs::canonicalize(root).map_err(|source| MediaStoreError::Io {
            path: root.to_owned(),
            source,
        })?;
        Ok(Self {
            store: Arc::new(fs),
            local_root: Some(canonical),
        })
    }

    /// Stores a file whose sha256 is already known; returns its key. Idempotent.
    pub async fn put_file(
        &self,
        file: &Path,
        sha256: &str,
        size: u64,
    ) -> Result<String, MediaStoreError> {
        if !is_sha256(sha256) {
            return Err(MediaStoreError::BadKey(sha256.to_owned()));
        }
        let key = key_for(sha256);
        let location = ObjectPath::from(key.as_str());
        if self.exists(&location).await? {
            return Ok(key);
        }
        let io = |source| MediaStoreError::Io {
            path: file.to_owned(),
            source,
        };
        if size <= SINGLE_PUT_LIMIT {
            let bytes = tokio::fs::read(file).await.map_err(io)?;
            let opts = PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            };
            match self
                .store
                .put_opts(&location, PutPayload::from(bytes), opts)
                .await
            {
                Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        } else {
            // Multipart has no create-only mode; content addressing makes a concurrent
            // duplicate write produce identical bytes, so the last rename wins harmlessly.
            let upload = self.store.put_multipart(&location).await?;
            let mut writer = WriteMultipart::new_with_chunk_size(upload, MULTIPART_CHUNK);
            let mut f = tokio::fs::File::open(file).await.map_err(io)?;
            let mut buf = vec![0_u8; MULTIPART_CHUNK];
            loop {
                let n = f.read(&mut buf).await.map_err(io)?;
                if n == 0 {
                    break;
                }
                writer.wait_for_capacity(4).await?;
                writer.write(&buf[..n]);
            }
            writer.finish().await?;
        }
        Ok(key)
    }

    /// Stores bytes (generated music, small files); returns `(sha256, key)`.
    pub async fn put_bytes(&self, bytes: Vec<u8>) -> Result<(String, String), MediaStoreError> {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let key = key_for(&sha256);
        let location = ObjectPath::from(key.as_str());
        let opts = PutOptions {
            mode: PutMode::Create,
            ..PutOptions::default()
        };
        match self
            .store
            .put_opts(&location, PutPayload::from(bytes), opts)
            .await
        {
            Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok((sha256, key)),
            Err(e) => Err(e.into()),
        }
    }

    async fn exists(&self, location: &ObjectPath) -> Result<bool, MediaStoreError> {
        match self.store.head(location).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// A local file path ffmpeg can read for `key`.
    ///
    /// The local backend returns the object's own file. (A remote backend would download to a
    /// cache here; only the local backend exists today.)
    pub fn local_path(&self, key: &str) -> Result<PathBuf, MediaStoreError> {
        let root = self
            .local_root
            .as_ref()
            .ok_or_else(|| MediaStoreError::BadKey(key.to_owned()))?;
        let hash = key.rsplit('/').next().unwrap_or_default();
        if !is_sha256(hash) || key != key_for(hash) {
            return Err(MediaStoreError::BadKey(key.to_owned()));
        }
        Ok(root.join(key))
    }

    /// Size in bytes of a stored object.
    pub async fn size(&self, key: &str) -> Result<u64, MediaStoreError> {
        Ok(self.store.head(&ObjectPath::from(key)).await?.size)
    }

    /// The object's bytes as a stream, for serving downloads without buffering.
    pub async fn stream(
        &self,
        key: &str,
    ) -> Result<BoxStream<'static, Result<Bytes, std::io::Error>>, MediaStoreError> {
        if self.local_root.is_some() {
            // Local files stream straight from disk in large reads: object_store's local
            // reader uses small chunks, which made big downloads several times slower.
            let path = self.local_path(key)?;
            let file = tokio::fs::File::open(&path)
                .await
                .map_err(|source| MediaStoreError::Io { path, source })?;
            return Ok(tokio_util::io::ReaderStream::with_capacity(file, 1024 * 1024).boxed());
        }
        let result = self.store.get(&ObjectPath::from(key)).await?;
        Ok(result.into_stream().map_err(std::io::Error::other).boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_bytes_twice_is_one_object() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::local(&dir.path().join("media")).unwrap();
        let (h1, k1) = store.put_bytes(b"hello".to_vec()).await.unwrap();
        let (h2, k2) = store.put_bytes(b"hello".to_vec()).await.unwrap();
        assert_eq!((h1.as_str(), k1.as_str()), (h2.as_str(), k2.as_str()));
        assert_eq!(k1, format!("sha256/{}/{}", &h1[..2], h1));
        let path = store.local_path(&k1).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"hello");
    }

    #[tokio::test]
    async fn put_file_large_and_small_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::local(&dir.path().join("media")).unwrap();
        let file = dir.path().join("big.bin");
        let data: Vec<u8> = (0..(SINGLE_PUT_LIMIT as usize + 1000))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&file, &data).unwrap();
        let (hash, size) = hash_file(&file).await.unwrap();
        let key = store.put_file(&file, &hash, size).await.unwrap();
        assert_eq!(store.size(&key).await.unwrap(), data.len() as u64);
        // Writing again is a no-op, not an error.
        store.put_file(&file, &hash, size).await.unwrap();
        assert_eq!(
            std::fs::read(store.local_path(&key).unwrap()).unwrap(),
            data
        );
    }

    #[test]
    fn rejects_keys_outside_the_scheme() {
        let dir = tempfile::tempdir().unwrap();
        let store = MediaStore::local(dir.path()).unwrap();
        assert!(store.local_path("../etc/passwd").is_err());
        assert!(store.local_path("sha256/zz/abc").is_err());
    }
}
