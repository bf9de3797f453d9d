import { describe, expect, it } from 'vitest'
import { parseLinkHeader } from '../../src/shared/link-header'

describe('parseLinkHeader', () => {
  it('reads each link’s URL, rel and as; commas inside <...> and quotes do not split', () => {
    const parsed = parseLinkHeader(
      '</style.css>; rel=preload; as=style, <https://cdn.example/a,b.js>; rel="preload"; as="script"; type="text/javascript", </font.woff2>; rel=preload; as=font; title="a, b"',
    )
    expect(parsed).toEqual({
      links: [
        { url: '/style.css', rel: 'preload', as: 'style', type: '' },
        { url: 'https://cdn.example/a,b.js', rel: 'preload', as: 'script', type: 'text/javascript' },
        { url: '/font.woff2', rel: 'preload', as: 'font', type: '' },
      ],
      more: 0,
      invalid: 0,
    })
  })

  it('keeps at most max links and counts the rest; a part that is no link is counted as invalid', () => {
    const value = Array.from({ length: 5 }, (_, i) => `</a${i}.css>; rel=preload`).join(', ') + ', junk'
    const parsed = parseLinkHeader(value, 3)
    expect(parsed.links.map((l) => l.url)).toEqual(['/a0.css', '/a1.css', '/a2.css'])
    expect(parsed.more).toBe(2)
    expect(parsed.invalid).toBe(1)
  })

  it('the first rel counts; an unterminated quote does not loop or throw', () => {
    expect(parseLinkHeader('</x>; rel=preconnect; rel=preload').links[0]?.rel).toBe('preconnect')
    expect(parseLinkHeader('</x>; rel="pre, load').links[0]?.url).toBe('/x')
  })
})
