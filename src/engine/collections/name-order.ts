/**
 * The order of names in a collection's tree: as people read them, case aside, and "Request 2" before
 * "Request 10" (as file managers do), which is ICU's collation with `sensitivity: 'base', numeric: true`.
 *
 * Setting up ICU's collator costs a process 6-15 ms (its collation data is loaded on first use), which a
 * one-shot `flightdeck run` pays for nothing when every name is plain ASCII, as nearly all are. So two ASCII
 * names are compared here with the collator's own primary order of the printable ASCII characters (the table
 * below, checked against Intl.Collator by test/engine/name-order.test.ts), and the collator is made only when a
 * name has anything else (accents, other scripts, control characters) or the locale tailors ASCII (Danish
 * "aa", Turkish "i", Czech "ch": only English and the POSIX locale take the fast path).
 */

/** Printable ASCII in the root collation's primary order; case pairs share a rank. */
const PRIMARY_ORDER = ' _-,;:!?.\'"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz'

/** A digit run compares by value, as a unit: every digit shares the rank of '0' below. */
const DIGIT_RANK = PRIMARY_ORDER.indexOf('0')

const RANKS = (() => {
  const ranks = new Int16Array(128).fill(-1)
  for (let i = 0; i < PRIMARY_ORDER.length; i++) {
    const c = PRIMARY_ORDER.charCodeAt(i)
    ranks[c] = c >= 0x30 && c <= 0x39 ? DIGIT_RANK : i
    if (c >= 0x61 && c <= 0x7a) ranks[c - 0x20] = i
  }
  return ranks
})()

/** Longest digit run compared here; ICU splits runs past 254 digits, so long ones go to the collator. */
const MAX_DIGITS = 64

/** Unknown: the fast path could not decide (a character outside the table, a very long number). */
const UNDECIDED = 2

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** -1, 0 or 1 as the collator would answer for two names, or UNDECIDED. */
export function compareAsciiNames(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(j)
    const ra = ca < 128 ? (RANKS[ca] ?? -1) : -1
    const rb = cb < 128 ? (RANKS[cb] ?? -1) : -1
    if (ra < 0 || rb < 0) return UNDECIDED
    if (ra !== rb) return ra < rb ? -1 : 1
    if (ra !== DIGIT_RANK) {
      i++
      j++
      continue
    }
    // Both at a number: leading zeros do not count, then the longer number is the larger.
    while (i < a.length && a.charCodeAt(i) === 0x30) i++
    while (j < b.length && b.charCodeAt(j) === 0x30) j++
    const sa = i
    const sb = j
    while (i < a.length && isDigit(a.charCodeAt(i))) i++
    while (j < b.length && isDigit(b.charCodeAt(j))) j++
    const la = i - sa
    const lb = j - sb
    if (la > MAX_DIGITS || lb > MAX_DIGITS) return UNDECIDED
    if (la !== lb) return la < lb ? -1 : 1
    for (let k = 0; k < la; k++) {
      const da = a.charCodeAt(sa + k)
      const db = b.charCodeAt(sb + k)
      if (da !== db) return da < db ? -1 : 1
    }
  }
  // Any character left in either must still be known to the table, or the collator decides.
  for (let k = i; k < a.length; k++)
    if (a.charCodeAt(k) >= 128 || (RANKS[a.charCodeAt(k)] ?? -1) < 0) return UNDECIDED
  for (let k = j; k < b.length; k++)
    if (b.charCodeAt(k) >= 128 || (RANKS[b.charCodeAt(k)] ?? -1) < 0) return UNDECIDED
  const restA = a.length - i
  const restB = b.length - j
  return restA === restB ? 0 : restA < restB ? -1 : 1
}

/**
 * Whether the default locale orders ASCII as the root collation does. Node's ICU takes it from LC_ALL, then
 * LC_MESSAGES, then LANG; anything but English or POSIX (or a collation keyword) uses the collator. Electron
 * sets ICU's locale from the system's, not the environment, so the app's engine always uses the collator.
 */
export function asciiLocale(env: NodeJS.ProcessEnv, electron = process.versions.electron): boolean {
  if (electron !== undefined) return false
  const id = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  if (id.includes('@')) return false
  const language = (id.split(/[_.-]/)[0] ?? '').toLowerCase()
  return language === '' || language === 'c' || language === 'posix' || language === 'en'
}

let fast: boolean | null = null
let collator: Intl.Collator | null = null

/** The collator, made by the first comparison that needs it (never at import). */
export function nameCollator(): Intl.Collator {
  return (collator ??= new Intl.Collator(undefined, { sensitivity: 'base', numeric: true }))
}

/** Two names in the tree's order: the collator's answer, from the ASCII table when it can decide. */
export function compareNames(a: string, b: string): number {
  if ((fast ??= asciiLocale(process.env))) {
    const r = compareAsciiNames(a, b)
    if (r !== UNDECIDED) return r
  }
  return nameCollator().compare(a, b)
}

/**
 * A key whose code-unit order is the ASCII table's order of names (compareAsciiNames): each character's rank, a
 * number as its rank, its length (leading zeros aside) and its digits. Made once per name, so that a sort of
 * thousands compares two strings natively instead of walking both names at every comparison. Null where the
 * table may not decide (a character outside it, a number past MAX_DIGITS, a locale that takes the collator):
 * such a name is compared by compareNames.
 */
export function nameSortKey(name: string): string | null {
  if (!(fast ??= asciiLocale(process.env))) return null
  const codes: number[] = []
  let i = 0
  while (i < name.length) {
    const c = name.charCodeAt(i)
    const rank = c < 128 ? (RANKS[c] ?? -1) : -1
    if (rank < 0) return null
    if (rank !== DIGIT_RANK) {
      codes.push(rank)
      i++
      continue
    }
    while (name.charCodeAt(i) === 0x30) i++
    const start = i
    while (i < name.length && isDigit(name.charCodeAt(i))) i++
    if (i - start > MAX_DIGITS) return null
    codes.push(DIGIT_RANK, i - start)
    for (let k = start; k < i; k++) codes.push(name.charCodeAt(k))
  }
  return String.fromCharCode(...codes)
}

/** Two names in the tree's order, by their nameSortKey where both have one. */
export function compareKeyedNames(a: string, aKey: string | null, b: string, bKey: string | null): number {
  if (aKey !== null && bKey !== null) return aKey < bKey ? -1 : aKey > bKey ? 1 : 0
  return compareNames(a, b)
}
