import { useEffect, useState } from 'react'

/** "expires in 12 min", "expires in 45 s", "expires in 2 h", "expired": how long the token has left at `now`. */
export function expiryText(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'no expiry given by the server'
  const left = expiresAt - now
  if (left <= 0) return 'expired'
  if (left <= 90_000) return `expires in ${Math.ceil(left / 1000)} s`
  if (left <= 90 * 60_000) return `expires in ${Math.ceil(left / 60_000)} min`
  return `expires in ${Math.round(left / 3_600_000)} h`
}

/**
 * How long until `expiryText` says something else (null: never again): to the next second in the last 90 s, else
 * to the next minute or to the last 90 s (the hours' words change at most that often).
 */
export function nextExpiryChange(expiresAt: number | null, now: number): number | null {
  if (expiresAt === null) return null
  const left = expiresAt - now
  if (left <= 0) return null
  if (left <= 90_000) return left % 1000 || 1000
  // The minutes give way to the seconds at 90 s, which is no minute's end.
  return Math.min(left % 60_000 || 60_000, left - 90_000)
}

/**
 * The expiry's words, kept true while they show: one timer, set for when the words change next, and only while
 * the component showing them is mounted (nothing ticks for a token no one is looking at).
 */
export function useExpiryText(expiresAt: number | null): string {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const wait = nextExpiryChange(expiresAt, now)
    if (wait === null) return
    const timer = setTimeout(() => setNow(Date.now()), wait)
    return () => clearTimeout(timer)
  }, [expiresAt, now])
  return expiryText(expiresAt, now)
}
