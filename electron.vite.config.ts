import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import { rendererCspPlugin } from './scripts/renderer-csp-plugin'
import { rendererPathShimPlugin } from './scripts/renderer-path-shim-plugin'

/**
 * Three bundles: main (ESM, Node), preload (one CommonJS file, as a sandboxed preload must be) and the
 * renderer (React). The same renderer build is served by the browser host (src/web).
 */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The engine's worker-pool entry, found beside index.js (src/engine/workers/worker-entry-path.ts).
          worker: resolve(__dirname, 'src/engine/workers/worker-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require node_modules: bundle zod and the contract into the one file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    // Every script pinned by hash in the page's CSP (an entry and lazy chunks): see scripts/renderer-csp-plugin.ts.
    // mime-types' table is read in the renderer; its one `path` import is answered without Node (the plugin says why).
    plugins: [rendererPathShimPlugin(), react(), rendererCspPlugin()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves bundles unminified; the renderer is also served over the browser host.
      minify: 'esbuild',
      // A <link rel="modulepreload"> is fetched without integrity, so the hash-only CSP would refuse it; the import
      // map pins the chunks that import() loads instead.
      modulePreload: false,
      // One stylesheet, loaded with the page: a lazy pane arrives already styled, never shifting as its CSS lands.
      cssCodeSplit: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
})
