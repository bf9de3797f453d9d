import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dump, load } from 'js-yaml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { startSessionShop } from '../fixtures/session-shop'
import { isolatedService } from './helpers'
import { savedRequest, type Arrived, type Stub } from './import-formats-helpers'

/**
 * A request's options go out with it: the Postman profile fixture (a request with cookies off after a log-in, a
 * folder that does not follow redirects) is imported and run against the session shop, exported to Postman,
 * Insomnia and Bruno, the export imported again and run: the same requests go out with the same cookies and the
 * same redirects followed or not. Newman runs the Postman export and sends the same. Bruno has no per-request
 * cookie switch: its export says so, and the one request that relied on it goes with the session cookie there.
 */

interface NewmanSummary {
  run: { failures: { error: { message: string } }[] }
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
  work = mkdtempSync(join(tmpdir(), 'fd-export-options-'))
  service = isolatedService(work)
})
afterAll(async () => {
  await service.dispose()
  await shop.close()
  rmSync(work, { recursive: true, force: true })
})

function source(): string {
  const data = JSON.parse(readFileSync(fixture, 'utf8')) as { variable: { key: string; value: string }[] }
  for (const v of data.variable) if (v.key === 'base') v.value = shop.url
  return JSON.stringify(data)
}

const lines = (arrived: Arrived[]): string[] =>
  arrived.map((a) => `${a.method} ${a.url} cookie=${a.headers.cookie ?? ''} ${a.body}`)

async function importInto(from: { file?: string; text?: string }, name: string): Promise<string> {
  const dir = join(work, name)
  const r = await service.invoke('import.run', { format: 'auto', ...from, into: dir })
  if (!r.ok) throw new Error(r.error.message)
  return dir
}

/**
 * What a run of the collection sent, and the names of the requests whose checks failed. Each run has an engine
 * of its own, so it starts with an empty cookie jar, as newman does.
 */
async function run(dir: string): Promise<{ sent: string[]; failed: string[] }> {
  shop.arrived.length = 0
  const runner = isolatedService(work)
  try {
    const started = await runner.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const done = await runner.waitForRun(started.value.runId)
    const failed = (done?.results ?? []).filter((r) => !r.passed).map((r) => r.name)
    return { sent: lines(shop.arrived), failed }
  } finally {
    await runner.dispose()
  }
}

async function exported(
  dir: string,
  format: 'postman' | 'insomnia' | 'bruno',
): Promise<{ from: { file?: string; text?: string }; text: string; skipped: string[] }> {
  const file = format === 'bruno' ? `${dir}-bruno` : undefined
  const out = await service.invoke('export.collection', { dir, format, ...(file ? { file } : {}) })
  if (!out.ok) throw new Error(out.error.message)
  const text = out.value.text ?? ''
  return { from: file ? { file } : { text }, text, skipped: out.value.skipped ?? [] }
}

const FIRST_RUN = [
  'POST /login cookie= {"user": "ada"}',
  'GET /cart cookie= ',
  'GET /cart cookie=sid=s-1 ',
  'POST /checkout-v1 cookie=sid=s-1 cart=1',
  'GET /checkout-v1?step=2 cookie=sid=s-1 ',
  'GET /checkout cookie=sid=s-1 ',
  'GET /search cookie=sid=s-1 {"q": "lamp"}',
  'GET /tenants/acme cookie=sid=s-1 ',
]

describe("a request's options survive an export and an import back", () => {
  let first: string
  beforeAll(async () => {
    first = await importInto({ text: source() }, 'first')
  })

  it('the imported collection sends without cookies and without following where the source says', async () => {
    const ours = await run(first)
    expect(ours.failed).toEqual([])
    expect(ours.sent).toEqual(FIRST_RUN)
  })

  for (const format of ['postman', 'insomnia'] as const) {
    it(`${format}: the export imported back sends the same, cookies and redirects included`, async () => {
      const out = await exported(first, format)
      expect(out.skipped.join('\n')).not.toMatch(/cookies off|redirects not followed/)
      const back = await run(await importInto(out.from, `${format}-back`))
      expect(back.failed).toEqual([])
      expect(back.sent).toEqual(FIRST_RUN)
    })
  }

  it('postman: newman runs the export and sends the same', async () => {
    const out = await exported(first, 'postman')
    shop.arrived.length = 0
    const summary = await new Promise<NewmanSummary>((resolve, reject) =>
      newman.run({ collection: JSON.parse(out.text), reporters: [], timeout: 30_000 }, (e, s) =>
        e ? reject(e) : resolve(s),
      ),
    )
    expect(summary.run.failures.map((f) => f.error.message)).toEqual([])
    expect(lines(shop.arrived)).toEqual(FIRST_RUN)
  })

  it('bruno: redirects as before; cookies off is named as not exported, and that request goes with the cookie', async () => {
    const out = await exported(first, 'bruno')
    expect(out.skipped).toContain(
      'session/cart-without-credentials-is-rejected.yaml: cookies off, certificates not checked not exported (Bruno has no such per-request setting)',
    )
    const back = await run(await importInto(out.from, 'bruno-back'))
    expect(back.failed).toEqual(['Cart without credentials is rejected'])
    expect(back.sent).toEqual(FIRST_RUN.map((l, i) => (i === 1 ? 'GET /cart cookie=sid=s-1 ' : l)))
  })
})

describe('limits a tool has a place for come back; the others are named', () => {
  it('max redirects and a total timeout: each format keeps what it can hold and names the rest', async () => {
    const collection = {
      info: {
        name: 'Limits',
        schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
      },
      item: [
        {
          name: 'Limited',
          protocolProfileBehavior: { maxRedirects: 3, disableCookies: true },
          request: { method: 'GET', header: [], url: `${shop.url}/checkout-v1` },
        },
      ],
    }
    const dir = await importInto({ text: JSON.stringify(collection) }, 'limits')
    const file = join(dir, 'limited.yaml')
    const saved = load(readFileSync(file, 'utf8')) as { options?: Record<string, unknown> }
    saved.options = { ...saved.options, totalTimeoutMs: 5000, connectTimeoutMs: 2000, insecure: true }
    writeFileSync(file, dump(saved))
    const expected = { maxRedirects: 3, cookies: false, totalTimeoutMs: 5000, insecure: true }

    const kept = {
      // Insecure goes as Postman's strictSSL: false and comes back on.
      postman: { maxRedirects: 3, cookies: false, insecure: true },
      insomnia: { cookies: false },
      bruno: { maxRedirects: 3, totalTimeoutMs: 5000 },
    }
    const said = {
      postman:
        'limited.yaml: a total timeout of 5000 ms, a connect timeout of 2000 ms not exported (Postman has no such per-request setting)',
      insomnia:
        'limited.yaml: at most 3 redirects, a total timeout of 5000 ms, a connect timeout of 2000 ms, certificates not checked not exported (Insomnia has no such per-request setting)',
      bruno:
        'limited.yaml: cookies off, a connect timeout of 2000 ms, certificates not checked not exported (Bruno has no such per-request setting)',
    }
    for (const format of ['postman', 'insomnia', 'bruno'] as const) {
      const out = await exported(dir, format)
      expect(out.skipped).toContain(said[format])
      const back = await importInto(out.from, `limits-${format}-back`)
      const request = await savedRequest(back, 'limited.yaml')
      const got = Object.fromEntries(
        Object.keys(expected).flatMap((k) => {
          const v = (request.options as Record<string, unknown>)[k]
          return v === undefined ? [] : [[k, v]]
        }),
      )
      expect({ format, got }).toEqual({ format, got: kept[format] })
    }
  })
})
