import type { HeaderList } from '../../shared/timeline'

export interface CookieLine {
  name: string
  value: string
  /** Set-Cookie attributes (Path, Max-Age, HttpOnly, ...), as sent. */
  attributes: [string, string][]
}

/** Cookies the request carried (its Cookie headers). */
export function requestCookies(headers: HeaderList): CookieLine[] {
  const out: CookieLine[] = []
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'cookie') continue
    for (const part of v.split(';')) {
      const t = part.trim()
      if (t === '') continue
      const eq = t.indexOf('=')
      out.push({ name: eq < 0 ? t : t.slice(0, eq), value: eq < 0 ? '' : t.slice(eq + 1), attributes: [] })
    }
  }
  return out
}

/** Cookies the response set (one per Set-Cookie header), with their attributes. */
export function responseCookies(headers: HeaderList): CookieLine[] {
  const out: CookieLine[] = []
  for (const [k, v] of headers) {
    if (k.toLowerCase() !== 'set-cookie') continue
    const [first = '', ...attrs] = v.split(';')
    const eq = first.indexOf('=')
    out.push({
      name: (eq < 0 ? first : first.slice(0, eq)).trim(),
      value: eq < 0 ? '' : first.slice(eq + 1).trim(),
      attributes: attrs
        .map((a) => a.trim())
        .filter((a) => a !== '')
        .map((a) => {
          const i = a.indexOf('=')
          return i < 0 ? [a, ''] : [a.slice(0, i), a.slice(i + 1)]
        }),
    })
  }
  return out
}
