/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// In development the API runs on uvicorn (bin/serve or `signoff serve`); Vite proxies /api to it.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  build: {
    // mermaid lazily loads its ELK layout engine as one 1.5 MB chunk, only for diagrams that ask for it.
    chunkSizeWarningLimit: 1600,
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
