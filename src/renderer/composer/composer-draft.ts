import type { AuthSpec, RequestKind } from '../../shared/collection'
import { DEFAULT_REQUEST_OPTIONS } from '../../shared/constants'
import { sseReconnectByDefault } from '../../shared/streams'
import type { BodyKind, KeyValue, MultipartPart, RequestBody, RequestSpec } from '../../shared/request'
import { DEFAULT_AFTER, type AfterResponseDraft } from '../async/after-response'
import { EMPTY_SCRIPTS, type ScriptsDraft } from '../scripts/script-draft'
import { emptyRunDraft, type RunDraft } from './run-draft'

/**
 * One open request as a person edits it, kept in its tab (`RequestTab.draft`) and nowhere else: the composer
 * shows the active tab's. Every body kind keeps its own draft, so switching from JSON to form and back loses
 * nothing. `toRequestSpec` turns it into the contract's request.
 */
export interface ComposerOptions {
  followRedirects: boolean
  maxRedirects: number
  insecure: boolean
  /** 0 means no limit. */
  totalTimeoutMs: number
  /** The largest response body the engine reads (decoded bytes). */
  maxBodyBytes: number
  /** HTTPS: send over HTTP/2 accepting server push; each pushed stream becomes a child row. */
  acceptPush: boolean
  /**
   * The wait for the response headers, as set for this request; null: the engine's default for its kind (an SSE
   * stream 30 s, an exchange 300 s), and nothing goes in the request or its file.
   */
  headersTimeoutMs: number | null
}

/** Every option the composer has a control for, once (the compiler checks the list against ComposerOptions). */
const COMPOSER_OPTION_FLAGS = {
  followRedirects: true,
  maxRedirects: true,
  insecure: true,
  totalTimeoutMs: true,
  maxBodyBytes: true,
  acceptPush: true,
  headersTimeoutMs: true,
} satisfies Record<keyof ComposerOptions, true>

export const COMPOSER_OPTION_KEYS = Object.keys(COMPOSER_OPTION_FLAGS) as (keyof ComposerOptions)[]

export interface ComposerDraft {
  /** What Send opens: an HTTP request, an SSE stream or a WebSocket. */
  kind: RequestKind
  method: string
  url: string
  params: KeyValue[]
  headers: KeyValue[]
  bodyKind: BodyKind
  text: { text: string; contentType: string }
  json: string
  form: KeyValue[]
  multipart: MultipartPart[]
  file: { path: string; contentType: string }
  options: ComposerOptions
  auth: AuthSpec
  /** WebSocket subprotocols to offer. */
  protocols: string[]
  /**
   * SSE reconnect as chosen by hand for this tab; null: only a GET reconnects (`sseReconnectFor`). Not saved
   * with the request: a reconnect re-sends it, so the choice is made again in each new tab.
   */
  sseReconnect: boolean | null
  /** The Tests tab: what a run checks, extracts and retries (not used by a send from the composer). */
  run: RunDraft
  /** The After response tab: follow the job the response starts, or long-poll (a send and a run both do). */
  after: AfterResponseDraft
  /** The Scripts tab: pre-request and post-response (test) scripts, run by a send and a run. */
  scripts: ScriptsDraft
}

export function emptyDraft(): ComposerDraft {
  return {
    kind: 'http',
    method: 'GET',
    url: '',
    params: [],
    headers: [],
    bodyKind: 'none',
    text: { text: '', contentType: 'text/plain' },
    json: '',
    form: [],
    multipart: [],
    file: { path: '', contentType: '' },
    options: {
      followRedirects: DEFAULT_REQUEST_OPTIONS.followRedirects,
      maxRedirects: DEFAULT_REQUEST_OPTIONS.maxRedirects,
      insecure: DEFAULT_REQUEST_OPTIONS.insecure,
      totalTimeoutMs: DEFAULT_REQUEST_OPTIONS.totalTimeoutMs,
      maxBodyBytes: DEFAULT_REQUEST_OPTIONS.maxBodyBytes,
      acceptPush: DEFAULT_REQUEST_OPTIONS.acceptPush,
      headersTimeoutMs: null,
    },
    auth: { type: 'inherit' },
    protocols: [],
    sseReconnect: null,
    run: emptyRunDraft(),
    after: DEFAULT_AFTER,
    scripts: EMPTY_SCRIPTS,
  }
}

/** Whether an SSE stream opened from `d` reconnects: the tab's own choice, else only for a GET. */
export function sseReconnectFor(d: Pick<ComposerDraft, 'sseReconnect' | 'method'>): boolean {
  return d.sseReconnect ?? sseReconnectByDefault(d.method)
}

/** The Subprotocols field's text as a list: comma- or space-separated, blanks dropped. */
export function splitProtocols(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean)
}

export function draftBody(d: ComposerDraft): RequestBody {
  switch (d.bodyKind) {
    case 'none':
      return { kind: 'none' }
    case 'text':
      return { kind: 'text', text: d.text.text, contentType: d.text.contentType }
    case 'json':
      return { kind: 'json', text: d.json }
    case 'form':
      return { kind: 'form', fields: d.form.filter((f) => f.name !== '' || f.value !== '') }
    case 'multipart':
      return { kind: 'multipart', parts: d.multipart.filter((p) => p.name !== '') }
    case 'file':
      return d.file.contentType === ''
        ? { kind: 'file', path: d.file.path }
        : { kind: 'file', path: d.file.path, contentType: d.file.contentType }
  }
}

/** Blank rows are the table's "new row" affordance, not something to send. */
function filled(rows: readonly KeyValue[]): KeyValue[] {
  return rows.filter((r) => r.name.trim() !== '')
}

export function toRequestSpec(d: ComposerDraft): RequestSpec {
  // The body limit goes along only when it is not the default, so the engine's default stays the one truth.
  const { maxBodyBytes, headersTimeoutMs, ...rest } = d.options
  // A draft kept before the setting existed has none: the default then, as null says.
  const options = typeof headersTimeoutMs === 'number' ? { ...rest, headersTimeoutMs } : rest
  return {
    method: d.method.trim().toUpperCase(),
    url: d.url.trim(),
    headers: filled(d.headers),
    body: draftBody(d),
    options: maxBodyBytes === DEFAULT_REQUEST_OPTIONS.maxBodyBytes ? options : { ...options, maxBodyBytes },
  }
}
