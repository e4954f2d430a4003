// `cargo facetheory dev` in a real browser: the page reloads by itself when a face is edited, with no CSP
// violation and no reload by the test. Run by scripts/test with DEV_URL (the dev address) and FACE_FILE (a face
// of the site whose `<h1>` text it changes); exits non-zero on failure.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const { DEV_URL: url, FACE_FILE: face } = process.env;
assert.ok(url && face, "DEV_URL and FACE_FILE");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  // CSP violations and failed requests (the new site has no favicon: that 404 is not the test's concern).
  const problems = [];
  await page.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP: ${e.violatedDirective}`)),
  );
  page.on("console", (m) => m.type() === "error" && m.text().startsWith("CSP") && problems.push(m.text()));
  page.on("response", (r) => r.status() >= 400 && !r.url().endsWith("/favicon.ico") && problems.push(`${r.status()} ${r.url()}`));
  let loads = 0;
  page.on("load", () => loads++);
  const listening = page.waitForRequest((r) => r.url().includes("/_facetheory/dev/events"));
  await page.goto(url);
  await listening;
  const before = await page.textContent("h1");
  const source = readFileSync(face, "utf8");
  const edited = source.replace(`h1 { "${before}" }`, `h1 { "${before}, live" }`);
  assert.notEqual(edited, source, `the face has h1 { "${before}" }`);
  const saved = Date.now();
  writeFileSync(face, edited);
  await page.waitForFunction((text) => document.querySelector("h1")?.textContent === text, `${before}, live`, { timeout: 120_000 });
  console.log(`dev in Chromium: the page reloaded by itself ${Date.now() - saved} ms after the edit (${loads} loads)`);
  assert.ok(loads >= 2, "a new load, not a DOM patch");
  assert.deepEqual(problems, []);
  writeFileSync(face, source);
} finally {
  await browser.close();
}
