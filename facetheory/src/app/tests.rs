//! The table's reserved endpoints: routed like faces, and a face or resource at one of their paths is an
//! error naming both.

use crate::hydration::SsrSidecars;
use crate::prelude::*;
use crate::store::MemoryStore;
use crate::{App, AppError};

#[face(route = "/_facetheory/revalidate")]
fn shadowing_revalidate() -> Page {
    Page::new(html! { "mine" })
}

#[resource(route = "/assets/<rest*>")]
fn shadowing_assets() -> ResourceResponse {
    ResourceResponse::text("mine")
}

#[face(route = "/_facetheory/mine")]
fn under_namespace() -> Page {
    Page::new(html! { "mine" })
}

const SECRET: &str = "a-secret-of-sixteen-bytes";

#[test]
fn a_route_at_a_reserved_endpoint_is_an_error_naming_both() {
    let err = App::builder().route(&__FACETHEORY_ROUTE_shadowing_revalidate).revalidate_secret(SECRET).build();
    let Err(AppError::Conflict { first_at, second_at, .. }) = err else { panic!("a conflict, got {err:?}") };
    let both = format!("{first_at} | {second_at}");
    assert!(both.contains("app/tests.rs:"), "{both}");
    assert!(both.contains("on-demand ISR revalidation"), "{both}");

    let err = App::builder().route(&__FACETHEORY_ROUTE_shadowing_assets).static_dir("/assets", "dist").build();
    let Err(AppError::Conflict { first, second, first_at, second_at }) = err else { panic!("a conflict") };
    assert_eq!((first.as_str(), second.as_str()), ("/assets/<rest*>", "/assets/<rest*>"));
    assert!(format!("{first_at}{second_at}").contains("static directory"));
}

#[test]
fn the_framework_namespace_is_reserved() {
    // Without a secret there is no revalidation endpoint, but the namespace stays the framework's.
    let err = App::builder().route(&__FACETHEORY_ROUTE_shadowing_revalidate).build().err();
    assert!(matches!(err, Some(AppError::ReservedPath { route: "/_facetheory/revalidate", .. })), "{err:?}");
    let err = App::builder().route(&__FACETHEORY_ROUTE_under_namespace).build().expect_err("refused");
    assert!(err.to_string().contains("/_facetheory/mine") && err.to_string().contains("reserves"), "{err}");
}

#[test]
fn reserved_endpoints_are_listed_as_configured() {
    let sidecars = SsrSidecars::new(b"k".to_vec(), MemoryStore::default()).unwrap();
    let app = App::builder().ssr_hydration_sidecars(sidecars).static_dir("/static", "dist").build().unwrap();
    let mut patterns: Vec<String> = app.reserved_endpoints().map(|r| r.pattern).collect();
    patterns.sort();
    assert_eq!(
        patterns,
        [
            "/_facetheory/data/<rest+>",
            "/_facetheory/runtime/<rest+>",
            "/_facetheory/ssr-data/<rest*>",
            "/static/<rest*>"
        ]
    );
}

#[tokio::test]
async fn sidecar_paths_reach_the_sidecar_endpoint() {
    let sidecars = SsrSidecars::new(b"k".to_vec(), MemoryStore::default()).unwrap();
    let app = App::builder().ssr_hydration_sidecars(sidecars).build().unwrap();
    let get = |path: &'static str| {
        let app = app.clone();
        async move { app.handle(http::Request::get(path).body(String::new()).unwrap()).await }
    };
    // The endpoint refuses a bad token with a 404 that no cache keeps; a path beside it is an ordinary 404.
    for path in ["/_facetheory/ssr-data/abc", "/_facetheory/ssr-data"] {
        let res = get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
    }
    let res = get("/_facetheory/ssr-dataX").await;
    assert_eq!(res.status(), 404);
    assert!(res.headers().get("cache-control").is_none());
}

mod one_url {
    use crate::prelude::*;

    #[face(route = "/posts/<slug>")]
    pub(super) fn page(slug: String) -> Page {
        Page::new(html! { "page " (slug) })
    }

    #[resource(route = "/posts/<id>", methods = ["POST"])]
    pub(super) fn save(id: String) -> ResourceResponse {
        ResourceResponse::text(format!("saved {id}"))
    }

    #[resource(route = "/posts/<key>", methods = ["DELETE", "GET"])]
    pub(super) fn clash() -> ResourceResponse {
        ResourceResponse::empty()
    }
}

