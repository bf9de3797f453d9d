import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createElement } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookiesPanel } from '../../src/renderer/details/CookiesPanel'
import { StatusLine } from '../../src/renderer/details/StatusLine'
import type { AppStore } from '../../src/renderer/store/app-store'
import { runFlightdeckProcess } from '../fixtures/cli-process'
import { until } from './engine-client'
import { renderOverStore } from './render-over-store'
import { startEngine, stopEngines, type TestEngine } from './store-over-engine'

/**
 * Set-Cookie headers the cookie jar does not keep (too large, against the cookie rules, or older ones let go
 * when a domain passes 180) are said where the person looks: the exchange's status line (above every tab) and its
 * Cookies tab, and under the headers `flightdeck send` prints. Real engine, real server, the CLI as a process.
 */

let server: Server
let url: string
let engine: TestEngine
let root: string

/** `session=` and 5,004 bytes of value: 5,012 bytes of name and value. */
const BIG = `session=${'x'.repeat(5004)}; Path=/; HttpOnly`
const REFUSED = 'Set-Cookie "session" refused: 5,012 bytes, over 4,096'

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/login') res.setHeader('set-cookie', [BIG, 'theme=dark; Path=/'])
    if (req.url === '/elsewhere') res.setHeader('set-cookie', 'x=1; Domain=other.test; Path=/')
    if (req.url === '/sign-in') {
      res.writeHead(302, { location: '/home', 'set-cookie': BIG })
      res.end()
      return
    }
    if (req.url === '/many')
      res.setHeader(
        'set-cookie',
        Array.from({ length: 185 }, (_, i) => `c${i}=v; Path=/`),
      )
    res.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  engine = startEngine()
  root = mkdtempSync(join(tmpdir(), 'fd-cookie-note-'))
})
afterAll(async () => {
  await stopEngines()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(root, { recursive: true, force: true })
})

async function sendFrom(store: AppStore, path: string): Promise<string> {
  store.getState().setUrl(`${url}${path}`)
  await store.getState().send()
  const sid = store.getState().selectedSid ?? ''
  await until(() => store.getState().timeline.rows[sid]?.terminal !== undefined)
  return sid
}

function panels(store: AppStore, sid: string): string[] {
  const row = store.getState().timeline.rows[sid]
  if (!row) throw new Error('no row')
  return [StatusLine, CookiesPanel].map((panel) => renderOverStore(store, createElement(panel, { row })))
}

describe('cookies the jar does not keep', () => {
  it('a refused login cookie is named with its size and the limit above every tab and in Cookies', async () => {
    const store = engine.store()
    const sid = await sendFrom(store, '/login')
    expect(store.getState().timeline.rows[sid]?.status).toBe(200)
    for (const html of panels(store, sid)) {
      expect(html).toContain('data-testid="cookie-jar-note"')
      expect(html).toContain(REFUSED.replace(/"/g, '&quot;'))
      // The cookie beside it was kept: it is not named.
      expect(html).not.toContain('&quot;theme&quot; refused')
    }
  })

  it('a cookie for another domain says why in the cookie library’s words; a domain past 180 says how many went', async () => {
    // An engine of its own: its jar holds no cookie of the earlier tests.
    const store = startEngine().store()
    const elsewhere = await sendFrom(store, '/elsewhere')
    expect(panels(store, elsewhere)[0]).toContain(
      'Set-Cookie &quot;x&quot; refused: Cookie not in this host&#x27;s domain. Cookie:other.test Request:127.0.0.1',
    )
    const many = await sendFrom(store, '/many')
    expect(panels(store, many)[0]).toContain(
      '5 older cookies of 127.0.0.1 let go to make room: a domain keeps 180 at most',
    )
  })

  it('a login whose cookie came with its redirect: the final response says so, naming the hop', async () => {
    const store = engine.store()
    const sid = await sendFrom(store, '/sign-in')
    const rows = store.getState().timeline.rows
    const final = Object.values(rows).find((r) => r.queued.initiator === sid)
    if (!final) throw new Error('no second hop')
    await until(() => store.getState().timeline.rows[final.sid]?.terminal !== undefined)
    const html = panels(store, final.sid)[0]
    expect(html).toContain(`${REFUSED.replace(/"/g, '&quot;')} (at ${url}/sign-in)`)
  })

  it('a response whose cookies were all kept has no note', async () => {
    const store = engine.store()
    const sid = await sendFrom(store, '/plain')
    for (const html of panels(store, sid)) expect(html).not.toContain('cookie-jar-note')
  })

  it('flightdeck send prints the refusal under the response headers', async () => {
    const run = await runFlightdeckProcess(['send', `${url}/login`], { root, timeoutMs: 30_000 })
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout.split('\n')
    const at = lines.indexOf(`! ${REFUSED}`)
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('HTTP/1.1 200')))
  }, 40_000)
})
