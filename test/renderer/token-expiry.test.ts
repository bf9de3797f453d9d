import { describe, expect, it } from 'vitest'
import { expiryText, nextExpiryChange } from '../../src/renderer/composer/token-expiry'

/**
 * The held token's expiry under Get token reads as time left ("expires in 12 min"), said anew when its words
 * change: every minute, every second in the last 90 s, and never again once expired (no timer left running).
 */
describe('the held token’s expiry', () => {
  const at = 1_000_000_000

  it('reads as the time left, then expired', () => {
    expect(expiryText(at + 3_600_000, at)).toBe('expires in 60 min')
    expect(expiryText(at + 12 * 60_000, at)).toBe('expires in 12 min')
    expect(expiryText(at + 11 * 60_000 + 1, at)).toBe('expires in 12 min')
    expect(expiryText(at + 90_000, at)).toBe('expires in 90 s')
    expect(expiryText(at + 44_200, at)).toBe('expires in 45 s')
    expect(expiryText(at + 3 * 3_600_000, at)).toBe('expires in 3 h')
    expect(expiryText(at, at)).toBe('expired')
    expect(expiryText(at - 5, at)).toBe('expired')
    expect(expiryText(null, at)).toBe('no expiry given by the server')
  })

  it('is said anew exactly when its words change, and not after it expired', () => {
    // 12 min and 20 s left: "13 min" until 12 min are left.
    expect(nextExpiryChange(at + 12 * 60_000 + 20_000, at)).toBe(20_000)
    expect(expiryText(at + 12 * 60_000 + 20_000, at)).toBe('expires in 13 min')
    expect(expiryText(at + 12 * 60_000, at)).toBe('expires in 12 min')
    expect(nextExpiryChange(at + 12 * 60_000, at)).toBe(60_000)
    expect(nextExpiryChange(at + 44_200, at)).toBe(200)
    expect(nextExpiryChange(at, at)).toBeNull()
    expect(nextExpiryChange(null, at)).toBeNull()
    // Walking a token's last 2 minutes by the changes alone: the words step down and the walk ends, bounded.
    const said: string[] = []
    let now = at - 120_000
    for (let step = 0; step < 200; step++) {
      said.push(expiryText(at, now))
      const wait = nextExpiryChange(at, now)
      if (wait === null) break
      now += wait
    }
    expect(said.at(-1)).toBe('expired')
    expect(new Set(said).size).toBe(said.length)
    expect(said.slice(0, 3)).toEqual(['expires in 2 min', 'expires in 90 s', 'expires in 89 s'])
  })
})
