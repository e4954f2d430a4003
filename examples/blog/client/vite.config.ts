import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// Builds the blog's islands into dist/assets with a manifest at dist/.vite/manifest.json, which the Rust side
// reads to emit modulepreload/stylesheet tags and the bootstrap module of each island.
export default defineConfig({
  base: "/",
  resolve: {
    alias: { "facetheory-client": fileURLToPath(new URL("../../../facetheory/client/index.ts", import.meta.url)) },
  },
  // Under `cargo facetheory dev` the browser reaches this dev server through the dev address (same origin, so
  // strict CSP allows it): HMR's WebSocket goes there too.
  server: { hmr: { clientPort: Number(process.env.FACETHEORY_DEV_PORT) || undefined } },
  build: {
    manifest: true,
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    rollupOptions: {
      input: { site: "src/site.ts", search: "src/search.ts", counter: "src/counter.ts", forms: "src/forms.ts" },
    },
  },
});
