import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineService } from '../../../src/engine/service'
import { makeService } from '../helpers'
import { NEWMAN_TEST_MS } from '../../helpers/cold-start'

/**
 * `pm.response.json()` on a deeply nested body: newman (V8's JSON.parse) parses any depth, and so does the sandbox,
 * whose own JSON.parse recurses and stops at its stack; the same tests pass in both. A body that is not JSON still
 * fails as JSON.parse fails, saying where; a recursion the script itself makes on such a value stops with an error
 * naming the sandbox's stack.
 */

const DEPTH = 50_000
const deepObject = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n)
const deepArray = (n: number): string => '['.repeat(n) + '"end"' + ']'.repeat(n)

let server: Server
let base = ''
let service: EngineService
let failures: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/'
    const body = url.startsWith('/object')
      ? deepObject(DEPTH)
      : url.startsWith('/array')
        ? deepArray(DEPTH)
        : url.startsWith('/three-thousand')
          ? deepObject(3000)
          : // Deep and cut short: not JSON.
            deepObject(DEPTH).slice(0, -10)
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  service = makeService({ configDir: mkdtempSync(join(tmpdir(), 'fd-deep-json-config-')) })
})
afterAll(async () => {
  await service.dispose()
  await new Promise((r) => server.close(r))
})

const WALK = [
  'pm.test("body parses", function () {',
  '  var j = pm.response.json(); var d = 0;',
  '  while (typeof j === "object" && j !== null) { j = Array.isArray(j) ? j[0] : j.a; d++ }',
  '  pm.test("depth " + d + ", innermost " + j, function () {});',
  '});',
]
const REQUESTS: { name: string; path: string; script: string[] }[] = [
  { name: 'Deep object', path: '/object', script: WALK },
  { name: 'Deep array', path: '/array', script: WALK },
  { name: 'Three thousand', path: '/three-thousand', script: WALK },
  { name: 'Cut short', path: '/cut', script: WALK },
  {
    name: 'Deep compare',
    path: '/object',
    script: [
      'pm.test("a deep compare", function () {',
      '  pm.expect(pm.response.json()).to.eql(JSON.parse(pm.response.text()));',
      '});',
    ],
  },
  // JSON.stringify recurses in C: the worker's own stack runs out before the sandbox's check (see sandbox-runtime).
  { name: 'Deep log', path: '/object', script: ['console.log(pm.response.json());'] },
]

function postman(): unknown {
  return {
    info: {
      name: 'Deep JSON',
      schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
    },
    item: REQUESTS.map((r) => ({
      name: r.name,
      request: { method: 'GET', url: `${base}${r.path}` },
      event: [{ listen: 'test', script: { type: 'text/javascript', exec: r.script } }],
    })),
  }
}

type NewmanRun = (
  options: { collection: unknown; reporters: string[]; timeout?: number },
  done: (err: Error | null) => void,
) => {
  on: (
    event: 'assertion',
    listener: (err: Error | null, args: { item: { name: string }; assertion: string }) => void,
  ) => void
}
const require = createRequire(import.meta.url)
const newman = (): { run: NewmanRun } => require('newman') as { run: NewmanRun }

function newmanTests(): Promise<string[]> {
  const tests: string[] = []
  return new Promise((resolve, reject) => {
    newman()
      .run({ collection: postman(), reporters: [], timeout: 60_000 }, (err) =>
        err ? reject(err) : resolve(tests),
      )
      .on('assertion', (err, a) => tests.push(`${a.item.name}: ${a.assertion}: ${err ? 'fail' : 'pass'}`))
  })
}

interface OurTest {
  line: string
  error?: string
}

async function flightdeckTests(): Promise<OurTest[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-deep-json-'))
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'collection.yaml'), 'flightdeck: 1\nname: Deep JSON\n')
    REQUESTS.forEach((r, i) =>
      writeFileSync(
        join(dir, `r${i}.yaml`),
        `name: ${r.name}\nmethod: GET\nurl: "${base}${r.path}"\nscripts:\n  test: |\n${r.script
          .map((l) => `    ${l}`)
          .join('\n')}\n  translated: false\n`,
      ),
    )
    const opened = await service.invoke('collection.open', { dir })
    if (!opened.ok) throw new Error(opened.error.message)
    const started = await service.invoke('run.start', { dir, path: '', concurrency: 1, iterations: 1 })
    if (!started.ok) throw new Error(started.error.message)
    const report = await service.waitForRun(started.value.runId)
    const results = report?.results ?? []
    failures = results.flatMap((r) => (r.scripts?.post?.failure ? [r.scripts.post.failure.message] : []))
    // Tests are listed in the order they ended (an inner test before the one around it), as newman lists them.
    return results.flatMap((r) =>
      (r.scripts?.post?.tests ?? []).map((t) => ({
        line: `${r.name}: ${t.name}: ${t.passed ? 'pass' : 'fail'}`,
        ...(t.error !== undefined ? { error: t.error } : {}),
      })),
    )
  } finally {
    await service.invoke('collection.close', { dir })
    rmSync(dir, { recursive: true, force: true })
  }
}

// newman's cold first run and parses of 50,000 levels in both: 20 s on a quiet machine, several times that on a
// runner whose cores other jobs share.
describe('pm.response.json() on deeply nested bodies', { timeout: 2 * NEWMAN_TEST_MS }, () => {
  it('parses them as newman does; what is not JSON fails saying where; a deep recursion names the stack', async () => {
    const theirs = await newmanTests()
    const ours = await flightdeckTests()
    const lines = ours.map((t) => t.line)
    for (const expected of [
      `Deep object: depth ${DEPTH}, innermost 1: pass`,
      'Deep object: body parses: pass',
      `Deep array: depth ${DEPTH}, innermost end: pass`,
      'Deep array: body parses: pass',
      'Three thousand: depth 3000, innermost 1: pass',
      'Three thousand: body parses: pass',
      'Cut short: body parses: fail',
    ])
      expect(lines).toContain(expected)
    // newman agrees on every parse (the folder runs its requests by name, newman in the collection's order).
    const parses = (all: string[]): string[] => all.filter((l) => !/^Deep (compare|log)/.test(l)).sort()
    expect(parses(lines)).toEqual(parses(theirs))
    const cut = ours.find((t) => t.line.startsWith('Cut short: body parses'))
    expect(cut?.error).toMatch(/^SyntaxError: .*JSON.* position \d+/)
    const compare = ours.find((t) => t.line.startsWith('Deep compare'))
    expect(compare?.error).toMatch(/stack overflow \(deeper than the sandbox's 512 KB stack allows\)/)
    // The log stops its script, saying so; the requests after it (Deep object, Three thousand) ran in a new sandbox.
    expect(failures).toEqual([
      'test script of request "Deep log": stack over 512 KB (too deep a recursion): the script was stopped',
    ])
  })
})
