import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { load } from 'js-yaml'
import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { REQUEST_KEYS } from '../../src/engine/collections/collection-file-format'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { readSimpleYaml } from '../../src/engine/collections/yaml-fast'
import { plainScalar, READ_SCHEMA } from '../../src/engine/collections/yaml-read'
import { renderYaml } from '../../src/engine/collections/yaml-doc'

/**
 * The fast reader of plain block YAML gives exactly what js-yaml gives for the same text, or declines (and the
 * collection reader uses js-yaml): checked on the files Flightdeck writes, on hand-written texts near every
 * edge it declines at, and on every YAML file in the repository.
 */

function slow(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: load(text, { schema: READ_SCHEMA, json: false }) }
  } catch {
    return { ok: false }
  }
}

/** The fast read, which must decline or agree with js-yaml; returns whether it read the text. */
function agrees(text: string): boolean {
  const fast = readSimpleYaml(text, plainScalar)
  if (fast === undefined) return false
  const reference = slow(text)
  expect(reference.ok, `js-yaml refuses what the fast reader read:\n${text}`).toBe(true)
  if (reference.ok) expect(fast, text).toStrictEqual(reference.value)
  return true
}

const written = (req: SavedRequest): string => renderYaml(requestPlain(req), null, REQUEST_KEYS)

const REQUESTS: SavedRequest[] = [
  {
    ...emptySavedRequest('Item 0'),
    url: '{{baseUrl}}/items/0',
    headers: [{ name: 'Accept', value: 'application/json', enabled: true }],
    assertions: [{ kind: 'status', equals: 200 }],
  },
  {
    ...emptySavedRequest('Create: user "ada"'),
    method: 'POST',
    url: 'https://example.test/users?x=1&y=2',
    headers: [
      { name: 'X-Zip', value: '01234', enabled: true },
      { name: 'X-Off', value: 'yes', enabled: false },
      { name: 'X-Empty', value: '', enabled: true },
      { name: 'X-Quote', value: 'it\'s \\ "quoted" ü €', enabled: true },
    ],
    auth: { type: 'bearer', token: '{{token}}' },
    assertions: [
      { kind: 'status', oneOf: [200, 201] },
      { kind: 'header', name: 'content-type', contains: 'json' },
      { kind: 'json', path: '$.id', exists: true },
      { kind: 'duration-under', ms: 1500 },
    ],
    extract: [{ name: 'id', from: 'json', path: '$.id' }],
    retry: {
      retries: 2,
      onNetworkError: true,
      onStatus: [502, 503],
      backoffMs: 100,
      factor: 2,
      maxBackoffMs: 1000,
    },
    dependsOn: ['auth/login.yaml'],
  },
  {
    ...emptySavedRequest('Form'),
    method: 'PUT',
    url: 'http://127.0.0.1:8080/form',
    body: {
      kind: 'form',
      fields: [
        { name: 'a', value: '1.10', enabled: true },
        { name: 'b', value: 'true', enabled: true },
      ],
    },
  },
  ...[
    '{\n  "a": 1,\n  "b": [true, null]\n}',
    '{"a":1}',
    'line1\n\n  indented\nlast\n',
    'trail\n\n\n',
    'spaces kept:\n      \nend',
    '\n\nleading blank lines',
    '  leading space\nx',
  ].map((text, i): SavedRequest => ({
    ...emptySavedRequest(`Body ${i}`),
    method: 'POST',
    url: 'http://127.0.0.1/x',
    body: { kind: 'json', text },
  })),
]

/** Bodies the writer puts with leading blank lines or an explicit indentation, which the fast reader leaves. */
const declinedBody = (req: SavedRequest): boolean =>
  req.body.kind === 'json' && (req.body.text.startsWith('\n') || req.body.text.startsWith(' '))

