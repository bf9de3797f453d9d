import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { harCollectionPlan } from '../../src/engine/importers/har-collection'
import { savedToSpec } from '../../src/shared/collection'
import { resolveTemplate } from '../../src/shared/template'
import { runCliWithConfig } from '../engine/collection-run-folder'
import {
  importText,
  multipartFields,
  savedRequest,
  sendSaved,
  useImportTarget,
  type Arrived,
} from '../engine/import-formats-helpers'
import { harOfUpload } from '../engine/har-upload-entry'

/**
 * A shared HAR whose recorded traffic holds `{{apiKey}}` (in the URL's query, a header, a JSON body, a multipart
 * part's name): imported as it stood, each became a variable, and a send filled it from the reader's environment
 * (`apiKey=SECRET`) and shipped the reader's secret to the HAR's host. The import keeps every recorded `{{` as
 * text (escaped `\{{`), the report says so per request, and the stub receives the braces, never SECRET: through
 * the engine and through `flightdeck run` on the imported folder.
 */

const t = useImportTarget('fd-har-braces-attack')

function sharedHar(base: string): string {
  const upload = JSON.parse(
    harOfUpload(`${base}/upload`, {
      mimeType: 'multipart/form-data; boundary=x',
      params: [{ name: '{{apiKey}}', value: 'v {{apiKey}}' }],
    }),
  ) as { log: { entries: { request: Record<string, unknown> }[] } }
  const [entry] = upload.log.entries
  if (!entry) throw new Error('no entry')
  const json = {
    ...entry,
    request: {
      ...entry.request,
      url: `${base}/items?q={{apiKey}}&page=1`,
      headers: [
        { name: 'Content-Type', value: 'application/json' },
        { name: 'X-Note', value: 'key {{apiKey}}' },
      ],
      postData: { mimeType: 'application/json', text: '{"key":"{{apiKey}}","raw":"\\\\{{apiKey}}"}' },
    },
  }
  upload.log.entries = [json, entry]
  return JSON.stringify(upload)
}

function requestFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(
      (f) => f.endsWith('.yaml') && !/(collection|folder)\.yaml$/.test(f) && !f.startsWith('environments'),
    )
    .map((f) => f.split('\\').join('/'))
    .sort()
}

function expectNoSecret(arrived: readonly Arrived[]): void {
  for (const a of arrived) expect(JSON.stringify(a)).not.toContain('SECRET')
}

function expectBracesArrived(arrived: readonly Arrived[]): void {
  const items = arrived.find((a) => a.url.startsWith('/items'))
  const upload = arrived.find((a) => a.url.startsWith('/upload'))
  expect(items?.url).toBe('/items?q={{apiKey}}&page=1')
  expect(items?.headers['x-note']).toBe('key {{apiKey}}')
  expect(items?.body).toBe('{"key":"{{apiKey}}","raw":"\\\\{{apiKey}}"}')
  expect(upload && multipartFields(upload)).toEqual({ '{{apiKey}}': 'v {{apiKey}}' })
}

describe('a HAR whose recorded traffic holds {{apiKey}}', () => {
  it('imports the braces as text: a send with apiKey=SECRET in the environment sends the braces', async () => {
    const { dir, stub, service } = t
    const report = await importText(sharedHar(stub.url), dir)
    expect(report.attention).toContain(
      "entry 1 (POST /items): {{apiKey}} kept as text, not a variable (in the URL, header X-Note, the JSON body): a recording's braces are sent as recorded, never filled from your environment",
    )
    expect(report.attention).toContain(
      "entry 2 (POST /upload): {{apiKey}} kept as text, not a variable (in a part name, part {{apiKey}}): a recording's braces are sent as recorded, never filled from your environment",
    )
    mkdirSync(join(dir, 'environments'))
    writeFileSync(join(dir, 'environments', 'local.yaml'), 'name: Local\nvariables:\n  apiKey: SECRET\n')
    const opened = await service.invoke('collection.open', { dir, create: false })
    if (!opened.ok) throw new Error(opened.error.message)
    const files = requestFiles(dir)
    expect(files).toHaveLength(2)
    const arrived: Arrived[] = []
    for (const f of files) arrived.push(await sendSaved(service, stub, dir, f, 'local'))
    expectNoSecret(arrived)
    expectBracesArrived(arrived)

    // Copy as curl writes the braces as they are sent; an export to Postman says Postman reads them as a variable.
    const items = await savedRequest(dir, files.find((f) => f.includes('items')) ?? '')
    const curl = await service.invoke('draft.snippet', {
      request: savedToSpec(items),
      auth: items.auth,
      context: { dir, path: files.find((f) => f.includes('items')) ?? '', env: 'local' },
      target: 'curl',
    })
    if (!curl.ok) throw new Error(curl.error.message)
    expect(curl.value.text).toContain("'X-Note: key {{apiKey}}'")
    expect(curl.value.text).toContain('"key":"{{apiKey}}"')
    expect(curl.value.text).not.toContain('SECRET')
    const exported = await service.invoke('export.collection', { dir, format: 'postman' })
    if (!exported.ok) throw new Error(exported.error.message)
    expect(exported.value.text).toContain('"value": "key {{apiKey}}"')
    expect(exported.value.skipped).toContain(
      `${files.find((f) => f.includes('items'))}: its literal "{{" (kept as text with \\{{ in Flightdeck) is written as {{, which Postman reads as a variable: check what Postman would fill in before sending it there`,
    )
    const brunoDir = mkdtempSync(join(tmpdir(), 'fd-har-braces-bruno-'))
    try {
      const file = join(brunoDir, 'out')
      const bruno = await service.invoke('export.collection', { dir, format: 'bruno', file })
      if (!bruno.ok) throw new Error(bruno.error.message)
      expect(bruno.value.skipped).toContain(
        `${files.find((f) => f.includes('items'))}: its literal "{{" (kept as text with \\{{ in Flightdeck) is written as {{, which Bruno reads as a variable: check what Bruno would fill in before sending it there`,
      )
    } finally {
      rmSync(brunoDir, { recursive: true, force: true })
    }

    // The same folder run by `flightdeck run` with the environment.
    const configDir = mkdtempSync(join(tmpdir(), 'fd-har-braces-cli-'))
    try {
      const before = stub.arrived.length
      const run = await runCliWithConfig(configDir, [dir, '--env', 'local'])
      expect(run.code).toBe(0)
      const byCli = stub.arrived.slice(before)
      expect(byCli).toHaveLength(2)
      expectNoSecret(byCli)
      expectBracesArrived(byCli)
    } finally {
      rmSync(configDir, { recursive: true, force: true })
    }
  })
})

