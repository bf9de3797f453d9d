import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../src/engine/service'
import { singleQuotedString } from '../../src/engine/exporters/snippet-strings'
import { savedToSpec } from '../../src/shared/collection'
import { done, makeService } from '../engine/helpers'
import { savedRequest, sendSaved, startStub, type Arrived, type Stub } from '../engine/import-formats-helpers'
import { multipartParts } from '../engine/multipart-parts'

/**
 * A shared collection whose form-data request is built to break out of a code snippet's quotes. httpsnippet
 * writes multipart part names, values, file names and types into the code as they are: curl's `--form
 * name='@path'`, fetch's `form.append('name', 'value')` and requests' `files`/`payload` literals. A person who
 * copies the snippet and runs it must send the request, never run what the collection's author hid in it: each
 * snippet is run here by the real sh + curl, node and python3 (requests) against a stub, in a folder holding
 * the part's file.
 */

// Each name closes its quote in one language and calls out: a marker file appears if the code ran.
const PY_NAME = 'note": __import__("os").system("touch pwned-py"), "x'
const JS_NAME = "memo', require('fs').writeFileSync('pwned-js', 'x'), '"
const SH_PATH = "it's;$(touch pwned-sh);'.txt"
const TYPE = "text/plain';touch pwned-type;'"
/** form.yaml's body as Send sends it, which every language's code sends as one string (snippet-escapes.ts). */
const FORM_SENT = new URLSearchParams([
  [JS_NAME, "it's"],
  [PY_NAME, 'x'],
]).toString()
const MARKERS = ['pwned-py', 'pwned-js', 'pwned-sh', 'pwned-type']
const PLAIN = 'plain.txt'
// Ruby runs #{…} and PHP {${…}} inside double quotes.
const INTERPOLATED = "#{`touch pwned-rb`} {${system('touch pwned-php')}}"
// PowerShell expands $(…) in double quotes; a ' ends a single-quoted string (‘ and ’ do too).
const PS_HEADER = 'note $(New-Item pwned-ps) `"'
const PS_BODY = "a’;New-Item pwned-ps;'"
// What a person writes without meaning harm: quotes of both kinds, a backslash and a line break.
const QUOTED_NAME = `it's "a" \\ name`
const QUOTED_VALUE = `it's "quoted" \\ value\nand two lines`

let stub: Stub
let work: string
let dir: string
let service: EngineService

beforeAll(async () => {
  stub = await startStub()
  work = mkdtempSync(join(tmpdir(), 'fd-attack-snippet-'))
  service = makeService({ configDir: join(work, 'config'), persistWorkspace: false, watchCollections: false })
  dir = join(work, 'shared')
  mkdirSync(dir)
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Shared\n')
  const save = (file: string, parts: Record<string, unknown>[]): void =>
    // YAML reads JSON: the hostile strings need no YAML quoting of their own.
    writeFileSync(
      join(dir, file),
      `${JSON.stringify({ name: file, method: 'POST', url: `${stub.url}/upload`, body: { kind: 'multipart', parts } }, null, 2)}\n`,
    )
  const text = (name: string, value: string): Record<string, unknown> => ({
    kind: 'text',
    name,
    value,
    enabled: true,
  })
  const file = (path: string, contentType?: string): Record<string, unknown> => ({
    kind: 'file',
    name: 'doc',
    path,
    ...(contentType ? { contentType } : {}),
    enabled: true,
  })
  // The collection's own copies of the files, for what Flightdeck itself sends.
  writeFileSync(join(dir, SH_PATH), 'file bytes\n')
  writeFileSync(join(dir, PLAIN), 'file bytes\n')
  save('sh.yaml', [text('note', 'first'), file(SH_PATH, TYPE)])
  save('js.yaml', [text(JS_NAME, 'first'), file(PLAIN)])
  save('py.yaml', [text(PY_NAME, 'first'), file(PLAIN, 'text/plain')])
  writeFileSync(
    join(dir, 'form.yaml'),
    `${JSON.stringify({
      name: 'form',
      method: 'POST',
      url: `${stub.url}/form`,
      body: {
        kind: 'form',
        fields: [
          { name: JS_NAME, value: "it's", enabled: true },
          { name: PY_NAME, value: 'x', enabled: true },
        ],
      },
    })}\n`,
  )
  writeFileSync(
    join(dir, 'ps.yaml'),
    `${JSON.stringify({
      name: 'ps',
      method: 'POST',
      url: `${stub.url}/ps`,
      headers: [{ name: 'X-Note', value: PS_HEADER, enabled: true }],
      body: { kind: 'text', text: PS_BODY, contentType: 'text/plain' },
    })}\n`,
  )
  writeFileSync(
    join(dir, 'interpolated.yaml'),
    `${JSON.stringify({
      name: 'interpolated',
      method: 'POST',
      url: `${stub.url}/interpolated`,
      headers: [{ name: 'X-Note', value: INTERPOLATED, enabled: true }],
      body: { kind: 'text', text: INTERPOLATED, contentType: 'text/plain' },
    })}\n`,
  )
  save('quotes.yaml', [text(QUOTED_NAME, QUOTED_VALUE), file(PLAIN, 'text/plain')])
  writeFileSync(join(work, 'id_rsa'), 'PRIVATE KEY\n')
  save('equals.yaml', [text(`note=@${join(work, 'id_rsa')};x`, 'hello')])
  save('text-only.yaml', [
    text(PY_NAME, 'first'),
    text('second', QUOTED_VALUE),
    { ...text('doc', '{"a":1}'), contentType: 'application/json' },
  ])
  const opened = await service.invoke('collection.open', { dir, create: false })
  if (!opened.ok) throw new Error(opened.error.message)
})

