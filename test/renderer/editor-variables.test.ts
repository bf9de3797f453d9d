import { describe, expect, it } from 'vitest'
import type { ScopedVariable } from '../../src/shared/collection'
import { FAKE_VARIABLES } from '../../src/shared/fake-variables'
import { beautifyJson, jsonBodyProblem, LIVE_CHECK_LIMIT } from '../../src/renderer/editor/json-beautify'
import { languageForContentType } from '../../src/renderer/editor/editor-setup'
import {
  completionSpot,
  hoverText,
  MAX_COMPLETIONS,
  tokenAt,
  variableOptions,
  variableState,
} from '../../src/renderer/editor/variable-tokens'

const v = (name: string, value: string, extra: Partial<ScopedVariable> = {}): ScopedVariable => ({
  name,
  value,
  secret: false,
  scope: 'environment',
  source: 'staging',
  ...extra,
})

const scope: ScopedVariable[] = [
  v('host', 'api.example.test', { scope: 'collection', source: '' }),
  v('host', '127.0.0.1:8080'),
  v('token', '', { secret: true }),
  v('userId', '{{host}}/u/7'),
]

describe('the {{variable}} tokens the editor marks', () => {
  it('knows which names the scope defines, which are dynamic and which are unknown', () => {
    expect(variableState('host', scope)).toBe('known')
    expect(variableState('$uuid', scope)).toBe('dynamic')
    // Postman's names for a UUID send as $uuid does (src/shared/template.ts): not "unknown, will be refused".
    expect(variableState('$guid', scope)).toBe('dynamic')
    expect(variableState('$randomUUID', scope)).toBe('dynamic')
    expect(variableState('$timestamp', scope)).toBe('dynamic')
    expect(hoverText('$guid', scope)).toContain('a new UUID each send')
    // Postman's random-data names send (src/shared/fake-variables.ts); a name that is not one does not.
    expect(variableState('$randomEmail', scope)).toBe('dynamic')
    expect(variableState('$randomNope', scope)).toBe('unknown')
    expect(hoverText('$randomEmail', scope)).toContain('an email address, new each send')
    expect(variableState('nope', scope)).toBe('unknown')
    expect(variableState('constructor', scope)).toBe('unknown')
  })

  it('finds the token under the pointer, spaces inside the braces included', () => {
    const line = '{"a": "{{ host }}", "b": {{count}}}'
    expect(tokenAt(line, 9)).toEqual({ name: 'host', from: 7, to: 17 })
    expect(tokenAt(line, 27)).toEqual({ name: 'count', from: 25, to: 34 })
    expect(tokenAt(line, 2)).toBeNull()
  })
})

describe('completion after {{', () => {
  it('starts after {{ and knows whether }} already follows', () => {
    expect(completionSpot('{"a": "{{', '}}"', 100)).toEqual({ from: 109, prefix: '', closed: true })
    expect(completionSpot('x {{ ho', '', 0)).toEqual({ from: 5, prefix: 'ho', closed: false })
    expect(completionSpot('{"a": 1', '', 0)).toBeNull()
    expect(completionSpot('{{host}} ', '', 0)).toBeNull()
  })

  it("offers the scope's names by prefix, innermost value, secrets hidden, then dynamic names", () => {
    const all = variableOptions(scope, '')
    expect(all.map((o) => o.name)).toEqual([
      'host',
      'token',
      'userId',
      '$uuid',
      '$guid',
      '$randomUUID',
      '$timestamp',
      '$timestampMs',
      '$isoTimestamp',
      '$randomInt',
      '$webhook',
      ...Object.keys(FAKE_VARIABLES),
    ])
    expect(all[0]).toEqual({ name: 'host', detail: 'environment staging', info: '127.0.0.1:8080' })
    expect(all[1]?.info).toBe('secret (value hidden)')
    expect(all[2]?.info).toBe('127.0.0.1:8080/u/7')
    expect(variableOptions(scope, 'HO').map((o) => o.name)).toEqual(['host'])
    // Postman's random-data names are offered too, each with what it gives.
    expect(variableOptions(scope, '$randomE').map((o) => o.name)).toEqual([
      '$randomEmail',
      '$randomExampleEmail',
    ])
    expect(variableOptions(scope, '$randomEmail')[0]).toMatchObject({
      detail: 'dynamic',
      info: expect.stringContaining('email'),
    })
    expect(variableOptions(scope, '$r').length).toBe(2 + Object.keys(FAKE_VARIABLES).length)
    expect(variableOptions(scope, '$timestampM')).toEqual([
      { name: '$timestampMs', detail: 'dynamic', info: 'Unix milliseconds at send time' },
    ])
  })

  it('offers at most MAX_COMPLETIONS names from a huge scope', () => {
    const many = Array.from({ length: 5000 }, (_, i) => v(`v${i}`, String(i)))
    expect(variableOptions(many, '').length).toBe(MAX_COMPLETIONS)
  })
})

