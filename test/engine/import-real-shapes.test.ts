import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import {
  fixturePath,
  fixtureText,
  importText,
  runToEnd,
  savedRequest,
  sendSaved,
  useImportTarget,
} from './import-formats-helpers'

/**
 * Shapes found in real exports that earlier fixtures did not have, each imported and sent at a stub server, and
 * compared with what the source tool sends (fixtures are our own, in test/fixtures/samples/formats).
 */

const t = useImportTarget('fd-real-shapes')

async function importFixture(name: string): Promise<string[]> {
  const report = await importText(fixtureText(name, t.stub.url), t.dir)
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
  return report.unmapped
}

/** A Bruno fixture folder copied beside the target with the stub's address in it, then imported. */
async function importBrunoFolder(name: string): Promise<string[]> {
  const src = `${t.dir}-src`
  cpSync(fixturePath(name), src, { recursive: true })
  for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    const p = join(src, f)
    if (statSync(p).isFile()) writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__STUB__', t.stub.url))
  }
  const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
  rmSync(src, { recursive: true, force: true })
  if (!r.ok) throw new Error(r.error.message)
  const opened = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
  return r.value.unmapped
}

describe('Insomnia: auth switched off, and a bearer token without a prefix', () => {
  it('sends what Insomnia sends: a switched-off auth gives way to its folder’s; NO_PREFIX sends the token alone', async () => {
    // Over 1 s when first in the file: its first send warms the engine's HTTP client up (the others take 0.1-0.3 s).
    const unmapped = await importFixture('insomnia-v4-auth-switches.json')
    // Insomnia skips an auth switched off and sends the nearest folder's that is on (its own folder's here).
    const off = await sendSaved(t.service, t.stub, t.dir, 'admin/users-own-auth-off.yaml')
    expect(off.headers['authorization']).toBe('Bearer adm-1')
    // A folder's switched-off auth likewise: the request below it gets the folder above's.
    const audit = await sendSaved(t.service, t.stub, t.dir, 'admin/audit/audit-log.yaml')
    expect(audit.headers['authorization']).toBe('Bearer adm-1')
    const raw = await sendSaved(t.service, t.stub, t.dir, 'admin/token-without-prefix.yaml')
    expect(raw.headers['authorization']).toBe('raw-adm-1')
    // "No Auth" chosen on a request is no auth, under a folder that has one.
    const none = await sendSaved(t.service, t.stub, t.dir, 'admin/ping-no-auth.yaml')
    expect(none.headers['authorization']).toBeUndefined()
    expect(unmapped).toEqual(
      expect.arrayContaining([
        'Admin / Users (own auth off): its Basic auth is switched off: left out, and the auth above it is sent instead, as Insomnia sends it',
        'Admin / Audit: its Basic auth is switched off: left out, and the auth above it is sent instead, as Insomnia sends it',
        // Insomnia lays the folder's environment over the chosen one; Flightdeck's environment wins: said.
        "Admin: folder variable adminToken also set in environment Dev: Insomnia sends the folder's value to the requests in it, Flightdeck the chosen environment's (an environment wins over a folder); remove the name from the environment to keep Insomnia's",
      ]),
    )
  })
})

describe('Insomnia: Basic auth encoded as ISO 8859-1', () => {
  it('sends the bytes Insomnia sends: Latin-1 for José:pässwort, the same Basic auth for ASCII', async () => {
    const unmapped = await importFixture('insomnia-v4-auth-switches.json')
    const latin = await sendSaved(t.service, t.stub, t.dir, 'legacy-login-iso-8859-1.yaml')
    const expected = `Basic ${Buffer.from('José:pässwort', 'latin1').toString('base64')}`
    expect(expected).not.toBe(`Basic ${Buffer.from('José:pässwort', 'utf8').toString('base64')}`)
    expect(latin.headers['authorization']).toBe(expected)
    const ascii = await sendSaved(t.service, t.stub, t.dir, 'legacy-ascii-iso-8859-1.yaml')
    expect(ascii.headers['authorization']).toBe(`Basic ${Buffer.from('ann:pw').toString('base64')}`)
    expect((await savedRequest(t.dir, 'legacy-ascii-iso-8859-1.yaml')).auth).toEqual({
      type: 'basic',
      username: 'ann',
      password: 'pw',
    })
    expect(unmapped.filter((l) => l.includes('ISO 8859-1'))).toEqual([
      "Legacy login (ISO 8859-1): its Basic auth is encoded as ISO 8859-1, as Insomnia sends it: imported as an Authorization header (API key auth), since Flightdeck's Basic auth encodes UTF-8",
    ])
  })
})

