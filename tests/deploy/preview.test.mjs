// The blog end to end through the generated plan: `preview.mjs` (written by `deploy-plan`) replays
// behaviors.json and the CloudFront functions in front of the static output and the running app.
//   DEPLOY_PLAN_DIR  a `deploy-plan --out` directory
//   SITE_DIR         a `build --out` directory
//   APP_URL          the running app: `blog serve`, or the Lambda emulator's function URL
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const planDir = path.resolve(process.env.DEPLOY_PLAN_DIR ?? "");
const siteDir = path.resolve(process.env.SITE_DIR ?? "");
const appUrl = process.env.APP_URL;
const { createEdge, loadPlan } = await import(path.join(planDir, "preview.mjs"));

const servers = [];
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "facetheory-preview-"));

/** An edge on an ephemeral port; returns its base URL. */
async function edge(plan, site = siteDir, app = appUrl) {
  const server = createEdge(plan, { site, app });
  servers.push(server);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

/** A copy of the plan directory with behaviors.json changed by `edit`. */
function editedPlan(name, edit) {
  const dir = path.join(scratch, name);
  fs.cpSync(planDir, dir, { recursive: true });
  const file = path.join(dir, "behaviors.json");
  const behaviors = JSON.parse(fs.readFileSync(file, "utf8"));
  edit(behaviors);
  fs.writeFileSync(file, JSON.stringify(behaviors));
  return dir;
}

let base;
before(async () => {
  assert.ok(process.env.DEPLOY_PLAN_DIR && process.env.SITE_DIR && appUrl, "DEPLOY_PLAN_DIR, SITE_DIR, APP_URL");
  base = await edge(loadPlan(planDir, "A"));
});

after(() => {
  for (const s of servers) s.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const get = (url, init) => fetch(url, { redirect: "manual", ...init });
const origin = (res) => res.headers.get("x-preview-origin");

/** The SSR home page filters by `?q=` and themes by the `theme` cookie: both must reach the app. */
async function assertSearchReachesTheApp(edgeBase) {
  const res = await get(`${edgeBase}/?q=rout`, { headers: { cookie: "theme=dark; _ga=x" } });
  assert.equal(res.status, 200);
  assert.equal(origin(res), "lambda", "S3 has no index.html: the origin group fails over");
  const html = await res.text();
  assert.equal((html.match(/<li>/g) ?? []).length, 1, "the query reached the app: one post matches");
  assert.match(html, /data-theme="dark"/, "the theme cookie reached the app");
}

test("SSG pages come from the static output and are cached at the edge", async () => {
  for (const p of ["/about", "/about/", "/topics/basics"]) {
    const first = await get(base + p);
    assert.equal(first.status, 200, p);
    assert.equal(origin(first), "s3", p);
    assert.equal(first.headers.get("cache-control"), "public, max-age=0, s-maxage=600");
  }
  const again = await get(`${base}/about`);
  assert.equal(again.headers.get("x-cache"), "Hit from cloudfront", "s-maxage=600 is honoured");
});

test("SSG pages are served with the app down", async () => {
  const noApp = await edge(loadPlan(planDir, "A"), siteDir, "http://127.0.0.1:9");
  const res = await get(`${noApp}/topics/basics`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<h1>/);
});

test("SSR pages reach the app with their query and cookies, and are never cached", async () => {
  await assertSearchReachesTheApp(base);
  const again = await get(`${base}/?q=rout`);
  assert.equal(again.headers.get("x-cache"), "Miss from cloudfront");
  assert.equal(again.headers.get("cache-control"), "private, no-store");
  assert.doesNotMatch(await again.text(), /data-theme="dark"/, "no other viewer's cookie leaked through a cache");
});

test("ISR pages: the origin's hit/miss, never cached at the edge", async () => {
  const first = await get(`${base}/blog/hello-world?ref=preview-${process.pid}`);
  assert.equal(first.status, 200);
  assert.equal(origin(first), "lambda");
  assert.equal(first.headers.get("x-facetheory-isr"), "miss", "a new listed-query variant is a miss");
  assert.match(await first.text(), new RegExp(`following the link from preview-${process.pid}`));
  const second = await get(`${base}/blog/hello-world?ref=preview-${process.pid}`);
  assert.equal(second.headers.get("x-facetheory-isr"), "hit");
  assert.equal(second.headers.get("x-cache"), "Miss from cloudfront", "s-maxage=0: the edge asks the origin");
});

test("a static page missing from the bucket fails over to Lambda with the viewer's URI", async () => {
  const site = path.join(scratch, "site-without-about");
  fs.cpSync(siteDir, site, { recursive: true });
  fs.rmSync(path.join(site, "about", "index.html"));
  const partial = await edge(loadPlan(planDir, "A"), site);
  const res = await get(`${partial}/about`);
  assert.equal(res.status, 200);
  assert.equal(origin(res), "lambda");
  const staticHtml = fs.readFileSync(path.join(siteDir, "about", "index.html"), "utf8");
  assert.equal((await res.text()).match(/<h1>.*?<\/h1>/)[0], staticHtml.match(/<h1>.*?<\/h1>/)[0]);
  const unknown = await get(`${partial}/no-such-page`);
  assert.equal(unknown.status, 404);
  assert.equal(origin(unknown), "lambda", "the app answers unknown paths (its 404 page)");
});

test("form posts reach Lambda with the body's SHA-256; without it the Function URL refuses them", async () => {
  const body = `name=Preview&text=${encodeURIComponent(`through the edge ${process.pid}`)}`;
  const sha = crypto.createHash("sha256").update(body).digest("hex");
  const headers = { "content-type": "application/x-www-form-urlencoded" };
  const unsigned = await get(`${base}/blog/hello-world`, { method: "POST", headers, body });
  assert.equal(unsigned.status, 403, "OAC: a body without x-amz-content-sha256 fails the signature check");
  const wrong = await get(`${base}/blog/hello-world`, { method: "POST", headers: { ...headers, "x-amz-content-sha256": "0".repeat(64) }, body });
  assert.equal(wrong.status, 403);
  const res = await get(`${base}/blog/hello-world`, { method: "POST", headers: { ...headers, "x-amz-content-sha256": sha }, body });
  assert.equal(res.status, 303);
  assert.equal(origin(res), "lambda");
  assert.equal(res.headers.get("location"), "/blog/hello-world#comments");
  const page = await (await get(`${base}/blog/hello-world`)).text();
  assert.match(page, new RegExp(`through the edge ${process.pid}`), "the next GET shows the comment");
});

test("reserved prefixes and mutating routes go where the plan says", async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(siteDir, ".facetheory", "ssg-manifest.json"), "utf8"));
  const asset = manifest.assets.find((a) => a.startsWith("assets/"));
  const runtime = manifest.assets.find((a) => a.startsWith("_facetheory/runtime/"));
  const cases = [
    ["GET", `/${asset}`, "s3", 200],
    ["GET", `/${runtime}`, "s3", 200],
    ["GET", "/.vite/manifest.json", "s3", 200],
    ["GET", "/_facetheory/data/about.json", "s3", 200],
    ["GET", "/_facetheory/ssr-data/not.a-token", "lambda", 404],
    ["POST", "/_facetheory/revalidate", "lambda", null],
    ["POST", "/api/subscribe", "lambda", 200],
  ];
  for (const [method, p, where, status] of cases) {
    const body = method === "POST" ? (p === "/api/subscribe" ? "email=a%40b.example" : "{}") : undefined;
    const headers = body === undefined ? {} : {
      "content-type": p === "/api/subscribe" ? "application/x-www-form-urlencoded" : "application/json",
      "x-amz-content-sha256": crypto.createHash("sha256").update(body).digest("hex"),
    };
    const res = await get(base + p, { method, headers, body });
    assert.equal(origin(res), where, `${method} ${p}`);
    if (status !== null) assert.equal(res.status, status, `${method} ${p}`);
  }
  const assetRes = await get(`${base}/${asset}`);
  assert.equal(assetRes.headers.get("cache-control"), "public, max-age=31536000, immutable");
  const refused = await get(`${base}/about`, { method: "DELETE" });
  assert.equal(refused.status, 403, "the origin group allows GET and HEAD only");
});

