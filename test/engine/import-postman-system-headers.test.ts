import { describe, expect, it } from 'vitest'
import { insomniaSettingsOf, postmanProfileOf } from '../../src/engine/exporters/export-options'
import type { ImportReport } from '../../src/shared/collection-schemas'
import type { Arrived } from './import-formats-helpers'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'
import { runNewman } from './newman-run'

/**
 * Postman's `protocolProfileBehavior.disabledSystemHeaders` (`{"user-agent": true, …}`, lower-cased names as
 * Postman writes them, on a folder and on a request): the automatic headers switched off there are not sent.
 * Checked where the requests arrive, beside newman sending the same collection.
 */

const t = useImportTarget('fd-postman-system-headers')

function collection(base: string): unknown {
  const get = (name: string, path: string, profile?: unknown): unknown => ({
    name,
    ...(profile === undefined ? {} : { protocolProfileBehavior: profile }),
    request: {
      method: 'GET',
      header: [],
      url: { raw: `{{base}}/${path}`, host: ['{{base}}'], path: [path] },
    },
    response: [],
  })
  return {
    info: {
      _postman_id: '5d0c7a51-9e7b-4c8e-a3f1-2b6d9e0c4a17',
      name: 'Headers',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
      _exporter_id: '31544211',
    },
    item: [
      {
        name: 'Bare',
        protocolProfileBehavior: { disabledSystemHeaders: { 'user-agent': true } },
        item: [
          get('No agent', 'no-agent'),
          get('No accept', 'no-accept', {
            disabledSystemHeaders: { accept: true, 'accept-encoding': true, 'user-agent': false },
          }),
          get('Connection kept', 'connection', {
            disabledSystemHeaders: { connection: true, 'postman-token': true, 'user-agent': true },
          }),
        ],
      },
      get('Plain', 'plain', { disabledSystemHeaders: {} }),
    ],
    variable: [{ key: 'base', value: base }],
  }
}

const has = (a: Arrived | undefined, h: string): boolean => a !== undefined && h in a.headers

describe("Postman's switched-off automatic headers", () => {
  it('are not sent by the imported request, as newman does not send them; the others are', async () => {
    const report: ImportReport = await importText(JSON.stringify(collection(t.stub.url)), t.dir)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    const ours = new Map<string, Arrived>()
    for (const p of ['bare/no-agent', 'bare/no-accept', 'bare/connection-kept', 'plain'])
      ours.set(p, await sendSaved(t.service, t.stub, t.dir, `${p}.yaml`))

    const before = t.stub.arrived.length
    expect(await runNewman(collection(t.stub.url))).toEqual([])
    const theirs = new Map(t.stub.arrived.slice(before).map((a) => [a.url, a]))

    const seen = (m: Map<string, Arrived>, key: string): string[] =>
      ['user-agent', 'accept', 'accept-encoding'].filter((h) => has(m.get(key), h))
    expect(seen(ours, 'bare/no-agent')).toEqual(['accept', 'accept-encoding'])
    expect(seen(theirs, '/no-agent')).toEqual(['accept', 'accept-encoding'])
    // The request's own map replaces the folder's, in Postman as here: its user-agent goes out again.
    expect(seen(ours, 'bare/no-accept')).toEqual(['user-agent'])
    expect(seen(theirs, '/no-accept')).toEqual(['user-agent'])
    expect(seen(ours, 'bare/connection-kept')).toEqual(['accept', 'accept-encoding'])
    expect(seen(theirs, '/connection')).toEqual(['accept', 'accept-encoding'])
    expect(seen(ours, 'plain')).toEqual(['user-agent', 'accept', 'accept-encoding'])

    // What cannot be left out is said once, at the request that switches it off; Postman-Token is never sent.
    const lines = report.unmapped.filter((l) => l.includes('automatic'))
    expect(lines).toEqual([
      "Bare / Connection kept: Postman's automatic connection header is switched off there, but Flightdeck sends it as the connection and the body need (User-Agent, Accept, Accept-Encoding, Content-Type and Cache-Control are left out as in Postman)",
    ])
    expect(report.unmapped.join('\n')).not.toContain('disabledSystemHeaders')
  })
})

describe('the default headers a request leaves out, exported', () => {
  it("go to Postman as disabledSystemHeaders; Insomnia's export says it cannot hold them", () => {
    const skipped: string[] = []
    expect(postmanProfileOf({ omitDefaultHeaders: ['user-agent', 'accept'] }, 'ping', skipped)).toEqual({
      disabledSystemHeaders: { 'user-agent': true, accept: true },
    })
    expect(skipped).toEqual([])
    expect(insomniaSettingsOf({ omitDefaultHeaders: ['accept'] }, 'ping', skipped)).toBeNull()
    expect(skipped).toEqual([
      'ping: default headers left out (accept) not exported (Insomnia has no such per-request setting)',
    ])
  })
})
