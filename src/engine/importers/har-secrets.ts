import type { Variable } from '../../shared/collection'
import type { KeyValue, RequestBody } from '../../shared/request'
import { isSecretHeader } from '../har/redact'

/**
 * A HAR is a recording: it holds the Authorization headers, cookies and login passwords the browser sent. An
 * import must not write them into YAML files that end up in git. Each recorded value becomes a secret variable
 * (its value goes to the secret store, the file says `{{har_cookie}}`), so the requests still replay as
 * recorded and nothing sensitive is in plain text. Where there is no secret store the values are dropped and
 * the report says so (the writer's keepSecrets).
 */

/** Form, JSON and query fields that carry credentials (by their whole name, case aside; headers: har/redact.ts). */
const SECRET_FIELD =
  /^(password|passwd|pwd|pass|passphrase|new_?password|current_?password|old_?password|secret|client_?secret|token|access_?token|refresh_?token|id_?token|api[-_]?key|auth|otp)$/i
/** JSON walk bounds: a recorded body can be large and deep. */
const MAX_JSON_NODES = 10_000
const MAX_JSON_DEPTH = 32

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name.trim())
}

export class HarSecrets {
  /** Secret variables made, in order of first use. */
  readonly variables: Variable[] = []
  private readonly byValue = new Map<string, string>()
  private readonly perBase = new Map<string, number>()
  /** What was moved, by label (`Authorization header`, `form field password`): requests and variables. */
  private readonly counts = new Map<string, { requests: Set<number>; names: Set<string> }>()

  /** The `{{variable}}` that stands for `value`, recorded under `label` for entry `entry`. */
  ref(label: string, base: string, value: string, entry: number): string {
    const key = `${base}\u0000${value}`
    let name = this.byValue.get(key)
    if (name === undefined) {
      const n = (this.perBase.get(base) ?? 0) + 1
      this.perBase.set(base, n)
      name = n === 1 ? base : `${base}_${n}`
      this.byValue.set(key, name)
      this.variables.push({ name, value, secret: true })
    }
    const c = this.counts.get(label) ?? { requests: new Set<number>(), names: new Set<string>() }
    c.requests.add(entry)
    c.names.add(name)
    this.counts.set(label, c)
    return `{{${name}}}`
  }

  headers(list: KeyValue[], entry: number): KeyValue[] {
    return list.map((h) => {
      if (!isSecretHeader(h.name) || h.value === '' || h.value.includes('{{')) return h
      const base = `har_${h.name.toLowerCase().replace(/-/g, '_')}`
      return { ...h, value: this.ref(`${h.name} header`, base, h.value, entry) }
    })
  }

  fields(list: KeyValue[], entry: number): KeyValue[] {
    return list.map((f) =>
      isSecretField(f.name) && f.value !== ''
        ? { ...f, value: this.ref(`form field ${f.name}`, `har_${fieldBase(f.name)}`, f.value, entry) }
        : f,
    )
  }

  body(body: RequestBody, entry: number): RequestBody {
    switch (body.kind) {
      case 'form':
        return { ...body, fields: this.fields(body.fields, entry) }
      case 'multipart':
        return {
          ...body,
          parts: body.parts.map((p) =>
            p.kind === 'text' && isSecretField(p.name) && p.value !== ''
              ? { ...p, value: this.ref(`form field ${p.name}`, `har_${fieldBase(p.name)}`, p.value, entry) }
              : p,
          ),
        }
      case 'json':
        return { ...body, text: this.json(body.text, entry) }
      default:
        return body
    }
  }

  /** Secret-named string fields of a JSON body become references; other text stays byte for byte. */
  private json(text: string, entry: number): string {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      return text
    }
    let nodes = 0
    let changed = false
    const walk = (v: unknown, depth: number): unknown => {
      if (++nodes > MAX_JSON_NODES || depth > MAX_JSON_DEPTH || typeof v !== 'object' || v === null) return v
      if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1))
      const out: Record<string, unknown> = {}
      // Own properties whatever the key: a body's "__proto__" field set the copy's prototype and dropped out.
      const put = (k: string, value: unknown): void => {
        Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true })
      }
      for (const [k, x] of Object.entries(v)) {
        if (typeof x === 'string' && x !== '' && isSecretField(k)) {
          changed = true
          put(k, this.ref(`JSON field ${k}`, `har_${fieldBase(k)}`, x, entry))
        } else put(k, walk(x, depth + 1))
      }
      return out
    }
    const next = walk(data, 0)
    if (!changed) return text
    return text.includes('\n') ? `${JSON.stringify(next, null, 2)}\n` : JSON.stringify(next)
  }

  /** Secret-named query parameters of a recorded URL become references (kept readable, not encoded). */
  url(href: string, entry: number): string {
    const q = href.indexOf('?')
    if (q === -1) return href
    const hash = href.indexOf('#', q)
    const query = href.slice(q + 1, hash === -1 ? undefined : hash)
    let changed = false
    const parts = query.split('&').map((pair) => {
      const eq = pair.indexOf('=')
      if (eq === -1) return pair
      const name = decodeURIComponentSafe(pair.slice(0, eq))
      const value = pair.slice(eq + 1)
      if (!isSecretField(name) || value === '') return pair
      changed = true
      const label = `query parameter ${name}`
      // The value is kept as recorded (still percent-encoded): the variable goes back into the URL as it was.
      return `${pair.slice(0, eq)}=${this.ref(label, `har_${fieldBase(name)}`, value, entry)}`
    })
    if (!changed) return href
    return `${href.slice(0, q)}?${parts.join('&')}${hash === -1 ? '' : href.slice(hash)}`
  }

  /** One report line, or none when nothing was recorded. */
  report(): string | null {
    if (this.counts.size === 0) return null
    const what = [...this.counts].map(([label, c]) => {
      const names = [...c.names]
      const shown =
        names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`
      return `${label} in ${c.requests.size} request${c.requests.size === 1 ? '' : 's'} (${shown})`
    })
    return `recorded credentials kept as secret variables, not written into the files: ${what.join('; ')}`
  }
}

function fieldBase(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}
