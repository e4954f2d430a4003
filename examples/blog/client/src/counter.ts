// Counter islands: every mount point of this entry on the page gets its own typed payload, whatever the page's
// hydration transport (inline, SSR sidecar, ISR sidecar, SSG file).
import { hydrateIslands } from "facetheory-client";
import type { CounterData } from "./generated/CounterData";
import "./islands.css";

hydrateIslands<CounterData>("src/counter.ts", (el, data) => {
  const button = el.querySelector<HTMLButtonElement>("button.counter");
  if (!button) return;
  let count = data.start;
  button.textContent = `${data.label}: ${count}`;
  button.addEventListener("click", () => {
    count += data.step;
    button.textContent = `${data.label}: ${count}`;
  });
})
  .then((n) => {
    if (n > 0) document.body.classList.add("hydrated-counter");
  })
  .catch((e) => console.error("counter island failed", e));