describe('the fast YAML reader', () => {
  it("reads the request files Flightdeck writes, as js-yaml does, and the collection reader's result is the same", () => {
    for (const req of REQUESTS) {
      const text = written(req)
      expect(agrees(text), text).toBe(!declinedBody(req))
      const read = parseRequestText(text, 'x')
      expect(read.ok, text).toBe(true)
      if (read.ok) expect(read.value).toEqual(req)
    }
  })

  it('agrees with js-yaml or declines on texts near every edge', () => {
    const read: string[] = []
    const declined: string[] = []
    const texts = [
      'a: 1\nb: 01234\nc: 0x1F\nd: 1e3\ne: 1.10\nf: 12345678901234567890\ng: -5\nh: +7\ni: .inf\nj: -.Inf\nk: .nan\n',
      'a: ~\nb: null\nc: Null\nd: true\ne: False\nf: yes\ng: no\nh: on\ni: 2024-01-01\nj:\nk: ""\nl: \'\'\n',
      'a: "x\\ny\\t\\"q\\" \\\\ \\u00fc \\x41 \\/"\nb: \'it\'\'s\'\nc: plain with spaces   \nd: http://h:80/p?q=1\n',
      'list:\n  - 1\n  - two\n  - "3"\n  - name: a\n    value: b\n  - name: c\n',
      'list:\n- a\n- b\nnext: 1\n',
      'nested:\n  deeper:\n    deepest: 1\n  back: 2\ntop: 3\n',
      'a:\n\n  b: 1\n\n\nc: 2\n',
      'seq:\n  -   spaced: 1\n      more: 2\n',
      'x:\n  - key:\n    - a\n',
      'x:\n  - key:\n      - a\n',
      'a: 1 # comment\n',
      '# comment\na: 1\n',
      'a: [1, 2]\n',
      'a: {b: 1}\n',
      'a: |\n  text\n',
      'a: |-\n  one\n\n   two\n  three\nb: 1\n',
      'a: |+\n  kept\n\n\nb: 1\n',
      'a: |\n  clip\n\n',
      'a: |+\n  at end\n\n',
      'a: |-\n  no newline at end',
      'a: |\n  x\n    more\n   less\n',
      'a: |\nb: 1\n',
      'a: |\n',
      'a:\n  b: |\n    deep\n  c: 2\n',
      'a:\n  b: |\n    deep\n   bad: 2\n',
      'a: |2\n   x\n',
      'a: |\n\n  after blank\n',
      'a: |\n  x\n      \n  y\n',
      'a: >-\n  folded\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: plain\n  continued\n',
      'a: "open\n  closed"\n',
      'a: 1\na: 2\n',
      '__proto__: 1\n',
      '"quoted": 1\n',
      'a:b\n',
      'a: b: c\n',
      'a: - b\n',
      '- a\n- b\n',
      'scalar\n',
      '',
      '\n\n',
      '---\na: 1\n',
      'a: 1\n---\nb: 2\n',
      'a: 1\r\nb: 2\r\n',
      'a:\t1\n',
      '\ufeffa: 1\n',
      'a: 1\n b: 2\n',
      'a:\n    b: 1\n  c: 2\n',
      'list:\n  - a\n   - b\n',
      'list:\n  -\n    a: 1\n',
      'list:\n  - - a\n',
      'a: "x" y\n',
      "a: 'x' y\n",
      'a: "\\q"\n',
      'true: 1\n',
      'key.with-dots_and-dashes: 1\n',
      'a: x:\n',
      'a: -\n',
      'a: ?\n',
      'a: %x\n',
      'a: @x\n',
      'a: `x`\n',
      'a: ,x\n',
      'a: x,y\n',
      'a: <x>\n',
      'a: =\n',
      'a: "\u0001"\n',
      'list:\n  - "a: b"\n  - \'c: d\'\n',
      'list:\n  - "k": v\n',
    ]
    for (const t of texts) (agrees(t) ? read : declined).push(t)
    // The plain ones are read fast, the rest declined (and left to js-yaml, which words their errors).
    expect(read.length).toBeGreaterThanOrEqual(10)
    expect(declined).toContain('a: 1 # comment\n')
    expect(declined).toContain('a: 1\na: 2\n')
  })

  it('agrees with js-yaml or declines on every YAML file in the repository', () => {
    const root = join(import.meta.dirname, '..', '..')
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '')
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) agrees(readFileSync(join(root, f), 'utf8'))
  })

  it('reads 30 levels of nesting with the stack it uses for one (a loop over its own stack of levels)', () => {
    /** Calls on the stack between readSimpleYaml and the scalar resolver it calls for the deepest value. */
    const framesAtDeepest = (levels: number): number => {
      // Mappings in sequences in mappings…: `k:`, then `- k:` a column further in, its key's block further still.
      let text = ''
      let column = 0
      for (let i = 0; i < levels; i++) {
        text += `${' '.repeat(column)}${i % 2 === 0 ? '' : '- '}k:\n`
        column += i % 2 === 0 ? 1 : 3
      }
      text += `${' '.repeat(column)}leaf: deepest\n`
      let frames = -1
      const limit = Error.stackTraceLimit
      Error.stackTraceLimit = 1000
      try {
        const value = readSimpleYaml(text, (plain) => {
          if (plain === 'deepest') {
            const stack = (new Error().stack ?? '').split('\n')
            frames = stack.findIndex((line) => line.includes('readSimpleYaml')) - 1
          }
          return plainScalar(plain)
        })
        expect(value).toStrictEqual(
          slow(text).ok ? (slow(text) as { value: unknown }).value : 'js-yaml refused',
        )
      } finally {
        Error.stackTraceLimit = limit
      }
      return frames
    }
    const shallow = framesAtDeepest(2)
    expect(shallow).toBeGreaterThan(0)
    // Calling itself per level, the reader used about 3.5 frames more for each of the 28 extra levels (108 in all).
    expect(framesAtDeepest(30)).toBe(shallow)
  })
})
