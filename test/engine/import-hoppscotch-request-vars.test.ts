import { describe, expect, it } from 'vitest'
import { fixtureText, importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * Hoppscotch resolves a request's own variables (`requestVariables`) before the collection's and the
 * environment's; a Flightdeck request has none of its own, so the import writes each value where the request
 * uses it. A switched-off one is not used: the collection's value of that name goes out, as in Hoppscotch.
 */

const t = useImportTarget('fd-hopp-request-vars')

describe('Hoppscotch request variables', () => {
  it("win over the collection's, in the URL, query and headers; a switched-off one does not", async () => {
    const report = await importText(fixtureText('hoppscotch-request-vars.json', t.stub.url), t.dir)
    const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const got = await sendSaved(t.service, t.stub, t.dir, 'get-user-receipts.yaml')
    expect(got.url).toBe('/users/42/receipts?limit=5')
    expect(got.headers['x-trace']).toBe('hopp-import')
    expect(report.unmapped).toContain(
      'Get user receipts: request variables (userId, limit) written into the request where it uses them (Flightdeck requests have no variables of their own)',
    )
  })
})
