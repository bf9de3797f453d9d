import { describe, expect, it } from 'vitest'
import { multipartHeaderWarning } from '../../src/renderer/composer/multipart-warning'

/** What the composer says under a multipart body's parts about a hand-set Content-Type. */
describe('multipart Content-Type warning', () => {
  it('names a hand-set multipart Content-Type without boundary', () => {
    expect(
      multipartHeaderWarning([
        { name: 'Accept', value: '*/*', enabled: true },
        { name: 'content-type', value: 'multipart/form-data', enabled: true },
      ]),
    ).toMatch(/^The Content-Type header "multipart\/form-data" has no boundary/)
  })

  it('says nothing for a switched-off header, one with a boundary, or another type', () => {
    expect(
      multipartHeaderWarning([{ name: 'Content-Type', value: 'multipart/form-data', enabled: false }]),
    ).toBeNull()
    expect(
      multipartHeaderWarning([
        { name: 'Content-Type', value: 'multipart/form-data; boundary=x', enabled: true },
      ]),
    ).toBeNull()
    expect(
      multipartHeaderWarning([{ name: 'Content-Type', value: 'application/json', enabled: true }]),
    ).toBeNull()
  })
})
