import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runImport } from '../../src/engine/importers/index'
import { MemorySecretStore } from '../../src/engine/secrets/secret-store'

/**
 * YAML "billion laughs" in the importers other than OpenAPI's: an 850-byte file whose anchors each repeat the
 * one before nine times (`a1: &a1 [*a0, *a0, …]`). js-yaml shares the repeated part, so parsing is cheap; an
 * importer that then walks or stringifies a value (Insomnia's environment data, an OpenCollection variable)
 * meets 9^12 values. Before, an Insomnia v5 file like this kept its import worker busy until the 120 s task
 * timeout. It is refused in words at once, as OpenAPI's is, and nothing is written.
 */

const REFUSED =
  'the document holds more than 4,000,000 values once its YAML aliases are expanded (a part repeated by aliases, or a file too large to import); nothing was written'

/** Anchors a0..a11 under `key:`, each nine times the one before; `*a11` stands for 9^12 strings. */
function laughs(key: string): string[] {
  const lines = [`${key}:`, '  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]']
  for (let i = 1; i < 12; i++)
    lines.push(
      `  a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    )
  return lines
}

const insomniaV5 = [
  'type: collection.insomnia.rest/5.0',
  'name: Shared',
  'collection:',
  '  - name: r',
  '    url: http://127.0.0.1/',
  '    method: GET',
  ...laughs('x-bomb'),
  'environments:',
  '  name: Base',
  '  data:',
  '    token: *a11',
].join('\n')

const openCollection = [
  'opencollection: 1.0.0',
  'info:',
  '  name: Shared',
  ...laughs('x-bomb'),
  'items:',
  '  - info: {name: r, type: http}',
  '    http:',
  '      method: GET',
  '      url: http://127.0.0.1/',
  '      headers:',
  '        - name: X',
  '          value: *a11',
  '      body: {type: json, data: *a11}',
].join('\n')

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-attack-yaml-bomb-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

describe('a YAML alias bomb in a shared collection', () => {
  it.each([
    ['an Insomnia v5 export', insomniaV5],
    ['an OpenCollection (Bruno) bundle', openCollection],
  ])(
    '%s is refused in words within seconds and nothing is written',
    async (_what, text) => {
      const file = join(root, 'shared.yaml')
      writeFileSync(file, text)
      expect(text.length).toBeLessThan(1_000)
      const into = join(root, 'out')
      const started = Date.now()
      const r = await runImport({ file }, 'auto', into, new MemorySecretStore())
      expect(r).toEqual({ ok: false, error: { code: 'parse', message: REFUSED } })
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(existsSync(into) ? readdirSync(into) : []).toEqual([])
    },
    40_000,
  )

  it('an OpenCollection folder whose request file is a bomb: that file is left out and said', async () => {
    const dir = join(root, 'oc')
    const { mkdirSync } = await import('node:fs')
    mkdirSync(dir)
    writeFileSync(join(dir, 'opencollection.yml'), 'opencollection: 1.0.0\ninfo:\n  name: Shared\n')
    writeFileSync(
      join(dir, 'bomb.yml'),
      [
        ...laughs('x-bomb'),
        'info: {name: bomb, type: http}',
        'http:',
        '  method: GET',
        '  url: http://127.0.0.1/',
        '  body: {type: json, data: *a11}',
      ].join('\n'),
    )
    writeFileSync(
      join(dir, 'fine.yml'),
      'info: {name: fine, type: http}\nhttp:\n  method: GET\n  url: http://127.0.0.1/fine\n',
    )
    const into = join(root, 'out')
    const r = await runImport({ file: dir }, 'auto', into, new MemorySecretStore())
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.value.unmapped).toContain(`bomb.yml: not read (${REFUSED})`)
  }, 40_000)

  it('anchors used as people use them (a shared header list) still import', async () => {
    const file = join(root, 'shared.yaml')
    writeFileSync(
      file,
      [
        'type: collection.insomnia.rest/5.0',
        'name: Shared',
        'collection:',
        '  - name: a',
        '    url: http://127.0.0.1/a',
        '    method: GET',
        '    headers: &h [{name: X-Team, value: blue}]',
        '  - name: b',
        '    url: http://127.0.0.1/b',
        '    method: GET',
        '    headers: *h',
      ].join('\n'),
    )
    const r = await runImport({ file }, 'auto', join(root, 'out'), new MemorySecretStore())
    expect(r.ok).toBe(true)
    if (r.ok) expect(r.value.requests).toBe(2)
  }, 40_000)
})
