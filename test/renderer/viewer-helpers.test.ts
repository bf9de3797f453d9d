import { describe, expect, it } from 'vitest'
import { requestCookies, responseCookies } from '../../src/renderer/details/cookies'
import { hexRow } from '../../src/renderer/details/hex'
import { defaultMode, suggestedFileName } from '../../src/renderer/details/ResponsePanel'

describe('response viewer helpers', () => {
  it('writes a hex dump row with offset, bytes and printable ASCII', () => {
    const bytes = new TextEncoder().encode('Hello, world!\n\u0001')
    // 15 bytes: the row is padded to 16 columns; control bytes show as dots.
    expect(hexRow(16, bytes)).toBe(
      '00000010  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 21 0a 01     |Hello, world!..|',
    )
    expect(hexRow(0, new Uint8Array([0xff]))).toMatch(/^00000000 {2}ff {2}/)
  })

  it('lists cookies sent and set, with attributes', () => {
    expect(requestCookies([['Cookie', 'a=1; b=two=2']])).toEqual([
      { name: 'a', value: '1', attributes: [] },
      { name: 'b', value: 'two=2', attributes: [] },
    ])
    expect(responseCookies([['set-cookie', 'sid=xyz; Path=/; HttpOnly; Max-Age=60']])).toEqual([
      {
        name: 'sid',
        value: 'xyz',
        attributes: [
          ['Path', '/'],
          ['HttpOnly', ''],
          ['Max-Age', '60'],
        ],
      },
    ])
  })

  it('opens JSON pretty, images as images, binary as hex, text raw; names a download after the URL', () => {
    expect(defaultMode('application/json; charset=utf-8', 10)).toBe('pretty')
    expect(defaultMode('image/png', 1000)).toBe('image')
    expect(defaultMode('image/png', 64 * 1024 * 1024)).toBe('hex')
    expect(defaultMode('application/octet-stream', 10)).toBe('hex')
    expect(defaultMode('text/html', 10)).toBe('raw')
    expect(defaultMode('', 10)).toBe('pretty')
    expect(suggestedFileName('https://x.test/files/report.pdf?x=1', 'b1', 'application/pdf')).toBe(
      'report.pdf',
    )
    expect(suggestedFileName('https://x.test/api/items', 'b1', 'application/json')).toBe('items.json')
    expect(suggestedFileName('https://x.test/', 'b7', 'application/octet-stream')).toBe('b7.bin')
  })
})
