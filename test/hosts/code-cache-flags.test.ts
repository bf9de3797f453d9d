import { readdirSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_FLAG_SETS } from '../../src/cli/command-loader'
import { cacheProbeRun, cacheProbeScript, type CacheProbeRun } from './code-cache-probe'
import { runModuleScript } from './module-script'
import { copyBuiltCli, type PrivateCli } from './private-cli'

/**
 * The built CLI's V8 code cache (src/cli/command-loader.ts) when starts alternate between V8 option sets (a
 * `--trace-gc` run, NODE_OPTIONS=--max-old-space-size=…, then a usual start): each set keeps its own cache, so
 * the usual start keeps taking its cache instead of compiling the 2 MB command again after every unusual one.
 * Runs a copy of the built CLI (test/hosts/private-cli.ts; npm test builds first) in a temp folder, never out/.
 */

let built: PrivateCli
let work: string
let cli: string
let server: Server
let url: string

/** `flightdeck send url` with the private build, under `nodeArgs` (V8 or Node options) and `env`. */
async function send(
  cacheDir: string,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<CacheProbeRun> {
  const run = await runModuleScript(cacheProbeScript(join(cli, 'index.js'), url), {
    nodeArgs,
    env: {
      NODE_OPTIONS: '',
      FLIGHTDECK_CONFIG_DIR: join(work, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: cacheDir,
      ...env,
    },
  })
  return cacheProbeRun(run)
}

function caches(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('send-command-') && f.endsWith('.cache'))
}

/** Every file under `dir` (bounded walk), relative to it. */
function filesUnder(dir: string, depth = 0): string[] {
  if (depth > 8) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isSymbolicLink()) return [relative(work, path)]
    return e.isDirectory() ? filesUnder(path, depth + 1) : [relative(work, path)]
  })
}

beforeAll(async () => {
  built = copyBuiltCli('fd-code-cache-flags-')
  work = built.work
  cli = built.cli
  server = createServer((_req, res) => res.end('ok'))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
})

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()))
  built?.remove()
})

describe('the code cache across V8 option sets', () => {
  it('a start with other V8 options keeps its own cache; the usual start still takes its own', async () => {
    const dir = join(work, 'alternating')
    expect((await send(dir)).cache).toEqual(['none'])
    expect((await send(dir)).cache).toEqual(['taken'])
    for (let round = 0; round < 2; round++) {
      const traced = await send(dir, ['--trace-gc'])
      expect(traced.code).toBe(0)
      expect(traced.cache).toEqual([round === 0 ? 'none' : 'taken'])
      const usual = await send(dir)
      expect(usual.out).toContain('HTTP/1.1 200 OK')
      expect(usual.cache).toEqual(['taken'])
    }
    const heap = { NODE_OPTIONS: '--max-old-space-size=300' }
    expect((await send(dir, [], heap)).cache).toEqual(['none'])
    expect((await send(dir)).cache).toEqual(['taken'])
    expect((await send(dir, [], heap)).cache).toEqual(['taken'])
    // Node's own options (not V8's) share the usual cache.
    expect((await send(dir, ['--no-warnings'])).cache).toEqual(['taken'])
    expect(caches(dir)).toHaveLength(3)
  }, 120_000)

  it('many option sets keep at most MAX_FLAG_SETS caches per command, the usual one among them', async () => {
    const dir = join(work, 'bounded')
    const before = filesUnder(work).filter((f) => !f.startsWith('bounded/') && !f.startsWith('config/'))
    expect((await send(dir)).cache).toEqual(['none'])
    for (let i = 0; i < MAX_FLAG_SETS + 2; i++) {
      expect((await send(dir, [`--stack-trace-limit=${20 + i}`])).cache).toEqual(['none'])
      // The usual start, between the unusual ones, is the most recently used and is kept.
      expect((await send(dir)).cache).toEqual(['taken'])
      expect(caches(dir).length).toBeLessThanOrEqual(MAX_FLAG_SETS)
    }
    // A burst of unusual starts still leaves MAX_FLAG_SETS, the least recently used going first.
    for (let i = 0; i < MAX_FLAG_SETS + 1; i++) await send(dir, [`--stack-trace-limit=${40 + i}`])
    expect(caches(dir)).toHaveLength(MAX_FLAG_SETS)
    // Nothing was written anywhere but the cache folder (and the config folder the CLI keeps).
    const after = filesUnder(work).filter((f) => !f.startsWith('bounded/') && !f.startsWith('config/'))
    expect(after.sort()).toEqual(before.sort())
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).isFile()).toBe(true)
  }, 180_000)
})
