use super::ssr::*;
use crate::context::FaceContext;
use crate::params::encode_uri_component;
use bytes::Bytes;

use crate::store::{Blob, BlobStore, MemoryStore};

const SECRET: &[u8] = b"facetheory-golden-secret";
const NOW: u64 = 1_700_000_000_000;
const BODY: &str = r#"{"count":3,"label":"\u003cb\u003e\u0026"}"#;
/// Computed independently (Python hmac/hashlib/base64) from the TypeScript runtime's signing algorithm.
const GOLDEN_TOKEN: &str = "eyJiZCI6Ik45TzljTkJQaDZZR3o0SkpwOE5KZW9xV0p2R1o5LUlodG1JUzNEdnV3RTQiLCJleHAiOjE3MDAwMDAwNjAwMDAsImlhdCI6MTcwMDAwMDAwMDAwMCwia2V5Ijoic3NyLWh5ZHJhdGlvbi95Z1ZjWFl1LUhmQTN2djFsR09tZGIwQS1ncVZqcmxWcy8xNzAwMDAwMDAwMDAwLTE3MDAwMDAwNjAwMDAuanNvbiIsIm5iZiI6MTcwMDAwMDAwMDAwMCwic2NwIjoiWTFjdHluZTdoQTQwWWhKVG1RWTd1dUNkckpaX2d5OVk3czcxRUNfN2VHTSIsInYiOjEsInZoIjoiR1pLVm81SWVEQnZCZUFGLTN1MGQ3Uk9nTmw5RGdXRDdoN0RSREtoREdQcyJ9.N2J54UkpZSLjpxB7PnyYnRUl5w0Vsq-XkrlgkFIye3I";
const GOLDEN_KEY: &str = "ssr-hydration/ygVcXYu-HfA3vv1lGOmdb0A-gqVjrlVs/1700000000000-1700000060000.json";

fn ctx() -> FaceContext {
    FaceContext::builder("GET", "/_facetheory/ssr-data/x").build()
}

fn sidecars(now: u64) -> SsrSidecars {
    SsrSidecars::new(SECRET.to_vec(), MemoryStore::default()).unwrap().clock(move || now)
}

#[test]
fn golden_token() {
    let (token, key) = sidecars(NOW).sign(&ctx(), BODY, NOW);
    assert_eq!(key, GOLDEN_KEY);
    assert_eq!(token, GOLDEN_TOKEN);
}

#[tokio::test]
async fn round_trip_and_every_rejection_in_order() {
    let writer = sidecars(NOW);
    let url = writer.publish(&ctx(), BODY).await.unwrap();
    let token = url.strip_prefix("/_facetheory/ssr-data/").unwrap();
    assert_eq!(token, GOLDEN_TOKEN, "base64url and `.` need no URI escaping");
    assert_eq!(writer.resolve(&ctx(), token).await.unwrap(), Bytes::from(BODY));

    let check = |now: u64, t: String| {
        let s = writer.clone().clock(move || now);
        async move { s.resolve(&ctx(), &t).await.unwrap_err() }
    };
    assert_eq!(check(NOW, "nodot".into()).await, Rejection::MalformedToken);
    assert_eq!(check(NOW, format!("{token}.x")).await, Rejection::MalformedToken);
    let (payload, sig) = token.split_once('.').unwrap();
    let flipped = format!("{payload}.{}{}", &sig[..sig.len() - 1], if sig.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(check(NOW, flipped).await, Rejection::TamperedToken);
    assert_eq!(check(NOW - 1, token.to_string()).await, Rejection::NotYetValidToken);
    assert_eq!(check(NOW + 60_000, token.to_string()).await, Rejection::ExpiredToken);
    assert!(writer.clone().clock(|| NOW + 59_999).resolve(&ctx(), token).await.is_ok(), "valid until exp");

    let other_scope = writer.clone().scope("another:scope").unwrap();
    assert_eq!(
        other_scope.resolve(&ctx(), token).await.unwrap_err(),
        Rejection::TamperedToken,
        "the scope is part of every MAC"
    );

    let by_cookie = writer.clone().request_variant(|c| serde_json::json!({"session": c.cookie("session")}));
    let alice = FaceContext::builder("GET", "/").header("cookie", "session=alice").build();
    let bob = FaceContext::builder("GET", "/").header("cookie", "session=bob").build();
    let url = by_cookie.publish(&alice, BODY).await.unwrap();
    let t = url.rsplit('/').next().unwrap();
    assert!(by_cookie.resolve(&alice, t).await.is_ok());
    assert_eq!(by_cookie.resolve(&bob, t).await.unwrap_err(), Rejection::WrongVariant);

    // Valid token, but the store lost or changed the body.
    let empty = SsrSidecars::new(SECRET.to_vec(), MemoryStore::default()).unwrap().clock(|| NOW);
    assert_eq!(empty.resolve(&ctx(), token).await.unwrap_err(), Rejection::MissingSidecar);
    let tampered_store = MemoryStore::default();
    tampered_store
        .put(
            GOLDEN_KEY,
            Blob {
                body: Bytes::from("{\"count\":4}"),
                content_type: "x".into(),
                cache_control: None,
                metadata: Default::default(),
            },
        )
        .await
        .unwrap();
    let tampered = SsrSidecars::new(SECRET.to_vec(), tampered_store).unwrap().clock(|| NOW);
    assert_eq!(tampered.resolve(&ctx(), token).await.unwrap_err(), Rejection::TamperedSidecar);
}

#[test]
fn options_are_validated() {
    assert!(SsrSidecars::new(Vec::new(), MemoryStore::default()).is_err());
    let s = SsrSidecars::new(b"k".to_vec(), MemoryStore::default()).unwrap();
    assert!(s.clone().ttl_seconds(0).is_err());
    assert!(s.clone().ttl_seconds(86_401).is_err(), "longer than the lifecycle rule keeps the objects");
    assert!(s.clone().ttl_seconds(86_400).is_ok());
    assert!(s.clone().data_url_prefix("/").is_err());
    assert!(s.clone().data_url_prefix("//evil").is_err());
    assert!(s.clone().data_url_prefix("/a/{b}").is_err());
    assert_eq!(s.clone().data_url_prefix("data/ssr/").unwrap().prefix(), "/data/ssr");
    assert!(s.clone().key_prefix("a/../b").is_err());
    assert!(s.clone().scope("  ").is_err());
}

#[test]
fn helpers() {
    assert_eq!(
        stable_json(&serde_json::json!({"b": [1, {"z": 1, "a": 2}], "a": null})),
        r#"{"a":null,"b":[1,{"a":2,"z":1}]}"#
    );
    assert_eq!(encode_uri_component("a b/c?d=é"), "a%20b%2Fc%3Fd%3D%C3%A9");
    assert_eq!(crate::hydration::ssg_data_path("/about"), "_facetheory/data/about.json");
}
