// `cargo facetheory dev` with a Vite client, in a real browser: islands come from Vite's dev server through the
// dev address (same origin) on a strict-CSP page with no violation, and an edit to island code reaches the
// page without a manual reload (Vite's HMR over the proxied WebSocket). DEV_URL is the dev address, ISLAND_FILE
// the blog's client/src/counter.ts; exits non-zero on failure.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const { DEV_URL: url, ISLAND_FILE: island } = process.env;
assert.ok(url && island, "DEV_URL and ISLAND_FILE");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const source = readFileSync(island, "utf8");
try {
  const page = await browser.newPage();
  const problems = [];
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP: ${e.violatedDirective} ${e.blockedURI}`)),
  );
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  const response = await page.goto(`${url}secure`);
  assert.match(response.headers()["content-security-policy"], /script-src 'self' 'nonce-/, "a strict page");
  await page.waitForSelector("body.hydrated-counter");
  assert.equal(await page.getAttribute('script[src="/@vite/client"]', "type"), "module", "Vite's client, same origin");
  const edited = source.replace('document.body.classList.add("hydrated-counter")', 'document.body.classList.add("hydrated-counter", "edited-in-dev")');
  assert.notEqual(edited, source);
  const saved = Date.now();
  writeFileSync(island, edited);
  await page.waitForSelector("body.edited-in-dev", { timeout: 60_000 });
  console.log(`dev + Vite in Chromium: an island edit reached the strict page ${Date.now() - saved} ms after saving`);
  assert.deepEqual(problems, []);
} finally {
  writeFileSync(island, source);
  await browser.close();
}
