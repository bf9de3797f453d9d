import { describe, expect, it } from 'vitest'
import { tabContent, tabFromFile } from '../../src/renderer/tabs/request-tab'
import { emptySavedRequest } from '../../src/shared/collection'

/**
 * A request file's options the composer has no control for (an import's omitDefaultHeaders and cookies, a CA
 * file, HTTP/2) stay in the file when the request is opened, edited and saved.
 */
describe('saving a request the composer opened', () => {
  it('keeps omitDefaultHeaders, cookies and the other options it does not edit', () => {
    const options = {
      omitDefaultHeaders: ['user-agent' as const, 'accept' as const],
      cookies: false,
      decompress: false,
      http2: true,
      connectTimeoutMs: 1234,
      caFile: 'ca.pem',
      followRedirects: false,
    }
    const req = { ...emptySavedRequest('Imported'), url: 'http://127.0.0.1:1/a', options }
    const tab = tabFromFile('/tmp/c', 'imported.yaml', req, 'v1')
    const edited = { ...tab, draft: { ...tab.draft, url: 'http://127.0.0.1:1/b' } }
    const saved = tabContent(edited)
    expect(saved.url).toBe('http://127.0.0.1:1/b')
    expect(saved.options).toEqual(options)
  })
})
