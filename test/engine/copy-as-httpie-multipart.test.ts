import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { guardOnlyAgainstHangs, runTool } from '../setup/hang-guard'
import { HTTPIE_MISSING, hasHttpie, ranHttpie, sentAndRow } from './copy-as-helpers'
import { useImportTarget } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

guardOnlyAgainstHangs()

/**
 * Copy as HTTPie of a multipart request: `http --multipart` with one item a part, in the request's order, run by the
 * real `http` against a stub on 127.0.0.1:0, sends the parts Send sent: the same names (`:`, `=`, `@` in them
 * escaped), text values (one starting with `@` sent as text, not read from a file), file names, types and bytes;
 * parts sharing a name go together, as HTTPie keeps fields, which the command's first line says.
 * What HTTPie cannot send as Send does is refused in words: a text part with a type of its own, a file part under
 * another file name. A header value with a backslash before `:` stays refused: no item HTTPie reads sends it.
 */

const t = useImportTarget('fd-copy-httpie-parts')

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Parts\n')
  writeFileSync(join(dir, 'secret.txt'), 'the copier’s own file\n')
  writeFileSync(join(dir, 'receipt.csv'), 'item,total\r\ncoffee,2.50\r\n')
  writeFileSync(join(dir, 'a=b@c.txt'), 'odd name')
  const post = (name: string, parts: string[]): void =>
    file(`${name}.yaml`, [
      `name: ${name}`,
      'method: POST',
      `url: '${base}/${name}'`,
      'body:',
      '  kind: multipart',
      '  parts:',
      ...parts,
    ])
  post('parts', [
    '    - { kind: text, name: "note", value: "@secret.txt", enabled: true }',
    '    - { kind: file, name: "receipt", path: receipt.csv, enabled: true }',
    '    - { kind: text, name: "a:b=c@d;e", value: "x=y:z;w", enabled: true }',
    '    - { kind: file, name: "odd", path: "a=b@c.txt", contentType: text/x-odd, enabled: true }',
    '    - { kind: text, name: "off", value: "1", enabled: false }',
    '    - { kind: text, name: "note", value: "twice, é", enabled: true }',
  ])
  post('typed-text', [
    '    - { kind: text, name: meta, value: "{}", contentType: application/json, enabled: true }',
  ])
  post('renamed', ['    - { kind: file, name: doc, path: receipt.csv, fileName: march.csv, enabled: true }'])
  file('backslash.yaml', [
    'name: backslash',
    'method: GET',
    `url: '${base}/backslash'`,
    'headers:',
    '  - { name: X-Path, value: "a\\\\:b", enabled: true }',
  ])
}

async function opened(): Promise<void> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
}

async function composer(path: string): Promise<{ text: string } | { error: string }> {
  const r = await t.service.invoke('export.request', { dir: t.dir, path, target: 'shell:httpie' })
  return r.ok ? { text: r.value.text } : { error: r.error.message }
}

describe('Copy as HTTPie, a multipart request', () => {
  it('sends the parts Send sent, in order, from the composer and a timeline row', async (ctx) => {
    await opened()
    const code = await composer('parts.yaml')
    if (!('text' in code)) throw new Error(code.error)
    expect(code.text).toMatch(
      /^# HTTPie sends the parts named "note" together, where the first is; Flightdeck sends each where it stands\nhttp --ignore-stdin --multipart POST /,
    )
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    const { ours, codes } = await sentAndRow(t, 'parts.yaml', ['shell:httpie'])
    const sent = multipartParts(ours)
    expect(sent.map((p) => p.name)).toEqual(['note', 'receipt', 'a:b=c@d;e', 'odd', 'note'])
    // The same parts, those named alike together (as the first line says).
    const grouped = [...new Set(sent.map((p) => p.name))].flatMap((n) => sent.filter((p) => p.name === n))
    for (const command of [code.text, codes[0] as string]) {
      const theirs = await ranHttpie(t, command, t.dir)
      expect(multipartParts(theirs), command).toEqual(grouped)
    }
  })

  it('refuses in words a text part with its own type and a file part under another name', async () => {
    await opened()
    expect(await composer('typed-text.yaml')).toEqual({
      error:
        'Cannot make a HTTPie snippet: HTTPie sends a text part with no type of its own, so the part "meta" typed application/json cannot be written for it',
    })
    expect(await composer('renamed.yaml')).toEqual({
      error:
        'Cannot make a HTTPie snippet: HTTPie sends a file part under its file\'s own name, so the part "doc" named "march.csv" cannot be written for it',
    })
  })
})

describe('Copy as HTTPie, a header value with a backslash before a separator', () => {
  it('is refused: no item the real http reads sends a\\:b', async (ctx) => {
    await opened()
    expect(await composer('backslash.yaml')).toEqual({
      error:
        'Cannot make a HTTPie snippet: HTTPie reads a backslash before :, ;, = or @ as an escape, so the header "X-Path" cannot be written for it',
    })
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    // Each way of writing it: the backslash read as an escape, or kept doubled (HTTPie has no escape for `\`).
    const tried: string[] = []
    for (const item of ['X-Path:a\\:b', 'X-Path:a\\\\:b', 'X-Path:a\\\\\\:b']) {
      const before = t.stub.arrived.length
      await runTool('http', ['--ignore-stdin', '--quiet', 'GET', `${t.stub.url}/backslash`, item])
      tried.push(String(t.stub.arrived[before]?.headers['x-path']))
    }
    expect(tried).toEqual(['a:b', 'a\\\\:b', 'a\\\\:b'])
  })
})
