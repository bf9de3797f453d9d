import type { KeyValue } from '../../shared/request'
import { isObj, str, type PlanNode } from './plan'

/**
 * Insomnia's API key auth can go in a cookie (`addTo: "cookie"`): Insomnia sends `Cookie: <key>=<value>`.
 * Flightdeck's API key auth goes in a header or the query only, so the cookie becomes a Cookie header: on the
 * request itself, or, for a folder's auth, on every request below it that inherits that auth (as Insomnia
 * sends it there). The auth that held it becomes "none", so no auth from above is sent instead.
 */

/** The `Cookie` header an enabled cookie API key sends (`text` maps Insomnia's templating); null otherwise. */
export function apiKeyCookie(v: unknown, text: (raw: unknown) => string): KeyValue | null {
  if (!isObj(v) || v['disabled'] === true) return null
  if (str(v['type']) !== 'apikey' || v['addTo'] !== 'cookie') return null
  return { name: 'Cookie', value: `${text(v['key'])}=${text(v['value'])}`, enabled: true }
}

/** A request's headers with the cookie joined into its own switched-on Cookie header, or added before them. */
export function withCookie(headers: readonly KeyValue[], cookie: KeyValue): KeyValue[] {
  const at = headers.findIndex((h) => h.enabled && h.name.trim().toLowerCase() === 'cookie')
  if (at === -1) return [{ ...cookie }, ...headers]
  return headers.map((h, i) =>
    i === at ? { ...h, value: h.value.trim() === '' ? cookie.value : `${h.value}; ${cookie.value}` } : h,
  )
}

const HEADERED = new Set(['http', 'graphql', 'sse', 'ws'])

/**
 * A folder's cookie API key onto the requests below it that inherit their auth (a request or folder with auth
 * of its own keeps it, as in Insomnia); returns how many requests got it.
 */
export function copyCookieToInheriting(nodes: readonly PlanNode[], cookie: KeyValue): number {
  let requests = 0
  const stack: { list: readonly PlanNode[]; depth: number }[] = [{ list: nodes, depth: 0 }]
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    for (const n of top.list) {
      if (n.type === 'folder') {
        if (n.folder.auth.type === 'inherit' && top.depth < 64)
          stack.push({ list: n.folder.children, depth: top.depth + 1 })
        continue
      }
      const r = n.request
      if (!HEADERED.has(r.kind) || r.auth.type !== 'inherit') continue
      r.headers = withCookie(r.headers, cookie)
      requests++
    }
  }
  return requests
}
