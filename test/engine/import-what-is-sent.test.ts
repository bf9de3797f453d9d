import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'
import type { ImportReport } from '../../src/shared/collection-schemas'
import type { StepResultSummary } from '../../src/shared/run-schemas'
import { done, send, spec } from './helpers'
import {
  fixturePath,
  fixtureText,
  importText,
  runToEnd,
  savedRequest,
  sendSaved,
  useImportTarget,
} from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * What an imported request sends, checked where it arrives: query rows with no value, path parameters with
 * none, and form-data text parts with a Content-Type of their own, in the structures real Postman, Insomnia,
 * Bruno and OpenCollection files use (fixtures in test/fixtures/samples/formats).
 */

const t = useImportTarget('fd-sent')

async function open(): Promise<void> {
  const r = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!r.ok) throw new Error(r.error.message)
}

async function importFixture(name: string): Promise<ImportReport> {
  const report = await importText(fixtureText(name, t.stub.url), t.dir)
  await open()
  return report
}

/**
 * A Bruno fixture folder copied beside the target with the stub's address in it, then imported. `files` are
 * written into the copy first (Bruno reads them from there; the import re-points them), which is then kept,
 * and allowed, until the test ends.
 */
async function importBruno(name: string, files: Record<string, string> = {}): Promise<ImportReport> {
  const src = `${t.dir}-src`
  cpSync(fixturePath(name), src, { recursive: true })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(src, path)), { recursive: true })
    writeFileSync(join(src, path), text)
  }
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else writeFileSync(p, readFileSync(p, 'utf8').replaceAll('__STUB__', t.stub.url))
    }
  }
  walk(src)
  const r = await runImport({ file: src }, 'auto', t.dir, new MemorySecretStore())
  if (Object.keys(files).length === 0) rmSync(src, { recursive: true, force: true })
  else onTestFinished(() => rmSync(src, { recursive: true, force: true }))
  if (!r.ok) throw new Error(r.error.message)
  await open()
  if (Object.keys(files).length > 0) {
    const allowed = await t.service.invoke('files.allow', { folder: src })
    if (!allowed.ok) throw new Error(allowed.error.message)
  }
  return r.value
}

describe('a Postman collection in the Postman API’s envelope', () => {
  it('{ "collection": … } imports as the collection inside it and sends what it says', async () => {
    const report = await importFixture('postman-api-envelope.json')
    expect(report.format).toBe('postman')
    const got = await sendSaved(t.service, t.stub, t.dir, 'list-receipts.yaml')
    expect(got.url).toBe('/receipts?limit=5')
    expect(got.headers['authorization']).toBe('Bearer t-api')
  })
})

describe('a query parameter with no value', () => {
  it('the engine sends a bare name as typed (?flag), beside name= and name=value', async () => {
    const before = t.stub.arrived.length
    done(await send(t.service, spec(`${t.stub.url}/q?flag&empty=&x=1`, {})))
    expect(t.stub.arrived[before]?.url).toBe('/q?flag&empty=&x=1')
  })

  it('Postman: a url.query row whose value is null goes as its name alone, as Postman sends it', async () => {
    const report = await importFixture('postman-flags-parts.json')
    // `pretty` is only in url.query (Postman sends it); `debug` is switched off.
    const search = await sendSaved(t.service, t.stub, t.dir, 'search/search-receipts-flags.yaml')
    expect(search.url).toBe('/receipts/search?verbose&q=coffee&pretty')
    // A URL with no raw text is built from host, path and query, null rows bare.
    const all = await sendSaved(t.service, t.stub, t.dir, 'search/list-all-receipts-url-from-parts.yaml')
    expect(all.url).toBe('/receipts?all&page=2')
    expect(report.unmapped.join('\n')).not.toMatch(/verbose|pretty|all/)
  })

  it('Insomnia: a parameter with no value goes as its name alone, one with "" as name=, as Insomnia sends them', async () => {
    await importFixture('insomnia-v4-params.json')
    const got = await sendSaved(t.service, t.stub, t.dir, 'search-receipts.yaml')
    expect(got.url).toBe('/receipts/search?verbose&q=coffee&page=')
  })
})

