import { describe, expect, it } from 'vitest'
import { retryAfterMs } from '../../src/engine/jobs/follow-job'

/**
 * A job's server answers each poll with a Retry-After that is neither delta-seconds nor an HTTP date. Date.parse
 * took "-1" or "-5" as a year long past, so the wait came out as 0 and every poll went at once, up to the
 * job's poll count; such a value is now ignored and the job's own interval is used. Huge values are capped at
 * the longest interval, and past dates wait nothing, as before.
 */

const options = { honourRetryAfter: true, maxIntervalMs: 60_000 }
const wait = (value: string): number | undefined => retryAfterMs([['Retry-After', value]], options)

describe('Retry-After from a hostile job server', () => {
  it('garbage is ignored (the interval is used), not read as a year', () => {
    for (const value of ['-1', '-5', '1e9', '0x10', 'soon', '-', '3.5'])
      expect(wait(value), value).toBeUndefined()
  })

  it('delta-seconds and HTTP dates in each of their three forms are honoured, capped at the longest interval', () => {
    expect(wait('7')).toBe(7000)
    expect(wait('99999999999999')).toBe(60_000)
    const soon = new Date(Date.now() + 3_600_000)
    expect(wait(soon.toUTCString())).toBe(60_000)
    expect(wait('Sunday, 06-Nov-94 08:49:37 GMT')).toBe(0)
    expect(wait('Sun Nov  6 08:49:37 1994')).toBe(0)
    expect(wait('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0)
  })
})
