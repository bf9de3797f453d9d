import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { SnippetTarget } from '../../src/shared/snippet-targets'
import { hasHttpie, sentAndRow } from './copy-as-helpers'
import { useImportTarget, type Arrived } from './import-formats-helpers'
import { multipartParts } from './multipart-parts'

/**
 * Copy as sends the bytes Send sends, in every language this machine can run, against a stub on 127.0.0.1:0:
 * curl, HTTPie, JavaScript's fetch (node) and Python's requests run the composer's and the timeline row's code.
 * - A text body typed as a form (httpsnippet wrote it empty in every language but curl).
 * - A form's fields (httpsnippet's Go and Python encoded them their own way, another body).
 * - A JSON body as typed, its spaces, line breaks and escapes kept (httpsnippet reformatted it for curl, fetch
 *   and Python; Python's requests sent a str body as Latin-1).
 * - A multipart body's file parts under the file name Send sends (fetch sent the file's path as a text value,
 *   Python sent the path as the file name).
 * The languages no tool here runs (Go, Java, C#, PHP, Ruby, PowerShell) are checked by their body literal.
 */

const t = useImportTarget('fd-copy-body-bytes')

/** Python with requests, when this machine has it (a skip that says why otherwise, never a pass). */
const hasRequests = ((): boolean => {
  try {
    execFileSync('python3', ['-c', 'import requests'], { stdio: 'ignore', timeout: 10_000 })
    return true
  } catch {
    return false
  }
})()

const JSON_TEXT = '{"a": 1,\n  "s": "x\\\\y \\u00e9 \'q\' é",   "n": [1,2]}'

function writeCollection(dir: string, base: string): void {
  const file = (name: string, lines: string[]): void =>
    writeFileSync(join(dir, name), [...lines, ''].join('\n'))
  writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Bytes\n')
  mkdirSync(join(dir, 'sub'))
  writeFileSync(join(dir, 'sub', 'a.txt'), 'first file\n')
  writeFileSync(join(dir, 'receipt.csv'), 'item,total\r\ncoffee,2.50\r\n')
  const post = (name: string, body: string[]): void =>
    file(`${name}.yaml`, [`name: ${name}`, 'method: POST', `url: '${base}/${name}'`, 'body:', ...body])
  post('form-text', [
    '  kind: text',
    '  contentType: application/x-www-form-urlencoded',
    '  text: "a=1&b=%20&c=x+y"',
  ])
  post('form-fields', [
    '  kind: form',
    '  fields:',
    '    - { name: a, value: "x y&z=1", enabled: true }',
    '    - { name: "b c", value: "é+~*", enabled: true }',
    '    - { name: a, value: "2", enabled: true }',
  ])
  post('json', ['  kind: json', `  text: ${JSON.stringify(JSON_TEXT)}`])
  post('parts', [
    '  kind: multipart',
    '  parts:',
    '    - { kind: file, name: doc, path: sub/a.txt, fileName: own name.txt, enabled: true }',
    '    - { kind: text, name: note, value: "two words", enabled: true }',
    '    - { kind: file, name: receipt, path: receipt.csv, enabled: true }',
  ])
}

interface Tool {
  target: SnippetTarget
  /** The start of the User-Agent the tool sends, which tells its request from the others run beside it. */
  agent: string
  run(code: string, name: string): Promise<void>
}

function ran(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: t.dir, timeout: 20_000 }, (e, _out, err) =>
      e ? reject(new Error(`${e.message}\n${err}`)) : resolve(),
    ),
  )
}

const TOOLS: Tool[] = [
  {
    target: 'shell:curl',
    agent: 'curl/',
    run: (code) => ran('sh', ['-c', `${code} --silent --show-error --output /dev/null`]),
  },
  ...(hasHttpie
    ? [
        {
          target: 'shell:httpie',
          agent: 'HTTPie/',
          run: (code) => ran('sh', ['-c', `${code} --quiet`]),
        } as Tool,
      ]
    : []),
  {
    target: 'javascript:fetch',
    agent: 'node',
    run: (code, name) => {
      writeFileSync(join(t.dir, `${name}.mjs`), code)
      return ran(process.execPath, [`${name}.mjs`])
    },
  },
  ...(hasRequests
    ? [
        {
          target: 'python:requests',
          agent: 'python-requests/',
          run: (code, name) => {
            writeFileSync(join(t.dir, `${name}.py`), code)
            return ran('python3', [`${name}.py`])
          },
        } as Tool,
      ]
    : []),
]

const ROW_TOOL = TOOLS[TOOLS.length - 1]

/** What a server tells apart: the body's bytes (each part's, for multipart) and its type. */
function seen(a: Arrived): unknown {
  const type = String(a.headers['content-type'] ?? '')
  return type.startsWith('multipart/form-data')
    ? { type: 'multipart/form-data', parts: multipartParts(a) }
    : { type, body: a.body }
}

