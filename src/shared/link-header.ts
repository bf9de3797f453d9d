/**
 * A `Link` header (RFC 8288) read as its links: `<url>; rel=preload; as=style, <url2>; rel=preconnect`. The
 * target URL as written (relative ones stay relative), and the `rel`, `as` and `type` parameters people look
 * at in 103 Early Hints. A comma inside `<...>` or a quoted string does not split links. Pure and bounded: it
 * reads a value once and keeps at most `max` links, counting the rest.
 */

export interface LinkEntry {
  url: string
  rel: string
  as: string
  type: string
}

export interface ParsedLinks {
  links: LinkEntry[]
  /** Links past `max`, counted only. */
  more: number
  /** Parts that were not a `<url>; ...` link, counted (shown raw by the caller). */
  invalid: number
}

export function parseLinkHeader(value: string, max = 32): ParsedLinks {
  const out: ParsedLinks = { links: [], more: 0, invalid: 0 }
  for (const part of splitTopLevel(value, ',')) {
    const text = part.trim()
    if (text === '') continue
    const m = /^<([^>]*)>(.*)$/s.exec(text)
    if (!m) {
      out.invalid++
      continue
    }
    if (out.links.length >= max) {
      out.more++
      continue
    }
    const entry: LinkEntry = { url: (m[1] ?? '').trim(), rel: '', as: '', type: '' }
    for (const param of splitTopLevel(m[2] ?? '', ';')) {
      const eq = param.indexOf('=')
      const name = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase()
      if (name !== 'rel' && name !== 'as' && name !== 'type') continue
      // The first occurrence of a parameter counts (RFC 8288, 3).
      if (entry[name] !== '') continue
      let v = eq === -1 ? '' : param.slice(eq + 1).trim()
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1')
      entry[name] = v
    }
    out.links.push(entry)
  }
  return out
}

/** `text` split at `sep` where it is not inside `<...>` or a quoted string. */
function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = []
  let start = 0
  let inAngle = false
  let inQuote = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inQuote) {
      if (c === '\\') i++
      else if (c === '"') inQuote = false
    } else if (inAngle) {
      if (c === '>') inAngle = false
    } else if (c === '"') inQuote = true
    else if (c === '<') inAngle = true
    else if (c === sep) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}
