// facetheory deferred sections: moves each streamed <facetheory-section for="ID"> into its
// <facetheory-slot id="ID"> (replacing the fallback) as soon as the parser has finished it — which the
// <facetheory-section-end for="ID"> right after it says. Loaded as an async same-origin module from the head,
// so it runs while the document is still streaming and needs no inline script (strict CSP: script-src 'self').
// Without JavaScript the sections stay where they arrived: after the shell, in completion order.
const swap = (end) => {
  const id = end.getAttribute("for");
  const section = end.previousElementSibling;
  if (!section || section.localName !== "facetheory-section" || section.getAttribute("for") !== id) return;
  const slot = document.getElementById(id);
  if (section.hasAttribute("data-facetheory-error")) {
    // The section failed on the server: its fallback stays, marked.
    slot?.setAttribute("data-facetheory-error", "");
  } else if (slot && slot.localName === "facetheory-slot") {
    const content = document.createDocumentFragment();
    while (section.firstChild) content.appendChild(section.firstChild);
    slot.replaceWith(content);
  }
  section.remove();
  end.remove();
  document.dispatchEvent(new CustomEvent("facetheory:section", { detail: { id } }));
};
const scan = (root) => root.querySelectorAll("facetheory-section-end[for]").forEach(swap);
scan(document);
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType !== 1) continue;
      if (node.localName === "facetheory-section-end") swap(node);
      else if (node.querySelector) scan(node);
    }
  }
}).observe(document.documentElement, { childList: true, subtree: true });
