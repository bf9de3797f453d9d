import { describe, expect, it } from 'vitest'
import { insomniaText } from '../../src/engine/exporters/insomnia'
import type { ImportReport } from '../../src/shared/collection-schemas'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * Insomnia's `now` tag in every format Insomnia offers (its Timestamp tag: ISO-8601, Milliseconds, Unix, Custom
 * Format with a moment.js template), as Insomnia 10/11 v4 exports write it (`{% now 'millis', '' %}`), checked
 * where the imported request arrives.
 */

const t = useImportTarget('fd-insomnia-now')

async function importAndOpen(text: string): Promise<ImportReport> {
  const report = await importText(text, t.dir)
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
  return report
}

function exportWith(headers: { name: string; value: string }[], stubUrl: string): string {
  return JSON.stringify({
    _type: 'export',
    __export_format: 4,
    __export_source: 'insomnia.desktop.app:v11.0.1',
    resources: [
      { _id: 'wrk_5c1d', _type: 'workspace', parentId: null, name: 'Clock', scope: 'collection' },
      {
        _id: 'req_9a0b',
        _type: 'request',
        parentId: 'wrk_5c1d',
        name: 'Stamp',
        method: 'GET',
        url: `${stubUrl}/stamp`,
        body: {},
        parameters: [],
        headers,
        authentication: {},
        metaSortKey: -1,
      },
    ],
  })
}

describe('Insomnia now tag', () => {
  it("sends the current time in milliseconds, seconds and ISO 8601 for 'millis', 'unix', 'iso-8601' and custom 'x'/'X'", async () => {
    const report = await importAndOpen(
      exportWith(
        [
          { name: 'X-Millis', value: "{% now 'millis', '' %}" },
          { name: 'X-Ms', value: "{% now 'ms' %}" },
          { name: 'X-Unix', value: "{% now 'unix', '' %}" },
          { name: 'X-Iso', value: "{% now 'iso-8601', '' %}" },
          { name: 'X-Default', value: '{% now %}' },
          { name: 'X-Custom-Ms', value: "{% now 'custom', 'x' %}" },
          { name: 'X-Custom-S', value: "{% now 'custom', 'X' %}" },
        ],
        t.stub.url,
      ),
    )
    expect(report.format).toBe('insomnia')
    expect(report.unmapped.filter((l) => l.includes('now'))).toEqual([])
    const before = Date.now()
    const got = await sendSaved(t.service, t.stub, t.dir, 'stamp.yaml')
    const after = Date.now()
    for (const h of ['x-millis', 'x-ms', 'x-custom-ms']) {
      const v = String(got.headers[h])
      expect(v, h).toMatch(/^\d{13}$/)
      expect(Number(v), h).toBeGreaterThanOrEqual(before)
      expect(Number(v), h).toBeLessThanOrEqual(after)
    }
    for (const h of ['x-unix', 'x-custom-s']) {
      const v = String(got.headers[h])
      expect(v, h).toMatch(/^\d{10}$/)
      expect(Number(v), h).toBeGreaterThanOrEqual(Math.floor(before / 1000))
      expect(Number(v), h).toBeLessThanOrEqual(Math.ceil(after / 1000))
    }
    for (const h of ['x-iso', 'x-default']) {
      const ms = Date.parse(String(got.headers[h]))
      expect(String(got.headers[h]), h).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(ms, h).toBeGreaterThanOrEqual(before)
      expect(ms, h).toBeLessThanOrEqual(after)
    }
  })

  it('a custom format Flightdeck cannot say is named in the report and the request refuses to send it', async () => {
    const report = await importAndOpen(
      exportWith([{ name: 'X-Day', value: "{% now 'custom', 'YYYY-MM-DD' %}" }], t.stub.url),
    )
    expect(report.unmapped.join('\n')).toContain('its custom format "YYYY-MM-DD" has no dynamic variable')
    const arrivedBefore = t.stub.arrived.length
    await expect(sendSaved(t.service, t.stub, t.dir, 'stamp.yaml')).rejects.toThrow(/now 'custom'/)
    expect(t.stub.arrived.length).toBe(arrivedBefore)
  })
})

describe('Flightdeck milliseconds to Insomnia', () => {
  it("{{$timestampMs}} goes out as Insomnia's now tag in milliseconds", () => {
    expect(insomniaText('t={{$timestampMs}}')).toBe("t={% now 'millis', '' %}")
  })
})
