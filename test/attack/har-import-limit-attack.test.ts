import { describe, expect, it } from 'vitest'
import { harCollectionPlan } from '../../src/engine/importers/har-collection'
import { countPlan, refuseTooLarge } from '../../src/engine/importers/plan'

/**
 * A browser's "Save all as HAR" after a long session has tens of thousands of entries. The HAR importer says
 * it keeps the first ones and reports the rest; the import must then really write those (it was refused whole
 * by the import-size limit, with a count that was not the file's: "The file has 10000 requests").
 */

function har(count: number, hosts: number): string {
  const entries = Array.from({ length: count }, (_, i) => ({
    startedDateTime: '2024-01-01T00:00:00.000Z',
    time: 1,
    request: {
      method: 'GET',
      url: `http://127.0.0.1:${18000 + (i % hosts)}/item/${i}`,
      httpVersion: 'HTTP/1.1',
      headers: [{ name: 'Accept', value: 'application/json' }],
      queryString: [],
      cookies: [],
      headersSize: -1,
      bodySize: 0,
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
  }))
  return JSON.stringify({
    log: { version: '1.2', creator: { name: 'WebInspector', version: '537' }, entries },
  })
}

describe('a HAR over the import limit', () => {
  it('plans the first entries that fit, which the import then accepts, and reports how many were left out', () => {
    const plan = harCollectionPlan(JSON.parse(har(12_000, 3)))
    // 3 host folders + 9,997 requests = the 10,000 items one import writes; the import's own check accepts it.
    expect(countPlan(plan.children)).toEqual({ requests: 9_997, folders: 3 })
    expect(() => refuseTooLarge(countPlan(plan.children))).not.toThrow()
    expect(plan.unmapped).toContain(
      '2,003 entries past the first 9,997 left out (an import writes at most 10,000 requests and folders)',
    )
  })

  it('a HAR that fits is planned whole', () => {
    const plan = harCollectionPlan(JSON.parse(har(9_998, 2)))
    expect(countPlan(plan.children)).toEqual({ requests: 9_998, folders: 2 })
    expect(plan.unmapped.join('\n')).not.toMatch(/left out/)
  })
})
