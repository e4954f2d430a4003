// The generated CloudFront viewer-request function, run under node against URI cases.
// DEPLOY_PLAN_DIR points at a `deploy-plan --out` directory (scripts/test writes one).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const dir = process.env.DEPLOY_PLAN_DIR;
if (!dir) throw new Error("DEPLOY_PLAN_DIR is not set");
const { handler } = require(path.resolve(dir, "cloudfront-function.js"));

function run(uri) {
  const out = handler({ request: { uri, headers: {}, querystring: {} } });
  return { uri: out.uri, original: out.headers["x-facetheory-original-uri"]?.value };
}

const cases = [
  ["/", "/index.html"],
  ["/about", "/about/index.html"],
  ["/about/", "/about/index.html"],
  ["/topics/basics", "/topics/basics/index.html"],
  ["/blog/hello-world", "/blog/hello-world/index.html"],
  ["/favicon.ico", "/favicon.ico"],
  ["/404.html", "/404.html"],
  ["/assets/index-abc123.js", "/assets/index-abc123.js"],
  ["/.vite/manifest.json", "/.vite/manifest.json"],
  ["/_facetheory/data/about.json", "/_facetheory/data/about.json"],
  ["/_facetheory/ssr-data/token.sig", "/_facetheory/ssr-data/token.sig"],
  ["/_facetheory/revalidate", "/_facetheory/revalidate"],
  ["/docs/v1.2/intro", "/docs/v1.2/intro/index.html"],
];

for (const [viewer, s3] of cases) {
  test(`${viewer} → ${s3}`, () => {
    const out = run(viewer);
    assert.equal(out.uri, s3);
    assert.equal(out.original, viewer, "the viewer's URI is kept for the Lambda failover");
  });
}

test("query parameters S3 would act on are dropped; others stay", () => {
  const querystring = {
    q: { value: "rout" },
    "response-content-type": { value: "text/plain" },
    "X-Amz-Date": { value: "20260101T000000Z" },
  };
  const out = handler({ request: { uri: "/about", headers: {}, querystring } });
  assert.deepEqual(Object.keys(out.querystring), ["q"]);
});

test("the Lambda behaviors' function drops a viewer-supplied original URI", () => {
  const strip = require(path.resolve(dir, "strip-original-uri.js")).handler;
  const out = strip({ request: { uri: "/blog/x", headers: { "x-facetheory-original-uri": { value: "/about" }, accept: { value: "text/html" } } } });
  assert.deepEqual(Object.keys(out.headers), ["accept"]);
  assert.equal(out.uri, "/blog/x");
});