describe('a HAR WebSocket whose recorded messages hold {{apiKey}}', () => {
  it('keeps the braces of its URL and messages as text and leaves out a braced subprotocol', async () => {
    const { dir } = t
    const har = {
      log: {
        version: '1.2',
        creator: { name: 'Chrome', version: '1' },
        entries: [
          {
            _resourceType: 'websocket',
            request: {
              method: 'GET',
              url: 'ws://127.0.0.1:9/live?room={{apiKey}}',
              headers: [{ name: 'Sec-WebSocket-Protocol', value: 'chat, {{apiKey}}' }],
            },
            _webSocketMessages: [
              { type: 'send', opcode: 1, data: '{"k":"{{apiKey}}","token":"t-1"}' },
              { type: 'send', opcode: 1, data: 'hello {{apiKey}}' },
            ],
          },
        ],
      },
    }
    const report = await importText(JSON.stringify(har), dir)
    expect(report.attention).toContain(
      "entry 1 (GET /live): {{apiKey}} kept as text, not a variable (in message 1, message 2, the URL): a recording's braces are sent as recorded, never filled from your environment",
    )
    expect(report.unmapped.join('\n')).toContain('1 subprotocol with "{{" (no HTTP token)')
    const [path] = requestFiles(dir)
    const saved = await savedRequest(dir, path ?? '')
    expect(saved.url).toBe('ws://127.0.0.1:9/live?room=\\{{apiKey}}')
    expect(saved.protocols).toEqual(['chat'])
    expect(saved.messages).toEqual([
      { name: 'message 1', text: '{"k":"\\{{apiKey}}","token":"{{har_token}}"}' },
      { name: 'message 2', text: 'hello \\{{apiKey}}' },
    ])
  })
})

describe('a HAR built to trip the escape', () => {
  it('a recorded backslash, {{{{ and a million {{ in one body come back byte for byte, in linear time', () => {
    const body = '{{'.repeat(1_000_000)
    const har = {
      log: {
        entries: [
          {
            request: {
              method: 'POST',
              url: 'http://127.0.0.1:9/x?a={{{{&b=\\{{k}}',
              headers: [{ name: 'X-A', value: '\\{{k}}{{{{' }],
              postData: { mimeType: 'text/plain', text: body },
            },
          },
        ],
      },
    }
    const started = performance.now()
    const plan = harCollectionPlan(har)
    const [host] = plan.children
    const node = host?.type === 'folder' ? host.folder.children[0] : undefined
    if (node?.type !== 'request') throw new Error('no request planned')
    const req = node.request
    const vars = new Map([['k', 'SECRET']])
    const sent = {
      url: resolveTemplate(req.url, vars),
      header: resolveTemplate(req.headers[0]?.value ?? '', vars),
      body: resolveTemplate(req.body.kind === 'text' ? req.body.text : '', vars),
    }
    const ms = performance.now() - started
    expect(sent.url).toEqual({ text: 'http://127.0.0.1:9/x?a={{{{&b=\\{{k}}', unknown: [] })
    expect(sent.header).toEqual({ text: '\\{{k}}{{{{', unknown: [] })
    expect(sent.body.text === body).toBe(true)
    // Linear: ~0.5 s here for 2 MB of braces (import and resolution); a pass per brace would be hours.
    expect(ms).toBeLessThan(10_000)
  })
})
