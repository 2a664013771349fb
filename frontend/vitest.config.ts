import { defineConfig } from "vitest/config";

export default defineConfig({
  // Vite transforms with oxc (its esbuild options are only converted when oxc is not set).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  test: { include: ["**/*.test.ts", "**/*.test.tsx"], exclude: ["node_modules/**", "dist/**"] },
});
