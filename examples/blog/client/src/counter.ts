// The strict-CSP page's counter island: its data comes from an external same-origin URL, not an inline script.
import { loadFaceHydrationData } from "facetheory-client";
import type { CounterData } from "./generated/CounterData";
import "./islands.css";

async function main() {
  const data = await loadFaceHydrationData<CounterData>();
  const button = document.querySelector<HTMLButtonElement>("button.counter");
  if (!data || !button) return;
  let count = data.start;
  button.textContent = `${data.label}: ${count}`;
  button.addEventListener("click", () => {
    count += data.step;
    button.textContent = `${data.label}: ${count}`;
  });
  document.body.dataset.hydrated = "counter";
}

main().catch((e) => console.error("counter island failed", e));
