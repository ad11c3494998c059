import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** The dashboard SPA: built into dist/apps/admin/web, served by the admin app (no CDN, no remote font). */
const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(here, '../../../dist/apps/admin/web'),
    emptyOutDir: true,
    sourcemap: true,
    // no inline <script> or data: module preload polyfill: the CSP allows scripts from 'self' only
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 600,
  },
  server: { port: 18451, proxy: { '/api': 'http://127.0.0.1:8081', '/graphql': { target: 'http://127.0.0.1:8081', ws: true } } },
});
