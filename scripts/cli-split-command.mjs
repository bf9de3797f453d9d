// Builds a cached CLI command (out/cli/cached, compiled by src/cli/command-loader.ts with V8's code cache) as two
// CommonJS files: what the command evaluates on every start, and what it reaches only through a lazy import.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, relative, resolve } from 'node:path'
import { build } from 'esbuild'

/**
 * Half of `send`'s one file was code reached only through the engine's lazy imports (other protocols, the
 * runner, collections, importers): V8 still read its text and its share of the code cache at every start
 * (callgrind: 343M instructions against 319M for a file without it). esbuild splits ES modules only, so:
 * 1. the command is built as split ES modules (its entry and a chunk for each lazy import and shared part);
 * 2. each of those is rebuilt as CommonJS on its own (every import left to `require`, a lazy `import()` becoming
 *    a `require` on first call), esbuild following the first build's source maps back to the source;
 * 3. the entry and the chunks it imports statically go into the command's file, every other chunk into its lazy
 *    file, each chunk a function of (exports, require, module) under its chunk's name.
 * The loader keeps one registry of chunks for both files: a chunk runs once, whichever file holds it, and the
 * lazy file is read and compiled only when a chunk of it is first required.
 * Returns the two file names (written into `dir`, each named by its content's hash, with its source map).
 */
export async function buildSplitCommand({ name, dir, common, plugins }) {
  const work = mkdtempSync(join(tmpdir(), 'flightdeck-split-'))
  try {
    const esm = await build({
      ...common,
      entryPoints: [`src/cli/${name}.ts`],
      outdir: join(work, 'esm'),
      entryNames: '[name]',
      chunkNames: '[name]-[hash]',
      splitting: true,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      define: { 'import.meta.url': '__flightdeck_import_meta_url' },
      plugins,
    })
    const chunks = Object.keys(esm.metafile.outputs).filter((o) => o.endsWith('.js'))
    const entry = chunks.find((o) => esm.metafile.outputs[o].entryPoint === `src/cli/${name}.ts`)
    const eager = staticallyImported(esm.metafile.outputs, entry)

    const lazyChunks = chunks.filter((c) => !eager.has(c))
    const rebuild = {
      ...common,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      supported: { 'dynamic-import': false },
      // ASCII only (checked below): the loader reads the file as latin1, three times as fast as UTF-8.
      charset: 'ascii',
      minifyWhitespace: true,
    }
    // The eager part as one file: one scope, its chunks' references to each other direct (as in a one-file
    // bundle), each chunk's namespace kept for the lazy chunks that import it.
    // (Only the entry's and those a lazy chunk imports: a namespace is an object of getters made at start.)
    const importedLater = new Set(
      lazyChunks.flatMap((c) => esm.metafile.outputs[c].imports.map((i) => i.path)),
    )
    const exported = [entry, ...[...eager].filter((c) => c !== entry && importedLater.has(c))]
    const eagerNames = exported.map((c) => basename(c))
    const eagerEntry = join(work, 'esm', '__eager.js')
    writeFileSync(
      eagerEntry,
      `${eagerNames.map((c, i) => `import * as m${i} from './${c}'`).join('\n')}\nexport const evaluated = {${eagerNames.map((c, i) => `${JSON.stringify(c)}: m${i}`).join(', ')}}\n`,
    )
    const eagerOut = join(work, 'eager', 'eager.js')
    await build({
      ...rebuild,
      entryPoints: [eagerEntry],
      outfile: eagerOut,
      plugins: [externalExcept(new Set([...eager].map((c) => basename(c))))],
    })
    const cjsDir = join(work, 'cjs')
    if (lazyChunks.length > 0)
      await build({
        ...rebuild,
        entryPoints: lazyChunks,
        outdir: cjsDir,
        outbase: join(work, 'esm'),
        plugins: [externalExcept(new Set())],
      })
    const built = (file) => {
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'))
      // Its sources as seen from the folder the file is written to, not from this temporary one (esbuild's own
      // helpers have none: they are named as the chunk they came from).
      map.sources = map.sources.map((s) =>
        s.startsWith('../esm/')
          ? `esbuild:${basename(s)}`
          : relative(resolve(dir), resolve(dirname(file), s)),
      )
      return { code: readFileSync(file, 'latin1').replace(/\n\/\/# sourceMappingURL=.*\n?$/, ''), map }
    }
    const eagerBuilt = built(eagerOut)
    const main = writeFile(dir, name, eagerBuilt.code, eagerBuilt.map)
    const lazy = writePack(
      dir,
      name.replace(/-command$/, '-lazy'),
      lazyChunks.map((c) => ({ name: basename(c), ...built(join(cjsDir, basename(c))) })),
    )
    return { main, lazy }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** The entry and every chunk it reaches through static imports: what the command evaluates at its start. */
function staticallyImported(outputs, entry) {
  const seen = new Set()
  const stack = [entry]
  while (stack.length > 0) {
    const out = stack.pop()
    if (seen.has(out)) continue
    seen.add(out)
    for (const i of outputs[out].imports) if (i.kind === 'import-statement' && !i.external) stack.push(i.path)
  }
  return seen
}

/** Rebuilding chunks: every import stays a `require` (Node's, a package's, another chunk's), except of `bundled`. */
function externalExcept(bundled) {
  return {
    name: 'external-except',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) =>
        args.kind === 'entry-point' || bundled.has(args.path.replace(/^\.\//, ''))
          ? undefined
          : { path: args.path, external: true },
      )
    },
  }
}

/**
 * `module.exports = { "<chunk>.js": function (exports, require, module) { … }, … }`, each chunk's code on a
 * line of its own, with a sectioned source map (each chunk's map from its line). Named `<name>-<hash>.cjs`.
 */
function writePack(dir, name, chunks) {
  const parts = ['module.exports={\n']
  const sections = []
  let line = 1
  for (const chunk of chunks) {
    parts.push(`${JSON.stringify(chunk.name)}:function(exports,require,module){\n`)
    line += 1
    sections.push({ offset: { line, column: 0 }, map: chunk.map })
    parts.push(chunk.code, '\n},\n')
    line += chunk.code.split('\n').length + 1
  }
  parts.push('}')
  return writeFile(dir, name, parts.join(''), { version: 3, sections })
}

/** Writes `<name>-<hash>.cjs` and its source map; returns the file's name. */
function writeFile(dir, name, body, map) {
  if (/[\u0080-\uffff]/.test(body)) throw new Error(`build-node: ${name}'s cached file is not ASCII`)
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 8).toUpperCase()
  const file = `${name}-${hash}.cjs`
  writeFileSync(join(dir, file), `${body}\n//# sourceMappingURL=${file}.map\n`)
  writeFileSync(join(dir, `${file}.map`), JSON.stringify({ ...map, file }))
  return file
}
