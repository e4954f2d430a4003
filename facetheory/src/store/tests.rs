use super::*;

fn blob(body: &str) -> Blob {
    Blob {
        body: Bytes::from(body.to_string()),
        content_type: "application/json; charset=utf-8".into(),
        cache_control: Some("no-store".into()),
        metadata: BTreeMap::from([("facetheory-kind".to_string(), "test".to_string())]),
    }
}

async fn round_trip(store: &dyn BlobStore) {
    assert_eq!(store.get("a/b.json").await.unwrap(), None);
    store.put("a/b.json", blob("{\"x\":1}")).await.unwrap();
    assert_eq!(store.get("a/b.json").await.unwrap(), Some(blob("{\"x\":1}")));
    store.put("a/b.json", blob("{\"x\":2}")).await.unwrap();
    assert_eq!(store.get("a/b.json").await.unwrap().unwrap().body, Bytes::from("{\"x\":2}"));
    for bad in ["", "../x", "a//b", "a/./b", "a\\b", "a\nb", "/abs"] {
        assert!(matches!(store.put(bad, blob("x")).await, Err(StoreError::InvalidKey { .. })), "{bad:?}");
        assert!(store.get(bad).await.is_err(), "{bad:?}");
    }
}

#[tokio::test]
async fn memory_store_round_trips_and_is_bounded() {
    let store = MemoryStore::new(2);
    round_trip(&store).await;
    store.put("k1", blob("1")).await.unwrap();
    store.put("k2", blob("2")).await.unwrap();
    assert_eq!(store.get("a/b.json").await.unwrap(), None, "the oldest blob was dropped");
    assert!(store.get("k2").await.unwrap().is_some());
}

#[tokio::test]
async fn fs_store_round_trips_survives_a_new_instance_and_reports_corruption() {
    let root = std::env::temp_dir().join(format!("facetheory-fs-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    round_trip(&FsStore::new(&root)).await;
    // A new instance (a restarted `serve`) reads what the old one wrote.
    assert!(FsStore::new(&root).get("a/b.json").await.unwrap().is_some());
    // Bytes that are not a blob give a clear error, not a panic.
    std::fs::write(root.join("broken"), b"no header").unwrap();
    let err = FsStore::new(&root).get("broken").await.unwrap_err().to_string();
    assert!(err.contains("\"broken\" is corrupt"), "{err}");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(root.join("a"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
    let _ = std::fs::remove_dir_all(&root);
}
