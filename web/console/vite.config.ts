import { defineConfig } from "vite";

// Served under /agent/ (by the local runner, and from S3 behind CloudFront).
export default defineConfig({
  base: "/agent/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // No inline scripts or styles: the CSP forbids them.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
