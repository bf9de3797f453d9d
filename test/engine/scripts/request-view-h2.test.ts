import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import type { ScriptEvent, TimelineEvent } from '../../../src/shared/timeline'
import { startHttp2Server, type TlsFixture } from '../../fixtures/servers'
import { makeService, spec, writeTemp } from '../helpers'

/**
 * A test script's pm.request over HTTP/2: the headers as sent, without HTTP/2's pseudo-headers (:method, :path,
 * :authority, :scheme), which are the URL's parts; the URL as sent.
 */

let server: TlsFixture
let service: EngineService
const events: TimelineEvent[] = []
beforeAll(async () => {
  server = await startHttp2Server()
  service = makeService()
  service.subscribe((b) => events.push(...b.events))
})
afterAll(async () => {
  await service.dispose()
  await server.close()
})

describe('pm.request over HTTP/2', () => {
  it('lists the headers sent, not the pseudo-headers', async () => {
    const url = `${server.url.replace('127.0.0.1', 'localhost')}/h2/{{n}}`
    const sent = await service.invoke('request.send', {
      request: spec(
        url,
        { headers: [{ name: 'X-A', value: '{{n}}', enabled: true }] },
        { http2: true, caFile: writeTemp('ca.pem', server.caPem) },
      ),
      auth: { type: 'none' },
      scripts: {
        preRequest: "pm.variables.set('n', '7')",
        test: [
          "var names = pm.request.headers.map(function (h) { return h.key }).join(',')",
          "pm.test('headers ' + names, function () {})",
          "pm.test('url ' + pm.request.url.getPathWithQuery(), function () {})",
        ].join('\n'),
        translated: false,
      },
    })
    if (!sent.ok) throw new Error(sent.error.message)
    const sid = sent.value.sids[0] as string
    let post: ScriptEvent | undefined
    for (let i = 0; i < 400 && !post; i++) {
      post = events.find(
        (e): e is ScriptEvent => e.type === 'script' && e.sid === sid && e.report.phase === 'post',
      )
      if (!post) await new Promise((r) => setTimeout(r, 25))
    }
    const sentEvent = events.find((e) => e.type === 'request-sent' && e.sid === sid)
    expect(sentEvent).toMatchObject({ protocol: 'h2' })
    expect(post?.report.tests.map((t) => t.name)).toEqual([
      'headers X-A,user-agent,accept,accept-encoding',
      'url /h2/7',
    ])
  })
})
