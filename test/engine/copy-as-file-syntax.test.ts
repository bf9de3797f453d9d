import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SNIPPET_TARGETS, type SnippetTarget } from '../../src/shared/snippet-targets'
import { HTTPIE_MISSING, hasHttpie, ranHttpie, sentAndRow } from './copy-as-helpers'
import type { Arrived } from './import-formats-helpers'
import { useImportTarget } from './import-formats-helpers'

/**
 * A body's text that a tool would read as "the contents of this file": curl's `--data @name` reads the file
 * `name`, so Copy as curl of a text body `@secret.txt` uploaded the copier's own secret.txt instead of those
 * eleven letters. Run by the real curl and `http` in a folder holding such a file, each command sends the text
 * Send sent, a text body and a JSON one, from the composer and from a timeline row. A file body goes as the file's bytes, line breaks and
 * all (curl's `--data @file` drops CR and LF), and the languages whose code would send the text `@path` instead
 * of the file refuse it in words.
 */

const t = useImportTarget('fd-copy-file-syntax')

const SECRET = 'the copier’s own file\n'
const CRLF = 'one\r\ntwo\nthree\r\n'

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: At\n')
  writeFileSync(join(dir, 'secret.txt'), SECRET)
  writeFileSync(join(dir, 'lines.txt'), CRLF)
  const post = (name: string, body: string[]): void =>
    file(`${name}.yaml`, [`name: ${name}`, 'method: POST', `url: '${base}/${name}'`, 'body:', ...body])
  post('text', ['  kind: text', '  contentType: text/plain', '  text: "@secret.txt"'])
  post('json', ['  kind: json', '  text: "@secret.txt"'])
  post('file', ['  kind: file', '  path: lines.txt', '  contentType: text/plain'])
}

async function opened(): Promise<void> {
  writeCollection(t.dir, t.stub.url)
  const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
  if (!open.ok) throw new Error(open.error.message)
}

async function composer(path: string, target: SnippetTarget): Promise<{ text: string } | { error: string }> {
  const r = await t.service.invoke('export.request', { dir: t.dir, path, target })
  return r.ok ? { text: r.value.text } : { error: r.error.message }
}

async function composerCode(path: string, target: SnippetTarget): Promise<string> {
  const code = await composer(path, target)
  if ('error' in code) throw new Error(code.error)
  return code.text
}

/** A curl command run by curl in the collection folder (where `secret.txt` is), bounded at 10 s; what arrived. */
async function ranCurlIn(command: string): Promise<Arrived> {
  const before = t.stub.arrived.length
  await new Promise<void>((resolve, reject) =>
    execFile(
      'sh',
      ['-c', `${command} --silent --show-error --output /dev/null`],
      { cwd: t.dir, timeout: 10_000 },
      (e, _out, err) => (e ? reject(new Error(`${e.message}\n${err}`)) : resolve()),
    ),
  )
  const got = t.stub.arrived[before]
  if (!got) throw new Error('curl sent nothing')
  return got
}

describe('Copy as, a body that starts with @', () => {
  it('is sent by curl as that text, not as the file it names, from the composer and a timeline row', async () => {
    await opened()
    for (const path of ['text.yaml', 'json.yaml']) {
      const { ours, codes } = await sentAndRow(t, path, ['shell:curl'])
      expect(ours.body, path).toBe('@secret.txt')
      for (const code of [await composerCode(path, 'shell:curl'), codes[0] as string]) {
        const theirs = await ranCurlIn(code)
        expect(theirs.body, `${path}\n${code}`).toBe('@secret.txt')
        expect(theirs.headers['content-type'], path).toBe(ours.headers['content-type'])
      }
    }
  })

  it('is sent by HTTPie as that text', async (ctx) => {
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    await opened()
    const { ours, codes } = await sentAndRow(t, 'text.yaml', ['shell:httpie'])
    for (const code of [await composerCode('text.yaml', 'shell:httpie'), codes[0] as string])
      expect((await ranHttpie(t, code, t.dir)).body).toBe(ours.body)
  })
})

describe('Copy as, a file body', () => {
  it('is sent by curl byte for byte, its CR and LF kept', async () => {
    await opened()
    const { ours } = await sentAndRow(t, 'file.yaml', [])
    expect(ours.body).toBe(CRLF)
    expect((await ranCurlIn(await composerCode('file.yaml', 'shell:curl'))).body).toBe(CRLF)
  })

  it('is sent by HTTPie from its file', async (ctx) => {
    if (!hasHttpie) return ctx.skip(HTTPIE_MISSING)
    await opened()
    expect((await ranHttpie(t, await composerCode('file.yaml', 'shell:httpie'), t.dir)).body).toBe(CRLF)
  })

  it('is refused in words by the languages whose code would send the text @path, naming those that read it', async () => {
    await opened()
    for (const { id, label } of SNIPPET_TARGETS) {
      const code = await composer('file.yaml', id)
      if (id === 'shell:curl' || id === 'shell:httpie') expect(code, id).toHaveProperty('text')
      else
        expect(code, id).toEqual({
          error: `No ${label} snippet for a file body: the code would send the text "@lines.txt", not the file; Copy as cURL or HTTPie reads it`,
        })
    }
  })
})