describe('Insomnia: the base64 tag', () => {
  it('of a value written out is put in as Insomnia renders it (normal and URL-safe); of a variable, kept and said', async () => {
    const unmapped = await importFixture('insomnia-v4-auth-switches.json')
    const sent = await sendSaved(t.service, t.stub, t.dir, 'base64-tags.yaml')
    expect(sent.headers['authorization']).toBe(`Basic ${Buffer.from('ann:pässwort').toString('base64')}`)
    expect(sent.headers['x-url-safe']).toBe('Pz8-Pg')
    expect(unmapped).toContain(
      "Base64 tags: Insomnia template tag kept as text ({% base64 'encode', 'normal', _.base %}): Flightdeck has no such tag; the request refuses to send until it is replaced",
    )
  })
})

describe('Postman: GraphQL variables with an unquoted {{variable}}', () => {
  it('are sent with it filled in, as Postman sends them, and the report does not call them left out', async () => {
    const unmapped = await importFixture('postman-graphql-variables.json')
    const sent = await sendSaved(t.service, t.stub, t.dir, 'orders-page.yaml')
    expect((JSON.parse(sent.body) as { variables: unknown }).variables).toEqual({ first: 5, tag: 'mugs' })
    expect(unmapped.filter((l) => l.startsWith('Orders page') && l.includes('GraphQL'))).toEqual([])
  })

  it('saved as a GET is run as a GET with its query in the URL, and the report says what Postman sends', async () => {
    const unmapped = await importFixture('postman-graphql-variables.json')
    expect((await savedRequest(t.dir, 'order-by-get.yaml')).method).toBe('GET')
    const before = t.stub.arrived.length
    expect((await runToEnd(t.service, t.dir, 'order-by-get.yaml')).passed).toBe(1)
    const sent = t.stub.arrived[before]
    expect(sent?.method).toBe('GET')
    const q = new URL(sent?.url ?? '', 'http://x').searchParams
    expect(q.get('query')).toContain('order(id: $id)')
    expect(JSON.parse(q.get('variables') ?? '')).toEqual({ id: 'o-7 & co' })
    // Postman (disableBodyPruning on) sends the JSON body on the GET: a difference the report names.
    expect(unmapped.filter((l) => l.includes('GraphQL'))).toEqual([
      'Order by GET: a GraphQL GET: Postman sends its query as a JSON body on the GET (disableBodyPruning is on); Flightdeck sends it in the URL’s query string (query, variables), as GraphQL over HTTP has it',
    ])
  })
})

describe('Bruno and OpenCollection: a form-data part with several files', () => {
  /** The parts that arrived, by name, with their file name, type and bytes. */
  function partsOf(body: string, contentType: string): string[][] {
    const boundary = /boundary=("?)([^";]+)\1/.exec(contentType)?.[2] ?? ''
    return body
      .split(`--${boundary}`)
      .filter((p) => p.includes('name="'))
      .map((p) => {
        const [head = '', value = ''] = p.split('\r\n\r\n')
        const file = /filename="([^"]*)"/.exec(head)?.[1] ?? ''
        const type = /content-type: *([^\r\n]+)/i.exec(head)?.[1] ?? ''
        return [/name="([^"]+)"/.exec(head)?.[1] ?? '', file, type, value.replace(/\r\n$/, '')]
      })
  }

  it.each([
    ['.bru', 'bruno-multi-files'],
    ['OpenCollection', 'opencollection-multi-files.yml'],
  ])('%s: each file goes as a part of that name, as Bruno sends them', async (_, fixture) => {
    const unmapped = fixture.endsWith('.yml')
      ? await importFixture(fixture)
      : await importBrunoFolder(fixture)
    // Bruno reads them from its collection's folder. A bundled file has none here: the import says so. A folder
    // import re-points them to the folder it read (files/ below it, beside the import target here).
    const files = fixture.endsWith('.yml') ? join(t.dir, 'files') : join(`${t.dir}-src`, 'files')
    expect(unmapped).toContainEqual(
      expect.stringContaining(
        fixture.endsWith('.yml')
          ? `part "scans" reads "files/a.txt" and 1 more relative to the Bruno collection's folder; the imported request reads them from the collection folder it is imported into: copy them there`
          : `Upload receipts: file "files/a.txt" and 2 more not copied (not found): re-pointed to the Bruno collection's file ("../${basename(t.dir)}-src/files/a.txt"); 3 not found there`,
      ),
    )
    mkdirSync(files, { recursive: true })
    onTestFinished(() => rmSync(`${t.dir}-src`, { recursive: true, force: true }))
    for (const f of ['a', 'b']) writeFileSync(join(files, `${f}.txt`), `scan ${f}`)
    if (!fixture.endsWith('.yml')) {
      const allowed = await t.service.invoke('files.allow', { folder: `${t.dir}-src` })
      if (!allowed.ok) throw new Error(allowed.error.message)
    }
    const sent = await sendSaved(t.service, t.stub, t.dir, 'upload-receipts.yaml')
    expect(partsOf(sent.body, String(sent.headers['content-type']))).toEqual([
      ['store', '', '', 'Corner Cafe'],
      ['scans', 'a.txt', 'text/plain', 'scan a'],
      ['scans', 'b.txt', 'text/plain', 'scan b'],
    ])
  })
})
