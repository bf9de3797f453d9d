import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { saveRequest } from '../../src/engine/collections/store'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import { REQUEST_KEYS } from '../../src/engine/collections/collection-file-format'
import { requestPlain } from '../../src/engine/collections/collection-file-write'
import { parseRequestText } from '../../src/engine/collections/collection-file-read'
import { renderYaml } from '../../src/engine/collections/yaml-doc'

/** The runner's request-file fields: assertions, extract, retry, dependsOn, stop. */

function parse(text: string): SavedRequest {
  const r = parseRequestText(text, 'stem')
  if (!r.ok) throw new Error(`line ${r.problem.line}: ${r.problem.message}`)
  return r.value
}

const write = (req: SavedRequest, previous: string | null = null): string =>
  renderYaml(requestPlain(req), previous, REQUEST_KEYS)

const FULL = `name: Login
method: POST
url: "{{base}}/login"
assertions:
  - kind: status
    equals: 200
  - kind: header
    name: content-type
    contains: json
  - kind: json
    path: $.token
    exists: true
  - kind: json
    path: $.user.id
    equals: 42
  - kind: body-contains
    text: token
  - kind: duration-under
    ms: 500
extract:
  - name: token
    from: json
    path: $.token
  - name: trace
    from: header
    header: x-trace
  - name: code
    from: regex
    pattern: code=(\\w+)
    group: 1
retry:
  retries: 3
  onStatus:
    - 503
  backoffMs: 50
dependsOn:
  - auth/setup.yaml
`

describe('request files: runner fields', () => {
  it('a file without runner fields reads without them and writes back byte-identical', () => {
    const text = 'name: Plain\nmethod: GET\nurl: http://127.0.0.1/x\n'
    const req = parse(text)
    expect(req).not.toHaveProperty('assertions')
    expect(req).not.toHaveProperty('retry')
    expect(write(req, text)).toBe(text)
    expect(write(req)).toBe(text)
    expect(write(emptySavedRequest('New'))).toBe('name: New\nmethod: GET\nurl: ""\n')
  })

  it('reads every field, fills retry defaults, and round-trips in canonical order', () => {
    const req = parse(FULL)
    expect(req.assertions).toHaveLength(6)
    expect(req.assertions?.[3]).toEqual({ kind: 'json', path: '$.user.id', equals: 42 })
    expect(req.extract?.[2]).toEqual({ name: 'code', from: 'regex', pattern: 'code=(\\w+)', group: 1 })
    expect(req.retry).toEqual({
      retries: 3,
      onNetworkError: true,
      onStatus: [503],
      backoffMs: 50,
      factor: 2,
      maxBackoffMs: 5000,
    })
    expect(req.dependsOn).toEqual(['auth/setup.yaml'])
    // Defaults stay out of the file; what was there comes back exactly.
    expect(write(req)).toBe(FULL)
    expect(write(req, FULL)).toBe(FULL)
    expect(parse(write(req))).toEqual(req)
  })

  it('changing one field changes one line', () => {
    const req = parse(FULL)
    const changed: SavedRequest = {
      ...req,
      assertions: (req.assertions ?? []).map((a) => (a.kind === 'duration-under' ? { ...a, ms: 750 } : a)),
    }
    const before = FULL.split('\n')
    const after = write(changed, FULL).split('\n')
    expect(after).toHaveLength(before.length)
    const diff = after.filter((line, i) => line !== before[i])
    expect(diff).toEqual(['    ms: 750'])
  })

  it('stream stop conditions, shorthand lists, and a bare number as header text', () => {
    const req = parse(
      'name: Ticks\nkind: sse\nurl: http://x/sse\nstop:\n  count: 3\n  match: "^done$"\n' +
        'dependsOn: login\nretry:\n  retries: 1\n  onStatus: 503\n' +
        'assertions:\n  - kind: header\n    name: x-n\n    equals: 5\n  - kind: message-count\n    min: 3\n',
    )
    expect(req.stop).toEqual({ count: 3, match: '^done$' })
    expect(req.dependsOn).toEqual(['login'])
    expect(req.retry?.onStatus).toEqual([503])
    expect(req.assertions?.[0]).toEqual({ kind: 'header', name: 'x-n', equals: '5' })
    const again = parse(write(req))
    expect(again).toEqual(req)
    expect(write(req)).toContain('stop:\n  count: 3\n  match: ^done$\n')
  })

  it('reports a bad entry with its path and line and loses nothing else', () => {
    const bad = (text: string): { line: number; message: string } => {
      const r = parseRequestText(text, 'stem')
      if (r.ok) throw new Error('expected a problem')
      return r.problem
    }
    const kind = bad('name: A\nurl: x\nassertions:\n  - kind: status\n    equals: 200\n  - kind: nope\n')
    expect(kind.line).toBe(6)
    expect(kind.message).toMatch(/^assertions\.1/)
    const regex = bad('name: A\nurl: x\nextract:\n  - name: v\n    from: regex\n    pattern: "(unclosed"\n')
    expect(regex.line).toBe(6)
    expect(regex.message).toMatch(/extract\.0\.pattern: Not a valid regular expression/)
    const extra = bad('name: A\nurl: x\nretry:\n  retries: 2\n  tries: 4\n')
    expect(extra.message).toMatch(/retry/)
    expect(extra.line).toBeGreaterThanOrEqual(3)
    const noRetries = bad('name: A\nurl: x\nretry:\n  backoffMs: 10\n')
    expect(noRetries.message).toMatch(/retry\.retries/)
    const stop = bad('name: A\nkind: ws\nurl: ws://x\nstop:\n  count: 0\n')
    expect(stop.line).toBe(5)
    expect(stop.message).toMatch(/stop\.count/)
  })

  it('a save that does not carry the run fields keeps them on disk; an empty list removes one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-run-save-'))
    try {
      writeFileSync(join(dir, 'login.yaml'), FULL)
      // What the composer saves: the request without the fields it does not edit.
      const { assertions: _a, extract: _e, retry: _r, dependsOn: _d, ...plain } = parse(FULL)
      const saved = await saveRequest(dir, 'login.yaml', { ...plain, url: '{{base}}/signin' }, null)
      expect(saved.ok).toBe(true)
      const after = readFileSync(join(dir, 'login.yaml'), 'utf8')
      expect(after).toBe(FULL.replace('/login', '/signin'))
      const removed = await saveRequest(dir, 'login.yaml', { ...parse(after), assertions: [] }, null)
      expect(removed.ok).toBe(true)
      const text = readFileSync(join(dir, 'login.yaml'), 'utf8')
      expect(text).not.toContain('assertions')
      expect(parse(text).extract).toHaveLength(3)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
