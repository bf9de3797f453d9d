import { describe, expect, it } from 'vitest'
import type { ScopedVariable } from '../../src/shared/collection'
import { completionSpot, tokenAt } from '../../src/renderer/editor/variable-tokens'
import { previewUrl, variableHints } from '../../src/renderer/composer/variable-hints'
import {
  escapeTemplate,
  hasTemplate,
  resolveTemplate,
  templateRefs,
  unescapeTemplate,
} from '../../src/shared/template'

/**
 * `\{{` is a literal `{{` (Handlebars's escape): the backslash is dropped and nothing after it is looked up, so
 * braces recorded in a HAR can be kept as text. Every other text means what it meant.
 */

const vars = new Map([
  ['apiKey', 'SECRET'],
  ['x', 'X'],
])

describe('the template escape', () => {
  it('keeps an escaped ref as text: not filled, not unknown, not listed, shown as literal', () => {
    expect(resolveTemplate('key=\\{{apiKey}}', vars)).toEqual({ text: 'key={{apiKey}}', unknown: [] })
    expect(resolveTemplate('\\{{nope}} {{x}}', vars)).toEqual({ text: '{{nope}} X', unknown: [] })
    expect(templateRefs('\\{{apiKey}} {{x}}').map((r) => r.name)).toEqual(['x'])
    expect(hasTemplate('\\{{apiKey}}')).toBe(false)
    expect(hasTemplate('\\{{apiKey}}{{x}}')).toBe(true)
    expect(tokenAt('a \\{{apiKey}} b', 6)).toEqual({ name: 'apiKey', from: 2, to: 13, literal: true })
    expect(completionSpot('k=\\{{api', '', 0)).toBeNull()
    expect(completionSpot('k={{api', '', 0)).toEqual({ from: 4, prefix: 'api', closed: false })
    expect(tokenAt('a \\{{apiKey}} {{x}}', 16)).toEqual({ name: 'x', from: 14, to: 19 })
    const scoped: ScopedVariable[] = [
      { name: 'apiKey', value: 'SECRET', scope: 'environment', source: 'Local', secret: false },
    ]
    expect(variableHints(['\\{{apiKey}}'], scoped)).toEqual([])
    expect(previewUrl('http://h/?k=\\{{$uuid}}&v=\\{{apiKey}}', scoped)).toBe(
      'http://h/?k={{$uuid}}&v={{apiKey}}',
    )
  })

  it('means what it meant everywhere else: a backslash elsewhere, braces inside braces', () => {
    expect(resolveTemplate('C:\\path {{x}}', vars).text).toBe('C:\\path X')
    expect(resolveTemplate('{{{x}}}', vars).text).toBe('{X}')
    // Two backslashes before braces are one, and the braces are a variable again (Handlebars reads it so).
    expect(resolveTemplate('\\\\{{x}}', vars).text).toBe('\\X')
  })

  it('escapeTemplate gives a template that resolves to the text itself, whatever it holds', () => {
    const texts = [
      '{{apiKey}}',
      '\\{{apiKey}}',
      '{{{{',
      '{{{apiKey}}}',
      '\\\\{{ apiKey }}\\',
      'a{{b}}c{{',
      '}}{{x}}{{',
      '{"k":"{{x}}","r":"\\\\{{x}}"}',
    ]
    for (const text of texts) {
      const r = resolveTemplate(escapeTemplate(text), vars)
      expect(r).toEqual({ text, unknown: [] })
      expect(templateRefs(escapeTemplate(text))).toEqual([])
    }
  })

  it('an escaped ref inside a variable’s value stays text when the variable is used', () => {
    const withValue = new Map([...vars, ['wrapped', 'v=\\{{apiKey}} {{x}}']])
    expect(resolveTemplate('{{wrapped}}', withValue)).toEqual({ text: 'v={{apiKey}} X', unknown: [] })
  })

  it('unescapeTemplate writes the literal braces and leaves variables as variables', () => {
    expect(unescapeTemplate('q=\\{{apiKey}}&v={{x}}')).toBe('q={{apiKey}}&v={{x}}')
    expect(unescapeTemplate('plain')).toBe('plain')
  })

  it('a million braces in one body escape and resolve in linear time', () => {
    const body = '{{'.repeat(1_000_000)
    const started = performance.now()
    const escaped = escapeTemplate(body)
    const r = resolveTemplate(escaped, vars)
    const ms = performance.now() - started
    expect(escaped.length).toBe(3_000_000)
    expect(r.text === body).toBe(true)
    expect(r.unknown).toEqual([])
    // Linear work over 3 MB is tens of ms; a quadratic pass would take hours.
    expect(ms).toBeLessThan(5_000)
  })
})
