import { groupDigits } from './group-digits'

/**
 * Sizes in messages (the command line's, a HAR's comments), in one style: a count of bytes grouped as en-US
 * writes it (`67,108,864 bytes`), and a limit that is a whole number of MiB or KiB said in that unit first
 * (`64 MiB (67,108,864 bytes)`). A number read in one message then reads the same in the next, whatever the
 * terminal's locale, and a count is never shown rounded where it decides whether something was refused.
 */

// groupDigits, not ICU's number formatting: an ICU number format made as this module loads cost every
// `flightdeck send` ~100M instructions (ICU's locale data), a seventh of its whole start.

const UNITS: readonly (readonly [bytes: number, name: string])[] = [
  [1024 * 1024 * 1024, 'GiB'],
  [1024 * 1024, 'MiB'],
  [1024, 'KiB'],
]

/** `1,048,576 bytes`, `1 byte`. */
export function byteCount(n: number): string {
  return `${groupDigits(Math.round(n))} ${n === 1 ? 'byte' : 'bytes'}`
}

/** `64 MiB (67,108,864 bytes)` for a whole number of GiB, MiB or KiB; else the count alone (`1,000 bytes`). */
export function sizeLimit(n: number): string {
  const unit = UNITS.find(([size]) => n >= size && n % size === 0)
  return unit ? `${groupDigits(Math.round(n / unit[0]))} ${unit[1]} (${byteCount(n)})` : byteCount(n)
}
