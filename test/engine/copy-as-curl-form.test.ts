import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ranCurl, sentAndRow } from './copy-as-helpers'
import { useImportTarget } from './import-formats-helpers'

/**
 * Copy as cURL of a form sends the form Send sent, run by the real curl against a stub on 127.0.0.1:0: a field's
 * value with `&`, `=`, a space or `+` in it (httpsnippet wrote it unencoded, `--data 'a=x y&z=1'`, which the server
 * read as two fields), and a text body typed as a form (httpsnippet wrote `--data ''`, an empty body).
 */

const t = useImportTarget('fd-copy-curl-form')

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Forms\n')
  const post = (name: string, body: string[]): void =>
    file(`${name}.yaml`, [`name: ${name}`, 'method: POST', `url: '${base}/${name}'`, 'body:', ...body])
  post('fields', [
    '  kind: form',
    '  fields:',
    '    - { name: a, value: "x y&z=1", enabled: true }',
    '    - { name: "b c", value: "é+", enabled: true }',
    '    - { name: off, value: "1", enabled: false }',
  ])
  post('typed-text', [
    '  kind: text',
    '  contentType: application/x-www-form-urlencoded',
    '  text: "a=1&b=%20"',
  ])
}

describe('Copy as cURL, a form', () => {
  it('sends the body and type Send sent, from the composer and a timeline row', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    for (const path of ['fields.yaml', 'typed-text.yaml']) {
      const { ours, codes } = await sentAndRow(t, path, ['shell:curl'])
      const composer = await t.service.invoke('export.request', { dir: t.dir, path, target: 'shell:curl' })
      if (!composer.ok) throw new Error(composer.error.message)
      for (const code of [composer.value.text, codes[0] as string]) {
        const theirs = await ranCurl(t, code)
        expect(theirs.body, `${path}\n${code}`).toBe(ours.body)
        expect(theirs.headers['content-type'], path).toBe(ours.headers['content-type'])
      }
    }
    expect(t.stub.arrived[0]?.body).toBe('a=x+y%26z%3D1&b+c=%C3%A9%2B')
  })
})
