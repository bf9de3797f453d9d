import { randomUUID } from 'node:crypto'
import type { Variable } from '../../shared/collection'
import type { KeyValue, RequestBody } from '../../shared/request'
import { isSecretHeader } from '../har/redact'
import type { LiteralBraces } from './har-literal-braces'

/**
 * A HAR is a recording: it holds the Authorization headers, cookies and login passwords the browser sent. An
 * import must not write them into YAML files that end up in git. Each recorded value becomes a secret variable
 * (its value goes to the secret store, the file says `{{har_cookie}}`), so the requests still replay as
 * recorded and nothing sensitive is in plain text. Where there is no secret store the values are dropped and
 * the report says so (the writer's keepSecrets). Every other recorded text goes through `braces`, which keeps its
 * `{{` literal (./har-literal-braces.ts), and so does a secret's value, since a variable's value is a template too.
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

  constructor(private readonly braces: LiteralBraces) {}

  /** The `{{variable}}` that stands for `value`, recorded under `label` for entry `entry`. */
  ref(label: string, base: string, recorded: string, entry: number): string {
    const value = this.braces.keep(recorded, entry, label)
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
      const name = this.braces.keep(h.name, entry, 'a header name')
      if (!isSecretHeader(h.name) || h.value === '')
        return { ...h, name, value: this.braces.keep(h.value, entry, `header ${h.name}`) }
      const base = `har_${h.name.toLowerCase().replace(/-/g, '_')}`
      return { ...h, name, value: this.ref(`${h.name} header`, base, h.value, entry) }
    })
  }

  fields(list: KeyValue[], entry: number): KeyValue[] {
    return list.map((f) => {
      const name = this.braces.keep(f.name, entry, 'a form field name')
      return isSecretField(f.name) && f.value !== ''
        ? { ...f, name, value: this.ref(`form field ${f.name}`, `har_${fieldBase(f.name)}`, f.value, entry) }
        : { ...f, name, value: this.braces.keep(f.value, entry, `form field ${f.name}`) }
    })
  }

  body(body: RequestBody, entry: number): RequestBody {
    switch (body.kind) {
      case 'form':
        return { ...body, fields: this.fields(body.fields, entry) }
      case 'multipart':
        return {
          ...body,
          parts: body.parts.map((p) => {
            const name = this.braces.keep(p.name, entry, 'a part name')
            if (p.kind === 'file') return { ...p, name }
            return isSecretField(p.name) && p.value !== ''
              ? {
                  ...p,
                  name,
                  value: this.ref(`form field ${p.name}`, `har_${fieldBase(p.name)}`, p.value, entry),
                }
              : { ...p, name, value: this.braces.keep(p.value, entry, `part ${p.name}`) }
          }),
        }
      case 'json':
        return { ...body, text: this.json(body.text, entry, 'the JSON body') }
      case 'text':
        return { ...body, text: this.braces.keep(body.text, entry, 'the body') }
      default:
        return body
    }
  }

  /** A WebSocket message as sent: JSON as a JSON body is, other text with its braces kept. */
  message(text: string, entry: number, label: string): string {
    return this.json(text, entry, label)
  }

  /**
   * Secret-named string fields of a JSON body become references; other text stays byte for byte, its `{{` kept
   * literal. The references stand in as placeholders until the text is escaped, so only they stay variables.
   */
  private json(text: string, entry: number, label: string): string {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      return this.braces.keep(text, entry, label)
    }
    let nodes = 0
    let changed = false
    const marker = `har-ref-${randomUUID()}-`
    const refs: string[] = []
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
          refs.push(this.ref(`JSON field ${k}`, `har_${fieldBase(k)}`, x, entry))
          put(k, `${marker}${refs.length - 1}_`)
        } else put(k, walk(x, depth + 1))
      }
      return out
    }
    const next = walk(data, 0)
    if (!changed || text.includes(marker)) return this.braces.keep(text, entry, label)
    const out = text.includes('\n') ? `${JSON.stringify(next, null, 2)}\n` : JSON.stringify(next)
    return this.braces
      .keep(out, entry, label)
      .replace(new RegExp(`${marker}(\\d+)_`, 'g'), (m, n: string) => refs[Number(n)] ?? m)
  }

  /** Secret-named query parameters of a recorded URL become references (kept readable, not encoded). */
  url(href: string, entry: number): string {
    const keep = (s: string): string => this.braces.keep(s, entry, 'the URL')
    const q = href.indexOf('?')
    if (q === -1) return keep(href)
    const hash = href.indexOf('#', q)
    const query = href.slice(q + 1, hash === -1 ? undefined : hash)
    let changed = false
    const parts = query.split('&').map((pair) => {
      const eq = pair.indexOf('=')
      if (eq === -1) return keep(pair)
      const name = decodeURIComponentSafe(pair.slice(0, eq))
      const value = pair.slice(eq + 1)
      if (!isSecretField(name) || value === '') return keep(pair)
      changed = true
      const label = `query parameter ${name}`
      // The value is kept as recorded (still percent-encoded): the variable goes back into the URL as it was.
      return `${keep(pair.slice(0, eq))}=${this.ref(label, `har_${fieldBase(name)}`, value, entry)}`
    })
    if (!changed) return keep(href)
    return `${keep(href.slice(0, q))}?${parts.join('&')}${hash === -1 ? '' : keep(href.slice(hash))}`
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
