import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService, spec } from '../helpers'

/**
 * A send from the app with scripts: the pre-request script changes what is sent (a header, a variable the
 * request uses), the test script sees the response; each phase is a `script` event on the request's session
 * (pre before its request goes out, post after its response), and a test script's pm.sendRequest is a session
 * of its own whose initiator is the request.
 */

let stub: ScriptStub
let service: EngineService
const events: TimelineEvent[] = []
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-send-scripts-')) })
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})

async function scriptEvents(sid: string, count: number): Promise<ScriptEvent[]> {
  for (let i = 0; i < 200; i++) {
    const found = events.filter((e): e is ScriptEvent => e.type === 'script' && e.sid === sid)
    if (found.length >= count) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no ${count} script events for ${sid}`)
}

describe('request.send runs the request scripts', () => {
  it('pre changes the request, post records tests; both on the timeline in order, sendRequest as a child', async () => {
    stub.seen.length = 0
    const sent = await service.invoke('request.send', {
      request: spec(`${stub.url}/me`, {
        headers: [{ name: 'Authorization', value: 'Bearer {{minted}}', enabled: true }],
      }),
      auth: { type: 'none' },
      scripts: {
        preRequest: `pm.environment.set('minted', 'tok-app')\npm.request.headers.add({ key: 'X-Path', value: pm.request.url.getPath() })\nconsole.log('pre ran')`,
        test: `pm.test('ada', () => pm.expect(pm.response.json().user).to.equal('ada'))\npm.test('not 500', () => pm.response.to.have.status(500))\npm.sendRequest('${stub.url}/setup/seed', (err, res) => console.info('seed', res.json().seed))`,
        translated: false,
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    const [pre, post] = await scriptEvents(sid, 2)
    expect(stub.seen[0]?.headers['authorization']).toBe('Bearer tok-app')
    expect(stub.seen[0]?.headers['x-path']).toBe('/me')
    expect(pre?.report.phase).toBe('pre')
    expect(pre?.report.console.map((l) => l.text)).toEqual(['pre ran'])
    expect(post?.report.phase).toBe('post')
    expect(post?.report.tests).toEqual([
      { name: 'ada', passed: true },
      {
        name: 'not 500',
        passed: false,
        error: 'AssertionError: expected response to have status code 500 but got 200',
      },
    ])
    expect(post?.report.console.map((l) => `${l.level} ${l.text}`)).toEqual(['info seed s-42'])
    // On the session's events: pre before the request went out, post after it was done.
    const own = events.filter((e) => e.sid === sid).map((e) => e.type)
    expect(own.indexOf('script')).toBeLessThan(own.indexOf('request-sent'))
    expect(own.lastIndexOf('script')).toBeGreaterThan(own.indexOf('done'))
    // The test script's set-up call is a session caused by the request.
    const child = post?.report.sentRequests[0] as string
    expect(events.find((e) => e.type === 'queued' && e.sid === child)).toMatchObject({ initiator: sid })
    // Script times sit before the request's queueing and after its end.
    const queued = events.find((e) => e.type === 'queued' && e.sid === sid)
    expect(pre?.report.end).toBeLessThanOrEqual(queued?.t ?? 0)
  })

  it("a value the pre-request script sets fills the URL's {{name}}, and a \\{{name}} stays literal text", async () => {
    stub.seen.length = 0
    const sent = await service.invoke('request.send', {
      request: spec(`${stub.url}/{{who}}?kept=\\{{who}}`),
      auth: { type: 'none' },
      scripts: { preRequest: `pm.environment.set('who', 'me')`, translated: false },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    await scriptEvents(sent.value.sids[0] as string, 1)
    await service.http.waitFor(sent.value.sids[0] as string)
    expect(stub.seen[0]?.url).toBe('/me?kept={{who}}')
  })

  it("Send ×N runs each copy's pre-request script before it goes out and its test script on its own response", async () => {
    stub.seen.length = 0
    const sent = await service.invoke('request.send', {
      request: spec(`${stub.url}/legacy`),
      auth: { type: 'none' },
      count: 3,
      scripts: {
        preRequest: `const n = Number(pm.environment.get('copyNo') || 0) + 1\npm.environment.set('copyNo', String(n))\npm.request.headers.add({ key: 'X-Copy', value: String(n) })`,
        test: `pm.test('copy ' + pm.request.headers.get('X-Copy'), () => pm.response.to.have.status(200))`,
        translated: false,
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const { sids } = sent.value
    expect(sids).toHaveLength(3)
    const reports = await Promise.all(sids.map((sid) => scriptEvents(sid, 2)))
    // Each copy ran its own pre-request script: three different values reached the server.
    expect(stub.seen.map((r) => r.headers['x-copy']).sort()).toEqual(['1', '2', '3'])
    for (const [i, [pre, post]] of reports.entries()) {
      expect(pre?.report.phase).toBe('pre')
      expect(post?.report.phase).toBe('post')
      expect(post?.report.tests).toEqual([{ name: `copy ${i + 1}`, passed: true }])
    }
    // The copies are still one burst on the timeline.
    const batches = sids.map((sid) => events.find((e) => e.type === 'queued' && e.sid === sid))
    const ids = new Set(batches.map((q) => (q?.type === 'queued' ? q.batch?.id : undefined)))
    expect(ids.size).toBe(1)
    expect(sent.value.batchId).toBe([...ids][0])
    expect(batches.map((q) => (q?.type === 'queued' ? q.batch?.index : undefined))).toEqual([0, 1, 2])
  })

  it("a pre-request script's pm.sendRequest names the request it was sent for as its initiator", async () => {
    const sent = await service.invoke('request.send', {
      request: spec(`${stub.url}/use?seed={{seed}}`),
      auth: { type: 'none' },
      scripts: {
        preRequest: `pm.sendRequest('${stub.url}/setup/seed', (err, res) => pm.environment.set('seed', res.json().seed))`,
        translated: false,
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    const [pre] = await scriptEvents(sid, 1)
    const child = pre?.report.sentRequests[0] as string
    expect(child).toBeDefined()
    expect(events.find((e) => e.type === 'queued' && e.sid === child)).toMatchObject({ initiator: sid })
    // The set-up call was queued before the request it was made for.
    const order = events.filter((e) => e.type === 'queued').map((e) => e.sid)
    expect(order.indexOf(child)).toBeLessThan(order.indexOf(sid))
  })

  it('a value a script unset is gone for the later sends of the collection', async () => {
    const send = async (preRequest: string, test?: string): Promise<string> => {
      const sent = await service.invoke('request.send', {
        request: spec(`${stub.url}/legacy`),
        auth: { type: 'none' },
        scripts: { preRequest, ...(test ? { test } : {}), translated: false },
      })
      if (!sent.ok) throw new Error(sent.error.message)
      return sent.value.sids[0] as string
    }
    await scriptEvents(await send("pm.environment.set('scratch', 'x')"), 1)
    await scriptEvents(await send("pm.environment.unset('scratch')"), 1)
    const sid = await send(
      '',
      "pm.test('scratch is gone', () => pm.expect(pm.variables.has('scratch')).to.equal(false))",
    )
    const [post] = await scriptEvents(sid, 1)
    expect(post?.report.tests).toEqual([{ name: 'scratch is gone', passed: true }])
  })

  it('translated scripts do not run (the declarative checks stand for them)', async () => {
    stub.seen.length = 0
    const before = events.filter((e) => e.type === 'script').length
    const sent = await service.invoke('request.send', {
      request: spec(`${stub.url}/legacy`),
      auth: { type: 'none' },
      scripts: { test: `pm.test('x', () => {})`, translated: true },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    await service.http.waitFor(sent.value.sids[0] as string)
    await new Promise((r) => setTimeout(r, 100))
    expect(events.filter((e) => e.type === 'script').length).toBe(before)
  })
})
