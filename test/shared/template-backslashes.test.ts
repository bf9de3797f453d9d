import { describe, expect, it } from 'vitest'
import { previewUrl } from '../../src/renderer/composer/variable-hints'
import {
  escapeTemplate,
  hasEscapedBraces,
  resolveTemplate,
  templateRefs,
  unescapeTemplate,
} from '../../src/shared/template'

/**
 * Backslashes right before `{{` pair up, as Handlebars reads `\{{` and `\\{{`: `\\{{x}}` is a backslash and then
 * x's value, `\{{x}}` the literal braces; an odd run leaves one to escape the braces.
 */

const vars = new Map([['x', 'X']])
const sent = (text: string): string => resolveTemplate(text, vars).text

describe('backslashes before braces', () => {
  it('two are one backslash and the variable is filled; three are one backslash and literal braces', () => {
    expect(sent('\\{{x}}')).toBe('{{x}}')
    expect(sent('a\\\\{{x}}b')).toBe('a\\Xb')
    expect(sent('\\\\\\{{x}}')).toBe('\\{{x}}')
    expect(sent('\\\\\\\\{{x}}')).toBe('\\\\X')
    expect(resolveTemplate('\\\\{{nope}}', vars)).toEqual({ text: '\\{{nope}}', unknown: ['nope'] })
    expect(templateRefs('\\\\{{x}} \\{{y}} \\\\\\{{z}}').map((r) => r.name)).toEqual(['x'])
  })

  it("the URL's preview reads them as the send: a dynamic name after two backslashes stays its name", () => {
    expect(previewUrl('http://h/?a=\\\\{{$uuid}}&b=\\{{$uuid}}', [])).toBe(
      'http://h/?a=\\{{$uuid}}&b={{$uuid}}',
    )
  })

  it('leave every other backslash and brace as typed', () => {
    expect(sent('C:\\\\dir\\{x}')).toBe('C:\\\\dir\\{x}')
    expect(sent('\\\\{{{x}}}')).toBe('\\{X}')
    expect(sent('{{{x}}} \\ {{x}}')).toBe('{X} \\ X')
  })

  it('escapeTemplate doubles them, so recorded backslashes before braces come back as recorded', () => {
    for (const text of ['\\{{x}}', '\\\\{{x}}', 'a\\\\\\{{ x }}\\', '\\{{\\{{{{', '{"re":"\\\\{{x}}"}']) {
      const escaped = escapeTemplate(text)
      expect(resolveTemplate(escaped, vars)).toEqual({ text, unknown: [] })
      expect(templateRefs(escaped)).toEqual([])
      expect(hasEscapedBraces(escaped)).toBe(true)
    }
  })

  it('unescapeTemplate writes for a tool without the escape: literal braces plain, variables kept', () => {
    expect(unescapeTemplate('\\\\{{x}} \\{{y}}')).toBe('\\{{x}} {{y}}')
    expect(hasEscapedBraces('\\\\{{x}}')).toBe(false)
  })

  it('a run of 200,000 backslashes and as many escaped braces read in linear time', () => {
    const text = `${'\\'.repeat(200_000)}x${'\\{{'.repeat(200_000)}{{x}}`
    const started = performance.now()
    const r = resolveTemplate(text, vars)
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(r.text.length).toBe(200_000 + 1 + 400_000 + 1)
  })
})
