import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HTTPIE_MISSING, hasHttpie, ranHttpie, sentAndRow } from './copy-as-helpers'
import type { Arrived } from './import-formats-helpers'
import { useImportTarget } from './import-formats-helpers'
import { guardOnlyAgainstHangs } from '../setup/hang-guard'

guardOnlyAgainstHangs()

/**
 * Copy as HTTPie, from the composer (export.request) and from a timeline row (session.snippet): the command, run by
 * the real `http` against a stub on 127.0.0.1:0, sends what Send sent there: the same body byte for byte (a
 * backslash, a quote, no newline added), the typed headers (an empty one sent empty, one starting with `=`), none
 * of the default headers the request leaves out that HTTPie can be told not to send, and a first line naming the
 * ones it cannot. A form goes as the text Send sends, a file body read from its file, a GET with no body.
 */

const t = useImportTarget('fd-copy-httpie')

const BODY = 'line one\\n "two" it\'s $HOME `x`'

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: HTTPie\n')
  file('bare.yaml', [
    'name: bare',
    'method: POST',
    `url: '${base}/bare'`,
    'headers:',
    '  - { name: X-Kept, value: "1", enabled: true }',
    '  - { name: X-Empty, value: "", enabled: true }',
    '  - { name: X-Eq, value: "=a:b;c@d", enabled: true }',
    'body:',
    '  kind: text',
    '  contentType: text/plain',
    `  text: ${JSON.stringify(BODY)}`,
    'options:',
    '  omitDefaultHeaders: [user-agent, accept, accept-encoding, content-type]',
  ])
  file('json.yaml', [
    'name: json',
    'method: PUT',
    `url: '${base}/json?q=1'`,
    'body:',
    '  kind: json',
    `  text: '{"a": "\\\\u00e9", "b": [1, 2]}'`,
  ])
  file('form.yaml', [
    'name: form',
    'method: POST',
    `url: '${base}/form'`,
    'body:',
    '  kind: form',
    '  fields:',
    '    - { name: "a:b", value: "x y&z=1", enabled: true }',
    '    - { name: "c@", value: "é", enabled: true }',
  ])
  file('get.yaml', ['name: get', 'method: GET', `url: '${base}/get?x=1&y=two'`])
  writeFileSync(join(dir, 'data.txt'), 'from a file\nsecond line\n')
  file('file.yaml', [
    'name: file',
    'method: POST',
    `url: '${base}/file'`,
    'body:',
    '  kind: file',
    '  path: data.txt',
    '  contentType: text/plain',
  ])
  file('parts.yaml', [
    'name: parts',
    'method: POST',
    `url: '${base}/parts'`,
    'body:',
    '  kind: multipart',
    '  parts:',
    '    - { kind: text, name: a, value: "1", enabled: true }',
  ])
  file('braces.yaml', ['name: braces', 'method: GET', `url: '${base}/b?tags[]=1'`])
}

async function opened(): Promise<void> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
}

async function composerCode(path: string): Promise<string> {
  const r = await t.service.invoke('export.request', { dir: t.dir, path, target: 'shell:httpie' })
  if (!r.ok) throw new Error(r.error.message)
  return r.value.text
}

/** What Send sent to the stub and what HTTPie sent there, compared as a server would see them. */
function expectSame(theirs: Arrived, ours: Arrived, names: readonly string[]): void {
  expect(theirs.method).toBe(ours.method)
  expect(theirs.url).toBe(ours.url)
  expect(theirs.body).toBe(ours.body)
  for (const name of names) expect(theirs.headers[name], name).toBe(ours.headers[name])
}

describe('Copy as HTTPie', () => {
  it('from the composer sends the body, typed headers and left-out defaults as Send does', async (ctx) => {
    await opened()
    const code = await composerCode('bare.yaml')
    // urllib3 beneath HTTPie adds a User-Agent and Accept-Encoding when told not to send HTTPie's.
    expect(code).toMatch(
      /^# Flightdeck sends no User-Agent, Accept-Encoding here; HTTPie's urllib3 adds its own/,
    )
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    const { ours } = await sentAndRow(t, 'bare.yaml', [])
    const theirs = await ranHttpie(t, code, t.dir)
    expectSame(theirs, ours, ['x-kept', 'x-empty', 'x-eq', 'content-type', 'accept'])
    expect(ours.headers['content-type']).toBeUndefined()
    expect(ours.headers.accept).toBeUndefined()
    expect(theirs.headers['x-empty']).toBe('')
    expect(theirs.body).toBe(BODY)
  })

  it('from a timeline row sends what the row sent', async (ctx) => {
    await opened()
    const { ours, codes } = await sentAndRow(t, 'bare.yaml', ['shell:httpie'])
    const code = codes[0] as string
    expect(code).toMatch(/^# Flightdeck sends no User-Agent, Accept-Encoding here/)
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    expectSame(await ranHttpie(t, code, t.dir), ours, ['x-kept', 'x-empty', 'x-eq', 'content-type', 'accept'])
  })

  it('sends a JSON body, a form as its encoded text, a file body from its file and a GET with none', async (ctx) => {
    await opened()
    const codes = await Promise.all(
      ['json.yaml', 'form.yaml', 'file.yaml', 'get.yaml'].map((p) => composerCode(p)),
    )
    expect(codes[3]).toMatch(/^http --ignore-stdin GET /)
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    for (const [i, path] of ['json.yaml', 'form.yaml', 'file.yaml', 'get.yaml'].entries()) {
      const { ours } = await sentAndRow(t, path, [])
      expectSame(await ranHttpie(t, codes[i] as string, t.dir), ours, ['content-type', 'accept'])
    }
    expect(t.stub.arrived.at(-1)?.body).toBe('')
  })

  it('writes a multipart body as --multipart items (copy-as-httpie-multipart.test.ts) and names what HTTPie changes in a URL', async () => {
    await opened()
    expect(await composerCode('parts.yaml')).toMatch(
      /^http --ignore-stdin --multipart POST \S+ \\\n {2}'Accept:\*\/\*' \\\n {2}a=1$/,
    )
    const { codes } = await sentAndRow(t, 'braces.yaml', [])
    expect(codes).toEqual([])
    expect(await composerCode('braces.yaml')).toMatch(
      /^# HTTPie sends the URL with \{ \} \[ \] \| \^ percent-encoded/,
    )
  })
})
