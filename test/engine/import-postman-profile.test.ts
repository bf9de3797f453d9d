import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSessionShop } from '../fixtures/session-shop'
import { isolatedService } from './helpers'
import type { Arrived, Stub } from './import-formats-helpers'

/**
 * What newman, Postman's own runner, sends for a collection is what its users expect of the import: the
 * settings Postman reads from `protocolProfileBehavior` at the collection, folder and request (merged downward:
 * a request with cookies off after a log-in, a folder that does not follow redirects and keeps GET bodies), and
 * the folder `variable` lists it does not read. The fixture is run by Flightdeck after import and by newman as
 * written, against one stub; both must send the same requests and pass the same checks.
 */

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

let shop: Stub
let work: string
let service: EngineService
beforeAll(async () => {
  shop = await startSessionShop()
  work = mkdtempSync(join(tmpdir(), 'fd-postman-profile-'))
  service = isolatedService(work)
})
afterAll(async () => {
  await service.dispose()
  await shop.close()
  rmSync(work, { recursive: true, force: true })
})

/** The fixture with its `base` pointed at the stub. */
function source(): Record<string, unknown> {
  const data = JSON.parse(readFileSync(fixture, 'utf8')) as { variable: { key: string; value: string }[] }
  for (const v of data.variable) if (v.key === 'base') v.value = shop.url
  return data
}

const lines = (arrived: Arrived[]): string[] =>
  arrived.map(
    (a) =>
      `${a.method} ${a.url} cookie=${a.headers.cookie ?? ''} tenant=${String(a.headers['x-tenant'] ?? '')} ${a.body}`,
  )

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
    expect(report).toContain(
      'collection: Postman\'s "strictSSL: false": certificates are not checked for its requests, as Postman sends them',
    )
    expect(report).toContain(
      'Legacy checkout: Postman setting "tlsDisabledProtocols" is not supported; left out',
    )
    // Written out with nothing in it, a setting says nothing.
    expect(report).not.toContain('disabledSystemHeaders')
    expect(report).not.toMatch(/body is left out/)

    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const run = await service.waitForRun(started.value.runId)
    const failed = (run?.results ?? []).filter((r) => !r.passed).map((r) => `${r.name}: ${r.error ?? ''}`)
    expect(failed).toEqual([])
    const ours = lines(shop.arrived)
    shop.arrived.length = 0

    const summary = await new Promise<NewmanSummary>((resolve, reject) =>
      newman.run({ collection: source(), reporters: [], timeout: 30_000 }, (e, s) =>
        e ? reject(e) : resolve(s),
      ),
    )
    expect(summary.run.failures.map((f) => f.error.message)).toEqual([])
    expect(summary.run.stats.assertions.total).toBe(4)
    const theirs = lines(shop.arrived)
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
