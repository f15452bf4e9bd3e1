import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The dashboard is served by the Go binary at /_/; asset URLs are relative
// so the same build works behind any path prefix. Output names are
// content-hashed and the build is deterministic (CI diffs dist/).
export default defineConfig({
  base: './',
  plugins: [svelte()],
  // component tests mount Svelte in jsdom: use its browser build
  ...(process.env.VITEST ? { resolve: { conditions: ['browser'] } } : {}),
  server: {
    proxy: { '/api': 'http://127.0.0.1:8090' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
} as any);
