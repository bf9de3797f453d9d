import { describe, expect, it } from 'vitest'
import {
  buildQuery,
  decodeComponent,
  paramsFromUrl,
  parseQuery,
  splitUrl,
  urlWithParams,
} from '../../src/renderer/composer/url-params'

const on = (name: string, value: string) => ({ name, value, enabled: true })
const off = (name: string, value: string) => ({ name, value, enabled: false })

describe('splitUrl', () => {
  it('splits base, query and fragment', () => {
    expect(splitUrl('https://a.test/p?x=1&y=2#frag')).toEqual({
      base: 'https://a.test/p',
      query: 'x=1&y=2',
      hash: '#frag',
    })
  })
  it('tells no query from an empty query', () => {
    expect(splitUrl('http://a/p').query).toBeNull()
    expect(splitUrl('http://a/p?').query).toBe('')
  })
  it('treats a ? after # as part of the fragment', () => {
    expect(splitUrl('http://a/p#x?y=1')).toEqual({ base: 'http://a/p', query: null, hash: '#x?y=1' })
  })
})

describe('parseQuery', () => {
  it('parses names, values, bare names and decodes percent escapes', () => {
    expect(parseQuery('a=1&b=&c&name=J%C3%BCrgen%20K&&')).toEqual([
      on('a', '1'),
      on('b', ''),
      on('c', ''),
      on('name', 'Jürgen K'),
    ])
  })
  it('keeps = inside values and + as typed', () => {
    expect(parseQuery('q=a=b&s=x+y')).toEqual([on('q', 'a=b'), on('s', 'x+y')])
  })
  it('leaves malformed escapes as typed', () => {
    expect(decodeComponent('100%')).toBe('100%')
    expect(decodeComponent('%E0%A4%A%20x')).toBe('%E0%A4%A x')
  })
})

describe('buildQuery', () => {
  it('encodes only what would break the query', () => {
    expect(buildQuery([on('q', 'a&b#c d%'), on('k=1', 'v=2'), on('s', 'x+y/z?')])).toBe(
      'q=a%26b%23c%20d%25&k%3D1=v=2&s=x+y/z?',
    )
  })
  it('skips disabled and blank rows and writes bare names for empty values', () => {
    expect(buildQuery([on('a', '1'), off('b', '2'), on('', ''), on('flag', '')])).toBe('a=1&flag')
  })
  it('round-trips through parseQuery', () => {
    const params = [on('ümlaut', 'ä ö'), on('a&b', '=#%'), on('x', 'y+z')]
    expect(parseQuery(buildQuery(params))).toEqual(params)
  })
})

describe('URL -> table', () => {
  it('rebuilds the table from the URL', () => {
    expect(paramsFromUrl('http://h/p?a=1&b=2')).toEqual([on('a', '1'), on('b', '2')])
  })
  it('keeps disabled and blank rows at their place', () => {
    const previous = [on('a', '1'), off('debug', 'true'), on('b', '2'), on('', '')]
    expect(paramsFromUrl('http://h/p?a=1&b=3', previous)).toEqual([
      on('a', '1'),
      off('debug', 'true'),
      on('b', '3'),
      on('', ''),
    ])
  })
  it('empties the table of URL rows when the query is removed', () => {
    expect(paramsFromUrl('http://h/p', [on('a', '1'), off('x', 'y')])).toEqual([off('x', 'y')])
  })
})

describe('table -> URL', () => {
  it('rewrites the query and keeps base and fragment', () => {
    expect(urlWithParams('https://h/p?a=1#top', [on('a', '2'), on('b', 'x y')])).toBe(
      'https://h/p?a=2&b=x%20y#top',
    )
  })
  it('adds a query to a URL without one', () => {
    expect(urlWithParams('localhost:3000/a', [on('x', '1')])).toBe('localhost:3000/a?x=1')
  })
  it('drops the ? when the last enabled row is disabled', () => {
    expect(urlWithParams('http://h/p?a=1', [off('a', '1')])).toBe('http://h/p')
  })
  it('edit URL -> table -> URL gives the URL back', () => {
    const url = 'https://api.test/v1/items?page=2&sort=-created&tag=a%20b&flag#x'
    expect(urlWithParams(url, paramsFromUrl(url))).toBe(url)
  })
})
