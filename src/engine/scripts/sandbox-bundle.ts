import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * The sandbox's bundle (the prelude with the script APIs, and the libraries scripts may require), made by
 * scripts/sandbox-bundle.mjs. Built, it is `sandbox-bundle.json` beside the bundle's worker.js (build-node.mjs
 * writes it). From source (vitest, tsx) it is built on first use into node_modules/.cache/flightdeck, named by a
 * hash of the prelude and the libraries' versions, so a changed prelude is rebuilt and an unchanged one reused.
 */
export interface SandboxBundle {
  prelude: string
  libs: Record<string, string>
}

export const BUNDLE_FILE = 'sandbox-bundle.json'

let cached: Promise<SandboxBundle> | null = null

export function sandboxBundle(): Promise<SandboxBundle> {
  cached ??= load().catch((e: unknown) => {
    cached = null
    throw e
  })
  return cached
}

async function load(): Promise<SandboxBundle> {
  const here = import.meta.url
  if (!new URL(here).pathname.endsWith('.ts')) {
    for (const rel of [`./${BUNDLE_FILE}`, `../${BUNDLE_FILE}`]) {
      const path = fileURLToPath(new URL(rel, here))
      if (existsSync(path)) return parse(readFileSync(path, 'utf8'), path)
    }
    throw new Error(
      `The script sandbox's bundle is missing next to ${fileURLToPath(here)} (${BUNDLE_FILE}): rebuild`,
    )
  }
  const root = join(dirname(fileURLToPath(here)), '../../..')
  const prelude = join(root, 'src/engine/scripts/sandbox')
  const builder = join(root, 'scripts/sandbox-bundle.mjs')
  const hash = createHash('sha256').update(readFileSync(builder))
  for (const f of readdirSync(prelude).sort()) hash.update(f).update(readFileSync(join(prelude, f)))
  for (const lib of ['crypto-js', 'lodash', 'uuid', 'moment', 'chai', 'ajv', 'tv4', 'esbuild'])
    hash.update(readFileSync(join(root, 'node_modules', lib, 'package.json')))
  const out = join(root, 'node_modules/.cache/flightdeck', `sandbox-${hash.digest('hex').slice(0, 16)}.json`)
  if (!existsSync(out)) {
    const mod = (await import(pathToFileURL(builder).href)) as {
      buildSandboxBundle: (outfile: string) => Promise<string>
    }
    await mod.buildSandboxBundle(out)
  }
  return parse(readFileSync(out, 'utf8'), out)
}

function parse(text: string, path: string): SandboxBundle {
  const v = JSON.parse(text) as Partial<SandboxBundle>
  if (typeof v.prelude !== 'string' || typeof v.libs !== 'object' || v.libs === null)
    throw new Error(`${path} is not a script sandbox bundle: rebuild`)
  return { prelude: v.prelude, libs: v.libs }
}
