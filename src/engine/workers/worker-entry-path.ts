import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Where the worker's code is. Built, every Node bundle (out/cli, out/web, out/main) has its own `worker.js`
 * beside its `index.js` (scripts/build-node.mjs and electron.vite.config.ts build it); a bundler may put this
 * module in a chunk one folder down, so the folder above is tried too. From source (vitest, tsx) the worker
 * is worker-entry.ts, loaded through tsx's loader, registered inside the worker before the entry is imported.
 */
export interface WorkerEntry {
  /** Code for `new Worker(code, { eval: true })`. */
  code: string
}

let cached: WorkerEntry | null = null

export function workerEntry(): WorkerEntry {
  if (cached) return cached
  const here = import.meta.url
  // tsx may add a query to a module's URL (tsImport does): look at the path alone.
  if (new URL(here).pathname.endsWith('.ts')) {
    const entry = new URL('./worker-entry.ts', here).href
    const tsxDir = dirname(createRequire(here).resolve('tsx/package.json'))
    const tsx = pathToFileURL(join(tsxDir, 'dist/esm/api/index.mjs')).href
    cached = {
      code: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}) })`,
    }
    return cached
  }
  for (const rel of ['./worker.js', '../worker.js']) {
    const url = new URL(rel, here)
    if (existsSync(fileURLToPath(url))) {
      cached = { code: `import(${JSON.stringify(url.href)})` }
      return cached
    }
  }
  throw new Error(`The worker bundle is missing next to ${fileURLToPath(here)} (worker.js): rebuild`)
}
