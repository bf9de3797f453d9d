// Bundles the Node-side hosts that electron-vite does not build: the browser host (and its in-page bridge)
// and the CLI. Run after `electron-vite build` (npm run build does both).
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { build } from 'esbuild'
import { buildSandboxBundle } from './sandbox-bundle.mjs'
import { buildSplitCommand } from './cli-split-command.mjs'
import {
  builtinImportsAsValues,
  CLI_BANNER,
  lazyBuiltinRequires,
  zodNamespaceImport,
} from './cli-bundle-rewrites.mjs'

const requireBuiltin = createRequire(import.meta.url)

const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' }

/**
 * The libraries the CLI's engine loads on every run, bundled into the CLI (and the browser host) instead of loaded
 * from node_modules: resolving and loading a package file by file (undici alone is ~100 files) cost more start-up
 * than the code itself. Everything else (other protocols' clients, importers, the script sandbox, the cookie jar,
 * JSONPath, the WebSocket client) stays external and is loaded only by the command, or the first session, that
 * uses it.
 * `yaml` stays external too: src/engine/collections/yaml-doc.ts requires it on first use (a file written, or a
 * wrong one's line found), from node_modules.
 */
const CLI_INLINED = ['undici', 'zod', 'js-yaml', 'eventsource-parser']

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
 * undici loads node:http2 (and node:tls with it) and node:zlib when its Client and fetch utilities load, for
 * HTTP/2 and compressed fetch bodies a CLI start mostly never makes: ~8 ms of every `send`. Bundled into the CLI,
 * they load on first use instead: client-h2's HTTP/2 constants are written in (checked here against Node's) and
 * `http2.connect` requires the module when called; fetch's two inflate streams require zlib when made; node:http
 * (its default header limit, which the engine always sets, and one IncomingMessage check) when used. Its destroy
 * reason is made without frames (stacklessDestroyReason, below). The build fails if undici's text changes, rather
 * than ship it unpatched.
 */
