/**
 * The one-line quoted scalars ./yaml-fast.ts reads itself; anything it does not read here throws UNSUPPORTED, and
 * the file goes to js-yaml.
 */

class Unsupported {}
/** Thrown where the fast reader meets YAML it does not read (the caller then declines the whole text). */
export const UNSUPPORTED = new Unsupported()

const ESCAPES: Record<string, string> = {
  '\\': '\\',
  '"': '"',
  '/': '/',
  n: '\n',
  t: '\t',
  r: '\r',
  '0': '\0',
  b: '\b',
}

/** `"…"` closed on its own line, with the common escapes; anything else goes to js-yaml. */
export function doubleQuoted(v: string): string {
  let out = ''
  let from = 1
  for (let i = 1; i < v.length; i++) {
    const ch = v.charAt(i)
    if (ch === '"') {
      if (i !== v.length - 1) throw UNSUPPORTED
      return out + v.slice(from, i)
    }
    if (ch !== '\\') continue
    out += v.slice(from, i)
    const e = v.charAt(i + 1)
    const simple = ESCAPES[e]
    if (simple !== undefined) {
      out += simple
      i++
    } else if (e === 'u' || e === 'x') {
      const len = e === 'u' ? 4 : 2
      const hex = v.slice(i + 2, i + 2 + len)
      if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) throw UNSUPPORTED
      out += String.fromCharCode(Number.parseInt(hex, 16))
      i += 1 + len
    } else throw UNSUPPORTED
    from = i + 1
  }
  throw UNSUPPORTED
}

/** `'…'` closed on its own line (`''` is a quote). */
export function singleQuoted(v: string): string {
  let out = ''
  let from = 1
  for (let i = 1; i < v.length; i++) {
    if (v.charAt(i) !== "'") continue
    if (v.charAt(i + 1) === "'") {
      out += v.slice(from, i + 1)
      i++
      from = i + 1
      continue
    }
    if (i !== v.length - 1) throw UNSUPPORTED
    return out + v.slice(from, i)
  }
  throw UNSUPPORTED
}
