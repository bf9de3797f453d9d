import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runPhase, type PhaseInput } from '../../../src/engine/scripts/script-host'
import type { ScriptPhase } from '../../../src/shared/scripts'
import type { EngineService } from '../../../src/engine/service'
import { startScriptStub, type ScriptStub } from '../../fixtures/scripts/script-stub'
import { makeService, spec } from '../helpers'

/**
 * The script APIs besides Postman's usual ones, each phase through the worker pool's sandbox: Bruno's
 * bru/req/res/test/expect, Insomnia's insomnia.*, the promise form of pm.sendRequest with top-level await,
 * timers, libraries, and the limits on console lines and timers, each said where it cut.
 */

let stub: ScriptStub
let service: EngineService
beforeAll(async () => {
  stub = await startScriptStub()
  service = makeService()
})
afterAll(async () => {
  await service.dispose()
  await stub.close()
})

const RESPONSE = {
  code: 201,
  status: 'Created',
  headers: [{ key: 'Content-Type', value: 'application/json' }],
  body: '{"id":7,"tags":["a","b"]}',
  bodyCut: false,
  responseTime: 12,
  responseSize: 25,
}

function phase(kind: ScriptPhase, code: string, extra: Partial<PhaseInput> = {}) {
  return runPhase(
    { http: service.http, clock: service.clock, emit: () => {} },
    {
      key: `apis-${Math.random()}`,
      phase: kind,
      scripts: [{ origin: 'request', where: 'request "R"', code }],
      request: spec(`${stub.url}/things?x=1`, {
        method: 'POST',
        headers: [{ name: 'X-A', value: '1', enabled: true }],
        body: { kind: 'json', text: '{"n":1}' },
      }),
      auth: { type: 'none' },
      ...(kind === 'post' ? { response: RESPONSE } : {}),
      scopes: { environment: { base: stub.url }, collection: {}, globals: {}, data: {}, local: {} },
      info: { requestName: 'R', requestId: 'r.yaml', iteration: 0, iterationCount: 1 },
      ...extra,
    },
  )
}

