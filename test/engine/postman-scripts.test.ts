import { describe, expect, it } from 'vitest'
import { requestEvents } from '../../src/engine/exporters/postman-scripts'
import { translateTestScript } from '../../src/engine/importers/postman-scripts'
import { emptySavedRequest } from '../../src/shared/collection'
import type { Assertion, Extraction } from '../../src/shared/run-spec'

/**
 * The script lines real collections carry, as the importer reads them, and the exporter's lines read back to
 * the same checks. What is not recognised is listed, never guessed at; a huge script is read in bounded time.
 */

describe('Postman test scripts to checks', () => {
  it('reads the common shapes, and lists the rest', () => {
    const t = translateTestScript(
      [
        '// Check the answer',
        'pm.test("Status code is 200", function () {',
        '    pm.response.to.have.status(200);',
        '});',
        'const json = pm.response.json();',
        'pm.test("fields", () => {',
        '  pm.expect(json.data[0]["display name"]).to.eql("Ada \\"L\\"");',
        '  pm.expect(json.count).to.equal(3);',
        '  pm.expect(json.active).to.eql(true);',
        '  pm.expect(json.next).to.not.be.undefined;',
        '  pm.expect(json).to.have.property("id");',
        '});',
        'pm.expect(pm.response.headers.get("Content-Type")).to.include("json");',
        'pm.response.to.not.have.header("X-Powered-By");',
        'pm.expect(pm.response.code).to.be.oneOf([200, 201]);',
        'pm.environment.set("id", json.id);',
        'postman.setGlobalVariable("trace", pm.response.headers.get("X-Trace"));',
        'pm.expect(json.deleted).to.not.exist;',
        'pm.expect(json.items).to.eql([1, 2]);',
        'console.log(json);',
      ].join('\n'),
    )
    expect(t.assertions).toEqual<Assertion[]>([
      { kind: 'status', equals: 200 },
      { kind: 'json', path: "$.data[0]['display name']", equals: 'Ada "L"' },
      { kind: 'json', path: '$.count', equals: 3 },
      { kind: 'json', path: '$.active', equals: true },
      { kind: 'json', path: '$.next', exists: true },
      { kind: 'json', path: '$.id', exists: true },
      { kind: 'header', name: 'Content-Type', contains: 'json' },
      { kind: 'header', name: 'X-Powered-By', exists: false },
      { kind: 'status', oneOf: [200, 201] },
    ])
    expect(t.extract).toEqual<Extraction[]>([
      { name: 'id', from: 'json', path: '$.id' },
      { name: 'trace', from: 'header', header: 'X-Trace' },
    ])
    // `to.not.exist` passes on null in Postman, where a JSON check would not; objects are not scalars.
    expect(t.untranslated).toEqual([
      'pm.expect(json.deleted).to.not.exist',
      'pm.expect(json.items).to.eql([1, 2])',
      'console.log(json)',
    ])
  })

  it('what the export writes reads back to the same checks', () => {
    const assertions: Assertion[] = [
      { kind: 'status', equals: 201 },
      { kind: 'status', min: 200, max: 299 },
      { kind: 'status', oneOf: [200, 204] },
      { kind: 'header', name: 'ETag', exists: true },
      { kind: 'header', name: 'Server', exists: false },
      { kind: 'header', name: 'Content-Type', equals: 'application/json' },
      { kind: 'header', name: 'Cache-Control', contains: 'no-store' },
      { kind: 'json', path: "$.a['b c'][2].d", equals: 'x\ny' },
      { kind: 'json', path: '$.n', equals: null },
      { kind: 'json', path: '$.gone.deep', exists: false },
      { kind: 'json', path: '$.here', exists: true },
      { kind: 'body-contains', text: 'ok "quoted"' },
      { kind: 'duration-under', ms: 750 },
    ]
    const extract: Extraction[] = [
      { name: 'token', from: 'json', path: '$.auth.token' },
      { name: 'loc', from: 'header', header: 'Location' },
      { name: 'code', from: 'regex', pattern: 'code=(\\w+)', group: 1 },
    ]
    const { events, skipped } = requestEvents({ ...emptySavedRequest('R'), assertions, extract })
    expect(skipped).toEqual([])
    const test = events.find((e) => e['listen'] === 'test') as { script: { exec: string[] } }
    const back = translateTestScript(test.script.exec.join('\n'))
    expect(back.untranslated).toEqual([])
    expect(back.assertions).toEqual(assertions)
    expect(back.extract).toEqual(extract)
  })

  it('a JSONPath a script cannot say is listed, not exported wrong', () => {
    const { events, skipped } = requestEvents({
      ...emptySavedRequest('R'),
      assertions: [{ kind: 'json', path: '$..id', exists: true }],
    })
    expect(events).toEqual([])
    expect(skipped).toEqual(['assertion json: Postman has no script for it'])
  })

  it('a 240 KB statement of near-matches is read in bounded time and listed as not translated', () => {
    // Each `).to.b(` is a place a check could end: matched whole, such a statement costs its length squared.
    const script = `pm.expect(${'a).to.b('.repeat(30_000)}x`
    const start = performance.now()
    const t = translateTestScript(script)
    expect(performance.now() - start).toBeLessThan(2000)
    expect(t.assertions).toEqual([])
    expect(t.untranslated).toHaveLength(1)
  })
})