describe('hover', () => {
  it('shows the resolved value and its scope, masks secrets, and says when a name is unknown', () => {
    expect(hoverText('host', scope)).toBe('{{host}} = 127.0.0.1:8080\nfrom: environment staging')
    expect(hoverText('token', scope)).toContain('••••••')
    expect(hoverText('missing', scope)).toBe(
      '{{missing}} is not defined in any scope: sending will be refused',
    )
    expect(hoverText('$uuid', scope)).toContain('UUID')
  })
})

describe('Beautify', () => {
  it('re-indents and changes nothing else: big numbers, escapes, duplicate keys stay as typed', () => {
    const text = '{"id":12345678901234567890,"a":"x\\"y","a":[1,2,{}],"e":[],"t":true}'
    const res = beautifyJson(text)
    expect(res).toEqual({
      ok: true,
      text:
        '{\n  "id": 12345678901234567890,\n  "a": "x\\"y",\n  "a": [\n    1,\n    2,\n    {}\n  ],\n' +
        '  "e": [],\n  "t": true\n}',
    })
    if (res.ok) expect(beautifyJson(res.text)).toEqual(res)
  })

  it('accepts bare {{variables}} as values and keeps them', () => {
    expect(beautifyJson('{"n":{{count}},"s":"{{host}}","l":[{{ a }}]}')).toEqual({
      ok: true,
      text: '{\n  "n": {{count}},\n  "s": "{{host}}",\n  "l": [\n    {{ a }}\n  ]\n}',
    })
  })

  it('formats a large body in one pass: 300,000 values in well under 5 s', () => {
    const text = JSON.stringify(Array.from({ length: 300_000 }, (_, i) => (i % 3 ? i : { a: i, b: [1] })))
    const t0 = performance.now()
    const res = beautifyJson(text)
    expect(performance.now() - t0).toBeLessThan(5_000)
    expect(res.ok && JSON.parse(res.text)).toEqual(JSON.parse(text))
  })

  it('refuses invalid JSON with a message, and an empty body', () => {
    const bad = beautifyJson('{"a": 1,}')
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.message).toMatch(/^Not beautified: not valid JSON/)
    expect(beautifyJson('   ').ok).toBe(false)
    expect(beautifyJson('{"a": "unterminated').ok).toBe(false)
  })
})

describe('the note under a JSON body', () => {
  it('accepts bare {{variables}} as values, and places a real problem where the person sees it', () => {
    expect(jsonBodyProblem('{"n": {{count}}, "s": "{{host}}"}')).toBeNull()
    expect(jsonBodyProblem('')).toBeNull()
    // The variable keeps its length while checked, so the position the parser names is in the typed text.
    const problem = jsonBodyProblem('{"n": {{count}},\n "x": 1,}')
    expect(problem).toMatch(/^Not valid JSON: /)
    expect(problem).toContain('line 2, column 9')
    expect(problem).toMatch(/\(it is sent as typed\)$/)
  })

  it('says when a body is too big to check while typing, instead of stalling every keystroke', () => {
    const big = `[${'1,'.repeat(LIVE_CHECK_LIMIT / 2)}1]`
    expect(jsonBodyProblem(big)).toMatch(/^Not checked as JSON while typing: the body is 4\.0 MB, over 4 MB/)
    // Beautify still checks and formats it.
    expect(beautifyJson('[1,2]').ok).toBe(true)
  })
})

describe('the language a text body is coloured as', () => {
  it('follows the content type', () => {
    expect(languageForContentType('application/xml')).toBe('xml')
    expect(languageForContentType('application/soap+xml; charset=utf-8')).toBe('xml')
    expect(languageForContentType('text/xml')).toBe('xml')
    expect(languageForContentType('application/problem+json')).toBe('json')
    expect(languageForContentType('text/plain')).toBe('text')
  })
})
