import { describe, expect, it } from 'vitest'
import { plainVariables } from '../../src/engine/collections/plain-settings'
import { plainAuth } from '../../src/engine/collections/plain-request'
import {
  parseCollectionText,
  parseEnvironmentText,
  parseFolderText,
  schemaChecksRun,
} from '../../src/engine/collections/collection-file-read'
import {
  collectionPlain,
  environmentPlain,
  folderPlain,
} from '../../src/engine/collections/collection-file-write'
import {
  COLLECTION_KEYS,
  ENVIRONMENT_KEYS,
  FOLDER_KEYS,
} from '../../src/engine/collections/collection-file-format'
import { renderYaml } from '../../src/engine/collections/yaml-doc'
import { authSchema, variableSchema } from '../../src/shared/collection'

/**
 * The settings files' check without zod (plain-settings.ts, plainAuth in plain-request.ts) against the schemas it
 * stands in for: what it takes, zod takes too and makes the very same value (keys in the same order); what zod
 * refuses, it leaves to zod, so every error is still zod's. And what it is for: opening a collection as Flightdeck
 * writes it (collection.yaml, a folder.yaml, an environment) runs no zod check at all.
 */

const variablesSchema = variableSchema.array().max(10_000)

function sameVariables(value: unknown, where: string): 'taken' | 'left' {
  const fast = plainVariables(value)
  const zod = variablesSchema.safeParse(value)
  if (fast === null) return 'left'
  expect(zod.success, `${where}: taken, but zod refuses: ${zod.error?.message}`).toBe(true)
  expect(JSON.stringify(fast), where).toBe(JSON.stringify(zod.data))
  expect(fast, where).toStrictEqual(zod.data)
  return 'taken'
}

function sameAuth(value: unknown, where: string): 'taken' | 'left' {
  const fast = plainAuth(value)
  const zod = authSchema.safeParse(value)
  if (fast === null) return 'left'
  expect(zod.success, `${where}: taken, but zod refuses: ${zod.error?.message}`).toBe(true)
  expect(JSON.stringify(fast), where).toBe(JSON.stringify(zod.data))
  expect(fast, where).toStrictEqual(zod.data)
  return 'taken'
}

const v = (name: unknown, value: unknown = 'x', secret: unknown = false): Record<string, unknown> => ({
  name,
  value,
  secret,
})

describe('plain variables', () => {
  it('takes what the schema takes, as it makes it, and leaves the rest to zod', () => {
    const taken: unknown[] = [
      [],
      [v('baseUrl', 'http://127.0.0.1:1')],
      [v('a'), v('_b.c-d', '', true)],
      [v('n'.repeat(256))],
      [v('big', 'x'.repeat(1024 * 1024))],
      [{ ...v('extra'), note: 'dropped by zod too' }],
      Array.from({ length: 10_000 }, (_, i) => v(`v${i}`)),
    ]
    for (const [i, value] of taken.entries()) expect(sameVariables(value, `taken ${i}`)).toBe('taken')
    const left: unknown[] = [
      null,
      {},
      'a',
      [null],
      [v('')],
      [v('n'.repeat(257))],
      [v('1st')],
      [v('has space')],
      [v('ünï')],
      [v('a', 'x'.repeat(1024 * 1024 + 1))],
      [v('a', 1)],
      [v('a', null)],
      [v('a', 'x', 'yes')],
      [v(7)],
      [{ name: 'a', value: 'x' }],
      Array.from({ length: 10_001 }, (_, i) => v(`v${i}`)),
      [Object.assign(Object.create({ inherited: true }) as object, v('a'))],
    ]
    for (const [i, value] of left.entries()) {
      expect(sameVariables(value, `left ${i}`)).toBe('left')
      // Left to zod where zod refuses, or takes it by a rule the fast check does not cover.
      const zod = variablesSchema.safeParse(value)
      if (zod.success)
        expect(i, 'only the object with a prototype is left though valid').toBe(left.length - 1)
    }
  })

  it('auth as folders and collections save it: the plain kinds are taken as zod makes them', () => {
    const taken: unknown[] = [
      { type: 'inherit' },
      { type: 'none' },
      { type: 'basic', username: 'u', password: 'p' },
      { type: 'digest', username: '', password: '' },
      { type: 'bearer', token: '{{t}}' },
      { type: 'bearer', token: 't', prefix: 'Token' },
      { type: 'apikey', key: 'k', value: 'v', in: 'query' },
      { type: 'basic', username: 'x'.repeat(64 * 1024), password: 'p', extra: 1 },
    ]
    for (const [i, value] of taken.entries()) expect(sameAuth(value, `taken ${i}`)).toBe('taken')
    const left: unknown[] = [
      null,
      { type: 'oauth2' },
      { type: 'basic', username: 'x'.repeat(64 * 1024 + 1), password: 'p' },
      { type: 'bearer', token: 1 },
      { type: 'apikey', key: 'k', value: 'v', in: 'cookie' },
      { type: 'nope' },
    ]
    for (const [i, value] of left.entries()) expect(sameAuth(value, `left ${i}`)).toBe('left')
  })
})

describe('opening the settings files Flightdeck writes', () => {
  it('runs no zod check for collection.yaml, a folder.yaml and an environment', () => {
    const variables = [
      { name: 'baseUrl', value: 'http://127.0.0.1:8080', secret: false },
      { name: 'token', value: '', secret: true },
    ]
    const collection = renderYaml(
      collectionPlain({
        name: 'Shop',
        variables,
        auth: { type: 'bearer', token: '{{token}}' },
        order: ['a'],
      }),
      null,
      COLLECTION_KEYS,
    )
    const folder = renderYaml(
      folderPlain({ variables, auth: { type: 'basic', username: 'u', password: '{{p}}' }, order: [] }),
      null,
      FOLDER_KEYS,
    )
    const environment = renderYaml(environmentPlain('Local', variables), null, ENVIRONMENT_KEYS)

    const before = schemaChecksRun()
    const c = parseCollectionText(collection, 'fallback')
    const f = parseFolderText(folder)
    const e = parseEnvironmentText(environment, 'local')
    expect(schemaChecksRun() - before, 'zod checks run').toBe(0)

    expect(c).toStrictEqual({
      ok: true,
      value: { name: 'Shop', variables, auth: { type: 'bearer', token: '{{token}}' }, order: ['a'] },
    })
    expect(f).toStrictEqual({
      ok: true,
      value: { variables, auth: { type: 'basic', username: 'u', password: '{{p}}' }, order: [] },
    })
    expect(e).toStrictEqual({ ok: true, value: { name: 'Local', variables } })
  })

  it('still words a wrong file as zod does, on its line', () => {
    const before = schemaChecksRun()
    const r = parseFolderText('name: F\nvariables:\n  "1st": x\n')
    expect(schemaChecksRun() - before).toBe(1)
    expect(r).toMatchObject({ ok: false, problem: { line: 3 } })
    expect(r.ok ? '' : r.problem.message).toContain('Variable names are letters, digits, _ . and -')
  })
})
