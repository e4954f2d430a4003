// The home page's search island: filters the server-rendered post list as you type, from its typed payload.
import { hydrateIslands } from "facetheory-client";
import type { HomeData } from "./generated/HomeData";
import "./islands.css";

hydrateIslands<HomeData>("src/search.ts", (el, data) => {
  const input = el.querySelector<HTMLInputElement>("input[name=q]");
  const list = el.querySelector<HTMLUListElement>("ul.posts");
  if (!input || !list) return;
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
})
  .then((n) => {
    if (n > 0) document.body.classList.add("hydrated-search");
  })
  .catch((e) => console.error("search island failed", e));