describe('script APIs', () => {
  it("Bruno: bru, req and res, test and expect; a pre script's req changes come back", async () => {
    const pre = await phase(
      'pre',
      `req.setHeader('X-B', bru.getEnvVar('base').length > 0 ? 'yes' : 'no')\nreq.setUrl(req.getUrl() + '&y=2')\nreq.setBody({ n: req.getBody().n + 1 })\nbru.setVar('seen', req.getMethod())`,
    )
    expect(pre.output.failure).toBeUndefined()
    expect(pre.output.request?.url).toBe(`${stub.url}/things?x=1&y=2`)
    expect(pre.output.request?.headers).toContainEqual({ key: 'X-B', value: 'yes' })
    expect(pre.output.request?.body).toMatchObject({ mode: 'raw', raw: '{"n":2}' })
    expect(pre.output.changes.local?.set).toEqual({ seen: 'POST' })
    const post = await phase(
      'post',
      `test('created', () => expect(res.getStatus()).to.equal(201))\ntest('body', () => expect(res.body.tags).to.deep.equal(['a', 'b']))\ntest('header', () => expect(res.getHeader('content-type')).to.contain('json'))`,
    )
    expect(post.report.tests.map((t) => [t.name, t.passed])).toEqual([
      ['created', true],
      ['body', true],
      ['header', true],
    ])
  })

  it('Insomnia: insomnia.* mirrors pm', async () => {
    const post = await phase(
      'post',
      `insomnia.test('id', () => insomnia.expect(insomnia.response.json().id).to.equal(7))\ninsomnia.environment.set('id', insomnia.response.json().id)`,
    )
    expect(post.report.tests).toEqual([{ name: 'id', passed: true }])
    expect(post.output.changes.environment?.set).toEqual({ id: 7 })
  })

  it('pm.sendRequest as a promise, top-level await, setTimeout, libraries', async () => {
    const post = await phase(
      'post',
      `const res = await pm.sendRequest({ url: pm.environment.get('base') + '/setup/seed', method: 'GET' })\nawait new Promise((r) => setTimeout(r, 20))\nconst _ = require('lodash')\npm.test('seed', () => pm.expect(_.get(res.json(), 'seed')).to.equal('s-42'))\npm.test('uuid', () => pm.expect(require('uuid').v4()).to.match(/^[0-9a-f-]{36}$/))\npm.test('btoa', () => pm.expect(btoa('ada:pw')).to.equal('YWRhOnB3'))`,
    )
    expect(post.report.failure).toBeUndefined()
    expect(post.report.tests.every((t) => t.passed)).toBe(true)
    expect(post.report.tests).toHaveLength(3)
    expect(post.report.sentRequests).toHaveLength(1)
  })

  it('limits cut loudly: console lines counted past the cap, a long line cut saying so, too many timers stopped', async () => {
    const logs = await phase(
      'post',
      `for (let i = 0; i < 700; i++) console.log('line', i)\nconsole.log('x'.repeat(5000))`,
    )
    expect(logs.report.console).toHaveLength(500)
    expect(logs.report.droppedConsole).toBe(201)
    const long = await phase('post', `console.warn('x'.repeat(5000))`)
    expect(long.report.console[0]?.text).toMatch(/… \(cut at 4096 characters of 5000\)$/)
    expect(long.report.console[0]?.level).toBe('warn')
    const timers = await phase('post', `for (let i = 0; i < 101; i++) setTimeout(() => {}, 1)`)
    expect(timers.report.failure?.message).toBe(
      'test script of request "R": RangeError: setTimeout: more than 100 timers in one script phase',
    )
    const wait = await phase('post', `setTimeout(() => {}, 60000)`)
    expect(wait.report.failure?.message).toBe(
      'test script of request "R": RangeError: setTimeout: timers would wait more than 10000 ms in all',
    )
  })

  it('pm.vault stops the script saying what to use instead; the cookie jar refuses what is not http', async () => {
    const vault = await phase('post', `pm.test('before', () => {})\nawait pm.vault.get('apiKey')`)
    expect(vault.report.tests).toEqual([{ name: 'before', passed: true }])
    expect(vault.report.failure?.message).toBe(
      "test script of request \"R\": pm.vault.get: Postman's vault is not available in Flightdeck; keep the secret as a secret variable of the collection or its environment (it stays out of the collection's files) and read it with pm.variables.get('apiKey')",
    )
    const jar = await phase(
      'post',
      `pm.cookies.jar().set('file:///etc/passwd', 'a', 'b', (err) => pm.test('refused', () => pm.expect(err.message).to.equal('pm.cookies.jar(): only http and https URLs have cookies; file: refused')))`,
    )
    expect(jar.report.failure).toBeUndefined()
    expect(jar.report.tests).toEqual([{ name: 'refused', passed: true }])
  })

  it("a script that rewrites its own report through an API object's insides fails, the engine unharmed", async () => {
    const bad = await phase(
      'post',
      `pm.test('kept?', () => {})\npm.environment._p.console = 'x'\npm.environment._p.tests = 5`,
    )
    expect(bad.report.failure?.message).toBe(
      'test script of request "R": the script changed its own report (its tests); its tests, console and variables are not kept',
    )
    expect(bad.report.tests).toEqual([])
    expect(bad.report.console).toEqual([])
    const next = await phase('post', `pm.test('next', () => pm.response.to.have.status(201))`)
    expect(next.report.tests).toEqual([{ name: 'next', passed: true }])
  })

  it('replaceIn resolves variables inside variables, as Postman does: bounded in depth, and in size with an error', async () => {
    // Each level doubles; 2^7 copies of a 256 KB leaf is 32 MB of text, past the quarter of 64 MB one call may make.
    const doubling: Record<string, string> = { v7: 'x'.repeat(256 * 1024) }
    for (let i = 0; i < 7; i++) doubling[`v${i}`] = `{{v${i + 1}}}{{v${i + 1}}}`
    // Ten-fold eight times down to an empty value: 10^8 uses giving no text, built once each or the phase times out.
    const nothing: Record<string, string> = { e0: '' }
    for (let i = 1; i <= 8; i++) nothing[`e${i}`] = `{{e${i - 1}}}`.repeat(10)
    const scopes = {
      environment: {
        id: '{{$guid}}',
        contact: '{{$randomEmail}}',
        greeting: 'Hi {{who}} <{{contact}}>',
        who: '{{name}}',
      },
      collection: {
        name: 'Ada',
        self: 'me {{self}}',
        stamp: '{{$timestamp}}',
        odd: '{{nope}}',
        ...doubling,
        ...nothing,
      },
      globals: {},
      data: {},
      local: {},
    }
    const nested = await phase(
      'pre',
      `pm.variables.set('g', pm.variables.replaceIn('{{greeting}}'))
pm.variables.set('s', pm.variables.replaceIn('{{self}}'))
pm.variables.set('t', pm.variables.replaceIn('{{stamp}} {{odd}}'))
pm.variables.set('e', pm.variables.replaceIn('[{{e8}}]'))
pm.variables.set('ids', pm.variables.replaceIn('{{id}} {{id}}'))
try { pm.variables.replaceIn('{{v0}}') } catch (e) { pm.variables.set('big', e.message) }`,
      { scopes },
    )
    expect(nested.output.failure).toBeUndefined()
    const set = nested.output.changes.local?.set ?? {}
    expect(set['g']).toMatch(/^Hi Ada <[^\s@{}]+@[^\s@{}]+\.[a-z]{2,}>$/i)
    // A variable naming itself stops after Postman's 19 levels, its last braces left as they are.
    expect(set['s']).toBe(`${'me '.repeat(19)}{{self}}`)
    expect(set['t']).toMatch(/^\d{10} \{\{nope\}\}$/)
    expect(set['e']).toBe('[]')
    const [first, second] = String(set['ids']).split(' ')
    expect(first).not.toBe(second)
    expect(set['big']).toBe(
      "replaceIn: the variables expand to more than 16.0 MB (starting from {{v0}}), a quarter of the script's 64 MB memory (a fixed limit): check for variables that repeat each other",
    )
  })

  it('a syntax error names the request; the test before a throw is kept', async () => {
    const bad = await phase('post', `pm.test('a', () => {}`)
    expect(bad.report.failure?.message).toMatch(/^test script of request "R": SyntaxError/)
    const thrown = await phase('post', `pm.test('kept', () => {})\nthrow new Error('boom')`)
    expect(thrown.report.tests).toEqual([{ name: 'kept', passed: true }])
    expect(thrown.report.failure?.message).toBe('test script of request "R": boom')
  })
})
