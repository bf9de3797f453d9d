import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import type { RequestSpec } from '../../../src/shared/request'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { makeService } from '../helpers'

/**
 * pm.request in a test script as an outsider drives it: reached without the word `request` in the code
 * (`pm['req'+'uest']`, eval, Bruno's `req`): the request as sent all the same, not the one written. A real
 * server on 127.0.0.1.
 */

let server: Server
let base: string
let service: EngineService
let configDir: string
const events: TimelineEvent[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    let n = 0
    req.on('data', (c: Buffer) => (n += c.length))
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ path: req.url, bytes: n }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  configDir = mkdtempSync(join(tmpdir(), 'fd-script-request-attack-'))
  service = makeService({ configDir })
  service.subscribe((b) => events.push(...b.events))
})

afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
  rmSync(configDir, { recursive: true, force: true })
})

async function post(sid: string): Promise<ScriptEvent> {
  for (let i = 0; i < 1200; i++) {
    const found = events.find(
      (e): e is ScriptEvent => e.type === 'script' && e.sid === sid && e.report.phase === 'post',
    )
    if (found) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`no test-script event for ${sid} within 30 s`)
}

async function sendWith(request: RequestSpec, pre: string, test: string): Promise<ScriptEvent> {
  const sent = await service.invoke('request.send', {
    request,
    auth: { type: 'none' },
    scripts: { preRequest: pre, test, translated: false },
  })
  if (!sent.ok) throw new Error(sent.error.message)
  return post(sent.value.sids[0] as string)
}

const PRE = "pm.environment.set('p', '/echo')"

describe('pm.request in a test script, attacked', () => {
  it('reached without naming it (computed key, eval, Bruno req): the URL as sent', async () => {
    const request: RequestSpec = {
      method: 'GET',
      url: `${base}{{p}}`,
      headers: [],
      body: { kind: 'none' },
      options: {},
    }
    const sentUrl = `${base}/echo`
    for (const code of [
      "console.log(pm['req' + 'uest'].url.toString())",
      "console.log(eval('pm.req' + 'uest.url.toString()'))",
      // Bruno's req reads the same request.
      'console.log(req.getUrl())',
      "var k = 'quest'; console.log(pm['re' + k].headers.count() >= 0 ? pm['re' + k].url.toString() : 'x')",
    ]) {
      const report = (await sendWith(request, PRE, code)).report
      expect(report.failure, code).toBeUndefined()
      expect(report.console[0]?.text, code).toBe(sentUrl)
    }
  })
})
