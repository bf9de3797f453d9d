// Bundles the Node-side hosts that electron-vite does not build: the browser host (and its in-page bridge)
// and the CLI. Run after `electron-vite build` (npm run build does both).
import { build } from 'esbuild'
import { buildSandboxBundle } from './sandbox-bundle.mjs'

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' }

await Promise.all([
  build({
    ...common,
    entryPoints: ['src/web/index.ts'],
    outfile: 'out/web/index.js',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies stay in node_modules: they are installed anyway, and undici/ws keep their optional natives.
    packages: 'external',
  }),
  build({
    ...common,
    entryPoints: ['src/web/bridge/bridge.ts'],
    outfile: 'out/web/bridge.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    tsconfig: 'tsconfig.web.json',
  }),
  build({
    ...common,
    entryPoints: ['src/cli/index.ts'],
    outfile: 'out/cli/index.js',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
  }),
  // The engine's worker-pool entry, beside each Node bundle that runs the engine
  // (src/engine/workers/worker-entry-path.ts looks for it there).
  ...['out/web/worker.js', 'out/cli/worker.js'].map((outfile) =>
    build({
      ...common,
      entryPoints: ['src/engine/workers/worker-entry.ts'],
      outfile,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
    }),
  ),
  // The script sandbox's prelude and libraries, beside each worker.js (src/engine/scripts/sandbox-bundle.ts).
  ...['out/web', 'out/cli', 'out/main'].map((dir) => buildSandboxBundle(`${dir}/sandbox-bundle.json`)),
])
console.log('built out/web/index.js, out/web/bridge.js, out/cli/index.js and their worker.js')
