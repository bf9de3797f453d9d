// Bundles the Node-side hosts that electron-vite does not build: the browser host (and its in-page bridge)
// and the CLI. Run after `electron-vite build` (npm run build does both).
import { readdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { build } from 'esbuild'
import { buildSandboxBundle } from './sandbox-bundle.mjs'

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' }

/**
 * The libraries the CLI's engine loads on every run, bundled into the CLI instead of loaded from node_modules:
 * resolving and loading a package file by file (undici alone is ~100 files) cost more start-up than the code
 * itself. Everything else (other protocols' clients, importers, the script sandbox, the cookie jar, JSONPath,
 * the WebSocket client) stays external and is loaded only by the command, or the first session, that uses it.
 */
const CLI_INLINED = ['undici', 'zod', 'yaml', 'js-yaml', 'eventsource-parser']

/** Every bare import except CLI_INLINED stays external (as `packages: 'external'` would have it). */
const externalExceptInlined = {
  name: 'external-except-inlined',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true }
      const name = args.path.startsWith('@')
        ? args.path.split('/').slice(0, 2).join('/')
        : args.path.split('/')[0]
      return CLI_INLINED.includes(name) ? undefined : { path: args.path, external: true }
    })
  },
}

/**
 * zod's `z` carries every one of its ~50 locales (366 KB of its 750 KB bundled, parsed on every start); the
 * engine's messages are its default English, so the CLI bundles that locale alone. `z.locales` then holds `en`.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-locales' }
        : undefined,
    )
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: "export { default as en } from './en.js'\n",
      resolveDir: dirname(args.path),
      loader: 'js',
    }))
  },
}

/**
 * The CLI is split at its lazy imports (each command, each protocol) into out/cli/chunks, named by content
 * hash. Chunks of earlier builds are removed once the new ones are written, not before: a `flightdeck` started
 * while the build runs still finds the chunks its entry names.
 */
function removeStaleChunks(result, dir = 'out/cli/chunks') {
  const fresh = new Set(Object.keys(result.metafile.outputs).map((p) => resolve(p)))
  let names = []
  try {
    names = readdirSync(dir)
  } catch {
    return
  }
  for (const name of names) {
    const path = resolve(dir, name)
    if (!fresh.has(path)) rmSync(path, { force: true })
  }
}

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
  // The CLI: out/cli/index.js is the entry (bin/flightdeck.js and the tests run it); it loads only argument
  // parsing, and each command's code is a chunk in out/cli/chunks loaded when that command runs.
  build({
    ...common,
    entryPoints: ['src/cli/index.ts'],
    outdir: 'out/cli',
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [zodEnglishOnly, externalExceptInlined],
    // Inlined CommonJS libraries call require() for Node's modules, which ESM output lacks.
    banner: {
      js: "import { createRequire as __flightdeckRequire } from 'node:module'; const require = __flightdeckRequire(import.meta.url);",
    },
  }).then(removeStaleChunks),
  // The engine's worker-pool entry, beside each Node bundle that runs the engine
  // (src/engine/workers/worker-entry-path.ts looks for it there), with each task kind's code in a chunk of
  // worker-chunks/ that its first task loads (a worker running scripts never loads the importers).
  ...['out/web', 'out/cli'].map((outdir) =>
    build({
      ...common,
      entryPoints: { worker: 'src/engine/workers/worker-entry.ts' },
      outdir,
      entryNames: '[name]',
      chunkNames: 'worker-chunks/[name]-[hash]',
      splitting: true,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
    }).then((result) => removeStaleChunks(result, `${outdir}/worker-chunks`)),
  ),
  // The script sandbox's prelude and libraries, beside each worker.js (src/engine/scripts/sandbox-bundle.ts).
  ...['out/web', 'out/cli', 'out/main'].map((dir) => buildSandboxBundle(`${dir}/sandbox-bundle.json`)),
])
console.log('built out/web/index.js, out/web/bridge.js, out/cli/index.js and their worker.js')
