import { afterAll, describe, expect, it } from 'vitest'
import { harCollectionPlan } from '../../src/engine/importers/har-collection'
import { makeService } from '../engine/helpers'

/**
 * A HAR someone shares whose request body says `encoding: "base64"` but is a long run of spaces ending in a
 * character base64 has not. The check for base64 was one pattern allowing whitespace both inside its repeated
 * letters and after them, which backtracks quadratically on such a text: 40,000 spaces held the thread 5.8 s, so
 * the 300,000 here held it for minutes. Opened onto the timeline, that check runs on the engine's own thread (the
 * app froze); imported as a collection, in the import. Now it is linear: the body is kept as recorded, said.
 */

const SPACES = 300_000
const body = `A${' '.repeat(SPACES)}!`

function har(url: string): unknown {
  return {
    log: {
      version: '1.2',
      creator: { name: 'shared', version: '1' },
      entries: [
        {
          startedDateTime: '2026-01-01T00:00:00.000Z',
          time: 1,
          request: {
            method: 'POST',
            url,
            httpVersion: 'HTTP/1.1',
            headers: [],
            queryString: [],
            cookies: [],
            headersSize: -1,
            bodySize: -1,
            postData: { mimeType: 'text/plain', text: body, encoding: 'base64' },
          },
          response: {
            status: 200,
            statusText: 'OK',
            httpVersion: 'HTTP/1.1',
            headers: [],
            cookies: [],
            content: { size: 0, mimeType: 'text/plain' },
            redirectURL: '',
            headersSize: -1,
            bodySize: 0,
          },
          cache: {},
          timings: { send: 0, wait: 1, receive: 0 },
        },
      ],
    },
  }
}

const service = makeService()
afterAll(async () => {
  await service.dispose()
})

// Each took minutes before (the test's 10 s bound is what it fails on); milliseconds now.
describe('a HAR body that says base64 and is a long run of spaces', () => {
  it('imported as a collection: kept as the text recorded, and the import says it is not base64', () => {
    const plan = harCollectionPlan(har('http://127.0.0.1:9/upload'))
    const requests = plan.children.flatMap((c) => (c.type === 'folder' ? c.folder.children : [c]))
    const request = requests.find((c) => c.type === 'request')
    expect(request?.type === 'request' ? request.request.body : null).toEqual({
      kind: 'text',
      text: body,
      contentType: 'text/plain',
    })
    expect(plan.unmapped.join('\n')).toMatch(
      /its body says it is base64 but is not: kept as the text recorded/,
    )
  }, 10_000)

  it('opened onto the timeline: the engine stays free and the body is the text recorded', async () => {
    const onto = await service.invoke('har.import', {
      text: JSON.stringify(har('http://127.0.0.1:9/upload')),
      name: 'spaces.har',
    })
    if (!onto.ok) throw new Error(onto.error.message)
    const r = await service.invoke('session.request', { sid: onto.value.sids[0] ?? '' })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.body).toMatchObject({ text: body })
  }, 10_000)
})