afterAll(async () => {
  await service.dispose()
  await stub.close()
  rmSync(work, { recursive: true, force: true })
})

type Target = 'curl' | 'javascript-fetch' | 'python-requests'

/** Where each snippet is written and what runs it, as a person would. */
const RUNNERS: Record<Target, [file: string, bin: string]> = {
  curl: ['snippet.sh', 'sh'],
  // An ES module: a file part is read with `await openAsBlob(…)`.
  'javascript-fetch': ['snippet.mjs', process.execPath],
  'python-requests': ['snippet.py', 'python3'],
}

interface RunOutcome {
  folder: string
  arrived: Arrived | undefined
  error: string
}

/** The request's Code snippet for `target`, run as a person would in a fresh folder holding the part's file. */
async function runSnippet(request: string, target: Target): Promise<RunOutcome> {
  const snippet = await service.invoke('export.request', { dir, path: request, target })
  if (!snippet.ok) throw new Error(snippet.error.message)
  const [file, bin] = RUNNERS[target]
  return runCode(snippet.value.text, file, bin)
}

async function runCode(code: string, file: string, bin: string): Promise<RunOutcome> {
  const folder = mkdtempSync(join(work, 'run-'))
  writeFileSync(join(folder, SH_PATH), 'file bytes\n')
  writeFileSync(join(folder, PLAIN), 'file bytes\n')
  writeFileSync(join(folder, file), code)
  const before = stub.arrived.length
  const error = await new Promise<string>((resolve) =>
    execFile(bin, [file], { cwd: folder, timeout: 20_000 }, (e, _out, err) =>
      resolve(e ? `${e.message}\n${err}` : ''),
    ),
  )
  return { folder, arrived: stub.arrived[before], error }
}

/** A sent request's id, as its timeline row has it (Copy as … works from what was sent). */
async function sentSid(request: string): Promise<string> {
  const req = await savedRequest(dir, request)
  const r = await service.invoke('request.send', {
    request: savedToSpec(req),
    auth: req.auth,
    context: { dir, path: request },
  })
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  const sid = r.value.sids[0] as string
  done(await service.http.waitFor(sid))
  return sid
}

function expectNothingRan(folder: string): void {
  expect(MARKERS.filter((m) => existsSync(join(folder, m)))).toEqual([])
}

const parts = (a: Arrived | undefined): [string | null, string][] =>
  a ? multipartParts(a).map((p) => [p.name, p.body]) : []

/** The parts as Flightdeck itself sends the request (a `"` in a name goes as %22, as curl, Node and requests send it). */
async function oursOf(request: string): Promise<[string | null, string][]> {
  return parts(await sendSaved(service, stub, dir, request))
}