describe('a switched-off query parameter', () => {
  it('Insomnia: kept unticked beside the URL (as Postman and Bruno ones are), never sent', async () => {
    await importFixture('insomnia-v4-params.json')
    const insomnia = await savedRequest(t.dir, 'search-receipts.yaml')
    expect(insomnia.disabledParams).toEqual([{ name: 'debug', value: '', enabled: false }])
    expect((await sendSaved(t.service, t.stub, t.dir, 'search-receipts.yaml')).url).not.toContain('debug')
  })

  it('Hoppscotch and Yaak fixtures: the same', async () => {
    const hopp = await importText(fixtureText('hoppscotch-collection.json', t.stub.url), `${t.dir}/hopp`)
    expect(hopp.unmapped.join('\n')).not.toContain('dry')
    const yaak = await importText(fixtureText('yaak-export.json', t.stub.url), `${t.dir}/yaak`)
    expect(yaak.unmapped.join('\n')).not.toContain('verbose')
    const found = (dir: string): string[] =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => readFileSync(join(dir, f), 'utf8'))
        .filter((text) => text.includes('disabledParams'))
    expect(found(`${t.dir}/hopp`).join('\n')).toMatch(/disabledParams:\n\s+- name: dry\n\s+value: "?1"?\n/)
    expect(found(`${t.dir}/yaak`).join('\n')).toMatch(
      /disabledParams:\n\s+- name: verbose\n\s+value: "?1"?\n/,
    )
  })
})

describe('a path parameter with no value', () => {
  it('Bruno: :name is sent as written, as Bruno sends it, and the report says so; a valued one is put in', async () => {
    const report = await importBruno('bruno-v2')
    const got = await sendSaved(t.service, t.stub, t.dir, 'users/get-user.yaml')
    expect(got.url).toBe('/users/42/receipts/:receiptId')
    const u = report.unmapped.join('\n')
    expect(u).toContain('Users/get-user.bru: path parameter :receiptId has no value; sent as written')
    // Row descriptions (annotations) are read past: the headers they describe are sent.
    expect(got.headers['x-tenant']).toBe('acme')
    expect(got.headers['x-trace']).toBe('bruno-import')
    expect(u).toContain('Users/get-user.bru: 2 row annotations (descriptions, types) not kept')
  })

  it('Yaak: a URL parameter named :orderId fills /:orderId (encoded) and leaves the query, as Yaak sends it', async () => {
    await importFixture('yaak-path-params.json')
    const got = await sendSaved(t.service, t.stub, t.dir, 'get-order-line.yaml')
    // {{order}} resolves to "A 17" when sent (the engine encodes the space); "2/3" is encoded by the import.
    expect(got.url).toBe('/orders/A%2017/lines/2%2F3?expand=item&%3Anowhere=x')
  })

  it('Insomnia: pathParameters fill /:name (encoded); an empty one is sent as written and reported', async () => {
    const report = await importFixture('insomnia-v4-params.json')
    const got = await sendSaved(t.service, t.stub, t.dir, 'get-user-receipt.yaml')
    expect(got.url).toBe('/users/ana%20maria/receipts/:receiptId')
    expect(report.unmapped.join('\n')).toContain(
      'Get user receipt: path parameter :receiptId has no value; sent as written, as Insomnia sends it',
    )
  })

  it('OpenCollection: the same, from a type: path param with an empty value', async () => {
    const report = await importFixture('opencollection-parts.yml')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-for-user.yaml', 'dev')
    expect(got.url).toBe('/users/42/receipts/:receiptId')
    expect(report.unmapped.join('\n')).toContain('path parameter :receiptId has no value; sent as written')
  })
})

