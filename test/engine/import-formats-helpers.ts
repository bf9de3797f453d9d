import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { readRequestFile } from '../../src/engine/collections/loader'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { EngineService } from '../../src/engine/service'
import { savedToSpec, type SavedRequest } from '../../src/shared/collection'
import type { ImportReport } from '../../src/shared/collection-schemas'
import type { RunProgressEvent } from '../../src/shared/run-schemas'
import { done, makeService } from './helpers'

/**
 * A stub that records every request as it arrived (method, path with query, headers, body) and answers
 * `/login` with a token in JSON and an `X-Session` header (what chained requests read); anything else is 200.
 */
export interface Arrived {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: string
}

export interface Stub {
  url: string
  arrived: Arrived[]
  close(): Promise<void>
}

/** `encoding`: how a body is kept as text (`latin1` keeps every byte, one char each, for binary bodies). */
export async function startStub(encoding: BufferEncoding = 'utf8'): Promise<Stub> {
  const arrived: Arrived[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      arrived.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(encoding),
      })
      if (req.url?.startsWith('/login')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-session': 's-9' })
        res.end(JSON.stringify({ token: 't-42', user: { id: 7 } }))
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    arrived,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r())
        server.closeAllConnections()
      }),
  }
}

const formats = fileURLToPath(new URL('../fixtures/samples/formats/', import.meta.url))

/** A fixture's text with `__STUB__` pointed at the stub. */
export function fixtureText(name: string, stubUrl: string): string {
  return readFileSync(join(formats, name), 'utf8').replaceAll('__STUB__', stubUrl)
}

export function fixturePath(name: string): string {
  return join(formats, name)
}

export async function importText(text: string, dir: string): Promise<ImportReport> {
  const r = await runImport({ text }, 'auto', dir, new MemorySecretStore())
  if (!r.ok) throw new Error(r.error.message)
  return r.value
}

export async function savedRequest(dir: string, path: string): Promise<SavedRequest> {
  const r = await readRequestFile(
    join(dir, ...path.split('/')),
    path.split('/').pop()?.replace('.yaml', '') ?? '',
  )
  if (!r.ok) throw new Error(`${path}: ${r.problem}`)
  return r.request
}

/** Send a saved request from its collection (its variables, environment and auth) and return what arrived. */
export async function sendSaved(
  service: EngineService,
  stub: Stub,
  dir: string,
  path: string,
  env?: string,
): Promise<Arrived> {
  const req = await savedRequest(dir, path)
  const before = stub.arrived.length
  const r = await service.invoke('request.send', {
    request: savedToSpec(req),
    auth: req.auth,
    context: env === undefined ? { dir, path } : { dir, path, env },
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  done(await service.http.waitFor(r.value.sids[0] as string))
  const got = stub.arrived[before]
  if (!got) throw new Error('nothing arrived')
  return got
}

/** Run a collection (or part of it) to the end. */
export async function runToEnd(
  service: EngineService,
  dir: string,
  path: string,
  env?: string,
): Promise<RunProgressEvent> {
  let runId = ''
  let resolveDone: (e: RunProgressEvent) => void = () => undefined
  const finished = new Promise<RunProgressEvent>((r) => (resolveDone = r))
  const off = service.onEvent((event) => {
    if (event.name !== 'run.progress') return
    if (runId !== '' && event.payload.runId !== runId) return
    if (event.payload.finished) resolveDone(event.payload)
  })
  try {
    const started = await service.invoke('run.start', {
      dir,
      path,
      concurrency: 1,
      iterations: 1,
      ...(env === undefined ? {} : { env }),
    })
    if (!started.ok) throw new Error(`${started.error.code}: ${started.error.message}`)
    runId = started.value.runId
    return await finished
  } finally {
    off()
  }
}

/** A multipart body's parts by name, as the server would split them with the boundary it was told. */
export function multipartFields(a: Arrived): Record<string, string> | null {
  const m = /boundary=("?)([^";]+)\1/.exec(String(a.headers['content-type'] ?? ''))
  if (!m) return null
  const out: Record<string, string> = {}
  for (const part of a.body.split(`--${m[2] ?? ''}`)) {
    const name = /name="([^"]+)"/.exec(part)?.[1]
    if (name === undefined) continue
    out[name] = part.slice(part.indexOf('\r\n\r\n') + 4).replace(/\r\n$/, '')
  }
  return out
}

/** What an import test works on: the file's stub, and this test's engine and empty collection folder. */
export interface ImportTarget {
  readonly stub: Stub
  readonly service: EngineService
  readonly dir: string
}

/**
 * Sets up a test file that imports into a collection and sends what it wrote: one stub for the file, and for
 * each test a fresh engine with a config folder of its own and an empty folder to import into, both removed
 * after it. Read the fields inside a test (they change from test to test).
 */
export function useImportTarget(prefix: string): ImportTarget {
  let stub: Stub | undefined
  let service: EngineService | undefined
  let dir = ''
  let configDir = ''
  beforeAll(async () => {
    stub = await startStub()
  })
  afterAll(async () => {
    await stub?.close()
  })
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), `${prefix}-`))
    configDir = mkdtempSync(join(tmpdir(), `${prefix}-config-`))
    service = makeService({ configDir })
  })
  afterEach(async () => {
    await service?.dispose()
    rmSync(dir, { recursive: true, force: true })
    rmSync(configDir, { recursive: true, force: true })
  })
  return {
    get stub(): Stub {
      if (!stub) throw new Error('the stub starts before the tests: read it inside a test')
      return stub
    },
    get service(): EngineService {
      if (!service) throw new Error('each test gets its engine: read it inside a test')
      return service
    },
    get dir(): string {
      return dir
    },
  }
}
