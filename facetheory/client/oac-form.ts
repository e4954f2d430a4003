// Form posts behind CloudFront OAC (FaceTheory's `/oac-form`, S2). CloudFront signs requests to an AWS_IAM
// Lambda Function URL, and a signed request with a body must carry the body's SHA-256 in x-amz-content-sha256 —
// which a browser's native form submission cannot add. Forms marked `data-facetheory-oac-form` are submitted by
// fetch instead: urlencoded body, its lowercase hex SHA-256 in the header, same-origin only, then a full-page
// navigation to where the server sent us (so a strict-CSP response loads with its own policy). Anything the
// transport cannot sign exactly (multipart, text/plain, files, another origin, an unlisted method) fails closed:
// nothing is sent, the form gets `data-facetheory-oac-error` and a `facetheory:oac-form-error` event.
//
//   import { startAwsOacFormTransport } from "facetheory-client";
//   startAwsOacFormTransport();

export const AWS_OAC_CONTENT_SHA256_HEADER = "x-amz-content-sha256";
export const AWS_OAC_URL_ENCODED_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8";
export const AWS_OAC_FORM_MARKER = "data-facetheory-oac-form";

export interface AwsOacFormOptions {
  /** Methods a marked form may use (default POST; PUT/PATCH/DELETE must be listed). */
  allowedMethods?: string[];
  /** The document to listen on (default `document`). */
  root?: Document;
  /** Called when a marked form is refused or its request fails (after the error event). */
  onError?: (error: Error, form: HTMLFormElement) => void;
}

/** The body a marked form sends: its entries, urlencoded; a file entry is refused. */
export function createAwsOacUrlEncodedFormBody(form: HTMLFormElement, submitter?: HTMLElement | null): string {
  const data = new FormData(form, submitter ?? undefined);
  const params = new URLSearchParams();
  data.forEach((value, name) => {
    if (typeof value !== "string") throw new TypeError(`field "${name}" is a file: OAC forms send urlencoded text only`);
    params.append(name, value);
  });
  return params.toString();
}

/** Lowercase hex SHA-256 of the exact bytes sent. */
export async function sha256HexForAwsOacPayload(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function refuse(form: HTMLFormElement, error: Error, options: AwsOacFormOptions): void {
  form.setAttribute("data-facetheory-oac-error", error.message);
  form.dispatchEvent(new CustomEvent("facetheory:oac-form-error", { detail: { error }, bubbles: true }));
  options.onError?.(error, form);
}

/** What a submission of `form` would send, or the reason it must not be sent. */
function plan(form: HTMLFormElement, submitter: HTMLElement | null, allowed: string[]) {
  const attr = (name: string) =>
    (submitter && submitter.hasAttribute(`form${name}`) ? submitter.getAttribute(`form${name}`) : null) ??
    form.getAttribute(name);
  const method = (attr("method") ?? "get").toUpperCase();
  if (method === "GET" || method === "DIALOG") return null; // nothing to sign: native submission
  if (!allowed.includes(method)) throw new Error(`method ${method} is not allowed for OAC forms`);
  const enctype = (attr("enctype") ?? "application/x-www-form-urlencoded").toLowerCase();
  if (enctype !== "application/x-www-form-urlencoded") {
    throw new Error(`encoding ${enctype} cannot be signed: OAC forms are urlencoded only`);
  }
  const action = new URL(attr("action") || location.href, location.href);
  if (action.origin !== location.origin) throw new Error(`action ${action.href} is not same-origin`);
  return { method, action };
}

/** Starts the transport; returns a function that stops it. */
export function startAwsOacFormTransport(options: AwsOacFormOptions = {}): () => void {
  const root = options.root ?? document;
  const allowed = (options.allowedMethods ?? ["POST"]).map((m) => m.toUpperCase());
  const onSubmit = (event: SubmitEvent) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute(AWS_OAC_FORM_MARKER)) return;
    let target: { method: string; action: URL } | null;
    let body: string;
    try {
      target = plan(form, event.submitter, allowed);
      if (target === null) return;
      body = createAwsOacUrlEncodedFormBody(form, event.submitter);
    } catch (e) {
      event.preventDefault();
      refuse(form, e instanceof Error ? e : new Error(String(e)), options);
      return;
    }
    event.preventDefault();
    const { method, action } = target;
    void (async () => {
      const bytes = new TextEncoder().encode(body);
      const response = await fetch(action, {
        method,
        body: bytes,
        credentials: "same-origin",
        redirect: "follow",
        headers: {
          "content-type": AWS_OAC_URL_ENCODED_FORM_CONTENT_TYPE,
          [AWS_OAC_CONTENT_SHA256_HEADER]: await sha256HexForAwsOacPayload(bytes),
          accept: "text/html,application/xhtml+xml",
        },
      });
      const final = new URL(response.url || action.href);
      if (final.origin !== location.origin) throw new Error(`the response came from ${final.origin}`);
      form.dispatchEvent(new CustomEvent("facetheory:oac-form-response", { detail: { status: response.status }, bubbles: true }));
      // Post-redirect-get: load where the server sent us as a full page, under that page's own CSP.
      if (response.redirected) location.assign(final.href);
      else if (!response.ok) refuse(form, new Error(`the server answered ${response.status}`), options);
      else location.assign(final.href);
    })().catch((e) => refuse(form, e instanceof Error ? e : new Error(String(e)), options));
  };
  root.addEventListener("submit", onSubmit);
  return () => root.removeEventListener("submit", onSubmit);
}
