import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// No @vitejs/plugin-react: esbuild compiles JSX with the automatic runtime,
// which is all the production build needs (see docs/decisions.md).
export default defineConfig({
  root,
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: path.resolve(root, '../dist/client'),
    emptyOutDir: true,
    sourcemap: true,
    // The ElevenLabs SDK (~630 kB) is its own chunk, loaded only when a real voice call starts.
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      // Rollup drops comments it cannot place next to a `@__PURE__` annotation in dependencies
      // (zod 4 has some) and says so on every build; that is noise about code we do not own.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes(`${path.sep}node_modules${path.sep}`)) return;
        warn(warning);
      },
    },
  },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:3000',
      '/webhooks': 'http://localhost:3000',
      '/healthz': 'http://localhost:3000',
      '/readyz': 'http://localhost:3000',
      '/socket.io': { target: 'http://localhost:3000', ws: true },
    },
  },
});
