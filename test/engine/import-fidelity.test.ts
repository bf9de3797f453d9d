import { describe, expect, it } from 'vitest'
import type { ImportReport } from '../../src/shared/collection-schemas'
import { importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * An imported request sends what the tool it came from sends: checked at a stub server, request by request,
 * for the shapes real exports use (auth written as "inherit", folders' auth, prefixes, switched-off rows).
 */

const t = useImportTarget('fd-fidelity')

const POSTMAN_V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

/** Import into the target and open it, as the app does after an import. */
async function importAndOpen(text: string): Promise<ImportReport> {
  const report = await importText(text, t.dir)
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
  return report
}

function postman(item: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ info: { name: 'Fidelity', schema: POSTMAN_V21 }, item, ...extra })
}

describe('Postman: auth', () => {
  it("auth written as \"inherit\" (Postman's Inherit auth from parent) takes the folder's, then the collection's, with no note", async () => {
    const report = await importAndOpen(
      postman(
        [
          {
            name: 'Orders',
            auth: { type: 'inherit' },
            item: [
              {
                name: 'List',
                request: { method: 'GET', url: `${t.stub.url}/orders`, auth: { type: 'inherit' } },
              },
            ],
          },
          {
            name: 'Users',
            auth: { type: 'bearer', bearer: [{ key: 'token', value: 'folder-token', type: 'string' }] },
            item: [
              {
                name: 'Me',
                request: { method: 'GET', url: `${t.stub.url}/me`, auth: { type: 'inherit' } },
              },
            ],
          },
        ],
        { auth: { type: 'bearer', bearer: [{ key: 'token', value: 'collection-token', type: 'string' }] } },
      ),
    )
    expect(report.unmapped.join('\n')).not.toMatch(/inherit|not supported/)
    const list = await sendSaved(t.service, t.stub, t.dir, 'orders/list.yaml')
    expect(list.headers['authorization']).toBe('Bearer collection-token')
    const me = await sendSaved(t.service, t.stub, t.dir, 'users/me.yaml')
    expect(me.headers['authorization']).toBe('Bearer folder-token')
  })
})
