import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { JsonRunReport } from '../../src/cli/run-report'
import type { RunStep } from '../../src/engine/runner/run-step'
import { runSteps } from '../../src/engine/runner/runner'
import type { EngineService } from '../../src/engine/service'
import { pathOf, startRawServer, type RawServer } from '../catalogue/raw-server'
import { collectionRunFolder, runCliWithConfig } from './collection-run-folder'
import { eventsOf, makeService, spec } from './helpers'

// The runner reuses a step's resolved request across iterations when nothing in it can differ. These check
// that every iteration still sends what its own variables and dynamic values say, with its own session.

let server: Server
let base = ''
const seen: string[] = []
let service: EngineService
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    seen.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  server.closeAllConnections()
  await new Promise<void>((r) => server.close(() => r()))
})

const step = (url: string, extra: Partial<RunStep> = {}): RunStep => ({
  id: 'hit',
  name: 'hit',
  request: spec(url, { headers: [{ name: 'X-Who', value: '{{who}}', enabled: true }] }),
  variables: new Map([
    ['base', base],
    ['who', 'ada'],
  ]),
  assertions: [{ kind: 'status', equals: 200 }],
  extract: [],
  ...extra,
})

describe('runner: one step over many iterations', () => {
  it('an unchanging request is sent every iteration, each its own session with its full timeline', async () => {
    seen.length = 0
    const report = await runSteps(service.http, [step('{{base}}/same?who={{who}}')], {
      concurrency: 3,
      iterations: 7,
    })
    expect(report.results.map((r) => r.passed)).toEqual(Array(7).fill(true))
    expect(seen).toEqual(Array(7).fill('/same?who=ada'))
    const sids = report.results.map((r) => r.sid)
    expect(new Set(sids).size).toBe(7)
    for (const sid of sids) {
      const outcome = await service.http.waitFor(sid as string)
      const types = outcome.events.map((e) => e.type)
      expect(types[0]).toBe('queued')
      expect(types).toContain('request-sent')
      expect(types).toContain('response-headers')
      expect(types[types.length - 1]).toBe('done')
      const sent = outcome.events.find((e) => e.type === 'request-sent')
      expect(sent?.type === 'request-sent' && sent.headers).toContainEqual(['X-Who', 'ada'])
    }
  })

  it('a dynamic value is drawn afresh for every iteration', async () => {
    seen.length = 0
    const report = await runSteps(service.http, [step('{{base}}/dyn/{{$uuid}}')], {
      concurrency: 2,
      iterations: 6,
    })
    expect(report.results.every((r) => r.passed)).toBe(true)
    expect(seen).toHaveLength(6)
    expect(new Set(seen).size).toBe(6)
  })

  it('data rows and run variables still reach every iteration', async () => {
    seen.length = 0
    const report = await runSteps(service.http, [step('{{base}}/row/{{n}}?who={{who}}')], {
      concurrency: 2,
      iterations: 4,
      data: [{ n: '1' }, { n: '2' }],
      variables: new Map([['who', 'bob']]),
    })
    expect(report.results.every((r) => r.passed)).toBe(true)
    expect([...seen].sort()).toEqual(['/row/1?who=bob', '/row/1?who=bob', '/row/2?who=bob', '/row/2?who=bob'])
  })
})

describe('runner: a server that closes a kept-alive connection as it is reused', () => {
  // Each connection's first request is answered (no Connection: close); its second closes it unanswered.
  let raw: RawServer
  const answered = new WeakSet<Socket>()
  beforeAll(async () => {
    raw = await startRawServer((socket) => {
      if (answered.has(socket)) return socket.destroy()
      answered.add(socket)
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
    })
  })
  afterAll(() => raw.close())

  it('a GET step goes once more on a new connection and passes; a POST step fails saying it was not sent again', async () => {
    const post = { method: 'POST', body: { kind: 'text' as const, text: 'n=1', contentType: 'text/plain' } }
    const report = await runSteps(
      service.http,
      [
        step(`${raw.url}/a`, { id: 'a' }),
        step(`${raw.url}/b`, { id: 'b' }),
        step(`${raw.url}/c`, { id: 'c' }),
        step(`${raw.url}/order`, { id: 'order', request: spec(`${raw.url}/order`, post) }),
      ],
      { concurrency: 1, iterations: 1 },
    )
    expect(report.results.map((r) => r.passed)).toEqual([true, true, true, false])
    expect(report.results.map((r) => r.resent)).toEqual([undefined, 1, undefined, undefined])
    const again = await service.http.waitFor(report.results[1]?.sid as string)
    expect(eventsOf(again, 'request-sent')[1]?.note).toMatch(/^Sent a second time, on a new connection/)
    expect(report.results[3]?.error?.message).toMatch(/the POST was not sent again: it is not idempotent/)
    expect(raw.heads.map(pathOf).filter((p) => p !== '/items')).toEqual(['/a', '/b', '/b', '/c', '/order'])
  })

  it('flightdeck run counts the requests sent a second time in one line, with the files they came from', async () => {
    const folder = collectionRunFolder('fd-run-resent')
    const config = mkdtempSync(join(tmpdir(), 'fd-run-resent-config-'))
    try {
      folder.write('collection.yaml', 'flightdeck: 1\nname: Closing\n')
      folder.write('items.yaml', `name: Items\nmethod: GET\nurl: "${raw.url}/items"\n`)
      // Iterations 2 and 4 go on the connection the one before was answered on, which the server closes.
      const line =
        '2 requests were sent a second time, the server having closed or refused the first before any ' +
        'response: items.yaml 2'
      const args = [folder.dir, 'items.yaml', '--iterations', '4']
      const full = await runCliWithConfig(config, [...args, '--reporter', 'cli,json', '--out', config])
      expect(full.code, full.stdout + full.stderr).toBe(0)
      expect(full.stdout).toContain(`\n${line}\n`)
      const report = JSON.parse(readFileSync(join(config, 'run.json'), 'utf8')) as JsonRunReport
      expect(report.results.map((r) => r.resent ?? 0)).toEqual([0, 1, 0, 1])
      // Only the table asked for: the engine counts the results instead of keeping them.
      const table = await runCliWithConfig(config, args)
      expect(table.code, table.stdout + table.stderr).toBe(0)
      expect(table.stdout).toContain(`\n${line}\n`)
    } finally {
      folder.remove()
      rmSync(config, { recursive: true, force: true })
    }
  })
})
