import { describe, expect, it } from 'vitest'
import {
  base64ToBytes,
  completeUtf8Length,
  decodePage,
  isJsonContentType,
  isTextualContentType,
  looksBinary,
  prettyJson,
} from '../../src/renderer/details/body-text'

const utf8 = (s: string) => new TextEncoder().encode(s)

describe('body text', () => {
  it('decodes base64 pages to bytes', () => {
    expect(Array.from(base64ToBytes('AAEC/w=='))).toEqual([0, 1, 2, 255])
  })

  it('finds where a page stops mid-character', () => {
    const bytes = utf8('ab€') // € is 3 bytes
    expect(bytes.length).toBe(5)
    expect(completeUtf8Length(bytes)).toBe(5)
    expect(completeUtf8Length(bytes.subarray(0, 4))).toBe(2)
    expect(completeUtf8Length(bytes.subarray(0, 3))).toBe(2)
    expect(completeUtf8Length(utf8('a😀').subarray(0, 4))).toBe(1)
    expect(completeUtf8Length(new Uint8Array())).toBe(0)
  })

  it('decodes pages so that split characters come out whole', () => {
    const bytes = utf8('grüße')
    const first = decodePage(bytes.subarray(0, 3), false)
    expect(first).toEqual({ text: 'gr', consumed: 2 })
    const second = decodePage(bytes.subarray(first.consumed), true)
    expect(first.text + second.text).toBe('grüße')
  })

  it('classifies content types', () => {
    expect(isTextualContentType('application/json; charset=utf-8')).toBe(true)
    expect(isTextualContentType('application/problem+json')).toBe(true)
    expect(isTextualContentType('text/html')).toBe(true)
    expect(isTextualContentType('image/png')).toBe(false)
    expect(isTextualContentType('application/octet-stream')).toBe(false)
    expect(isTextualContentType('')).toBeNull()
    expect(isJsonContentType('application/vnd.api+json')).toBe(true)
    expect(isJsonContentType('text/json')).toBe(false)
  })

  it('spots binary bytes', () => {
    expect(looksBinary(utf8('{"a": 1}\n'))).toBe(false)
    expect(looksBinary(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0d]))).toBe(true)
  })

  it('pretty-prints JSON and refuses what is not', () => {
    expect(prettyJson('{"a":[1,2]}')).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}')
    expect(prettyJson('{"a":')).toBeNull()
  })
})
