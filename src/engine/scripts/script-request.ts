import type { AuthSpec } from '../../shared/collection'
import type { RequestBody, RequestSpec } from '../../shared/request'
import type { HeaderList, QueuedEvent, RequestSentEvent } from '../../shared/timeline'
import type { ExchangeResult } from '../http/http-engine'
import { mapTemplate } from '../../shared/template-scan'
import { valueText } from './script-scopes'
import type { ScriptKeyValue, ScriptRequest, ScriptScopes } from './script-types'

/**
 * `pm.request` as a script sees it, in newman's terms. A pre-request script sees the request as written: its
 * {{templates}} unresolved, so it can change them. A test script sees the request as it went out: URL, headers and
 * body resolved (dynamic values as drawn), auth applied, and the headers the client added itself (User-Agent,
 * Host, an Authorization from the auth settings) after the request's own, marked `system` as newman marks them.
 * After redirects it is still the first request (newman's too), while `pm.response` is the last hop's.
 */

/** A request as scripts see it (Postman's shape): headers with their on/off, the body by mode. */
export function toScriptRequest(spec: RequestSpec, auth: AuthSpec): ScriptRequest {
  const b = spec.body
  const body: ScriptRequest['body'] =
    b.kind === 'none'
      ? { mode: 'none' }
      : b.kind === 'json'
        ? { mode: 'raw', raw: b.text, language: 'json' }
        : b.kind === 'text'
          ? { mode: 'raw', raw: b.text, language: 'text', contentType: b.contentType }
          : b.kind === 'form'
            ? {
                mode: 'urlencoded',
                urlencoded: b.fields.map((f) => entry(f.name, f.value, f.enabled)),
              }
            : { mode: b.kind === 'multipart' ? 'formdata' : 'file' }
  return {
    method: spec.method,
    url: spec.url,
    headers: spec.headers.map((h) => entry(h.name, h.value, h.enabled)),
    body,
    auth,
  }
}

/** A pre-request script's changes back onto the request (multipart and file bodies are kept as they were). */
export function fromScriptRequest(
  spec: RequestSpec,
  changed: ScriptRequest,
): { spec: RequestSpec; auth: AuthSpec } {
  const b = changed.body
  const body: RequestSpec['body'] =
    b.mode === 'none'
      ? { kind: 'none' }
      : b.mode === 'raw'
        ? b.language === 'json' || (spec.body.kind === 'json' && b.contentType === undefined)
          ? { kind: 'json', text: b.raw }
          : { kind: 'text', text: b.raw, contentType: b.contentType ?? 'text/plain' }
        : b.mode === 'urlencoded'
          ? {
              kind: 'form',
              fields: b.urlencoded.map((f) => ({
                name: f.key,
                value: f.value,
                enabled: f.disabled !== true,
              })),
            }
          : spec.body
  return {
    spec: {
      ...spec,
      method: changed.method,
      url: changed.url,
      headers: changed.headers.map((h) => ({ name: h.key, value: h.value, enabled: h.disabled !== true })),
      body,
    },
    auth: changed.auth,
  }
}

/** An entry as postman-collection writes it (and scripts print it): `disabled` only when it is. */
function entry(key: string, value: string, enabled: boolean): ScriptKeyValue {
  return enabled ? { key, value } : { key, value, disabled: true }
}

/**
 * Text's {{names}} filled from the scopes, nearest first (what was sent, where the engine keeps no copy), read as
 * the send reads them (src/shared/template-scan.ts): escaped braces are the literal braces that went out.
 */
export function filled(text: string, scopes: ScriptScopes): string {
  const order = [scopes.local, scopes.data, scopes.environment, scopes.collection, scopes.globals]
  return mapTemplate(text, (name) => {
    const from = order.find((s) => Object.prototype.hasOwnProperty.call(s, name))
    return from ? valueText(from[name]) : undefined
  })
}

/**
 * The request a test script sees: `spec` as the script before it left it, with what the engine sent in its place
 * (`outcome`, the exchange's events; `body`, the body the engine says it sent first, when it kept it). Whatever no
 * event has (a disabled header, a body the engine did not keep) is filled from the scopes.
 */
export function sentScriptRequest(
  spec: RequestSpec,
  auth: AuthSpec,
  outcome: ExchangeResult,
  scopes: ScriptScopes,
  body: RequestBody | undefined,
): ScriptRequest {
  const first = outcome.sids[0]
  let queued: QueuedEvent | undefined
  let sent: RequestSentEvent | undefined
  for (const e of outcome.events) {
    if (e.sid !== first) continue
    if (e.type === 'queued') queued = e
    else if (e.type === 'request-sent') sent = e
  }
  const asSent = body === undefined || body.kind === 'none' ? fillBody(spec.body, scopes) : body
  const own = toScriptRequest({ ...spec, body: asSent }, auth)
  return {
    ...own,
    method: queued?.method ?? spec.method,
    url: queued?.url ?? filled(spec.url, scopes),
    headers: sentHeaders(own.headers, sent?.headers, scopes),
  }
}

/**
 * The request's own headers with the values they went out with (matched by name, in order), then the ones the
 * client added, `system`. Before anything was sent (no event), the request's own, filled from the scopes.
 */
function sentHeaders(
  own: readonly ScriptKeyValue[],
  wire: HeaderList | undefined,
  scopes: ScriptScopes,
): ScriptKeyValue[] {
  const left = wire ? [...wire] : []
  const out: ScriptKeyValue[] = []
  for (const h of own) {
    const at =
      h.disabled === true ? -1 : left.findIndex(([name]) => name.toLowerCase() === h.key.toLowerCase())
    const hit = at >= 0 ? left.splice(at, 1)[0] : undefined
    out.push({ ...h, value: hit ? hit[1] : filled(h.value, scopes) })
  }
  // HTTP/2's pseudo-headers (:path, :authority) are the URL's parts, not headers a script lists.
  for (const [key, value] of left) if (!key.startsWith(':')) out.push({ key, value, system: true })
  return out
}

function fillBody(b: RequestBody, scopes: ScriptScopes): RequestBody {
  if (b.kind === 'json' || b.kind === 'text') return { ...b, text: filled(b.text, scopes) }
  if (b.kind === 'form')
    return { ...b, fields: b.fields.map((f) => ({ ...f, value: filled(f.value, scopes) })) }
  return b
}