#[tokio::test]
async fn a_face_and_a_resource_share_a_route_by_method() {
    use http::Request;
    let app = App::builder().route(&one_url::__FACETHEORY_ROUTE_page).route(&one_url::__FACETHEORY_ROUTE_save).build();
    let app = app.expect("disjoint methods may share a route");
    let call = |method: &str| {
        let req = Request::builder().method(method).uri("/posts/a%20b").body(String::new()).unwrap();
        let app = app.clone();
        async move {
            let res = app.handle(req).await;
            let allow = res.headers().get("allow").map(|v| v.to_str().unwrap().to_string());
            let status = res.status().as_u16();
            let body = http_body_util::BodyExt::collect(res.into_body()).await.unwrap().to_bytes();
            (status, allow, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, _, body) = call("GET").await;
    assert_eq!(status, 200);
    assert!(body.contains("page a b"), "{body}");
    assert_eq!(call("HEAD").await.0, 200);
    assert_eq!(call("POST").await, (200, None, "saved a b".to_string()));
    for method in ["PUT", "OPTIONS", "DELETE"] {
        let (status, allow, _) = call(method).await;
        assert_eq!((status, allow.as_deref()), (405, Some("GET, HEAD, POST")), "{method}");
    }

    let err = App::builder()
        .route(&one_url::__FACETHEORY_ROUTE_page)
        .route(&one_url::__FACETHEORY_ROUTE_save)
        .route(&one_url::__FACETHEORY_ROUTE_clash)
        .build()
        .expect_err("two GET handlers on one route");
    let AppError::Conflict { first, second, .. } = err else { panic!("a conflict") };
    let mut both = [first, second];
    both.sort();
    assert_eq!(both, ["/posts/<key>", "/posts/<slug>"]);
}

mod lambda_checks {
    use crate::config::EnvConfig;
    use crate::isr::IsrRuntime;
    use crate::prelude::*;
    use crate::store::MemoryStore;
    use crate::App;

    #[face(route = "/cached", mode = "isr", revalidate = 60)]
    pub(super) fn cached() -> Page {
        Page::new(html! { "cached" })
    }

    fn lambda(extra: &[(&str, &str)]) -> EnvConfig {
        let mut vars = vec![("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")];
        vars.extend_from_slice(extra);
        EnvConfig::from_vars(vars).unwrap()
    }

    #[test]
    fn per_instance_stores_are_refused_on_lambda_only() {
        let isr_app = || App::builder().route(&__FACETHEORY_ROUTE_cached);
        let err = isr_app().env(lambda(&[])).build().unwrap_err().to_string();
        assert!(err.contains("FACETHEORY_ISR_BUCKET") && err.contains("Machine"), "{err}");
        let err = isr_app().isr(IsrRuntime::memory()).env(lambda(&[])).build().unwrap_err().to_string();
        assert!(err.contains("Process"), "{err}");
        // Off Lambda the embedded store is the default; with the escape hatch it is accepted on Lambda too.
        assert!(isr_app().env(EnvConfig::default()).build().is_ok());
        assert!(isr_app().env(lambda(&[("FACETHEORY_ALLOW_LOCAL_STORES", "1")])).build().is_ok());
        #[cfg(feature = "aws")]
        {
            let aws = lambda(&[("FACETHEORY_ISR_BUCKET", "b"), ("FACETHEORY_CACHE_TABLE_NAME", "t")]);
            let app = isr_app().env(aws).build().expect("S3 + DynamoDB are shared; nothing is contacted at build");
            assert_eq!(app.isr().unwrap().reach(), crate::store::StoreReach::Shared);
        }

        let memory = crate::hydration::SsrSidecars::new(b"k".to_vec(), MemoryStore::default()).unwrap();
        let err = App::builder().ssr_hydration_sidecars(memory).env(lambda(&[])).build().unwrap_err();
        assert!(err.to_string().contains("ssr_hydration_sidecars_from_env"), "{err}");
        let err = App::builder().ssr_hydration_sidecars_from_env().env(lambda(&[])).build().unwrap_err();
        assert!(err.to_string().contains("FACETHEORY_SIDECAR_SECRET"), "{err}");
        #[cfg(feature = "aws")]
        {
            let env = lambda(&[("FACETHEORY_SIDECAR_SECRET", "shared"), ("FACETHEORY_SIDECAR_BUCKET", "b")]);
            assert!(App::builder().ssr_hydration_sidecars_from_env().env(env).build().is_ok());
        }
        assert!(App::builder().ssr_hydration_sidecars_from_env().env(EnvConfig::default()).build().is_ok());
    }

    #[test]
    fn the_environment_fills_what_the_builder_left_unset() {
        let env = EnvConfig::from_vars([
            ("FACETHEORY_REVALIDATE_SECRET", "sixteen-bytes-or-more"),
            ("FACETHEORY_MAX_REQUEST_BODY", "10"),
        ])
        .unwrap();
        let app = App::builder().env(env.clone()).build().unwrap();
        assert!(app.reserved_endpoints().any(|r| r.pattern == "/_facetheory/revalidate"));
        assert_eq!(app.inner.max_request_body, 10);
        let app = App::builder().max_request_body(20).env(env).build().unwrap();
        assert_eq!(app.inner.max_request_body, 20, "the builder wins");
    }
}
