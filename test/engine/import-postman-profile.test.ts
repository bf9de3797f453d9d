import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { isolatedService } from './helpers'

/**
 * What newman, Postman's own runner, sends for a collection is what its users expect of the import: the
 * settings Postman reads from `protocolProfileBehavior` at the collection, folder and request (merged downward:
 * a request with cookies off after a log-in, a folder that does not follow redirects and keeps GET bodies), and
 * the folder `variable` lists it does not read. The fixture is run by Flightdeck after import and by newman as
 * written, against one stub; both must send the same requests and pass the same checks.
 */

interface Seen {
  method: string
  url: string
  cookie: string
  tenant: string
  body: string
}

/** Log-in sets a session cookie; the cart answers 401 without it; the old checkout moves. */
function startShop(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const url = req.url ?? '/'
      const cookie = req.headers.cookie ?? ''
      seen.push({
        method: req.method ?? '',
        url,
        cookie,
        tenant: String(req.headers['x-tenant'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const path = url.split('?')[0]
      if (path === '/login') res.writeHead(200, { 'set-cookie': 'sid=s-1; Path=/' })
      else if (path === '/cart') res.writeHead(cookie.includes('sid=s-1') ? 200 : 401)
      else if (path === '/checkout-v1') res.writeHead(302, { location: '/checkout' })
      else res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{}')
    })
  })
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ url: `http://127.0.0.1:${port}`, seen, server })
    })
  })
}

interface NewmanSummary {
  run: {
    stats: { assertions: { total: number; failed: number } }
    failures: { error: { message: string } }[]
  }
}
const require = createRequire(import.meta.url)
const newman = require('newman') as {
  run(
    o: { collection: unknown; reporters: string[]; timeout: number },
    done: (e: Error | null, s: NewmanSummary) => void,
  ): void
}

const fixture = fileURLToPath(
  new URL('../fixtures/samples/postman/profile-folders.postman_collection.json', import.meta.url),
)

let shop: Awaited<ReturnType<typeof startShop>>
let work: string
let service: EngineService
beforeAll(async () => {
  shop = await startShop()
  work = mkdtempSync(join(tmpdir(), 'fd-postman-profile-'))
  service = isolatedService(work)
})
afterAll(async () => {
  await service.dispose()
  await new Promise((r) => shop.server.close(r))
  rmSync(work, { recursive: true, force: true })
})

/** The fixture with its `base` pointed at the stub. */
function source(): Record<string, unknown> {
  const data = JSON.parse(readFileSync(fixture, 'utf8')) as { variable: { key: string; value: string }[] }
  for (const v of data.variable) if (v.key === 'base') v.value = shop.url
  return data
}

const lines = (seen: Seen[]): string[] =>
  seen.map((s) => `${s.method} ${s.url} cookie=${s.cookie} tenant=${s.tenant} ${s.body}`)

describe('a Postman collection sends what newman sends', () => {
  it("protocolProfileBehavior at each level and folder variables: Flightdeck's run and newman's send the same requests", async () => {
    const dir = join(work, 'shop')
    const imported = await service.invoke('import.run', {
      format: 'auto',
      text: JSON.stringify(source()),
      into: dir,
    })
    if (!imported.ok) throw new Error(imported.error.message)
    const report = imported.value.unmapped.join('\n')
    expect(report).toContain(
      "Tenants: folder variables tenant, region left out: Postman and newman do not read a folder's variables",
    )
    expect(report).toContain(
      'Legacy checkout / Old checkout followed: Postman setting "followOriginalHttpMethod" is not supported',
    )
    expect(report).not.toMatch(/body is left out/)

    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const run = await service.waitForRun(started.value.runId)
    const failed = (run?.results ?? []).filter((r) => !r.passed).map((r) => `${r.name}: ${r.error ?? ''}`)
    expect(failed).toEqual([])
    const ours = lines(shop.seen)
    shop.seen.length = 0

    const summary = await new Promise<NewmanSummary>((resolve, reject) =>
      newman.run({ collection: source(), reporters: [], timeout: 30_000 }, (e, s) =>
        e ? reject(e) : resolve(s),
      ),
    )
    expect(summary.run.failures.map((f) => f.error.message)).toEqual([])
    expect(summary.run.stats.assertions.total).toBe(4)
    const theirs = lines(shop.seen)
    expect(ours).toEqual(theirs)
    expect(theirs).toEqual([
      'POST /login cookie= tenant= {"user": "ada"}',
      'GET /cart cookie= tenant= ',
      'GET /cart cookie=sid=s-1 tenant= ',
      'POST /checkout-v1 cookie=sid=s-1 tenant= cart=1',
      'GET /checkout-v1?step=2 cookie=sid=s-1 tenant= ',
      'GET /checkout cookie=sid=s-1 tenant= ',
      'GET /search cookie=sid=s-1 tenant= {"q": "lamp"}',
      'GET /tenants/acme cookie=sid=s-1 tenant=acme ',
    ])
  })
})
