import { defineConfig } from 'vite';

// Served by the query role under /dashboard/ (embedded in the assembly): hashed
// file names so they can be cached forever, and nothing inline, so the page
// runs under a Content-Security-Policy without 'unsafe-inline'.
export default defineConfig({
  base: '/dashboard/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
