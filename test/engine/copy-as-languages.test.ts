import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SNIPPET_TARGETS, type SnippetTarget } from '../../src/shared/snippet-targets'
import { sentAndRow } from './copy-as-helpers'
import { useImportTarget } from './import-formats-helpers'

/**
 * The composer's Code dialog (export.request, draft.snippet) writes a request in every language a timeline row's
 * Code menu does (one list, shared/snippet-targets.ts), with the same care for left-out default headers and an
 * untyped body, and refuses a multipart body in the languages that cannot write its parts in the row's words.
 */

const t = useImportTarget('fd-copy-languages')

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Languages\n')
  file('typed.yaml', [
    'name: typed',
    'method: POST',
    `url: '${base}/typed'`,
    'headers:',
    '  - { name: X-Kept, value: "1", enabled: true }',
    'body:',
    '  kind: json',
    `  text: '{"a": 1}'`,
  ])
  file('untyped.yaml', [
    'name: untyped',
    'method: POST',
    `url: '${base}/untyped'`,
    'body:',
    '  kind: text',
    '  contentType: text/plain',
    '  text: plain words',
    'options:',
    '  omitDefaultHeaders: [user-agent, accept-encoding, content-type]',
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

const MULTIPART = new Set<SnippetTarget>([
  'shell:curl',
  'shell:httpie',
  'javascript:fetch',
  'python:requests',
  'go:native',
])

describe("The composer's Copy as", () => {
  it('writes the request in every language of the timeline row, HTTPie and PowerShell among them', async () => {
    await opened()
    const labels = SNIPPET_TARGETS.map((l) => l.label)
    expect(labels).toEqual(
      expect.arrayContaining(['cURL', 'HTTPie', 'Node.js (axios)', 'PowerShell', 'Ruby']),
    )
    for (const { id } of SNIPPET_TARGETS) {
      const code = await composer('typed.yaml', id)
      expect(code, id).toHaveProperty('text')
      const text = 'text' in code ? code.text : ''
      expect(text, id).toContain('/typed')
      expect(text, id).toContain('X-Kept')
    }
  })

  it('leaves out an untyped body’s type and the default headers as the row’s code does', async () => {
    await opened()
    const { codes } = await sentAndRow(t, 'untyped.yaml', ['powershell:restmethod', 'java:okhttp'])
    const [rowPowershell, rowJava] = codes as [string, string]
    const powershell = await composer('untyped.yaml', 'powershell:restmethod')
    const java = await composer('untyped.yaml', 'java:okhttp')
    const text = (code: { text: string } | { error: string }): string =>
      'text' in code ? code.text : code.error
    // PowerShell types every body; Java sends it with a null type.
    for (const code of [rowPowershell, text(powershell)])
      expect(code).toMatch(
        /^# Flightdeck sends no User-Agent, Accept-Encoding, Content-Type here; Invoke-RestMethod adds its own\n/,
      )
    for (const code of [rowJava, text(java)]) {
      expect(code).toMatch(
        /^\/\/ Flightdeck sends no User-Agent, Accept-Encoding here; OkHttp adds its own\n/,
      )
      expect(code).toContain('MediaType mediaType = null;')
    }
    expect(text(powershell)).toContain("-Body 'plain words'")
    const csharp = await composer('untyped.yaml', 'csharp:httpclient')
    expect('text' in csharp ? csharp.text : csharp.error).toContain('StringContent("plain words")')
    expect('text' in csharp ? csharp.text : '').not.toContain('application/octet-stream')
    const php = await composer('untyped.yaml', 'php:curl')
    expect('text' in php ? php.text : php.error).toContain("'Content-Type: ',")
    const ruby = await composer('untyped.yaml', 'ruby:native')
    expect('text' in ruby ? ruby.text : ruby.error).toContain('request.delete("User-Agent")')
  })

  it('refuses a multipart body where the language cannot write its parts, naming those that can', async () => {
    await opened()
    for (const { id, label } of SNIPPET_TARGETS) {
      const code = await composer('parts.yaml', id)
      if (MULTIPART.has(id)) expect(code, id).toHaveProperty('text')
      else
        expect(code, id).toEqual({
          error: `No ${label} snippet for a multipart request: Copy as cURL, HTTPie, JavaScript (fetch), Python (requests) or Go writes its parts`,
        })
    }
  })
})
