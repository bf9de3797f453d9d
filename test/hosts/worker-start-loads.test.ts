import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { afterAll, describe, expect, it } from 'vitest'
import type { TaskReply } from '../../src/engine/workers/protocol'
import { DEFAULT_SCRIPT_LIMITS, type ScriptTaskInput } from '../../src/engine/scripts/script-types'

/**
 * What the built worker (out/cli/worker.js, which the CLI's pool starts) loads to run a script: its own code
 * and QuickJS, not the importers' parsers and schemas (zod, js-yaml, about four fifths of a worker's start,
 * ~150 ms of CPU before a run's first script could run). Files are logged by a module loader hook registered
 * inside the worker. Needs `npm run build` first (npm test builds before the unit tests);
 * FLIGHTDECK_TEST_WORKER points at another build's worker.js.
 */

const root = fileURLToPath(new URL('../..', import.meta.url))
const entry = process.env.FLIGHTDECK_TEST_WORKER ?? join(root, 'out/cli/worker.js')

const input: ScriptTaskInput = {
  key: 'loads',
  phase: 'post',
  scripts: [{ origin: 'request', where: 'request "R"', code: "pm.test('ok', () => pm.response.to.be.ok)" }],
  request: {
    method: 'GET',
    url: 'http://127.0.0.1:1/',
    headers: [],
    body: { mode: 'none' },
    auth: { type: 'none' },
  },
  response: {
    code: 200,
    status: 'OK',
    headers: [],
    body: '',
    bodyCut: false,
    responseTime: 1,
    responseSize: 0,
  },
  scopes: { environment: {}, collection: {}, globals: {}, data: {}, local: {} },
  info: { requestName: 'R', requestId: 'r.yaml', iteration: 0, iterationCount: 1 },
  limits: DEFAULT_SCRIPT_LIMITS,
}

describe('the built worker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-worker-loads-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('runs a script without loading the importers', async () => {
    const log = join(dir, 'loaded.txt')
    const hook = `data:text/javascript,${encodeURIComponent(`import { appendFileSync } from 'node:fs'
export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n')
  return next(url, context)
}`)}`
    const code = `import { register } from 'node:module'
register(${JSON.stringify(hook)})
await import(${JSON.stringify(pathToFileURL(entry).href)})`
    const worker = new Worker(code, { eval: true, workerData: { memoryBytes: 512 * 1024 * 1024 } })
    try {
      const reply = await new Promise<TaskReply>((resolve, reject) => {
        worker.on('error', reject)
        worker.on('message', (m: TaskReply | { memory: number }) => {
          if ('id' in m) resolve(m)
        })
        worker.postMessage({ id: 1, kind: 'scripts.run', input })
      })
      expect(reply).toMatchObject({ ok: true, value: { tests: [{ name: 'ok', passed: true }] } })
    } finally {
      await worker.terminate()
    }
    const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean)
    expect(loaded.some((f) => f.includes('/quickjs-emscripten'))).toBe(true)
    const packages = new Set(
      loaded.flatMap((f) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []),
    )
    expect([...packages].filter((p) => ['zod', 'js-yaml', 'yaml'].includes(p))).toEqual([])
  })
})