describe("a form-data text part's own Content-Type", () => {
  it('the engine sends it in the part, bytes as written; a type that is not one line of ASCII is refused', async () => {
    const before = t.stub.arrived.length
    const parts = [
      {
        kind: 'text' as const,
        name: 'doc',
        value: '{"a":\n1}',
        contentType: 'application/json',
        enabled: true,
      },
      { kind: 'text' as const, name: 'plain', value: 'x', enabled: true },
    ]
    done(
      await send(t.service, spec(`${t.stub.url}/up`, { method: 'POST', body: { kind: 'multipart', parts } })),
    )
    const got = t.stub.arrived[before]
    if (!got) throw new Error('nothing arrived')
    expect(multipartParts(got)).toEqual([
      { name: 'doc', filename: null, contentType: 'application/json', body: '{"a":\n1}' },
      { name: 'plain', filename: null, contentType: null, body: 'x' },
    ])
    const evil = { kind: 'text' as const, name: 'plain', value: 'x', enabled: true }
    const bad = await t.service.invoke('request.send', {
      request: spec(`${t.stub.url}/up`, {
        method: 'POST',
        body: { kind: 'multipart', parts: [{ ...evil, contentType: 'text/plain\r\nX-Evil: 1' }] },
      }),
      auth: { type: 'none' },
    })
    expect(bad.ok).toBe(false)
    expect(bad.ok ? '' : bad.error.message).toContain('printable ASCII on one line')
    expect(t.stub.arrived.length).toBe(before + 1)
  })

  it('Postman: sent with the part, without a filename; a part without one has none', async () => {
    const report = await importFixture('postman-flags-parts.json')
    expect(report.unmapped.join('\n')).not.toMatch(/Content-Type/)
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-receipt-with-metadata.yaml')
    const parts = multipartParts(got)
    expect(parts.map((p) => p.name)).toEqual(['metadata', 'note', 'summary'])
    expect(parts[0]).toEqual({
      name: 'metadata',
      filename: null,
      contentType: 'application/json',
      body: '{"store": "Corner Cafe", "total": 4.5}',
    })
    expect(parts[1]).toEqual({ name: 'note', filename: null, contentType: null, body: 'paid in cash' })
    expect(parts[2]?.contentType).toBe('text/plain; charset=utf-8')
    // The request file keeps it, so a save and a reload keep sending it.
    expect(readFileSync(join(t.dir, 'upload-receipt-with-metadata.yaml'), 'utf8')).toMatch(
      /name: metadata\n\s+value: .*\n\s+contentType: application\/json\n/,
    )
  })

  it("Bruno: @contentType(…) after a value, and after a ''' block, is the part's type", async () => {
    await importBruno('bruno-v2')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-receipt.yaml')
    const parts = multipartParts(got)
    expect(parts.map((p) => [p.name, p.contentType, p.filename])).toEqual([
      ['metadata', 'application/json', null],
      ['note', null, null],
      ['tags', 'application/json', null],
    ])
    expect(parts[0]?.body).toBe('{\n  "store": "Corner Cafe",\n  "total": 4.5\n}')
    expect(parts[2]?.body).toBe('["food","cash"]')
  })

  it('OpenCollection: a part’s contentType is sent with it', async () => {
    await importFixture('opencollection-parts.yml')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-for-user.yaml', 'dev')
    expect(multipartParts(got).map((p) => [p.name, p.contentType, p.body])).toEqual([
      ['metadata', 'application/json', '{"store": "Corner Cafe"}'],
      ['note', null, 'paid in cash'],
    ])
  })
})

describe('Bruno request variables', () => {
  it('vars:pre-request values are written where the request uses them, as Bruno resolves them first', async () => {
    const report = await importBruno('bruno-v2')
    const got = await sendSaved(t.service, t.stub, t.dir, 'search-receipts.yaml', 'local')
    expect(got.url).toBe('/receipts/search?limit=5')
    expect(got.headers['authorization']).toBe('Bearer s-42')
    // {{region}} is not a request variable: it stays a reference, resolved from the environment.
    expect(got.headers['x-region']).toBe('eu')
    expect(report.unmapped.join('\n')).toContain(
      'search.bru: request variables (limit, searchToken) written into the request where it uses them',
    )
  })
})

describe('a Bruno file body', () => {
  it('the selected file is the body, with its @contentType; meta tags in a [ list ] do not stop the file being read', async () => {
    const report = await importBruno('bruno-v2', { 'scans/receipt.json': '{"total": 4.5}\n' })
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-scan.yaml')
    expect(got.method).toBe('PUT')
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.body).toBe('{"total": 4.5}\n')
    const u = report.unmapped.join('\n')
    expect(u).toContain('upload-scan.bru: tags (uploads, smoke) not kept')
    expect(u).toContain('upload-scan.bru: 2 files kept for the body in Bruno; the selected one is the body')
  })

  it('OpenCollection: a file body’s selected entry is the body', async () => {
    await importFixture('opencollection-parts.yml')
    mkdirSync(join(t.dir, 'scans'))
    writeFileSync(join(t.dir, 'scans', 'receipt.json'), '{"total": 4.5}\n')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-scan.yaml', 'dev')
    expect(got.headers['content-type']).toBe('application/json')
    expect(got.body).toBe('{"total": 4.5}\n')
  })
})