test("a viewer cannot choose the page a Lambda behavior renders through x-facetheory-original-uri", async () => {
  const res = await get(`${base}/blog/hello-world`, { headers: { "x-facetheory-original-uri": "/about" } });
  assert.equal(res.status, 200);
  const about = fs.readFileSync(path.join(siteDir, "about", "index.html"), "utf8").match(/<h1>.*?<\/h1>/)[0];
  const html = await res.text();
  assert.ok(!html.includes(about), "not the about page");
  assert.match(html, /raw slug: <code>hello-world<\/code>/);
});

test("a plan that forwards no query string or cookies breaks the search (the suite catches it)", async () => {
  // Headers still forwarded (so the failover works), but no query string and no cookies.
  const broken = editedPlan("headers-only", (b) => {
    b.policies.originRequest["headers-only"] = { headers: "allViewerExceptHost", cookies: "none", queryStrings: "none" };
    for (const behavior of b.strategyA) if (behavior.originRequestPolicy) behavior.originRequestPolicy = "headers-only";
    b.policies.cache["origin-cache-headers"].cacheKey.queryStrings = "none";
  });
  const brokenBase = await edge(loadPlan(broken, "A"));
  await assert.rejects(assertSearchReachesTheApp(brokenBase), /the query reached the app/);
});

test("Strategy B serves the same site", async () => {
  const b = await edge(loadPlan(planDir, "B"));
  assert.equal(origin(await get(`${b}/about`)), "s3");
  await assertSearchReachesTheApp(b);
});
