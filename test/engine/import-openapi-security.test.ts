import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dump, load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { fixtureText, importText, sendSaved, useImportTarget } from './import-formats-helpers'

/**
 * OpenAPI `security` lists alternatives: any one of them will do, and an empty one (`{}`) means no auth will do
 * too. An operation whose auth is optional is imported without auth, and the report says which it could send; a
 * list of several goes out with the first, and the report names the others. Checked at a stub the imported
 * requests are sent to.
 */

const target = useImportTarget('fd-openapi-security')

async function importSpec(): Promise<string> {
  const report = await importText(
    fixtureText('openapi-security-alternatives.yaml', target.stub.url),
    target.dir,
  )
  // The token the bearer scheme's {{token}} is filled from, as a user sets it after the import.
  const file = join(target.dir, 'collection.yaml')
  const settings = load(readFileSync(file, 'utf8')) as { variables?: Record<string, unknown> }
  settings.variables = { ...settings.variables, token: 't-1' }
  writeFileSync(file, dump(settings))
  const opened = await target.service.invoke('collection.open', { dir: target.dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  return report.unmapped.join('\n')
}

describe('OpenAPI: security alternatives', () => {
  it('several alternatives: the first is sent, the report names the rest', async () => {
    const report = await importSpec()
    expect(report).toContain(
      'API: accepts lockerToken or partnerKey; lockerToken is applied, the others are left out',
    )
    const got = await sendSaved(target.service, target.stub, target.dir, 'list-lockers.yaml')
    expect(got.url).toBe('/v2/lockers')
    expect(got.headers['authorization']).toBe('Bearer t-1')
    expect(got.headers['x-partner-key']).toBeUndefined()
  })

  it('an optional auth ({} among them) is imported as none, and said with what it could send', async () => {
    const report = await importSpec()
    expect(report).toContain(
      'GET /lockers/{lockerId}/status: auth is optional (the spec also accepts partnerKey); imported without auth: set it on the request to send one',
    )
    const got = await sendSaved(target.service, target.stub, target.dir, 'locker-status.yaml')
    expect(got.url).toBe('/v2/lockers/L-17/status')
    expect(got.headers['authorization']).toBeUndefined()
    expect(got.headers['x-partner-key']).toBeUndefined()
  })

  it('a lone {} means no auth, like an empty list: nothing sent and nothing to say', async () => {
    const report = await importSpec()
    expect(report).not.toMatch(/GET \/health/)
    const got = await sendSaved(target.service, target.stub, target.dir, 'health.yaml')
    expect(got.headers['authorization']).toBeUndefined()
  })

  it('an OAuth 2 implicit flow is a Bearer {{token}} to fill in, and the report says why it is not run', async () => {
    const report = await importSpec()
    expect(report).toContain(
      'POST /lockers/{lockerId}/reservations: security scheme "kioskLogin" is OAuth 2\'s implicit flow, which Flightdeck does not run',
    )
    expect(report).toContain(
      'so set token to an access token got at https://id.lockers.example/oauth/authorize',
    )
    const got = await sendSaved(target.service, target.stub, target.dir, 'reserve-a-compartment.yaml')
    expect(got.url).toBe('/v2/lockers/L-17/reservations')
    expect(got.headers['authorization']).toBe('Bearer t-1')
  })
})
