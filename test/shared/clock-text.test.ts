import { describe, expect, it } from 'vitest'
import { clockTime, dateTime } from '../../src/shared/clock-text'

/** The app's times and dates, written without ICU, read as ICU's 24-hour clock would write them (local time). */

const at = (y: number, mo: number, d: number, h: number, mi: number, s = 0): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime()

describe('clock-text', () => {
  it('writes a 24-hour clock as en-GB does, with seconds when asked', () => {
    for (const t of [
      at(2026, 12, 7, 0, 5, 9),
      at(2026, 12, 7, 9, 0),
      at(2026, 12, 7, 14, 3, 7),
      at(2026, 1, 1, 23, 59, 59),
    ]) {
      expect(clockTime(t)).toBe(
        new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }),
      )
      expect(clockTime(t, { seconds: true })).toBe(new Date(t).toLocaleTimeString('en-GB', { hour12: false }))
    }
  })

  it('says "today at" for a time on the same day, else the date in full', () => {
    const now = at(2026, 12, 7, 14, 44)
    expect(dateTime(at(2026, 12, 7, 0, 1), now)).toBe('today at 00:01')
    expect(dateTime(at(2026, 12, 6, 23, 59), now)).toBe('2026-12-06 23:59')
    expect(dateTime(at(2025, 3, 9, 8, 30), now)).toBe('2025-03-09 08:30')
  })
})
