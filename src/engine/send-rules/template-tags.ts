import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'

/**
 * Another tool's template tag left in a request (Insomnia's `{% response 'raw', 'req_1' %}` that an import
 * could not map) would go out as literal text, and the server would see `{% ... %}` where a token belongs.
 * A send refuses it instead, naming the tag. Only Insomnia's own tag names count, so a body that merely holds
 * `{%` (a Jinja template sent to a templating API) is sent as written.
 */

export const INSOMNIA_TAG_NAMES = [
  'response',
  'request',
  'uuid',
  'now',
  'timestamp',
  'base64',
  'hash',
  'prompt',
  'file',
  'cookie',
  'cookieJar',
  'jsonpath',
  'faker',
  'os',
  'urlencode',
] as const

const TAG = new RegExp(`\\{%\\s*(?:${INSOMNIA_TAG_NAMES.join('|')})\\b[^%]{0,2000}?%\\}`)

function texts(spec: RequestSpec, auth: AuthSpec): string[] {
  const out = [spec.url]
  for (const h of spec.headers) if (h.enabled) out.push(h.name, h.value)
  const b = spec.body
  if (b.kind === 'text' || b.kind === 'json') out.push(b.text)
  if (b.kind === 'form') for (const f of b.fields) if (f.enabled) out.push(f.name, f.value)
  if (b.kind === 'multipart')
    for (const p of b.parts) if (p.enabled) out.push(p.name, p.kind === 'text' ? p.value : p.path)
  for (const v of Object.values(auth)) if (typeof v === 'string') out.push(v)
  return out
}

/** The first foreign template tag in what would be sent, or null. */
export function foreignTemplateTag(spec: RequestSpec, auth: AuthSpec): string | null {
  for (const t of texts(spec, auth)) {
    if (!t.includes('{%')) continue
    const m = TAG.exec(t)
    if (m) return m[0]
  }
  return null
}

export function foreignTagMessage(tag: string): string {
  return `This request holds an Insomnia template tag Flightdeck cannot run: ${tag.slice(0, 200)}. Replace it with a value or a {{variable}} (an extraction on the request it reads gives you one); nothing was sent`
}