describe('a hostile collection’s form-data request as a snippet', () => {
  it('curl: a file path and a part type that close their quotes are sent as written, and nothing else runs', async () => {
    const run = await runSnippet('sh.yaml', 'curl')
    expectNothingRan(run.folder)
    expect(run.error).toBe('')
    expect(parts(run.arrived)).toEqual([
      ['note', 'first'],
      ['doc', 'file bytes\n'],
    ])
    expect(parts(run.arrived)).toEqual(await oursOf('sh.yaml'))
  })

  // curl -F's name ends at its first `=`: `note=@…/id_rsa;x="hello"` uploaded that file (curl only warned about `x`).
  it('curl: a part name with "=" is refused in words, from the Code dialog and a timeline row, never read as a file', async () => {
    const snippet = await service.invoke('export.request', { dir, path: 'equals.yaml', target: 'curl' })
    expect(snippet.ok ? snippet.value.text : snippet.error.message).toMatch(
      /^Cannot make a curl snippet: it has a part name with "=" \("note=@.*id_rsa;x"\), which curl -F reads as the end of the name$/,
    )
    const row = await service.invoke('session.snippet', {
      sid: await sentSid('equals.yaml'),
      target: 'shell:curl',
    })
    expect(row.ok ? row.value.code : row.error.message).toContain('curl -F reads as the end of the name')
  })

  it('javascript-fetch: a part name that closes its quote is sent as written, and nothing else runs', async () => {
    const run = await runSnippet('js.yaml', 'javascript-fetch')
    expectNothingRan(run.folder)
    expect(run.error).toBe('')
    expect(parts(run.arrived)[0]).toEqual([JS_NAME, 'first'])
    expect(parts(run.arrived)[0]).toEqual((await oursOf('js.yaml'))[0])
  })

  it('python-requests: a part name that closes its quote is sent as written, and nothing else runs', async () => {
    const run = await runSnippet('py.yaml', 'python-requests')
    expectNothingRan(run.folder)
    expect(run.error).toBe('')
    expect(parts(run.arrived)).toEqual(await oursOf('py.yaml'))
  })

  it.each(Object.keys(RUNNERS) as Target[])(
    '%s: a part whose name and value hold quotes, a backslash and a line break arrives as Flightdeck sends it',
    async (target) => {
      const ours = await oursOf('quotes.yaml')
      // Line breaks in a form value go as CRLF (the HTML form rules every client here follows).
      expect(ours[0]?.[1]).toBe(QUOTED_VALUE.replace('\n', '\r\n'))
      const run = await runSnippet('quotes.yaml', target)
      expect(run.error).toBe('')
      // curl and requests send a value's line break as written, Flightdeck and Node's FormData as CRLF.
      const lf = (part: [string | null, string] | undefined): unknown[] => [
        part?.[0],
        part?.[1].replace(/\r\n/g, '\n'),
      ]
      expect(lf(parts(run.arrived)[0])).toEqual(lf(ours[0]))
    },
  )

  it.each(Object.keys(RUNNERS) as Target[])(
    '%s: a form-data request with text parts only sends them, and nothing else runs',
    async (target) => {
      const run = await runSnippet('text-only.yaml', target)
      expectNothingRan(run.folder)
      expect(run.error).toBe('')
      const crlf = (all: [string | null, string][]): unknown[] =>
        all.map(([name, body]) => [name, body.replace(/\r\n/g, '\n')])
      expect(crlf(parts(run.arrived))).toEqual(crlf(await oursOf('text-only.yaml')))
      expect(parts(run.arrived)).toHaveLength(3)
      if (target === 'python-requests') {
        // Each a form field (no file name), the typed one with its type, as Flightdeck sends them.
        const fields = (a: Arrived | undefined): unknown[] =>
          a ? multipartParts(a).map((p) => [p.filename, p.contentType]) : []
        expect(fields(run.arrived)).toEqual([
          [null, null],
          [null, null],
          [null, 'application/json'],
        ])
      }
    },
  )

  it('a timeline row’s Copy as Node.js (axios) of a urlencoded form writes it as a string literal', async () => {
    // axios is not here to run it: the form must be one JSON string, not code.
    const code = await service.invoke('session.snippet', {
      sid: await sentSid('form.yaml'),
      target: 'node:axios',
    })
    if (!code.ok) throw new Error(code.error.message)
    expect(code.value.code).toContain(`data: ${JSON.stringify(FORM_SENT)}`)
    const folder = mkdtempSync(join(work, 'axios-'))
    writeFileSync(join(folder, 'snippet.mjs'), code.value.code)
    const parsed = await new Promise<string>((resolve) =>
      execFile(process.execPath, ['--check', 'snippet.mjs'], { cwd: folder }, (e, _o, err) =>
        resolve(e ? err : ''),
      ),
    )
    expect(parsed).toBe('')
  })
  it('a timeline row’s Copy as PowerShell writes a header value and the body as single-quoted literals', async () => {
    // No PowerShell on this machine to run it: each string must be one literal PowerShell expands nothing in.
    const code = await service.invoke('session.snippet', {
      sid: await sentSid('ps.yaml'),
      target: 'powershell:restmethod',
    })
    if (!code.ok) throw new Error(code.error.message)
    expect(code.value.code).toContain("$headers.Add('X-Note', 'note $(New-Item pwned-ps) `\"')")
    expect(code.value.code).toContain("-Body 'a’’;New-Item pwned-ps;'''")
    expect(code.value.code).not.toMatch(/"[^"\n]*\$\(/)
  })
  it.each([
    ['ruby:native', "request['X-Note'] = ", 'request.body = '],
    ['php:curl', "'X-Note: ", 'CURLOPT_POSTFIELDS => '],
  ] as const)(
    'a timeline row’s Copy as %s writes the header and the body as single-quoted literals',
    async (target, header, body) => {
      // No Ruby or PHP on this machine to run it: no double-quoted string may hold #{ or {$.
      const code = await service.invoke('session.snippet', {
        sid: await sentSid('interpolated.yaml'),
        target,
      })
      if (!code.ok) throw new Error(code.error.message)
      const literal = singleQuotedString(INTERPOLATED)
      expect(code.value.code).toContain(`${body}${literal}`)
      expect(code.value.code).toContain(
        header === "'X-Note: " ? singleQuotedString(`X-Note: ${INTERPOLATED}`) : `${header}${literal}`,
      )
      expect(code.value.code).not.toMatch(/"[^"\n]*(#\{|\{\$)/)
    },
  )

  it('a timeline row’s Copy as C# (HttpClient) of a urlencoded form writes it as a string literal', async () => {
    // No .NET on this machine to run it: a field closing C#'s double quotes must stay in one JSON string.
    const code = await service.invoke('session.snippet', {
      sid: await sentSid('form.yaml'),
      target: 'csharp:httpclient',
    })
    if (!code.ok) throw new Error(code.error.message)
    expect(code.value.code).toContain(`new StringContent(${JSON.stringify(FORM_SENT)})`)
  })
})
