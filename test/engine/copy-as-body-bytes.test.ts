import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { SnippetTarget } from '../../src/shared/snippet-targets'
import { SENT_FILE_PATHS } from '../../src/engine/har/snippets'
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
 * - Parts that share a name, each sent in its order (Python's `files` dict kept the last one only).
 * Python's and node's codes run in one process each (a runner that runs them in turn), to keep this cheap.
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

const HOSTILE_TYPE = 'text/plain; charset="utf-8"; x="\\"); Evil(); //"'

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
  post('typed', ['  kind: text', `  contentType: ${JSON.stringify(HOSTILE_TYPE)}`, '  text: hi'])
  post('repeated', [
    '  kind: multipart',
    '  parts:',
    '    - { kind: file, name: doc, path: sub/a.txt, enabled: true }',
    '    - { kind: text, name: doc, value: "between", enabled: true }',
    '    - { kind: file, name: doc, path: receipt.csv, enabled: true }',
  ])
}

/** One code to run, at its own URL path, by which its request is told apart from the others run beside it. */
interface Job {
  code: string
  file: string
}

interface Tool {
  target: SnippetTarget
  /**
   * Runs every job; each one's error, or null. A language whose runtime is slow to start runs its jobs in one
   * process (Python's requests and node each took ~0.3 s a process under no load).
   */
  runAll(jobs: readonly Job[]): Promise<(string | null)[]>
}

function ran(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: t.dir, timeout: 30_000 }, (e, _out, err) =>
      e ? reject(new Error(`${e.message}\n${err}`)) : resolve(),
    ),
  )
}

/** Each job a shell command of its own, two at a time (curl and HTTPie start fast, or are commands only). */
function eachInShell(suffix: string): Tool['runAll'] {
  return (jobs) => inTurns(jobs, 2, (j) => ran('sh', ['-c', `${j.code} ${suffix}`]))
}

/** Every job in one process: `runner` runs the files named after it, in turn, saying which failed on stderr. */
function inOneProcess(command: string, runner: string[], ext: string): Tool['runAll'] {
  return async (jobs) => {
    for (const j of jobs) writeFileSync(join(t.dir, `${j.file}.${ext}`), j.code)
    const why = await ran(command, [...runner, ...jobs.map((j) => `${j.file}.${ext}`)]).then(
      () => null,
      (e: Error) => e.message,
    )
    return jobs.map(() => why)
  }
}

/** Python's runner: each file run as a script of its own (`__main__`), a failure printed and the next run. */
const PYTHON_RUNNER = [
  'import sys, traceback',
  'failed = False',
  'for f in sys.argv[1:]:',
  '    try:',
  "        exec(compile(open(f).read(), f, 'exec'), {'__name__': '__main__'})",
  '    except Exception:',
  '        print(f, file=sys.stderr)',
  '        traceback.print_exc()',
  '        failed = True',
  'sys.exit(1 if failed else 0)',
].join('\n')

/** node's runner: each file imported as an ES module, in turn; its fetch ends before the process does. */
const NODE_RUNNER = [
  "const { pathToFileURL } = await import('node:url')",
  'for (const f of process.argv.slice(1)) {',
  '  try { await import(pathToFileURL(f).href) }',
  '  catch (e) { console.error(f, e); process.exitCode = 1 }',
  '}',
].join('\n')

const TOOLS: Tool[] = [
  { target: 'shell:curl', runAll: eachInShell('--silent --show-error --output /dev/null') },
  ...(hasHttpie ? [{ target: 'shell:httpie', runAll: eachInShell('--quiet') } as Tool] : []),
  {
    target: 'javascript:fetch',
    runAll: inOneProcess(process.execPath, ['--input-type=module', '-e', NODE_RUNNER], 'mjs'),
  },
  ...(hasRequests
    ? [{ target: 'python:requests', runAll: inOneProcess('python3', ['-c', PYTHON_RUNNER], 'py') } as Tool]
    : []),
]

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
    const runs: { name: string; tool: Tool; code: string; ours: Arrived; row: boolean }[] = []
    for (const path of ['form-text.yaml', 'form-fields.yaml', 'json.yaml', 'parts.yaml', 'repeated.yaml']) {
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
        const name = path.replace('.yaml', '')
        runs.push({ name, tool, code: composer.value.text, ours, row: false })
        // A row's code comes from the HAR of what was sent (har/snippets.ts); HTTPie's rows are
        // copy-as-httpie's, each a process of its own.
        if (tool.target !== 'shell:httpie' && codes[i] !== composer.value.text)
          runs.push({ name, tool, code: codes[i] as string, ours, row: true })
      }
    }
    // Each code is sent to a path of its own (its URL's path given a suffix), by which its request is told apart.
    const pathOf = (r: (typeof runs)[number], i: number): string => `/${r.name}-r${i}`
    const ran: (string | null)[] = runs.map(() => null)
    await Promise.all(
      TOOLS.map(async (tool) => {
        const mine = [...runs.entries()].filter(([, r]) => r.tool === tool)
        const jobs = mine.map(([i, r]) => ({
          code: r.code.replaceAll(`${t.stub.url}/${r.name}`, `${t.stub.url}${pathOf(r, i)}`),
          file: `run${i}`,
        }))
        const errors = await tool.runAll(jobs)
        for (const [k, [i]] of mine.entries()) ran[i] = errors[k] ?? null
      }),
    )
    // Every difference at once, each with its code: what a person pasting it would get wrong.
    const wrong = runs.flatMap((r, i) => {
      const theirs = t.stub.arrived.filter((a) => a.url === pathOf(r, i))
      const got = theirs.length === 1 ? seen(theirs[0] as Arrived) : `${theirs.length} requests; ${ran[i]}`
      return isDeepStrictEqual(got, seen(r.ours))
        ? []
        : [`${r.name} ${r.tool.target}${r.row ? ' (row)' : ''}: ${JSON.stringify(got)}\n${r.code}`]
    })
    expect(wrong).toEqual([])
    expect(runs.filter((r) => r.row).length).toBeGreaterThanOrEqual(hasRequests ? 12 : 8)
    // Three parts named alike arrive as three, in their order (a Python dict kept the last one only).
    const repeated = runs.find((r) => r.name === 'repeated')?.ours as Arrived
    expect(multipartParts(repeated).map((p) => [p.name, p.filename])).toEqual([
      ['doc', 'a.txt'],
      ['doc', null],
      ['doc', 'receipt.csv'],
    ])
    // A row's file parts are the absolute paths Send opened, and its code says so.
    const rowParts = runs.find((r) => r.row && r.name === 'parts' && r.tool.target === 'shell:curl')
    expect(rowParts?.code.split('\n')[0]).toBe(`# ${SENT_FILE_PATHS}`)
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
    // C#'s constructor throws at a type with parameters; Parse reads any Content-Type value.
    expect(await code('form-text.yaml', 'csharp:httpclient')).toContain(
      'MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded")',
    )
    // A type with a quoted parameter (a shared request's `x="\"); Evil(); //"`) is one string literal in Java
    // and C#: it was written unescaped, and the code ran Evil() for whoever ran it.
    const typed = JSON.stringify(HOSTILE_TYPE)
    expect(await code('typed.yaml', 'java:okhttp')).toContain(`MediaType.parse(${typed})`)
    expect(await code('typed.yaml', 'csharp:httpclient')).toContain(`MediaTypeHeaderValue.Parse(${typed})`)
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
