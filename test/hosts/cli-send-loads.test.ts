import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * `flightdeck send <url>` imports the HTTP engine and what one request needs, not the engine's other parts or
 * domains: their modules (the YAML parsers, collections, every stream protocol, importers, the runner) were a
 * third of its start-up. Run from the source (through tsx, as `npx flightdeck` runs without a build), with a
 * loader hook that logs every module file loaded, so it needs no build and names the modules themselves.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The folders of src/engine a plain send must not load a module of. */
const NOT_FOR_SEND = [
  'body-view',
  'collections',
  'drafts',
  'exporters',
  'graphql',
  'grpc',
  'har',
  'importers',
  'jobs',
  'mqtt',
  'runner',
  'scripts',
  'socketio',
  'sse',
  'streams',
  'workspace',
  'ws',
]

function sendFromSource(
  dir: string,
  url: string,
): Promise<{ code: number | null; out: string; files: string[] }> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`)
  const hook = `data:text/javascript,${encodeURIComponent(`import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n')
  return next(url, context)
}`)}`
  const script = `
import { register } from 'node:module'
register(${JSON.stringify(hook)})
const { runCli } = await import(${JSON.stringify(join(root, 'src/cli/index.ts'))})
process.exitCode = await runCli(['send', ${JSON.stringify(url)}])
`
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FLIGHTDECK_CONFIG_DIR: join(dir, 'config') },
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.on('error', reject)
    child.on('close', (code) => {
      let files: string[] = []
      try {
        files = [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))].map((u) =>
          fileURLToPath(u).slice(root.length),
        )
      } catch {
        // Nothing was loaded from a file.
      }
      resolve({ code, out, files })
    })
  })
}

describe('what flightdeck send imports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-send-loads-'))
  let server: Server
  let url = ''
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('{"ok":true}'))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()))
    rmSync(dir, { recursive: true, force: true })
  })

  it('a plain send loads the HTTP engine, and no collection, stream protocol, importer, runner or YAML parser', async () => {
    const r = await sendFromSource(dir, url)
    expect(r.out).toContain('HTTP/1.1 200 OK')
    expect(r.code).toBe(0)
    // The hook saw the modules a send does load.
    expect(r.files).toContain('src/engine/http/http-engine.ts')
    // The trace index reads a webhook body's trace field with the JSON path helper jobs also use.
    const engine = r.files.filter(
      (f) => f.startsWith('src/engine/') && f !== 'src/engine/jobs/json-select.ts',
    )
    expect(engine.filter((f) => NOT_FOR_SEND.includes(f.split('/')[2] ?? ''))).toEqual([])
    expect(r.files.filter((f) => /node_modules\/(yaml|js-yaml)\//.test(f))).toEqual([])
    // Postman's random-data values (and the fake-data library) load only for a send that names one.
    expect(r.files).not.toContain('src/engine/variables/fake-values.ts')
    expect(r.files.filter((f) => f.includes('node_modules/@faker-js/'))).toEqual([])
    // --env-var is read only for a saved request.
    expect(r.files).not.toContain('src/cli/env-var-args.ts')
  }, 60_000)
})
