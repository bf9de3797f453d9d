import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createEngineService } from '../../src/engine/service'
import {
  guardCommand,
  handleIpcCommand,
  type GuardPolicy,
  type SenderFacts,
} from '../../src/engine/hosts/ipc-guard'
import {
  devRendererLocation,
  fileRendererLocation,
  isRendererUrl,
} from '../../src/engine/hosts/renderer-location'

const renderer = fileRendererLocation('/opt/flightdeck/out/renderer/index.html')
const policy: GuardPolicy = { windowWebContentsId: 7, renderer }
const trusted: SenderFacts = {
  webContentsId: 7,
  frame: { url: 'file:///opt/flightdeck/out/renderer/index.html', isMainFrame: true },
}
const info = { name: 'app.info', payload: {} }

describe('renderer location', () => {
  it('accepts exactly our built file, with any query or hash', () => {
    expect(isRendererUrl('file:///opt/flightdeck/out/renderer/index.html', renderer)).toBe(true)
    expect(isRendererUrl('file:///opt/flightdeck/out/renderer/index.html#/request/3', renderer)).toBe(true)
    expect(isRendererUrl('file:///opt/flightdeck/out/renderer/other.html', renderer)).toBe(false)
    expect(isRendererUrl('file:///tmp/evil/index.html', renderer)).toBe(false)
    expect(isRendererUrl('https://evil.example/index.html', renderer)).toBe(false)
    expect(isRendererUrl('not a url', renderer)).toBe(false)
  })

  it('accepts the dev server origin only in dev', () => {
    const dev = devRendererLocation('http://localhost:5173/')
    expect(isRendererUrl('http://localhost:5173/src/index.html', dev)).toBe(true)
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false)
    expect(isRendererUrl('http://127.0.0.1:5173/', dev)).toBe(false)
    expect(() => devRendererLocation('file:///x')).toThrow()
  })
})

describe('IPC guard', () => {
  it('lets a known command from our main frame through', () => {
    expect(guardCommand(trusted, info, policy)).toEqual({ ok: true, name: 'app.info', payload: {} })
  })

  it.each<[string, SenderFacts, GuardPolicy]>([
    ['another webContents', { ...trusted, webContentsId: 8 }, policy],
    ['no window yet', trusted, { ...policy, windowWebContentsId: null }],
    ['a destroyed frame', { ...trusted, frame: null }, policy],
    ['a sub-frame', { ...trusted, frame: { url: trusted.frame?.url ?? '', isMainFrame: false } }, policy],
    [
      'a navigated-away document',
      { ...trusted, frame: { url: 'https://evil.example/', isMainFrame: true } },
      policy,
    ],
    ['another local file', { ...trusted, frame: { url: 'file:///tmp/x.html', isMainFrame: true } }, policy],
  ])('refuses %s as forbidden', (_label, sender, p) => {
    const out = guardCommand(sender, info, p)
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.error.code).toBe('forbidden')
  })

  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'app.info'],
    ['an array', ['app.info', {}]],
    ['a missing payload', { name: 'app.info' }],
    ['extra keys', { name: 'app.info', payload: {}, channel: 'x' }],
    [
      'a class instance',
      new (class X {
        name = 'app.info'
        payload = {}
      })(),
    ],
    [
      'a cycle',
      (() => {
        const p: Record<string, unknown> = {}
        p['self'] = p
        return { name: 'app.info', payload: p }
      })(),
    ],
    ['a BigInt', { name: 'app.info', payload: { n: 1n } }],
  ])('refuses %s as bad_payload', (_label, message) => {
    const out = guardCommand(trusted, message, policy)
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.error.code).toBe('bad_payload')
  })

  it('refuses an oversized message before it reaches the service', () => {
    const big = { name: 'http.send', payload: { text: 'x'.repeat(2000) } }
    const out = guardCommand(trusted, big, { ...policy, maxChars: 1000 })
    expect(out.ok).toBe(false)
    if (!out.ok) {
      expect(out.error.code).toBe('bad_payload')
      expect(out.error.message).toMatch(/too large/)
    }
  })

  it.each([['fs.read'], ['__proto__'], ['toString'], [42]])('refuses unknown command %s', (name) => {
    const out = guardCommand(trusted, { name, payload: {} }, policy)
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.error.code).toBe('unknown_command')
  })
})

describe('IPC dispatch through the real engine service', () => {
  // Its own config folder: an app engine keeps its workspace and last session there when it stops.
  const service = createEngineService({
    host: 'electron',
    configDir: mkdtempSync(join(tmpdir(), 'fd-ipc-guard-')),
  })
  afterAll(() => service.dispose())

  it('a valid call reaches the service and comes back as data', async () => {
    const result = await handleIpcCommand(service, trusted, info, policy)
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.value).toMatchObject({ host: 'electron' })
  })

  it('the service still validates the payload itself', async () => {
    const result = await handleIpcCommand(
      service,
      trusted,
      { name: 'session.cancel', payload: { sid: 5 } },
      policy,
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_payload' } })
  })

  it('a refused call is logged without its payload and never reaches the service', async () => {
    const logged: string[] = []
    let called = false
    const spy = { call: async () => ((called = true), { ok: true as const, value: null }) }
    const secret = { name: 'http.send', payload: { token: 'hunter2' } }
    const result = await handleIpcCommand(spy, { ...trusted, webContentsId: 99 }, secret, policy, (l) =>
      logged.push(l),
    )
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    expect(called).toBe(false)
    expect(logged).toHaveLength(1)
    expect(logged[0]).not.toContain('hunter2')
  })
})
