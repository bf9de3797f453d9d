import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs, HANG_GUARD_MS } from '../setup/hang-guard'
import { root, startupFixture } from './cli-startup-probe'

guardOnlyAgainstHangs()

/**
 * An installed `flightdeck` (bin/flightdeck.js running out/cli, no src/ beside it) starts without Node's ES module
 * loader: its resolver, translators and module jobs, with the fs/promises and readline modules it loads, are
 * compiled from source at every start on a Node that ships no code cache for its own modules (with the modules
 * the entry loaded before their first use, ~25M instructions of a `send`'s ~370M, ~75M of `--help`'s ~180M). Counted as the Node modules a start evaluates, not timed. Needs
 * `npm run build` first (or FLIGHTDECK_TEST_CLI: a private build).
 */

const entry = process.env.FLIGHTDECK_TEST_CLI ?? join(root, 'out/cli/index.js')
/** A start that has not ended by then is killed: a hang guard (test/setup/hang-guard.ts), not a speed bound. */
const KILL_AFTER_MS = HANG_GUARD_MS - 10_000

const ES_MODULE_LOADER = [
  'internal/modules/esm/loader',
  'internal/modules/esm/translators',
  'internal/modules/esm/module_job',
]
/** What `--help` never calls: the promise file API (with readline and the fs watchers) and the argument parser. */
const NOT_FOR_HELP = ['fs/promises', 'internal/readline/interface', 'internal/util/parse_args/parse_args']
/** Node modules `--help` may evaluate beyond a bare CommonJS start: none today (its text goes to the descriptor). */
const HELP_MODULES_BEYOND_BARE = 2

/** A package folder as npm installs it: bin/ copied from the checkout, out/cli the build under test. */
function installedPackage(dir: string): string {
  const pkg = join(dir, 'installed')
  mkdirSync(join(pkg, 'bin'), { recursive: true })
  mkdirSync(join(pkg, 'out'))
  for (const f of ['bin/flightdeck.js', 'bin/package.json', 'package.json'])
    copyFileSync(join(root, f), join(pkg, f))
  symlinkSync(dirname(entry), join(pkg, 'out/cli'), 'dir')
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir')
  return pkg
}

/** Starts `main` (bin/flightdeck.js, or a bare script) with every Node module it evaluated listed at exit. */
function start(
  dir: string,
  main: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const mark = '[node-modules] '
  const lister = join(dir, 'list-modules.cjs')
  writeFileSync(
    lister,
    `process.on('exit', () => require('node:fs').writeSync(2, '\\n${mark}' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13))) + '\\n'))\n`,
  )
  const child = spawn(process.execPath, ['--require', lister, main, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      FLIGHTDECK_CONFIG_DIR: join(dir, 'config'),
      FLIGHTDECK_CODE_CACHE_DIR: join(dir, 'code-cache'),
    },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => {
      clearTimeout(timer)
      const line = stderr.split('\n').find((l) => l.startsWith(mark))
      resolve({
        code,
        stdout: stdout + stderr,
        modules: line ? (JSON.parse(line.slice(mark.length)) as string[]) : [],
      })
    })
  })
}

describe('an installed flightdeck starts as CommonJS', () => {
  const { dir, url } = startupFixture()

  it("--help and send evaluate none of Node's ES module loader; --help no file promises or argument parser", async () => {
    const pkg = installedPackage(dir)
    const bin = join(pkg, 'bin/flightdeck.js')
    const bareScript = join(dir, 'bare.cjs')
    writeFileSync(bareScript, '\n')
    const bare = await start(dir, bareScript, [])
    expect(bare.code).toBe(0)
    expect(bare.modules).toContain('fs')

    const help = await start(dir, bin, ['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('usage: flightdeck send')
    expect(help.modules.filter((m) => ES_MODULE_LOADER.includes(m))).toEqual([])
    expect(help.modules.filter((m) => NOT_FOR_HELP.includes(m))).toEqual([])
    const beyondBare = help.modules.filter((m) => !bare.modules.includes(m))
    expect(beyondBare.length, beyondBare.join(' ')).toBeLessThanOrEqual(HELP_MODULES_BEYOND_BARE)

    // Twice: the first start of a build makes the code cache, the second is every later one.
    for (let i = 0; i < 2; i++) {
      const send = await start(dir, bin, ['send', url()])
      expect(send.code).toBe(0)
      expect(send.stdout).toContain('HTTP/1.1 200 OK')
      expect(send.modules).toContain('net')
      expect(send.modules.filter((m) => ES_MODULE_LOADER.includes(m))).toEqual([])
    }

    // A command that is not cached is still found: its ES module chunk, imported from the CommonJS entry.
    const sse = await start(dir, bin, ['sse', '--help'])
    expect(sse.code).toBe(0)
    expect(sse.stdout).toContain('flightdeck sse')
  })
})
