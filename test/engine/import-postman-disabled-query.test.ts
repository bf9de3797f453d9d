import { describe, expect, it } from 'vitest'
import { importText, savedRequest, sendSaved, useImportTarget } from './import-formats-helpers'
import { runNewman } from './newman-run'

/**
 * A Postman v2.1 request whose `url.raw` still shows query pairs that its `url.query` rows switch off (Postman
 * keeps `raw` as the display and sends the rows): the imported request sends what newman sends, and keeps the
 * switched-off rows beside the URL. Checked where the requests arrive.
 */

const t = useImportTarget('fd-postman-disabled-query')

type Row = { key: string; value: string | null; disabled?: boolean }

function collection(base: string): unknown {
  const get = (name: string, path: string, raw: string, query: Row[]): unknown => ({
    name,
    request: {
      method: 'GET',
      header: [],
      url: { raw: `{{base}}/${path}${raw}`, host: ['{{base}}'], path: [path], query },
    },
    response: [],
  })
  return {
    info: {
      _postman_id: '8f3e2b10-4c6d-4a9e-b7f2-1d0c5e9a3b64',
      name: 'Queries',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
      _exporter_id: '31544211',
    },
    item: [
      get('Second off', 'second-off', '?a=1&b=2', [
        { key: 'a', value: '1' },
        { key: 'b', value: '2', disabled: true },
      ]),
      get('Same name', 'same-name', '?tag=x&tag=y&page=2', [
        { key: 'tag', value: 'x' },
        { key: 'tag', value: 'y', disabled: true },
        { key: 'page', value: '2' },
      ]),
      get('All off', 'all-off', '?debug=true&flag', [
        { key: 'debug', value: 'true', disabled: true },
        { key: 'flag', value: null, disabled: true },
      ]),
      get('Off and moved', 'off-moved', '?q=lamp&limit=5', [
        { key: 'q', value: 'lamp' },
        { key: 'limit', value: '10', disabled: true },
      ]),
    ],
    variable: [{ key: 'base', value: base }],
  }
}

describe('a Postman raw URL with a switched-off query row', () => {
  it('sends only the rows Postman sends, as newman does', async () => {
    await importText(JSON.stringify(collection(t.stub.url)), t.dir)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    const ours: string[] = []
    for (const p of ['second-off', 'same-name', 'all-off', 'off-and-moved'])
      ours.push((await sendSaved(t.service, t.stub, t.dir, `${p}.yaml`)).url)

    const before = t.stub.arrived.length
    expect(await runNewman(collection(t.stub.url))).toEqual([])
    const theirs = t.stub.arrived.slice(before).map((a) => a.url)
    expect(ours).toEqual(theirs)
    expect(ours).toEqual(['/second-off?a=1', '/same-name?tag=x&page=2', '/all-off', '/off-moved?q=lamp'])

    // The rows stay in the request, switched off, so turning one on sends it again.
    const saved = await savedRequest(t.dir, 'second-off.yaml')
    expect(saved.disabledParams).toEqual([{ name: 'b', value: '2', enabled: false }])
  })
})
