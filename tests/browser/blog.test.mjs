// The blog in a real browser (Debian's Chromium driven by playwright-core): islands hydrate from typed data,
// the strict-CSP page reports no violation, streamed sections render in order, forms post through CloudFront OAC.
// BASE_URL points at a running `blog serve`, PREVIEW_URL at the deploy plan's preview edge in front of it
// (scripts/test starts both); screenshots go to $ARTIFACTS (default ../../artifacts).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
// The same app behind the generated CloudFront plan (`preview.mjs`), which enforces OAC's payload hash.
const edgeBase = process.env.PREVIEW_URL;
const artifacts = process.env.ARTIFACTS ?? new URL("../../artifacts/", import.meta.url).pathname;
let browser;

before(async () => {
  assert.ok(base && edgeBase, "BASE_URL and PREVIEW_URL are set by scripts/test");
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

after(async () => {
  await browser?.close();
});

/** A page that records CSP violations and console errors. */
async function open(path, options = {}, origin = base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const response = await page.goto(origin + path, options);
  return { page, response, problems };
}

test("two islands on one page hydrate from their own inline payloads", async () => {
  const { page, problems } = await open("/");
  await page.waitForSelector("body.hydrated-search");
  await page.waitForSelector("body.hydrated-counter");
  const data = JSON.parse(await page.textContent("#__FACETHEORY_DATA__"));
  assert.deepEqual(Object.keys(data.islands).sort(), ["counter", "search"]);
  const serverTitles = await page.$$eval("ul.posts li a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(data.islands.search.posts.map((p) => p.title), serverTitles, "the search payload is what the server rendered");
  await page.fill("input[name=q]", "rout");
  const filtered = await page.$$eval("ul.posts li a", (as) => as.map((a) => a.textContent));
  assert.deepEqual(filtered, ["Routing without surprises"]);
  await page.click("[data-facetheory-island=counter] button.counter");
  assert.equal(await page.textContent("[data-facetheory-island=counter] button.counter"), "Visits: 1");
  await page.screenshot({ path: `${artifacts}/blog-home-search.png`, fullPage: true });
  assert.deepEqual(problems, []);
});

test("two islands of one entry on a strict page hydrate from one signed SSR sidecar with no CSP violation", async () => {
  const { page, response, problems } = await open("/secure");
  const csp = response.headers()["content-security-policy"];
  assert.match(csp, /script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  await page.waitForSelector("body.hydrated-counter");
  const dataUrl = await page.getAttribute("#__FACETHEORY_DATA_URL__", "href");
  assert.match(dataUrl, /^\/_facetheory\/ssr-data\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  const sidecar = await page.request.get(base + dataUrl);
  assert.equal(sidecar.headers()["cache-control"], "no-store");
  const served = (await sidecar.json()).islands;
  const tampered = await page.request.get(base + dataUrl.slice(0, -2) + (dataUrl.endsWith("AA") ? "BB" : "AA"));
  assert.equal(tampered.status(), 404);
  for (const id of ["counter", "score"]) {
    const button = `[data-facetheory-island=${id}] button.counter`;
    const { label, start, step } = served[id];
    assert.equal(await page.textContent(button), `${label}: ${start}`);
    await page.click(button);
    await page.click(button);
    assert.equal(await page.textContent(button), `${label}: ${start + 2 * step}`, `${id} counts with its own payload`);
  }
  assert.equal(await page.$("#__FACETHEORY_DATA__"), null, "no inline data on a strict page");
  await page.screenshot({ path: `${artifacts}/blog-secure-counter.png`, fullPage: true });
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(problems, []);
});

test("strict-CSP ISR post hydrates from its ISR sidecar, fresh and from the cache", async () => {
  for (const expected of ["miss", "hit"]) {
    const { page, response, problems } = await open("/blog/routing?ref=browser&utm_source=ignored");
    const state = response.headers()["x-facetheory-isr"];
    assert.ok(expected === "hit" ? state === "hit" : ["miss", "hit"].includes(state), state);
    assert.doesNotMatch(response.headers()["content-security-policy"], /unsafe-inline|nonce-/);
    await page.waitForSelector("body.hydrated-counter");
    const dataUrl = await page.getAttribute("#__FACETHEORY_DATA_URL__", "href");
    assert.match(dataUrl, /^\/blog\/routing\?ref=browser&__facetheory_isr_hydration=[A-Za-z0-9_-]+$/);
    const served = (await (await page.request.get(base + dataUrl)).json()).islands.counter;
    assert.equal(served.label, "Likes");
    await page.click("button.counter");
    assert.equal(await page.textContent("button.counter"), `Likes: ${served.start + 1}`);
    const foreign = await page.request.get(base + dataUrl.replace("ref=browser&", ""));
    assert.equal(foreign.status(), 404, "another cache key's request cannot read the sidecar");
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems, []);
    if (expected === "hit") await page.screenshot({ path: `${artifacts}/blog-isr-post.png`, fullPage: true });
  }
});

test("an SSG page's island hydrates from its data file, served from the static output through the plan", async () => {
  const { page, response, problems } = await open("/about", {}, edgeBase);
  assert.equal(response.headers()["x-preview-origin"], "s3");
  await page.waitForSelector("body.hydrated-counter");
  assert.equal(await page.getAttribute("#__FACETHEORY_DATA_URL__", "href"), "/_facetheory/data/about.json");
  await page.click("[data-facetheory-island=counter] button.counter");
  assert.equal(await page.textContent("[data-facetheory-island=counter] button.counter"), "Stars: 43");
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(problems, []);
});

test("an inline script injected into the strict page is blocked by its CSP", async () => {
  const { page } = await open("/secure");
  await page.waitForSelector("body.hydrated-counter");
  // The header really is enforced: an inline script added now must be refused and reported.
  await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__ran = true";
    document.body.append(s);
  });
  await page.waitForFunction(() => window.__cspViolations.length > 0);
  assert.equal(await page.evaluate(() => window.__ran ?? false), false);
});

test("streamed sections render in order, each as it arrives", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  // Record when each streamed section enters the DOM. A buffered response would insert them all at once.
  await page.addInitScript(() => {
    window.__sections = [];
    new MutationObserver((records) => {
      for (const r of records) {
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && n.matches("section.streamed")) {
            window.__sections.push({ id: n.dataset.section, at: performance.now() });
          }
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(base + "/live");
  await page.waitForSelector("footer");
  const seen = await page.evaluate(() => window.__sections);
  assert.deepEqual(seen.map((s) => s.id), ["1", "2", "3"]);
  // The server produces the sections 100 ms apart; they must reach the DOM apart too.
  const gap = seen[2].at - seen[0].at;
  assert.ok(gap >= 100, `sections 1 and 3 appeared ${gap.toFixed(0)} ms apart`);
  await page.screenshot({ path: `${artifacts}/blog-live.png`, fullPage: true });
  await context.close();
});

/** Posts a comment through the page's form; returns the POST request the browser sent. */
async function postComment(page, text) {
  await page.waitForSelector("body.hydrated-counter");
  await page.fill("#comments input[name=name]", "Browser");
  await page.fill("#comments textarea[name=text]", text);
  const posted = page.waitForRequest((r) => r.method() === "POST");
  const [navigation] = await Promise.all([page.waitForNavigation(), page.click("#comments button[type=submit]")]);
  return { request: await posted, navigation };
}

for (const [where, origin] of [["blog serve", () => base], ["the CloudFront plan (preview edge, OAC)", () => edgeBase]]) {
  test(`the comment form posts with its body's SHA-256 and the regenerated page shows it, through ${where}`, async () => {
    const { page, problems } = await open("/blog/caf%C3%A9", {}, origin());
    const text = `Seen from Chromium ${Date.now()}`;
    const { request, navigation } = await postComment(page, text);
    // The OAC form transport sent it: urlencoded, with the hash of the exact bytes.
    const body = request.postData();
    assert.equal(body, new URLSearchParams({ name: "Browser", text }).toString());
    assert.equal(request.headers()["x-amz-content-sha256"], createHash("sha256").update(body).digest("hex"));
    assert.match(request.headers()["content-type"], /^application\/x-www-form-urlencoded/);
    // Post-redirect-get as a full-page navigation to where the 303 pointed.
    assert.equal(navigation.request().method(), "GET");
    assert.equal(new URL(page.url()).pathname, "/blog/caf%C3%A9");
    const comments = await page.$$eval("ul.comments li", (lis) => lis.map((li) => li.textContent));
    assert.ok(comments.includes(`Browser: ${text}`), JSON.stringify(comments));
    await page.waitForSelector("body.hydrated-counter");
    await page.screenshot({ path: `${artifacts}/blog-post-comment.png`, fullPage: true });
    assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
    assert.deepEqual(problems, []);
  });
}

test("through the CloudFront plan: an unmarked form is refused by the Function URL, a multipart one by the transport", async () => {
  const { page } = await open("/blog/caf%C3%A9", {}, edgeBase);
  await page.waitForSelector("body.hydrated-counter");
  const posts = [];
  page.on("request", (r) => r.method() === "POST" && posts.push(r.url()));
  // Marked but multipart: the transport cannot sign it, so nothing is sent.
  await page.evaluate(() => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/api/subscribe";
    form.enctype = "multipart/form-data";
    form.setAttribute("data-facetheory-oac-form", "");
    form.innerHTML = '<input name="email" value="a@b.example">';
    document.body.append(form);
    form.requestSubmit();
  });
  await page.waitForSelector("form[data-facetheory-oac-error]");
  assert.match(await page.getAttribute("form[data-facetheory-oac-error]", "data-facetheory-oac-error"), /multipart\/form-data cannot be signed/);
  assert.deepEqual(posts, [], "a refused form sends nothing");
  // Unmarked: the browser's native POST has no payload hash, and the OAC-signed origin refuses it.
  const [navigation] = await Promise.all([
    page.waitForNavigation(),
    page.evaluate(() => {
      const form = document.createElement("form");
      form.method = "post";
      form.action = "/api/subscribe";
      form.innerHTML = '<input name="email" value="a@b.example">';
      document.body.append(form);
      form.requestSubmit();
    }),
  ]);
  assert.equal(navigation.status(), 403);
  assert.equal(navigation.headers()["x-preview-origin"], "lambda");
});

test("deferred sections stream in completion order and swap into their slots under strict CSP", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    window.__swapped = [];
    const t0 = performance.now();
    document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(e.violatedDirective));
    document.addEventListener("facetheory:section", (e) =>
      window.__swapped.push({ id: e.detail.id, at: performance.now() - t0 }),
    );
  });
  const response = await page.goto(`${base}/deferred`);
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'nonce-/);
  await page.waitForFunction(() => window.__swapped.length === 3);
  const swapped = await page.evaluate(() => window.__swapped);
  // Declared slow (400 ms), fast (50), middle (200): completion order is fast, middle, slow.
  assert.deepEqual(swapped.map((s) => s.id), ["ft-s1", "ft-s2", "ft-s0"]);
  // Streamed, they finish 350 ms apart; buffered, they would swap together. The first swap also waits for the
  // runtime module to load, which a loaded CI machine has delayed by over 100 ms: 100 ms apart still tells the two.
  assert.ok(swapped[2].at - swapped[0].at >= 100, `fast and slow swapped ${(swapped[2].at - swapped[0].at).toFixed(0)} ms apart`);
  // Each section sits where its slot was, in the shell's order; no slot, fallback or section wrapper is left.
  assert.deepEqual(await page.$$eval("main section.deferred", (s) => s.map((e) => e.dataset.section)), ["slow", "fast", "middle"]);
  assert.equal(await page.locator("facetheory-slot, facetheory-section, [data-fallback]").count(), 0);
  await page.screenshot({ path: `${artifacts}/blog-deferred.png`, fullPage: true });
  assert.deepEqual(await page.evaluate(() => window.__cspViolations), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a failed deferred section keeps its fallback; without JavaScript sections arrive after the shell", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/deferred?fail=1`);
  await page.waitForSelector("main section.deferred[data-section=slow]");
  assert.equal(await page.getAttribute("facetheory-slot#ft-s2", "data-facetheory-error"), "");
  assert.match(await page.textContent("facetheory-slot#ft-s2"), /Loading the middle section/);
  assert.doesNotMatch(await page.content(), /data source failed/);
  await context.close();

  const noJs = await browser.newContext({ javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(`${base}/deferred`);
  // The fallbacks stay in the shell; the sections follow it, in the order they finished.
  assert.equal(await plain.locator("main facetheory-slot [data-fallback]").count(), 3);
  const after = await plain.$$eval("footer ~ facetheory-section section", (s) => s.map((e) => e.dataset.section));
  assert.deepEqual(after, ["fast", "middle", "slow"]);
  await plain.screenshot({ path: `${artifacts}/blog-deferred-no-js.png`, fullPage: true });
  await noJs.close();
});

test("the site's stylesheet loads through the Vite build and the theme cookie's dark theme applies", async () => {
  const context = await browser.newContext();
  const url = new URL(base);
  await context.addCookies([{ name: "theme", value: "dark", domain: url.hostname, path: "/" }]);
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.waitForSelector("body.hydrated-search");
  const stylesheet = await page.getAttribute('link[rel="stylesheet"][href^="/assets/site-"]', "href");
  assert.ok(stylesheet, "the layout's src/site.ts entry brings its stylesheet");
  const [bg, fg] = await page.evaluate(() => {
    const s = getComputedStyle(document.body);
    return [s.backgroundColor, s.color];
  });
  assert.equal(bg, "rgb(20, 23, 28)", "dark background");
  assert.equal(fg, "rgb(230, 232, 235)", "light text");
  await page.screenshot({ path: `${artifacts}/blog-home-dark.png` });
  await context.close();
});
