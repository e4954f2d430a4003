// facetheory browser client: reads the hydration payload a facetheory page carries, with FaceTheory's markers
// and same-origin rules (G7). Import it from the Vite side of a site.
//
//   import { loadFaceHydrationData } from "facetheory-client";
//   const data = await loadFaceHydrationData<HomeData>();

/** The payload inlined by `Page::hydrate` (`<script id="__FACETHEORY_DATA__" type="application/json">`), or null. */
export function readFaceInlineHydrationData<T>(doc: Document = document): T | null {
  const el = doc.getElementById("__FACETHEORY_DATA__");
  if (!el) return null;
  if (el.tagName !== "SCRIPT") throw new Error("#__FACETHEORY_DATA__ must be a <script> element");
  const type = (el.getAttribute("type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new Error(`#__FACETHEORY_DATA__ must have a JSON media type, got "${type}"`);
  }
  return JSON.parse(el.textContent ?? "null") as T;
}

/** The data URL declared by `Page::hydrate_external` (`link#__FACETHEORY_DATA_URL__` or `link[rel=facetheory-hydration]`). */
export function readFaceExternalHydrationDataUrl(doc: Document = document): string | null {
  const el =
    doc.getElementById("__FACETHEORY_DATA_URL__") ?? doc.querySelector('link[rel="facetheory-hydration"]');
  const href = el?.getAttribute("href");
  return href ? href : null;
}

/** Resolves `url` against the page and refuses anything that is not same-origin http(s). */
export function resolveSameOriginFaceHydrationUrl(url: string, base: string = location.href): URL {
  const resolved = new URL(url, base);
  const origin = new URL(base).origin;
  if (resolved.protocol !== "http:" && resolved.protocol !== "https:") {
    throw new Error(`hydration data URL must be http(s): ${url}`);
  }
  if (resolved.origin !== origin) throw new Error(`hydration data URL must be same-origin: ${url}`);
  return resolved;
}

/** Fetches external hydration data: same-origin credentials, JSON only, and the final URL must stay same-origin. */
export async function fetchExternalFaceHydrationData<T>(url: string): Promise<T> {
  const target = resolveSameOriginFaceHydrationUrl(url);
  const res = await fetch(target, {
    credentials: "same-origin",
    redirect: "follow",
    headers: { accept: "application/json" },
  });
  resolveSameOriginFaceHydrationUrl(res.url || target.href);
  if (!res.ok) throw new Error(`hydration data request failed: ${res.status}`);
  const type = (res.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw new Error(`hydration data must be JSON, got "${type}"`);
  }
  return (await res.json()) as T;
}

/** Inline data wins; otherwise the external data URL is fetched; null when the page carries neither. */
export async function loadFaceHydrationData<T>(doc: Document = document): Promise<T | null> {
  const inline = readFaceInlineHydrationData<T>(doc);
  if (inline !== null) return inline;
  const url = readFaceExternalHydrationDataUrl(doc);
  return url ? fetchExternalFaceHydrationData<T>(url) : null;
}
/** The page's island payloads (`Page::island`): `{"islands": {id: data}}`, loaded once per page. */
let islandPayload: Promise<Record<string, unknown>> | null = null;

function islandData(doc: Document): Promise<Record<string, unknown>> {
  islandPayload ??= loadFaceHydrationData<{ islands?: Record<string, unknown> }>(doc).then((p) => p?.islands ?? {});
  return islandPayload;
}

/**
 * Hydrates every island of `entry` on the page (`Island::new("src/counter.ts", data)` on the server): calls
 * `mount` with each mount point (`[data-facetheory-island]`) and its own payload, found by the island's id.
 * Several islands, of one entry or many, share the page's one hydration payload, whatever its transport
 * (inline, SSR sidecar, ISR sidecar, SSG file). Returns how many were mounted.
 *
 *   await hydrateIslands<CounterData>("src/counter.ts", (el, data) => { … });
 */
export async function hydrateIslands<T>(
  entry: string,
  mount: (element: HTMLElement, data: T, id: string) => void,
  doc: Document = document,
): Promise<number> {
  const elements = Array.from(doc.querySelectorAll<HTMLElement>("[data-facetheory-island]")).filter(
    (el) => el.dataset.facetheoryEntry === entry,
  );
  if (elements.length === 0) return 0;
  const payload = await islandData(doc);
  let mounted = 0;
  for (const el of elements) {
    const id = el.dataset.facetheoryIsland ?? "";
    if (!(id in payload)) throw new Error(`no payload for island "${id}" (${entry})`);
    mount(el, payload[id] as T, id);
    mounted++;
  }
  return mounted;
}

export * from "./oac-form";
