// The home page's search island: filters the server-rendered post list as you type, from typed hydration data.
import { loadFaceHydrationData } from "facetheory-client";
import type { HomeData } from "./generated/HomeData";
import "./islands.css";

async function main() {
  const data = await loadFaceHydrationData<HomeData>();
  const input = document.querySelector<HTMLInputElement>("input[name=q]");
  const list = document.querySelector<HTMLUListElement>("ul.posts");
  if (!data || !input || !list) return;
  const render = (q: string) => {
    const needle = q.trim().toLowerCase();
    list.replaceChildren(
      ...data.posts
        .filter((p) => p.title.toLowerCase().includes(needle))
        .map((p) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = `/blog/${encodeURIComponent(p.slug)}`;
          a.textContent = p.title;
          li.append(a, ` — ${p.summary}`);
          return li;
        }),
    );
  };
  input.addEventListener("input", () => render(input.value));
  document.body.dataset.hydrated = "search";
}

main().catch((e) => console.error("search island failed", e));