/** `work` over `items`, at most `width` at a time; each one's error message, or null. */
async function inTurns<T>(
  items: readonly T[],
  width: number,
  work: (item: T, i: number) => Promise<void>,
): Promise<(string | null)[]> {
  const out: (string | null)[] = items.map(() => null)
  let next = 0
  const lane = async (): Promise<void> => {
    for (let i = next++; i < items.length; i = next++)
      await work(items[i] as T, i).catch((e: unknown) => {
        out[i] = e instanceof Error ? e.message : String(e)
      })
  }
  await Promise.all(Array.from({ length: width }, lane))
  return out
}

describe('Copy as, the body Send sends', () => {
  it('is sent as the same bytes by curl, HTTPie, fetch and Python, from the composer and a row', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    const runs: { name: string; tool: Tool; code: string; ours: Arrived }[] = []
    for (const path of ['form-text.yaml', 'form-fields.yaml', 'json.yaml', 'parts.yaml']) {
      // HTTPie cannot send a file part under a name of its own (copy-as-httpie-multipart refuses it).
      const tools = TOOLS.filter((tool) => path !== 'parts.yaml' || tool.target !== 'shell:httpie')
      const { ours, codes } = await sentAndRow(
        t,
        path,
        tools.map((tool) => tool.target),
      )
      for (const [i, tool] of tools.entries()) {
        const composer = await t.service.invoke('export.request', { dir: t.dir, path, target: tool.target })
        if (!composer.ok) throw new Error(`${path} ${tool.target}: ${composer.error.message}`)
        // A row's code comes from the HAR of what was sent (har/snippets.ts): run in one language, to keep this cheap.
        const row = tool === ROW_TOOL ? [codes[i] as string] : []
        for (const code of new Set([composer.value.text, ...row]))
          runs.push({ name: path.replace('.yaml', ''), tool, code, ours })
      }
    }
    // Each code is run beside two others, at a path of its own (its URL's path given a suffix), by which its
    // request is told apart from theirs.
    const ran = await inTurns(runs, 3, (r, i) =>
      r.tool.run(r.code.replaceAll(`${t.stub.url}/${r.name}`, `${t.stub.url}/${r.name}-r${i}`), `run${i}`),
    )
    // Every difference at once, each with its code: what a person pasting it would get wrong.
    const wrong = runs.flatMap((r, i) => {
      const theirs = t.stub.arrived.filter((a) => a.url === `/${r.name}-r${i}`)
      const got = ran[i] ?? (theirs.length === 1 ? seen(theirs[0] as Arrived) : `${theirs.length} requests`)
      return isDeepStrictEqual(got, seen(r.ours))
        ? []
        : [`${r.name} ${r.tool.target}: ${JSON.stringify(got)}\n${r.code}`]
    })
    expect(wrong).toEqual([])
    expect(runs.length).toBeGreaterThanOrEqual(8)
  }, 90_000)

  it('writes the body as typed in the languages no tool here runs', async () => {
    writeCollection(t.dir, t.stub.url)
    const open = await t.service.invoke('collection.open', { dir: t.dir, create: false })
    if (!open.ok) throw new Error(open.error.message)
    const code = async (path: string, target: SnippetTarget): Promise<string> => {
      const r = await t.service.invoke('export.request', { dir: t.dir, path, target })
      if (!r.ok) throw new Error(`${path} ${target}: ${r.error.message}`)
      return r.value.text
    }
    // A double-quoted literal of Go, Java and C# (JSON's escapes are theirs).
    const quoted = JSON.stringify('a=1&b=%20&c=x+y')
    for (const target of ['go:native', 'java:okhttp', 'csharp:httpclient'] as const) {
      expect(await code('form-text.yaml', target), target).toContain(quoted)
      expect(await code('json.yaml', target), target).toContain(JSON.stringify(JSON_TEXT))
    }
    expect(await code('form-text.yaml', 'java:okhttp')).toContain(
      'MediaType.parse("application/x-www-form-urlencoded")',
    )
    expect(await code('form-text.yaml', 'csharp:httpclient')).toContain(
      'new MediaTypeHeaderValue("application/x-www-form-urlencoded")',
    )
    for (const target of ['php:curl', 'ruby:native'] as const)
      expect(await code('form-text.yaml', target), target).toContain("'a=1&b=%20&c=x+y'")
    expect(await code('form-text.yaml', 'powershell:restmethod')).toContain("-Body 'a=1&b=%20&c=x+y'")
    expect(await code('form-fields.yaml', 'go:native')).toContain(
      JSON.stringify('a=x+y%26z%3D1&b+c=%C3%A9%2B%7E*&a=2'),
    )
    // Go sends a file part under its own file name.
    expect(await code('parts.yaml', 'go:native')).toContain('filename=\\"own name.txt\\"')
  })
})