describe('a JSON body written with comments', () => {
  it('Bruno: the comments are taken out, as Bruno sends the body, and the report says so', async () => {
    const report = await importBruno('bruno-v2')
    const got = await sendSaved(t.service, t.stub, t.dir, 'create-order.yaml')
    expect(JSON.parse(got.body)).toEqual({ customer: 'ana', lines: [1, 2] })
    expect(report.unmapped.join('\n')).toContain(
      'create-order.bru: 2 comments in the JSON body taken out, as Bruno sends it',
    )
  })

  it('Bruno: a GraphQL request’s variables lose their comments too, as Bruno sends them', async () => {
    const report = await importBruno('bruno-v2')
    const got = await sendSaved(t.service, t.stub, t.dir, 'find-orders.yaml')
    expect(JSON.parse(got.body)).toMatchObject({ variables: { customer: 'ana' } })
    expect(report.unmapped.join('\n')).toContain(
      'find-orders.bru: 1 comment in the GraphQL variables taken out, as Bruno sends it',
    )
  })

  it('Hoppscotch: comments and trailing commas are taken out; a JSON type of its own is kept', async () => {
    const report = await importFixture('hoppscotch-jsonc.json')
    const got = await sendSaved(t.service, t.stub, t.dir, 'create-receipt.yaml')
    expect(JSON.parse(got.body)).toEqual({
      store: 'Corner Cafe',
      url: 'https://corner.example/cafe',
      items: ['coffee', 'bun'],
    })
    expect(report.unmapped.join('\n')).toContain(
      'Create receipt: 2 comments and 2 trailing commas in the JSON body taken out, as Hoppscotch sends it',
    )
    const api = await sendSaved(t.service, t.stub, t.dir, 'create-receipt-json-api.yaml')
    expect(api.headers['content-type']).toBe('application/vnd.api+json')
    expect(JSON.parse(api.body)).toEqual({ data: { type: 'receipts', attributes: { store: 'Corner Cafe' } } })
  })

  it('Hoppscotch: a multipart text part’s contentType is sent with it, and the report names the filename Hoppscotch adds', async () => {
    const report = await importFixture('hoppscotch-jsonc.json')
    const got = await sendSaved(t.service, t.stub, t.dir, 'upload-receipt.yaml')
    // The file part (its file is not in the export, so it is kept switched off) comes after the text parts,
    // where Hoppscotch sends it.
    const saved = await savedRequest(t.dir, 'upload-receipt.yaml')
    expect(
      saved.body.kind === 'multipart' &&
        saved.body.parts.map((p) => [p.kind, p.name, p.contentType, p.enabled]),
    ).toEqual([
      ['text', 'metadata', 'application/json', true],
      ['text', 'note', undefined, true],
      ['file', 'scan', 'image/png', false],
    ])
    expect(multipartParts(got).map((p) => [p.name, p.contentType, p.filename, p.body])).toEqual([
      ['metadata', 'application/json', null, '{"store":"Corner Cafe"}'],
      ['note', null, null, 'paid in cash'],
    ])
    expect(report.unmapped.join('\n')).toContain(
      'Upload receipt: part "metadata" is sent with its Content-Type "application/json" as a field; Hoppscotch also gives it filename="metadata"',
    )
  })
})