const undiciLazyBuiltins = {
  name: 'undici-lazy-builtins',
  setup(b) {
    const patches = {
      'lib/dispatcher/client-h2.js': (text) => {
        const load =
          /let http2\ntry \{\n {2}http2 = require\('node:http2'\)\n\} catch \{\n {2}\/\/ @ts-ignore\n {2}http2 = \{ constants: \{\} \}\n\}\n\nconst \{\n {2}constants: \{\n([\s\S]*?)\n {2}\}\n\} = http2\n/
        const m = load.exec(text)
        if (!m) throw new Error('undici-lazy-builtins: client-h2.js no longer loads node:http2 as expected')
        const { constants } = requireBuiltin('node:http2')
        const names = m[1].split(',').map((n) => n.trim())
        const values = names.map((n) => {
          if (!(n in constants)) throw new Error(`undici-lazy-builtins: node:http2 has no constant ${n}`)
          return `const ${n} = ${JSON.stringify(constants[n])}`
        })
        if (/http2\.(?!connect\()/.test(text.replace(m[0], '')))
          throw new Error('undici-lazy-builtins: client-h2.js uses more of node:http2 than connect')
        const lazy = `const http2 = { connect: (...args) => require('node:http2').connect(...args) }\n${values.join('\n')}\n`
        return text.replace(m[0], lazy)
      },
      'lib/dispatcher/dispatcher-base.js': stacklessDestroyReason,
      'lib/dispatcher/client.js': (text) => {
        const load = "const http = require('node:http')\n"
        const block =
          "const getDefaultNodeMaxHeaderSize = http &&\n  http.maxHeaderSize &&\n  Number.isInteger(http.maxHeaderSize) &&\n  http.maxHeaderSize > 0\n  ? () => http.maxHeaderSize\n  : () => { throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid') }\n"
        if (!text.includes(load) || !text.includes(block) || text.split('http.').length !== 6)
          throw new Error('undici-lazy-builtins: client.js uses node:http beyond its default maxHeaderSize')
        return text
          .replace(load, '')
          .replace(
            block,
            "const getDefaultNodeMaxHeaderSize = () => {\n  const { maxHeaderSize } = require('node:http')\n  if (maxHeaderSize && Number.isInteger(maxHeaderSize) && maxHeaderSize > 0) return maxHeaderSize\n  throw new InvalidArgumentError('http module not available or http.maxHeaderSize invalid')\n}\n",
          )
      },
      'lib/core/util.js': (text) => {
        const load = "const { IncomingMessage } = require('node:http')\n"
        const use = 'Object.getPrototypeOf(stream).constructor === IncomingMessage'
        if (!text.includes(load) || text.split('IncomingMessage').length !== 3 || !text.includes(use))
          throw new Error(
            'undici-lazy-builtins: core/util.js uses node:http beyond one IncomingMessage check',
          )
        // Only a stream whose class is named so can be one, and then node:http is loaded already.
        return text
          .replace(load, '')
          .replace(
            use,
            "Object.getPrototypeOf(stream).constructor?.name === 'IncomingMessage' && Object.getPrototypeOf(stream).constructor === require('node:http').IncomingMessage",
          )
      },
      'lib/web/fetch/util.js': (text) => {
        const load = "const zlib = require('node:zlib')\n"
        if (!text.includes(load))
          throw new Error('undici-lazy-builtins: fetch/util.js no longer loads node:zlib')
        const used = new Set([...text.matchAll(/\bzlib\.(\w+)\(/g)].map((u) => u[1]))
        if ([...used].some((u) => u !== 'createInflate' && u !== 'createInflateRaw'))
          throw new Error(
            'undici-lazy-builtins: fetch/util.js uses more of node:zlib than its inflate streams',
          )
        return text.replace(
          load,
          "const zlib = { createInflate: (o) => require('node:zlib').createInflate(o), createInflateRaw: (o) => require('node:zlib').createInflateRaw(o) }\n",
        )
      },
    }
    b.onLoad({ filter: /[\\/]node_modules[\\/]undici[\\/]lib[\\/].*\.js$/ }, (args) => {
      const rel = args.path.replace(/\\/g, '/').replace(/^.*\/node_modules\/undici\//, '')
      const patch = patches[rel]
      const text = readFileSync(args.path, 'utf8')
      const patched = lazyAssert(rel, patch ? patch(text) : text)
      return patched === text ? undefined : { contents: patched, loader: 'js' }
    })
  },
}

/**
 * `destroy()` without a reason (the engine's dispose, an agent letting a client go) makes a ClientDestroyedError as
 * the reason, and Node's stream destroy reads its `stack` at once: formatting that stack computes the line ends
 * of the script its frames are in, the whole ~1.7 MB CLI bundle (~20 million instructions, a twentieth of a
 * `send`). Bundled into the CLI, that error is made without frames (its name and message are the same; a
 * deliberate destroy's frames are undici's own). The build fails if undici's text changes.
 */
function stacklessDestroyReason(text) {
  const make = '    if (!err) {\n      err = new ClientDestroyedError()\n    }\n'
  if (text.split(make).length !== 2)
    throw new Error('undici-lazy-builtins: dispatcher-base.js no longer makes its destroy reason as expected')
  return text.replace(
    make,
    '    if (!err) {\n      const limit = Error.stackTraceLimit\n      Error.stackTraceLimit = 0\n      err = new ClientDestroyedError()\n      Error.stackTraceLimit = limit\n    }\n',
  )
}

/**
 * undici's modules load node:assert (with its error classes and colour handling, ~1-2 ms of a start) for
 * `assert(condition)` checks that hold unless undici has a bug. Bundled into the CLI, `assert` is a function that
 * loads node:assert only when a check fails, then fails it as node:assert does (same arguments, same error). The
 * build fails if undici uses node:assert any other way (`assert.equal`, `assert.ok`, ...).
 */
const ASSERT_LOAD = "const assert = require('node:assert')\n"
function lazyAssert(rel, text) {
  if (!text.includes("require('node:assert')")) return text
  if (!text.includes(ASSERT_LOAD) || text.split("require('node:assert')").length !== 2)
    throw new Error(`undici-lazy-builtins: ${rel} no longer loads node:assert as expected`)
  if (/\bassert\s*\.\s*\w/.test(text))
    throw new Error(`undici-lazy-builtins: ${rel} uses node:assert beyond assert(...)`)
  return text.replace(
    ASSERT_LOAD,
    "const assert = (...args) => { if (!args[0]) require('node:assert')(...args) }\n",
  )
}

/**
 * The CLI is split at its lazy imports (each command, each protocol) into out/cli/chunks, named by content
 * hash. Chunks of earlier builds are removed once the new ones are written, not before: a `flightdeck` started
 * while the build runs still finds the chunks its entry names.
 */
function removeStaleChunks(result, dir) {
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

/**
 * The commands a CLI start runs most (`send`, and `run` in CI loops), each also built as one CommonJS file in
 * out/cli/cached, which src/cli/command-loader.ts compiles with V8's code cache: Node 20 keeps no code cache for
 * ES modules, and compiling the ~2 MB each loads was a third of their start. One file per command (esbuild
 * splits ES modules only); its name carries its content hash, which names its cache, so a rebuild never meets
 * an old cache (V8 checks a cache against the source's length only). `import.meta.url` is the file's own URL
 * (the worker and the sandbox bundle are looked up beside it, one folder down as from a chunk), and a dynamic
 * import of a package becomes a require: a script compiled by node:vm cannot import() on Node 20 without a flag,
 * and Node ≥ 20.19 (package.json's engines) requires ES-module packages too.
 */
const CACHED_COMMANDS = ['run-command']
/**
 * Commands built as two files, the one their start evaluates and the code they reach only through lazy imports
 * (scripts/cli-split-command.mjs): listed in index.json as `<command>` and `<command>.lazy`. `run` stays one file:
 * its collection, runner and report are lazy imports every run reaches.
 */
const SPLIT_COMMANDS = ['send-command']

async function buildCachedCommands(outdir) {
  const dir = `${outdir}/cached`
  const result = await build({
    ...common,
    entryPoints: CACHED_COMMANDS.map((name) => `src/cli/${name}.ts`),
    outdir: dir,
    entryNames: '[name]-[hash]',
    outExtension: { '.js': '.cjs' },
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    supported: { 'dynamic-import': false },
    // ASCII only (esbuild escapes the rest of the code, and minifying whitespace drops the comments, which it
    // keeps as written), checked below: the loader reads the file as latin1, three times as fast as UTF-8. Names
    // stay as written, so a stack trace still names functions; the source map gives the lines.
    charset: 'ascii',
    minifyWhitespace: true,
    define: { 'import.meta.url': '__flightdeck_import_meta_url' },
    plugins: [zodNamespaceImport, zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
  })
  const files = {}
  for (const name of SPLIT_COMMANDS) {
    const { main, lazy } = await buildSplitCommand({
      name,
      dir,
      common,
      plugins: [zodNamespaceImport, zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
    })
    files[name] = main
    files[`${name}.lazy`] = lazy
  }
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    const name = meta.entryPoint?.replace(/^src\/cli\/(.*)\.ts$/, '$1')
    if (!name) continue
    files[name] = out.split('/').pop()
    if (readFileSync(out).some((byte) => byte > 0x7f)) throw new Error(`${out} is not ASCII`)
  }
  writeFileSync(`${dir}/index.json`, `${JSON.stringify(files, null, 2)}\n`)
  // A private build keeps the metafile here too: which inputs each command's file holds, by size.
  if (cliOnly) writeFileSync(`${dir}/metafile.json`, JSON.stringify(result.metafile))
  // Files of earlier builds go, with their code caches; a cache of a file just built stays (it is still right).
  const fresh = Object.values(files)
  for (const name of readdirSync(dir)) {
    if (
      name === 'index.json' ||
      name === 'metafile.json' ||
      fresh.some((f) => name === f || name.startsWith(`${f}.`))
    )
      continue
    rmSync(`${dir}/${name}`, { force: true })
  }
}

/**
 * `node scripts/build-node.mjs --cli-only DIR` builds the CLI (and its worker.js and sandbox bundle) alone into DIR
 * (under the checkout, so its external packages resolve from node_modules): a profile or a bench of a private
 * build (FLIGHTDECK_TEST_CLI, BENCH_RUNNER_CLI) that another engineer's `npm run build` cannot replace mid-run.
 */
const cliOnlyAt = process.argv.indexOf('--cli-only')
const cliOnly = cliOnlyAt >= 0 ? process.argv[cliOnlyAt + 1] : undefined
if (cliOnlyAt >= 0 && !cliOnly) throw new Error('--cli-only needs the output folder')
const cliOut = cliOnly ?? 'out/cli'

/**
 * The CLI: out/cli/index.js is the entry (bin/flightdeck.js and the tests run it), one file holding argument
 * parsing and dispatch; each command's code is a chunk in out/cli/chunks loaded when that command runs. The
 * commands are the entry points of a split build, and the entry is bundled on its own, its `import('./x')` of
 * a command pointed at that command's chunk: split together, the entry's few small modules that commands import
 * too (argument parsing) became six chunks of their own, each an ES module file every start resolved, read,
 * compiled and linked (~9M instructions of `--help`'s ~160M). Those modules are then in the entry and in the
 * commands' chunks alike, so they must keep no state of their own (checked below).
 */
async function buildCli() {
  const entry = 'src/cli/index.ts'
  const commands = [...readFileSync(entry, 'utf8').matchAll(/\bimport\('\.\/([\w-]+)'\)/g)].map((m) => m[1])
  const split = await build({
    ...common,
    entryPoints: commands.map((name) => `src/cli/${name}.ts`),
    outdir: cliOut,
    entryNames: 'chunks/[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    splitting: true,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [zodNamespaceImport, zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
    // Inlined CommonJS libraries call require() for Node's modules, which ESM output lacks.
    banner: { js: CLI_BANNER },
  })
  const chunkOf = {}
  for (const [out, meta] of Object.entries(split.metafile.outputs))
    if (meta.entryPoint) chunkOf[meta.entryPoint] = `./chunks/${out.split('/').pop()}`
  const commandChunks = {
    name: 'command-chunks',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'dynamic-import') return undefined
        const chunk = chunkOf[`src/cli/${args.path.replace(/^\.\//, '')}.ts`]
        if (!chunk)
          throw new Error(`build-node: ${args.importer} imports ${args.path}, which is no command's chunk`)
        return { path: chunk, external: true }
      })
    },
  }
  const main = await build({
    ...common,
    entryPoints: [entry],
    outdir: cliOut,
    entryNames: '[name]',
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [commandChunks, zodNamespaceImport, zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
    banner: { js: CLI_BANNER },
  })
  const mainCommonJs = await buildCommonJsEntry(entry, commandChunks)
  statelessWhereShared(main.metafile, split.metafile)
  statelessWhereShared(mainCommonJs.metafile, split.metafile)
  builtinImportsAsValues(split)
  builtinImportsAsValues(main)
  removeStaleChunks(split, `${cliOut}/chunks`)
  // A private build keeps esbuild's metafiles: which inputs each file holds, for a profile's summary.
  if (cliOnly)
    writeFileSync(
      `${cliOut}/metafile.json`,
      JSON.stringify({
        inputs: { ...split.metafile.inputs, ...main.metafile.inputs },
        outputs: { ...split.metafile.outputs, ...main.metafile.outputs },
      }),
    )
}

/**
 * The same entry as CommonJS, out/cli/index.cjs, which bin/flightdeck.js (itself CommonJS) requires: a start whose
 * main module and entry are ES modules pays Node's ES module loader (its resolver, translators and the
 * fs/promises and readline modules it loads, ~40M instructions of a `send`'s ~360M on a Node that compiles its
 * own modules); CommonJS alone does not. Its commands' chunks stay ES modules, imported when run. out/cli/index.js
 * stays, for whoever imports the CLI as an ES module. `import.meta.url` is the file's own URL.
 */
function buildCommonJsEntry(entry, commandChunks) {
  return build({
    ...common,
    entryPoints: [entry],
    outfile: `${cliOut}/index.cjs`,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    define: { 'import.meta.url': '__flightdeck_import_meta_url' },
    banner: {
      js: "const __flightdeck_import_meta_url = require('node:url').pathToFileURL(__filename).href;",
    },
    plugins: [commandChunks, zodNamespaceImport, zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
  }).then((result) => {
    lazyBuiltinRequires(`${cliOut}/index.cjs`)
    return result
  })
}

/**
 * A module bundled both into the entry and into a command's chunk runs twice when that command runs: two copies
 * of its top-level values. The build refuses any that keeps state there (a `let` or `var`, a class, a value made
 * with `new` other than a RegExp) rather than let the copies drift apart.
 */
function statelessWhereShared(main, split) {
  const inChunks = new Set(Object.keys(split.inputs))
  for (const path of Object.keys(main.inputs)) {
    if (!inChunks.has(path) || !path.startsWith('src/')) continue
    const text = readFileSync(path, 'utf8')
    const state = /^(?:export )?(?:let |var |(?:abstract )?class |const \w+ = new (?!RegExp\())/m.exec(text)
    if (state)
      throw new Error(
        `build-node: ${path} is in the CLI's entry and a command's chunk, and keeps state (${state[0].trim()})`,
      )
  }
}

const cliBuilds = [buildCli(), buildCachedCommands(cliOut)]

await Promise.all([
  ...(cliOnly ? [] : webBuilds()),
  ...cliBuilds,
  // The engine's worker-pool entry, beside each Node bundle that runs the engine
  // (src/engine/workers/worker-entry-path.ts looks for it there), with each task kind's code in a chunk of
  // worker-chunks/ that its first task loads (a worker running scripts never loads the importers).
  ...(cliOnly ? [cliOut] : ['out/web', 'out/cli']).map((outdir) =>
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
  ...(cliOnly ? [cliOut] : ['out/web', 'out/cli', 'out/main']).map((dir) =>
    buildSandboxBundle(`${dir}/sandbox-bundle.json`),
  ),
])
console.log(
  cliOnly
    ? `built ${cliOut}/index.js and its worker.js`
    : 'built out/web/index.js, out/web/bridge.js, out/cli/index.js and their worker.js',
)

function webBuilds() {
  return [
    // Split at the engine's lazy imports, as the CLI is: each protocol's session code (and the package it
    // imports: mqtt, socket.io-client, @grpc/grpc-js, graphql) is a chunk in out/web/chunks loaded by the first
    // session that uses it. One file would hoist every chunk's package imports to its top, loaded at start.
    build({
      ...common,
      entryPoints: ['src/web/index.ts'],
      outdir: 'out/web',
      entryNames: '[name]',
      chunkNames: 'chunks/[name]-[hash]',
      splitting: true,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // As in the CLI, CLI_INLINED (undici, zod in English only, js-yaml, eventsource-parser) is bundled in and
      // loaded with the host's code, not file by file from node_modules (undici and zod were ~120 of the ~190
      // files a start loaded); everything else stays in node_modules, loaded by the session that uses it (ws keeps
      // its optional natives).
      plugins: [zodEnglishOnly, undiciLazyBuiltins, externalExceptInlined],
      // Inlined CommonJS libraries call require() for Node's modules, which ESM output lacks.
      banner: {
        js: "import { createRequire as __flightdeckRequire } from 'node:module'; const require = __flightdeckRequire(import.meta.url);",
      },
    }).then((result) => removeStaleChunks(result, 'out/web/chunks')),
    build({
      ...common,
      entryPoints: ['src/web/bridge/bridge.ts'],
      outfile: 'out/web/bridge.js',
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      tsconfig: 'tsconfig.web.json',
    }),
  ]
}
