import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { makeService } from './helpers'

/**
 * The runner reuses a step's resolved request (and its assertion list) from one run of the step to the next when
 * nothing in it can differ. Attacked with requests that do change between iterations: a data file's rows (runs of
 * empty ones, so the step's own variables are used again in between, the request reused), dynamic values, a pre-request script that
 * sets a variable or changes the request only on some iterations, and assertion templates naming the row. What
 * the server received is the proof, iteration by iteration. A real server on 127.0.0.1.
 */

let server: Server
let base: string
let service: EngineService
let dir: string
let configDir: string
const seen: { url: string; odd: string | undefined; cookie: string | undefined }[] = []
let cookieCount = 0

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({
      url: req.url ?? '',
      odd: req.headers['x-odd'] as string | undefined,
      cookie: req.headers.cookie,
    })
    if (req.url === '/jar') {
      res.writeHead(200, { 'set-cookie': `c=${++cookieCount}; Path=/` })
      res.end('jar')
      return
    }
    if (req.url?.startsWith('/hop')) {
      res.writeHead(302, { location: `/landed/${seen.length}#frag` })
      res.end()
      return
    }
    const last = (req.url ?? '').split('?')[0]?.split('/').pop() ?? ''
    res.writeHead(200, { 'content-type': 'text/plain', 'x-id': last })
    res.end(`id ${last}`)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  dir = mkdtempSync(join(tmpdir(), 'fd-fast-path-attack-'))
  configDir = mkdtempSync(join(tmpdir(), 'fd-fast-path-attack-config-'))
  writeFileSync(
    join(dir, 'collection.yaml'),
    `flightdeck: 1\nname: Fast path\nvariables:\n  base: ${base}\n  id: "0"\n  n: x\n`,
  )
  mkdirSync(join(dir, 'r'))
  writeFileSync(
    join(dir, 'r', 'rows.yaml'),
    'name: Rows\nmethod: GET\nurl: "{{base}}/row/{{id}}"\nassertions:\n' +
      '  - kind: header\n    name: x-id\n    equals: "{{id}}"\n  - kind: body-contains\n    text: "id {{id}}"\n',
  )
  writeFileSync(
    join(dir, 'r', 'rand.yaml'),
    'name: Rand\nmethod: GET\nurl: "{{base}}/rand/{{$randomInt}}-{{$uuid}}"\n',
  )
  writeFileSync(
    join(dir, 'r', 'scripted.yaml'),
    'name: Scripted\nmethod: GET\nurl: "{{base}}/it/{{n}}"\nscripts:\n' +
      '  preRequest: "pm.variables.set(\'n\', String(pm.info.iteration))"\n',
  )
  writeFileSync(
    join(dir, 'r', 'odd.yaml'),
    'name: Odd\nmethod: GET\nurl: "{{base}}/odd/same"\nscripts:\n' +
      '  preRequest: "if (pm.info.iteration % 2 === 1) pm.request.headers.add({ key: \'X-Odd\', value: String(pm.info.iteration) })"\n',
  )
  writeFileSync(join(dir, 'r', 'jar.yaml'), 'name: Jar\nmethod: GET\nurl: "{{base}}/jar"\n')
  writeFileSync(join(dir, 'r', 'hop.yaml'), 'name: Hop\nmethod: GET\nurl: "{{base}}/hop?q=1"\n')
  writeFileSync(join(dir, 'rows.json'), JSON.stringify([{}, {}, { id: '3' }, {}, {}, { id: '5' }]))
  service = makeService({ configDir, persistWorkspace: false })
})

afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
  rmSync(dir, { recursive: true, force: true })
  rmSync(configDir, { recursive: true, force: true })
})

async function run(path: string, extra: { dataFile?: string; iterations: number; concurrency?: number }) {
  seen.length = 0
  const started = await service.invoke('run.start', {
    dir,
    path,
    concurrency: extra.concurrency ?? 1,
    iterations: extra.iterations,
    ...(extra.dataFile ? { dataFile: extra.dataFile } : {}),
  })
  if (!started.ok) throw new Error(started.error.message)
  const report = await service.waitForRun(started.value.runId)
  if (!report) throw new Error('no report')
  return report
}

describe("the runner's reuse of a resolved request, attacked", () => {
  it('a data file with empty rows between others (the step reused, then not): each iteration sends and checks its own row', async () => {
    const report = await run('r/rows.yaml', { dataFile: 'rows.json', iterations: 2 })
    const expected = [0, 0, 3, 0, 0, 5, 0, 0, 3, 0, 0, 5].map((i) => `/row/${i}`)
    expect(seen.map((s) => s.url)).toEqual(expected)
    expect([report.stats.passed, report.stats.failed]).toEqual([12, 0])
    // Iterations side by side: the same requests, each checked against its own row.
    const side = await run('r/rows.yaml', { dataFile: 'rows.json', iterations: 2, concurrency: 4 })
    expect(seen.map((s) => s.url).sort()).toEqual([...expected].sort())
    expect([side.stats.passed, side.stats.failed]).toEqual([12, 0])
  })

  it('dynamic values are drawn again every iteration', async () => {
    const report = await run('r/rand.yaml', { iterations: 8 })
    expect(report.stats.passed).toBe(8)
    expect(new Set(seen.map((s) => s.url)).size).toBe(8)
  })

  it('a variable a pre-request script sets from the iteration is resolved every iteration', async () => {
    const report = await run('r/scripted.yaml', { iterations: 5 })
    expect(report.stats.passed).toBe(5)
    expect(seen.map((s) => s.url)).toEqual(['/it/0', '/it/1', '/it/2', '/it/3', '/it/4'])
  })

  it('a request a pre-request script changes on odd iterations only: the change goes out then, and only then', async () => {
    for (const concurrency of [1, 3]) {
      const report = await run('r/odd.yaml', { iterations: 6, concurrency })
      expect(report.stats.passed, `concurrency ${concurrency}`).toBe(6)
      expect(seen.map((s) => s.odd ?? '-').sort(), `concurrency ${concurrency}`).toEqual([
        '-',
        '-',
        '-',
        '1',
        '3',
        '5',
      ])
    }
  })

  it('a reused request still takes the cookies each response set, and a redirect does not change it', async () => {
    await run('r/jar.yaml', { iterations: 4 })
    expect(seen.map((s) => s.cookie ?? '-')).toEqual(['-', 'c=1', 'c=2', 'c=3'])
    const report = await run('r/hop.yaml', { iterations: 4 })
    expect(report.stats.passed).toBe(4)
    expect(seen.map((s) => s.url)).toEqual([
      '/hop?q=1',
      '/landed/1',
      '/hop?q=1',
      '/landed/3',
      '/hop?q=1',
      '/landed/5',
      '/hop?q=1',
      '/landed/7',
    ])
  })
})
