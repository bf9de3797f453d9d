import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * What the built browser host (out/web/index.js, as `npm run web` starts it) loads before it prints its URL: not
 * the protocol clients a person may never use in that session. Bundled as one file, the engine's lazy imports
 * were inlined and their packages' imports hoisted to the top, so every start loaded mqtt, socket.io-client,
 * @grpc/grpc-js and graphql (622 files, 93 MB); split at those imports, each loads with its first session. Files
 * are logged by a module loader hook (ES modules) and, when the URL line is written, from require's cache
 * (CommonJS). Needs `npm run build` first (npm test builds before the unit tests); FLIGHTDECK_WEB_ENTRY points
 * at another build's host, as for the e2e tests.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const entry = process.env.FLIGHTDECK_WEB_ENTRY ?? join(root, 'out/web/index.js')

/** Packages only a protocol's session (or a run step of it) needs. */
const PROTOCOL_PACKAGES = [
  'mqtt',
  'socket.io-client',
  'engine.io-client',
  '@grpc/grpc-js',
  '@grpc/proto-loader',
  'protobufjs',
  'graphql',
  'graphql-ws',
  'graphql-sse',
]

/** Packages loaded with their first use that no start makes: yaml writes collection files (and finds a wrong one's line). */
const FIRST_USE_PACKAGES = ['yaml']

/**
 * Packages the engine needs at every start, bundled into the host (scripts/build-node.mjs, as in the CLI): loaded
 * from node_modules file by file they were ~120 of the ~190 files a start read.
 */
const BUNDLED_PACKAGES = ['undici', 'zod']

const dir = mkdtempSync(join(tmpdir(), 'fd-web-start-loads-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Starts the built host and returns the files it had loaded when it printed its URL. */
async function filesLoadedAtStart(): Promise<string[]> {
  const log = join(dir, 'loaded.txt')
  writeFileSync(log, '')
  const hook = `import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n')
  return next(url, context)
}`
  // Runs in the host's process before its entry: registers the hook, and lists require's cache on the URL line.
  const preload = `import { appendFileSync } from 'node:fs'
import { createRequire, register } from 'node:module'
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)})
const cache = createRequire(${JSON.stringify(join(root, 'package.json'))}).cache
const write = process.stdout.write.bind(process.stdout)
process.stdout.write = (chunk, ...rest) => {
  if (String(chunk).startsWith('Flightdeck: ')) appendFileSync(${JSON.stringify(log)}, Object.keys(cache).join('\\n') + '\\n')
  return write(chunk, ...rest)
}`
  const child = spawn(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(preload)}`, entry, '--port', '0', '--no-open'],
    { cwd: root, env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(dir, 'config') }, stdio: 'pipe' },
  )
  let out = ''
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c))
  try {
    await new Promise<void>((resolve, reject) => {
      // Within the test's own 20 s: a host that never listens fails plainly.
      const timer = setTimeout(() => reject(new Error(`no URL within 15 s; stderr: ${err}`)), 15_000)
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c
        if (out.includes('Flightdeck: http://127.0.0.1:')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`host exited (${code}) before its URL; stderr: ${err}`))
      })
    })
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
  }
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

describe('the built browser host', () => {
  it('starts without loading any protocol client, nor yaml, with undici and zod bundled in', async () => {
    const files = await filesLoadedAtStart()
    const packages = new Set(
      files.flatMap((f) => /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(f)?.[1] ?? []),
    )
    // It did load its API socket: the log is not empty for want of a hook.
    expect([...packages]).toEqual(expect.arrayContaining(['ws']))
    expect([...PROTOCOL_PACKAGES, ...FIRST_USE_PACKAGES].filter((p) => packages.has(p))).toEqual([])
    expect(BUNDLED_PACKAGES.filter((p) => packages.has(p))).toEqual([])
  })
})
