// Rewrites of the CLI bundle that take work out of every start (scripts/build-node.mjs uses them): zod as direct
// references instead of namespace objects, and Node's modules as values instead of ES imports.
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

/**
 * `import { z } from 'zod'` is a named import of a namespace (zod's index does `import * as z; export { z }`), which
 * esbuild cannot see through: it builds `z` as an object at start, 258 getters, with it `z.core` (312) and the
 * namespaces those hold, 1,028 getters defined one by one (each a new hidden class), and it keeps every zod module,
 * the JSON-schema converters no command uses among them. Written as `import * as z from '…/classic/external.js'`
 * (the module `z` is), each `z.object(…)` is a direct reference and what is not used is dropped: `send` ~23M
 * instructions fewer of ~350M, its file 160 KB smaller. So our source imports zod only as ZOD_IMPORT (or
 * `import type`); the build fails on any other import of it rather than quietly build the namespace again.
 */
const ZOD_IMPORT = "import { z } from 'zod'"
export const zodNamespaceImport = {
  name: 'zod-namespace-import',
  setup(b) {
    const external = JSON.stringify(
      resolve(import.meta.dirname, '../node_modules/zod/v4/classic/external.js'),
    )
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8')
      const from = "from 'zod'\n"
      if (!text.includes(from)) return undefined
      for (let at = text.indexOf(from); at >= 0; at = text.indexOf(from, at + 1)) {
        const statement = text.slice(text.lastIndexOf('import ', at), at + from.length - 1)
        if (statement !== ZOD_IMPORT && !statement.startsWith('import type '))
          throw new Error(`zod-namespace-import: ${args.path} imports zod otherwise than ${ZOD_IMPORT}`)
      }
      return { contents: text.replace(ZOD_IMPORT, `import * as z from ${external}`), loader: 'ts' }
    })
  },
}

export const CLI_BANNER =
  "import { createRequire as __flightdeckRequire } from 'node:module'; const require = __flightdeckRequire(import.meta.url);"

/**
 * In the CLI's ES module files (its entry and chunks), `import { join } from "node:path"` becomes
 * `const { join } = process.getBuiltinModule("node:path")`, and the banner's `require` is made only in a file that
 * uses it. An ES import of a Node module makes a module of every one of its exports at each start (node:fs has
 * ~100): the entry's and its chunks' six cost every command ~9M instructions (`--help` ~150M in all), and the
 * banner's import.meta and createRequire ran in each file. Each import line keeps its line, so the source maps
 * hold; Node's modules have no cycles with ours, and each import sits above the code of the module it is for.
 */
export function builtinImportsAsValues(result) {
  for (const out of Object.keys(result.metafile.outputs)) {
    if (!out.endsWith('.js')) continue
    const text = readFileSync(out, 'utf8')
    if (!text.startsWith(CLI_BANNER)) throw new Error(`${out} does not start with the CLI's banner`)
    const body = text.slice(CLI_BANNER.length)
    // esbuild's `__require` (what bundled CommonJS code calls) is the one reader of a free `require` in its ES
    // module output: a file without it (the entry, whose command loader only names `require` in text) needs none.
    const banner = body.includes('typeof require !== "undefined"')
      ? "const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);"
      : ''
    const values = body.replace(
      /^import \{([^}]*)\} from "(node:[\w/]+)";$/gm,
      (_, names, id) => `const {${names.replace(/ as /g, ': ')}} = process.getBuiltinModule("${id}");`,
    )
    writeFileSync(out, banner + values)
  }
}

/** What lazyBuiltinRequires puts on the CommonJS entry's first line: a module stand-in loaded on first read. */
const LAZY_BUILTIN =
  'const __flightdeckLazyBuiltin = (id) => { let m; return new Proxy({}, { get: (_, k) => (m ??= process.getBuiltinModule(id))[k] }) };'

/**
 * In the CLI's CommonJS entry, `var import_promises = require("node:fs/promises")` becomes a stand-in that loads the
 * module when one of its exports is first read: esbuild reads every export as `import_promises.readFile` where
 * it is used, so a module only a command's path calls is loaded by that path. node:fs/promises (with the fs
 * watchers and readline it loads, ~10 modules) for a variable file `send` may never read, node:util's parseArgs
 * for arguments `--help` needs none of. The build fails if a module is used any other way (passed as a whole).
 */
export function lazyBuiltinRequires(file) {
  const text = readFileSync(file, 'utf8')
  const names = []
  const lazy = text.replace(/^var (\w+) = require\("(node:[\w/]+)"\);$/gm, (_, name, id) => {
    names.push(name)
    return `var ${name} = __flightdeckLazyBuiltin("${id}");`
  })
  for (const name of names) {
    const uses = lazy.split(new RegExp(`\\b${name}\\b`)).length - 2
    const reads = lazy.split(new RegExp(`\\b${name}\\.\\w`)).length - 1
    if (uses !== reads) throw new Error(`${file}: ${name} is used otherwise than by reading its exports`)
  }
  const firstLine = lazy.indexOf('\n')
  writeFileSync(file, `${lazy.slice(0, firstLine)}${LAZY_BUILTIN}${lazy.slice(firstLine)}`)
}
