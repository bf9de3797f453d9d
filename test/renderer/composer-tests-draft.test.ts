import { describe, expect, it } from 'vitest'
import { emptySavedRequest, type SavedRequest } from '../../src/shared/collection'
import {
  dependencyTarget,
  jsonValueText,
  parseJsonValue,
  savedToRun,
} from '../../src/renderer/composer/run-draft'
import { draftToSaved, extrasOf, savedKey, savedToDraft } from '../../src/renderer/tabs/draft-convert'
import { runFieldsOf } from '../../src/renderer/composer/run-draft'
import { runDraftErrors } from '../../src/renderer/composer/run-draft-errors'

/** The Tests tab's draft: every run field a file can hold comes back unchanged, so opening a file is clean. */

const full: SavedRequest = {
  ...emptySavedRequest('Me'),
  url: '{{base}}/me',
  assertions: [
    { kind: 'status', equals: 200 },
    { kind: 'status', oneOf: [200, 201] },
    { kind: 'status', min: 200, max: 299 },
    { kind: 'header', name: 'content-type', contains: 'json' },
    { kind: 'header', name: 'x-gone', exists: false },
    { kind: 'json', path: '$.user.id', equals: 42 },
    { kind: 'json', path: '$.user.code', equals: '42' },
    { kind: 'json', path: '$.user.name', equals: 'ann' },
    { kind: 'json', path: '$.user.x', equals: null },
    { kind: 'json', path: '$.user', exists: true },
    { kind: 'body-contains', text: '"active":true' },
    { kind: 'duration-under', ms: 500 },
    // Two comparisons in one entry: the tab cannot show it as a row, and keeps it as it is.
    { kind: 'status', equals: 200, min: 100 },
  ],
  extract: [
    { name: 'userId', from: 'json', path: '$.user.id' },
    { name: 'trace', from: 'header', header: 'x-trace-id' },
    { name: 'code', from: 'regex', pattern: 'code=(\\w+)', group: 1 },
  ],
  retry: {
    retries: 3,
    onNetworkError: false,
    onStatus: [503],
    backoffMs: 100,
    factor: 1.5,
    maxBackoffMs: 900,
  },
  dependsOn: ['auth/login', './sibling'],
  stop: { count: 5, match: 'done' },
}

const roundTrip = (req: SavedRequest) =>
  draftToSaved(savedToDraft(req), extrasOf(req), req.options, runFieldsOf(req))

describe('Tests tab draft', () => {
  it('a file with every kind of run field comes back exactly, and the tab is clean', () => {
    const back = roundTrip(full)
    expect(back).toEqual(full)
    expect(savedKey(back)).toBe(savedKey(full))
    expect(savedToRun(full).assertions.filter((a) => a.raw)).toHaveLength(1)
    expect(runDraftErrors(savedToRun(full), 'http')).toEqual({})
  })

  it('a file without run fields gets none added; a file with retries: 0 reads as retry off', () => {
    const plain = { ...emptySavedRequest('x'), url: 'http://127.0.0.1/' }
    expect(roundTrip(plain)).toEqual(plain)
    const zero = { ...plain, retry: { ...full.retry!, retries: 0 } }
    expect(savedToRun(zero).retry.on).toBe(false)
    expect(roundTrip(zero)).toEqual(zero)
  })

  it('reads JSON expected values as typed: numbers, booleans and null, quoted text, or bare text', () => {
    expect(parseJsonValue('42')).toBe(42)
    expect(parseJsonValue('"42"')).toBe('42')
    expect(parseJsonValue('ann')).toBe('ann')
    expect(parseJsonValue('null')).toBeNull()
    expect(parseJsonValue('{"a":1}')).toBe('{"a":1}')
    for (const v of [42, '42', 'ann', true, 'true', null, ''])
      expect(parseJsonValue(jsonValueText(v))).toEqual(v)
  })

  it('resolves dependencies as the runner does', () => {
    expect(dependencyTarget('users/me.yaml', 'auth/login')).toBe('auth/login.yaml')
    expect(dependencyTarget('users/me.yaml', './list')).toBe('users/list.yaml')
    expect(dependencyTarget('users/me.yaml', '../auth/login.yaml')).toBe('auth/login.yaml')
    expect(dependencyTarget('me.yaml', '../x')).toBeNull()
  })

  it('names each bad field', () => {
    const run = savedToRun({
      ...full,
      assertions: [{ kind: 'status', equals: 200 }],
      extract: [{ name: 'code', from: 'regex', pattern: 'x' }],
    })
    run.assertions[0]!.value = 'abc'
    run.extract[0]!.source = '(['
    run.extract.push({ ...run.extract[0]!, id: 'dup', source: 'y' })
    run.retry.onStatus = '503, 9999'
    run.stop.match = '*'
    const errors = Object.values(runDraftErrors(run, 'ws'))
    expect(errors).toEqual(
      expect.arrayContaining([
        'Status must be a whole number',
        expect.stringMatching(/Unterminated character class|missing/i),
        'code is extracted twice',
        '"9999" is not a status (100–999)',
        expect.stringMatching(/Nothing to repeat/),
      ]),
    )
  })
})
