import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

/**
 * Hostile test scripts against the sandbox's 64 MB memory, in a process of their own (so its peak RSS is theirs):
 * strings, typed arrays, JSON.parse, regexps and joins that ask for far more than 64 MB are stopped in words
 * naming the limit, the phase and the request; what a script hands back (variables, test names, an error, the
 * requests it sends) is refused or cut in words naming what and how much; and the process's peak memory grows by
 * well under what the scripts asked for. Each script is followed by a plain one on the same run, which passes.
 * Before the sandbox's memory was bounded, every one of them passed and the process grew past 2 GB.
 */

const run = promisify(execFile)
const child = fileURLToPath(new URL('../../fixtures/scripts/sandbox-memory-child.ts', import.meta.url))
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url))

const CASES = [
  ['strings', `var a = []; for (var i = 0; i < 10; i++) a.push('x'.repeat(12 * 1024 * 1024).toUpperCase())`],
  [
    'typed arrays',
    `var a = []; for (var i = 0; i < 20; i++) a.push(new Uint8Array(8 * 1024 * 1024).fill(1))`,
  ],
  ['json', `var v = JSON.parse('[' + '{"a":1},'.repeat(3e6) + '1]')`],
  [
    'regexp',
    `var s = 'ab'.repeat(4e6), a = []; for (var i = 0; i < 10; i++) a.push(s.replace(/a/g, 'xyz' + i))`,
  ],
  ['join', `var a = []; for (var i = 0; i < 10; i++) a.push(new Array(4e6).join('abc' + i))`],
  ['console', `var s = 'x'.repeat(20e6); for (var i = 0; i < 5; i++) console.log(s + i)`],
  ['variables', `for (var i = 0; i < 10; i++) pm.variables.set('v' + i, 'x'.repeat(5e6) + i)`],
  ['environment', `pm.environment.set('big', 'x'.repeat(12e6))`],
  ['test names', `var s = 'x'.repeat(3e6); for (var i = 0; i < 10; i++) pm.test(s + i, function () {})`],
  ['error', `throw new Error('x'.repeat(12e6))`],
  [
    'sends',
    `var b = 'x'.repeat(6e6); for (var i = 0; i < 5; i++) pm.sendRequest({ url: 'http://127.0.0.1:1/', method: 'POST', body: { mode: 'raw', raw: b + i } }, function () {})`,
  ],
  [
    'kept on globalThis',
    `globalThis.keep = []; try { for (;;) keep.push('y'.repeat(1e6) + keep.length) } catch (e) {}`,
  ],
  ['recursion', `function f(n) { return f(n + 1) + 1 } f(0)`],
  [
    'changes written directly',
    `pm.environment._p.changes.environment = { set: { a: 'x'.repeat(4.5e6), b: 'x'.repeat(4.5e6) }, unset: [] }`,
  ],
] as const

interface Result {
  name: string
  failure: string | null
  kind: string | null
  tests: { name: string; nameChars: number; passed: boolean }[]
  console: number[]
  set: { scope: string; chars: number }[]
  afterPassed: boolean
  afterFailure: string | null
}

describe('the sandbox memory limit against hostile scripts', () => {
  it('stops or cuts each, loudly, and the process stays within its bound', { timeout: 180_000 }, async () => {
    const cases = CASES.map(([name, code]) => ({ name, code: `${code}\npm.test('done', function () {})` }))
    const { stdout } = await run(tsx, [child, JSON.stringify(cases)], {
      timeout: 170_000,
      maxBuffer: 64 * 1024 * 1024,
    })
    const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      warmMb: number
      endMb: number
      results: Result[]
    }
    const by = new Map(out.results.map((r) => [r.name, r]))
    const get = (name: string): Result => {
      const r = by.get(name)
      if (!r) throw new Error(`no result for ${name}`)
      return r
    }
    for (const name of ['strings', 'typed arrays', 'json', 'regexp', 'join']) {
      expect(get(name).failure, name).toBe(
        `test script of request "${name}": memory over 64 MB: the script was stopped`,
      )
      expect(get(name).kind, name).toBe('memory')
    }
    // Logged whole by the script, kept cut.
    expect(get('console').failure).toBeNull()
    expect(get('console').console).toEqual(
      Array(5).fill(4096 + '… (cut at 4096 characters of 20000001)'.length),
    )
    expect(get('variables').failure).toBe(
      'test script of request "variables": RangeError: the local variable "v1" (4.8 MB) was not set: the variables would take 9.5 MB, over the script\'s 8.0 MB for variables, an eighth of its 64 MB memory (a fixed limit)',
    )
    // The one set before it is kept.
    expect(get('variables').set).toEqual([{ scope: 'local', chars: 5000003 }])
    expect(get('environment').failure).toMatch(
      /^test script of request "environment": RangeError: the environment variable "big" \(11\.4 MB\) was not set: .* over the script's 8\.0 MB for variables/,
    )
    expect(get('environment').set).toEqual([])
    const names = get('test names').tests.filter((t) => t.name !== 'done')
    expect(names).toHaveLength(10)
    for (const t of names) expect(t.nameChars).toBe(4096 + '… (cut at 4096 characters of 3000001)'.length)
    const error = get('error').failure ?? ''
    expect(error.startsWith('test script of request "error": xxxx')).toBe(true)
    expect(error.endsWith('x… (cut at 4096 characters of 12000000)')).toBe(true)
    expect(get('sends').failure).toBe(
      'test script of request "sends": RangeError: pm.sendRequest: the request (5.7 MB) was not sent: with the ones before it this phase would send 17.2 MB, over the 16.0 MB a script phase may send, a quarter of its 64 MB memory (a fixed limit)',
    )
    // The memory it kept stops the next script on that sandbox, which says so; the one after gets a fresh sandbox.
    expect(get('kept on globalThis').afterFailure).toMatch(/: memory over 64 MB: /)
    expect(get('recursion').failure).toBe(
      'test script of request "recursion": stack over 512 KB (too deep a recursion): the script was stopped',
    )
    // Past the prelude's count, through the API's insides: held by the engine all the same.
    expect(get('changes written directly').failure).toBe(
      'test script of request "changes written directly": the variables it set (8.6 MB) are over the script\'s 8.0 MB for variables: they are not kept',
    )
    expect(get('changes written directly').set).toEqual([])
    for (const r of out.results)
      if (r.name !== 'kept on globalThis') expect(r.afterPassed, `the script after "${r.name}"`).toBe(true)
    // The scripts asked for well over a gigabyte in all; a sandbox holds at most 64 MB, and the host's copies of
    // what it hands back and a stopped sandbox not yet collected come on top.
    expect(out.endMb - out.warmMb, `peak RSS ${out.warmMb} -> ${out.endMb} MB`).toBeLessThan(160)
  })
})