describe('an API key sent in a cookie', () => {
  it('Insomnia: addTo "cookie" goes as Cookie: key=value (a folder’s to the requests that inherit it), never as a header named for the key', async () => {
    const report = await importFixture('insomnia-v4-cookie-key.json')
    // A request below the folder with the key, in a subfolder that inherits: its own cookie and the key's.
    const list = await sendSaved(t.service, t.stub, t.dir, 'shelves/jars/list-jars.yaml', 'staging')
    expect(list.url).toBe('/jars')
    expect(list.headers['cookie']).toBe('theme=dark; pantry_sid=staging-session')
    expect(list.headers['pantry_sid']).toBeUndefined()
    // A request with auth of its own sends that, not the folder's key.
    const audit = await sendSaved(t.service, t.stub, t.dir, 'shelves/jars/audit-jars.yaml')
    expect(audit.headers['authorization']).toBe('Bearer audit-token')
    expect(audit.headers['cookie']).toBeUndefined()
    const ping = await sendSaved(t.service, t.stub, t.dir, 'ping.yaml')
    expect(ping.headers['cookie']).toBe('probe=p-1')
    expect(ping.headers['probe']).toBeUndefined()
    const u = report.unmapped.join('\n')
    expect(u).toContain(
      'Shelves: its API key is sent in a cookie, as Insomnia sends it: copied as a Cookie header into 1 request(s) below it that inherit its auth',
    )
    expect(u).toContain('Ping: API key sent in a cookie, as Insomnia sends it: kept as a Cookie header')
  })
})

describe("Bruno's assertion operators", () => {
  // A run (the script sandbox starts once, ~0.5 s of the test's time) is what shows a check failing.
  it('OpenCollection: each runs in a run as Bruno checks it (a failed one fails the request by name); one it cannot read is named', async () => {
    const report = await importFixture('opencollection-assertions.yml')
    const results: StepResultSummary[] = []
    const off = t.service.onEvent((e) => {
      if (e.name === 'run.progress') results.push(...e.payload.results)
    })
    const run = await runToEnd(t.service, t.dir, '', 'dev').finally(off)
    expect(run.finished?.stats).toMatchObject({ passed: 0, failed: 1 })
    const outcomes = results[0]?.assertions ?? []
    // The login stub answers 200 {"token":"t-42","user":{"id":7}} as JSON: only `gt 10` is false.
    expect(outcomes.filter((a) => !a.passed).map((a) => a.name)).toEqual(['res.body.user.id: gt 10'])
    expect(outcomes.filter((a) => a.passed).map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'res.status: neq 500',
        'res.status: in 200, 201',
        'res.body.user.id: isNumber',
        'res.body.token: startsWith t-',
        'res.body.token: length 4',
        "res.headers['content-type']: contains json",
        'res.body.refresh: isUndefined',
        'res.body.user.id: eq {{expectedUser}}',
        'a token came back',
      ]),
    )
    expect(outcomes.map((a) => a.name).join('\n')).not.toContain('201"')
    const u = report.unmapped.join('\n')
    expect(u).toContain(`Log in: assertion "res('user.id'): eq 7" left out`)
    expect(u).toContain("Log in: 9 assertions written as tests in the request's test script")
  })
})

describe("Bruno's assert block", () => {
  // A run (the script sandbox starts once, ~0.5 s of the test's time) is what shows a check failing.
  it('.bru: each operator runs in a run as Bruno checks it, with the request’s own variables', async () => {
    const report = await importBruno('bruno-v2')
    const results: StepResultSummary[] = []
    const off = t.service.onEvent((e) => {
      if (e.name === 'run.progress') results.push(...e.payload.results)
    })
    const run = await runToEnd(t.service, t.dir, 'check-login.yaml', 'local').finally(off)
    expect(run.finished?.stats).toMatchObject({ passed: 0, failed: 1 })
    expect(t.stub.arrived.at(-1)?.body).toBe('{\n  "user": "ada"\n}')
    const outcomes = results[0]?.assertions ?? []
    // The login stub answers 200 {"token":"t-42","user":{"id":7}} with X-Session: s-9: only `lte 5` is false.
    expect(outcomes.filter((a) => !a.passed).map((a) => a.name)).toEqual(['res.body.user.id: lte 5'])
    expect(outcomes.filter((a) => a.passed).map((a) => a.name)).toEqual(
      expect.arrayContaining([
        'res.status: neq 500',
        'res.body.user.id: isNumber',
        // eq with the request's {{expectedId}} put in: a JSON assertion of Flightdeck's own.
        '$.user.id equals 7',
        'res.body.token: matches ^t-\\d+$',
        'res.headers.x-session: startsWith s-',
        'a token came back',
      ]),
    )
    expect((await savedRequest(t.dir, 'check-login.yaml')).description).toBe(
      'Logs in as ada; the checks say what the login answers.',
    )
    expect(report.unmapped.join('\n')).toContain(
      "check-login.bru: 5 assertions written as tests in the request's test script",
    )
  })
})
