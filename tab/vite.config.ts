import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));
const api = process.env.API_ORIGIN ?? "http://localhost:3978";

// `npm run build:tab` builds into tab/dist, which the API serves at /. `vite dev --config tab/vite.config.ts`
// serves the tab with hot reload and forwards the API's routes to a running API.
export default defineConfig({
  root,
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Fluent UI is most of the bundle; one chunk keeps the first load to two requests inside Teams.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      "/api": { target: api, changeOrigin: false },
      "/auth": { target: api, changeOrigin: false },
    },
  },
});
