import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { faker } from '@faker-js/faker/locale/en'
import { fakeValueNames, fakeValues } from '../../src/engine/variables/fake-values'
import { FAKE_VARIABLES } from '../../src/shared/fake-variables'
import { startSessionShop } from '../fixtures/session-shop'
import { isolatedService, spec } from './helpers'
import type { Stub } from './import-formats-helpers'

/**
 * Postman's random-data variables (`{{$randomEmail}}`, `{{$randomFullName}}`, …) as collections use them: a
 * collection imported from Postman runs and sends fresh values of the right shape at a stub, a request sent with
 * them does too, and a name Postman does not have is still refused by name.
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

/** A Postman v2.1 collection as people write them: a sign-up body full of random data, and one name that is not. */
function collection(base: string): Record<string, unknown> {
  const body = {
    email: '{{$randomEmail}}',
    name: '{{$randomFullName}}',
    first: '{{$randomFirstName}}',
    user: '{{$randomUserName}}',
    phone: '{{$randomPhoneNumber}}',
    ip: '{{$randomIP}}',
    price: '{{$randomPrice}}',
    color: '{{$randomHexColor}}',
    contact: '{{contact}}',
    at: '{{$isoTimestamp}}',
  }
  return {
    info: {
      name: 'Sign-ups',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    variable: [
      { key: 'base', value: base },
      // A variable whose value is a random one: each send gets a fresh address, as in Postman.
      { key: 'contact', value: '{{$randomExampleEmail}}' },
    ],
    item: [
      {
        name: 'Sign up',
        request: {
          method: 'POST',
          url: '{{base}}/users?n={{$randomInt}}&active={{$randomBoolean}}',
          header: [
            { key: 'Content-Type', value: 'application/json' },
            { key: 'X-Request-Id', value: '{{$randomUUID}}' },
          ],
          body: { mode: 'raw', raw: JSON.stringify(body, null, 2) },
        },
      },
    ],
  }
}

let shop: Stub
let work: string
let service: EngineService
beforeAll(async () => {
  shop = await startSessionShop()
  work = mkdtempSync(join(tmpdir(), 'fd-random-vars-'))
  service = isolatedService(work)
})
afterAll(async () => {
  await service.dispose()
  await shop.close()
  rmSync(work, { recursive: true, force: true })
})

describe("Postman's random-data variables", () => {
  it('every name Postman documents has a value, a non-empty string', () => {
    const names = fakeValueNames(faker)
    const fakeValue = fakeValues(faker)
    expect([...names].sort()).toEqual(Object.keys(FAKE_VARIABLES).sort())
    const empty = names.filter((n) => !fakeValue(n))
    expect(empty).toEqual([])
    expect(fakeValue('$randomNope')).toBeUndefined()
  })

  it('an imported collection runs with fresh values of the right shape at each iteration', async () => {
    const dir = join(work, 'signups')
    const imported = await service.invoke('import.run', {
      format: 'auto',
      text: JSON.stringify(collection(shop.url)),
      into: dir,
    })
    if (!imported.ok) throw new Error(imported.error.message)
    // Nothing to say about them: they import as they are.
    expect(imported.value.unmapped.join('\n')).not.toMatch(/\$random/)

    shop.arrived.length = 0
    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 2 })
    if (!started.ok) throw new Error(started.error.message)
    const run = await service.waitForRun(started.value.runId)
    expect((run?.results ?? []).map((r) => r.error ?? 'sent')).toEqual(['sent', 'sent'])
    expect(shop.arrived).toHaveLength(2)
    const sent = shop.arrived.map((a) => {
      const url = new URL(a.url, shop.url)
      return {
        id: String(a.headers['x-request-id']),
        n: url.searchParams.get('n') ?? '',
        active: url.searchParams.get('active') ?? '',
        body: JSON.parse(a.body) as Record<string, string>,
      }
    })
    for (const s of sent) {
      expect(s.id).toMatch(UUID)
      expect(Number(s.n)).toBeGreaterThanOrEqual(0)
      expect(Number(s.n)).toBeLessThanOrEqual(1000)
      expect(['true', 'false']).toContain(s.active)
      const b = s.body
      expect(b['email']).toMatch(EMAIL)
      expect(b['contact']).toMatch(/^[^\s@]+@example\.(com|net|org)$/)
      expect(b['name']).toMatch(/^\S+( \S+)+$/)
      expect(b['first']).toMatch(/^[A-Z][\w'-]*$/)
      expect(b['user']).toMatch(/^\S+$/)
      expect(b['phone']).toMatch(/^\d{3}-\d{3}-\d{4}$/)
      const ip = IPV4.exec(b['ip'] ?? '')
      expect(ip?.slice(1).every((o) => Number(o) <= 255)).toBe(true)
      expect(b['price']).toMatch(/^\d{1,4}\.\d{2}$/)
      expect(Number(b['price'])).toBeLessThanOrEqual(1000)
      expect(b['color']).toMatch(/^#[0-9a-f]{6}$/)
      expect(new Date(b['at'] ?? '').toISOString()).toBe(b['at'])
      expect(JSON.stringify(b)).not.toContain('{{')
    }
    // Fresh at each send, not once per run.
    expect(sent[0]?.id).not.toBe(sent[1]?.id)
    expect(sent[0]?.body).not.toEqual(sent[1]?.body)
  })

  it("Insomnia's {% faker 'randomEmail' %} imports as {{$randomEmail}} and sends an email", async () => {
    const dir = join(work, 'insomnia')
    const resources = [
      { _id: 'wrk_1', _type: 'workspace', name: 'Sign-ups' },
      {
        _id: 'req_1',
        parentId: 'wrk_1',
        _type: 'request',
        name: 'Sign up',
        method: 'POST',
        url: `${shop.url}/insomnia?id={% faker 'randomUUID' %}`,
        body: { mimeType: 'application/json', text: `{"mail":"{% faker 'randomEmail' %}"}` },
        headers: [{ name: 'Content-Type', value: 'application/json' }],
        parameters: [],
        authentication: {},
      },
      {
        _id: 'req_2',
        parentId: 'wrk_1',
        _type: 'request',
        name: 'Odd',
        method: 'GET',
        url: `${shop.url}/odd?x={% faker 'randomNope' %}`,
        body: {},
        headers: [],
        parameters: [],
        authentication: {},
      },
    ]
    const text = JSON.stringify({ _type: 'export', __export_format: 4, resources })
    const imported = await service.invoke('import.run', { format: 'auto', text, into: dir })
    if (!imported.ok) throw new Error(imported.error.message)
    const report = imported.value.unmapped.join('\n')
    expect(report).toContain("{% faker 'randomNope' %}")
    expect(report).not.toContain('randomEmail')
    shop.arrived.length = 0
    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const run = await service.waitForRun(started.value.runId)
    // The tag Flightdeck has no value for refuses its request; the other sends.
    expect(
      (run?.results ?? []).map((r) => `${r.name}: ${r.error === undefined ? 'sent' : 'refused'}`).sort(),
    ).toEqual(['Odd: refused', 'Sign up: sent'])
    const arrived = shop.arrived.find((a) => a.url.startsWith('/insomnia'))
    expect(new URL(arrived?.url ?? '/', shop.url).searchParams.get('id')).toMatch(UUID)
    expect((JSON.parse(arrived?.body ?? '{}') as { mail?: string }).mail).toMatch(EMAIL)
  })

  it("a script's replaceIn gives one value: stored, it is what is sent and what the test compares", async () => {
    // Echoes the body it was sent, as a sign-up endpoint answers with the user it made.
    const echo = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(Buffer.concat(chunks))
      })
    })
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
    try {
      const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/users`
      const dir = join(work, 'replace-in')
      const source = {
        info: {
          name: 'Sign-ups',
          schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
        },
        item: [
          {
            name: 'Sign up',
            event: [
              {
                listen: 'prerequest',
                script: {
                  exec: [
                    "pm.variables.set('email', pm.variables.replaceIn('{{$randomEmail}}'))",
                    "pm.variables.set('first', pm.variables.replaceIn('{{$randomFirstName}}'))",
                    "pm.variables.set('odd', pm.variables.replaceIn('{{$randomNope}}'))",
                  ],
                },
              },
              {
                listen: 'test',
                script: {
                  exec: [
                    "pm.test('email echoed', () => pm.expect(pm.response.json().email).to.equal(pm.variables.get('email')))",
                    "pm.test('first echoed', () => pm.expect(pm.response.json().first).to.equal(pm.variables.get('first')))",
                    "pm.test('an email', () => pm.expect(pm.variables.get('email')).to.match(/^[^\\s@]+@[^\\s@]+\\.[a-z]{2,}$/i))",
                    "pm.test('unknown kept', () => pm.expect(pm.variables.get('odd')).to.equal('{{$randomNope}}'))",
                  ],
                },
              },
            ],
            request: {
              method: 'POST',
              url,
              header: [{ key: 'Content-Type', value: 'application/json' }],
              body: { mode: 'raw', raw: '{"email":"{{email}}","first":"{{first}}"}' },
            },
          },
        ],
      }
      const imported = await service.invoke('import.run', {
        format: 'auto',
        text: JSON.stringify(source),
        into: dir,
      })
      if (!imported.ok) throw new Error(imported.error.message)
      const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
      if (!started.ok) throw new Error(started.error.message)
      const run = await service.waitForRun(started.value.runId)
      const result = run?.results[0]
      expect(result?.error).toBeUndefined()
      expect(result?.scripts?.post?.tests).toEqual([
        { name: 'email echoed', passed: true },
        { name: 'first echoed', passed: true },
        { name: 'an email', passed: true },
        { name: 'unknown kept', passed: true },
      ])
    } finally {
      await new Promise<void>((r) => {
        echo.close(() => r())
        echo.closeAllConnections()
      })
    }
  })

  it("a value's line breaks in the URL arrive encoded, not dropped by the URL parser", async () => {
    shop.arrived.length = 0
    const r = await service.invoke('request.send', {
      request: spec(`${shop.url}/notes?text={{$randomLoremParagraphs}}`),
      auth: { type: 'none' },
    })
    if (!r.ok) throw new Error(r.error.message)
    await service.http.waitFor(r.value.sids[0] ?? '')
    const query = new URL(shop.arrived[0]?.url ?? '', shop.url).searchParams
    // Three paragraphs, one a line, as Postman sends them (%0A between them).
    expect(query.get('text')?.split('\n')).toHaveLength(3)
  })

  it('a request sends them, and a name Postman does not have is refused by name', async () => {
    shop.arrived.length = 0
    const r = await service.invoke('request.send', {
      request: spec(`${shop.url}/people`, {
        method: 'POST',
        body: { kind: 'json', text: '{"who":"{{$randomFullName}}","mail":"{{$randomEmail}}"}' },
      }),
      auth: { type: 'none' },
    })
    if (!r.ok) throw new Error(r.error.message)
    await service.http.waitFor(r.value.sids[0] ?? '')
    const body = JSON.parse(shop.arrived[0]?.body ?? '{}') as Record<string, string>
    expect(body['who']).toMatch(/^\S+( \S+)+$/)
    expect(body['mail']).toMatch(EMAIL)

    const bad = await service.invoke('request.send', {
      request: spec(`${shop.url}/people?x={{$randomNope}}&y={{$randomEmail}}`),
      auth: { type: 'none' },
    })
    expect(!bad.ok && bad.error.message).toBe(
      'Unknown variable {{$randomNope}} (no collection or environment chosen)',
    )
    expect(shop.arrived).toHaveLength(1)
  })
})
