import type { RequestKind, SavedRequest } from '../../shared/collection'
import type { GrpcStatusName } from '../../shared/grpc'
import {
  DEFAULT_RETRY,
  type Assertion,
  type Extraction,
  type RetrySpec,
  type StopSpec,
} from '../../shared/run-spec'

/**
 * The Tests tab's draft: a request's run fields (assertions, extraction, retry, dependencies, a stream's stop
 * condition) as a person types them. Numbers stay text until saved, so a half-typed value is kept and reported
 * (`runDraftErrors`) rather than lost. `runToSaved` turns the draft into the file's fields; `savedToRun` is its
 * inverse, exact for every file the tab can show (an entry it cannot show exactly is kept as it is: `raw`).
 */

export type AssertionKind = Assertion['kind']
export type ExtractFrom = Extraction['from']

/** How a row compares; which modes a kind has is `ASSERTION_MODES`. */
export type AssertionMode = 'equals' | 'oneOf' | 'range' | 'contains' | 'exists' | 'absent' | 'none'

export interface AssertionRow {
  id: string
  kind: AssertionKind
  mode: AssertionMode
  /** header: the header name; json: the path. */
  name: string
  /** equals / contains / one-of list / min / text / ms, by kind and mode. */
  value: string
  /** range: the max. */
  value2: string
  /** An entry from the file the row cannot show exactly (two comparisons at once): written back unchanged. */
  raw?: Assertion
}

export interface ExtractionRow {
  id: string
  name: string
  from: ExtractFrom
  /** json: the path; header: the header name; regex: the pattern. */
  source: string
  /** regex: the capture group ('' for the default). */
  group: string
}

export interface RetryDraft {
  on: boolean
  retries: string
  onNetworkError: boolean
  /** Comma-separated statuses. */
  onStatus: string
  backoffMs: string
  factor: string
  maxBackoffMs: string
}

export interface StopDraft {
  count: string
  durationMs: string
  match: string
}

export interface RunDraft {
  assertions: AssertionRow[]
  extract: ExtractionRow[]
  retry: RetryDraft
  dependsOn: string[]
  stop: StopDraft
}

export const ASSERTION_LABELS: Record<AssertionKind, string> = {
  status: 'Status',
  header: 'Header',
  json: 'JSON path',
  'body-contains': 'Body contains',
  'duration-under': 'Duration under',
  'message-count': 'Message count',
  'grpc-status': 'gRPC status',
}

export const ASSERTION_MODES: Record<AssertionKind, readonly AssertionMode[]> = {
  status: ['equals', 'oneOf', 'range'],
  header: ['equals', 'contains', 'exists', 'absent'],
  json: ['equals', 'exists', 'absent'],
  'body-contains': ['none'],
  'duration-under': ['none'],
  'message-count': ['equals', 'range'],
  'grpc-status': ['equals'],
}

export const MODE_LABELS: Record<AssertionMode, string> = {
  equals: 'equals',
  oneOf: 'one of',
  range: 'between',
  contains: 'contains',
  exists: 'exists',
  absent: 'is absent',
  none: '',
}

/** Kinds that make sense for a request: message counts are for streams, the rest for HTTP and handshakes. */
export function assertionKindsFor(kind: RequestKind): AssertionKind[] {
  if (kind === 'grpc') return ['grpc-status', 'json', 'body-contains', 'message-count', 'duration-under']
  return kind === 'http'
    ? ['status', 'header', 'json', 'body-contains', 'duration-under']
    : ['status', 'message-count', 'header', 'duration-under']
}

let nextRow = 1
const rowId = (): string => `r${nextRow++}`

export function emptyRetryDraft(): RetryDraft {
  return {
    on: false,
    retries: '3',
    onNetworkError: DEFAULT_RETRY.onNetworkError,
    onStatus: DEFAULT_RETRY.onStatus.join(', '),
    backoffMs: String(DEFAULT_RETRY.backoffMs),
    factor: String(DEFAULT_RETRY.factor),
    maxBackoffMs: String(DEFAULT_RETRY.maxBackoffMs),
  }
}

export function emptyRunDraft(): RunDraft {
  return {
    assertions: [],
    extract: [],
    retry: emptyRetryDraft(),
    dependsOn: [],
    stop: { count: '', durationMs: '', match: '' },
  }
}

export function newAssertionRow(kind: AssertionKind): AssertionRow {
  const mode = ASSERTION_MODES[kind][0] ?? 'none'
  const value = kind === 'status' ? '200' : ''
  return { id: rowId(), kind, mode, name: '', value, value2: '' }
}

export function newExtractionRow(from: ExtractFrom = 'json'): ExtractionRow {
  return { id: rowId(), name: '', from, source: from === 'json' ? '$.' : '', group: '' }
}

// ------------------------------------------------------------------ file -> draft

const str = (n: number | undefined): string => (n === undefined ? '' : String(n))

/** A JSON assertion's expected value as typed: strings bare unless they would read as another type. */
export function jsonValueText(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return JSON.stringify(v)
  try {
    JSON.parse(v)
    return JSON.stringify(v)
  } catch {
    return v
  }
}

/** The inverse of `jsonValueText`: `42` a number, `true` a boolean, `null`, `"42"` a string, anything else text. */
export function parseJsonValue(text: string): string | number | boolean | null {
  try {
    const v: unknown = JSON.parse(text)
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v
  } catch {
    // Not a literal: the text itself.
  }
  return text
}

function rowOf(a: Assertion): AssertionRow {
  const base = { id: rowId(), kind: a.kind, name: '', value: '', value2: '' }
  switch (a.kind) {
    case 'status':
      if (a.oneOf) return { ...base, mode: 'oneOf', value: a.oneOf.join(', ') }
      if (a.min !== undefined || a.max !== undefined)
        return { ...base, mode: 'range', value: str(a.min), value2: str(a.max) }
      return { ...base, mode: 'equals', value: str(a.equals) }
    case 'message-count':
      if (a.min !== undefined || a.max !== undefined)
        return { ...base, mode: 'range', value: str(a.min), value2: str(a.max) }
      return { ...base, mode: 'equals', value: str(a.equals) }
    case 'header':
      if (a.contains !== undefined) return { ...base, mode: 'contains', name: a.name, value: a.contains }
      if (a.exists !== undefined) return { ...base, mode: a.exists ? 'exists' : 'absent', name: a.name }
      return { ...base, mode: 'equals', name: a.name, value: a.equals ?? '' }
    case 'json':
      if (a.exists !== undefined) return { ...base, mode: a.exists ? 'exists' : 'absent', name: a.path }
      return {
        ...base,
        mode: 'equals',
        name: a.path,
        value: a.equals === undefined ? '' : jsonValueText(a.equals),
      }
    case 'body-contains':
      return { ...base, mode: 'none', value: a.text }
    case 'duration-under':
      return { ...base, mode: 'none', value: String(a.ms) }
    case 'grpc-status':
      return { ...base, mode: 'equals', value: String(a.equals) }
  }
}

/** Deep equality for plain JSON values, ignoring key order and undefined keys. */
export function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b)
}

/** JSON with object keys sorted (and undefined keys left out, as JSON does). */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const o = value as Record<string, unknown>
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    )
  })
}

export function savedToRun(req: SavedRequest): RunDraft {
  const d = emptyRunDraft()
  d.assertions = (req.assertions ?? []).map((a) => {
    const row = rowOf(a)
    return sameJson(assertionOf(row), a) ? row : { ...row, raw: a }
  })
  d.extract = (req.extract ?? []).map((x) => ({
    id: rowId(),
    name: x.name,
    from: x.from,
    source: x.from === 'json' ? x.path : x.from === 'header' ? x.header : x.pattern,
    group: x.from === 'regex' ? str(x.group) : '',
  }))
  if (req.retry) {
    const r = req.retry
    d.retry = {
      // retries: 0 is how a file says "no retries" once it had a policy (see runToSaved).
      on: r.retries > 0,
      retries: r.retries > 0 ? String(r.retries) : '3',
      onNetworkError: r.onNetworkError,
      onStatus: r.onStatus.join(', '),
      backoffMs: String(r.backoffMs),
      factor: String(r.factor),
      maxBackoffMs: String(r.maxBackoffMs),
    }
  }
  d.dependsOn = [...(req.dependsOn ?? [])]
  if (req.stop)
    d.stop = { count: str(req.stop.count), durationMs: str(req.stop.durationMs), match: req.stop.match ?? '' }
  return d
}

// ------------------------------------------------------------------ draft -> file

/** A number as typed; NaN when it is not one (validation says so; the file never gets it). */
function num(text: string): number {
  const t = text.trim()
  return t === '' ? Number.NaN : Number(t)
}

function optNum(text: string): number | undefined {
  return text.trim() === '' ? undefined : num(text)
}

export function numberList(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter((s) => s !== '')
    .map(Number)
}

/** Only the keys that are set (exactOptionalPropertyTypes: an optional key is absent, not undefined). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

export function assertionOf(row: AssertionRow): Assertion {
  if (row.raw) return row.raw
  switch (row.kind) {
    case 'status':
      if (row.mode === 'oneOf') return { kind: 'status', oneOf: numberList(row.value) }
      if (row.mode === 'range')
        return defined({ kind: 'status', min: optNum(row.value), max: optNum(row.value2) })
      return defined({ kind: 'status', equals: optNum(row.value) })
    case 'message-count':
      if (row.mode === 'range')
        return defined({ kind: 'message-count', min: optNum(row.value), max: optNum(row.value2) })
      return defined({ kind: 'message-count', equals: optNum(row.value) })
    case 'header':
      if (row.mode === 'contains') return { kind: 'header', name: row.name, contains: row.value }
      if (row.mode === 'exists' || row.mode === 'absent')
        return { kind: 'header', name: row.name, exists: row.mode === 'exists' }
      return { kind: 'header', name: row.name, equals: row.value }
    case 'json':
      if (row.mode === 'exists' || row.mode === 'absent')
        return { kind: 'json', path: row.name, exists: row.mode === 'exists' }
      return { kind: 'json', path: row.name, equals: parseJsonValue(row.value) }
    case 'body-contains':
      return { kind: 'body-contains', text: row.value }
    case 'duration-under':
      return { kind: 'duration-under', ms: num(row.value) }
    case 'grpc-status':
      return { kind: 'grpc-status', equals: grpcStatusOf(row.value) }
  }
}

export function extractionOf(row: ExtractionRow): Extraction {
  const name = row.name.trim()
  if (row.from === 'json') return { name, from: 'json', path: row.source }
  if (row.from === 'header') return { name, from: 'header', header: row.source.trim() }
  return defined({ name, from: 'regex', pattern: row.source, group: optNum(row.group) })
}

function retryOf(r: RetryDraft): RetrySpec {
  return {
    retries: num(r.retries),
    onNetworkError: r.onNetworkError,
    onStatus: numberList(r.onStatus),
    backoffMs: num(r.backoffMs),
    factor: num(r.factor),
    maxBackoffMs: num(r.maxBackoffMs),
  }
}

export type RunFields = Pick<SavedRequest, 'assertions' | 'extract' | 'retry' | 'dependsOn' | 'stop'>

/** A request's run fields as its file has them (what a save compares the draft against). */
export function runFieldsOf(req: SavedRequest): RunFields {
  return defined<RunFields>({
    assertions: req.assertions,
    extract: req.extract,
    retry: req.retry,
    dependsOn: req.dependsOn,
    stop: req.stop,
  })
}

/**
 * The file's run fields for a draft. A save that leaves a field out keeps what the file has, so a field the
 * draft has emptied is written empty (which removes it) when the file has it (`file`), and left out when it
 * does not: opening and saving a request changes nothing. Retry off is written as `retries: 0` over a file's
 * policy, as there is no empty policy to remove it with.
 */
export function runToSaved(run: RunDraft, file: RunFields = {}): RunFields {
  const out: RunFields = {}
  const list = <K extends 'assertions' | 'extract' | 'dependsOn'>(
    key: K,
    value: NonNullable<RunFields[K]>,
  ) => {
    if (value.length > 0 || (file[key]?.length ?? 0) > 0) out[key] = value
  }
  list('assertions', run.assertions.map(assertionOf))
  list('extract', run.extract.map(extractionOf))
  list(
    'dependsOn',
    run.dependsOn.map((p) => p.trim()).filter((p) => p !== ''),
  )
  const stop = defined<StopSpec>({
    count: optNum(run.stop.count),
    durationMs: optNum(run.stop.durationMs),
    match: run.stop.match === '' ? undefined : run.stop.match,
  })
  if (Object.keys(stop).length > 0 || (file.stop && Object.keys(file.stop).length > 0)) out.stop = stop
  else if (file.stop) out.stop = file.stop
  if (run.retry.on) out.retry = retryOf(run.retry)
  else if (file.retry) out.retry = { ...file.retry, retries: 0 }
  return out
}

/** The composer's actions for the Tests tab (src/renderer/store/composer-slice.ts). */
export interface RunDraftActions {
  addAssertion(kind: AssertionKind): void
  /** Edit a row; a change of kind or mode starts that row's fields afresh. */
  updateAssertion(id: string, patch: Partial<Omit<AssertionRow, 'id' | 'raw'>>): void
  removeAssertion(id: string): void
  addExtraction(from?: ExtractFrom): void
  updateExtraction(id: string, patch: Partial<Omit<ExtractionRow, 'id'>>): void
  removeExtraction(id: string): void
  setRetry(patch: Partial<RetryDraft>): void
  setDependsOn(paths: string[]): void
  setStop(patch: Partial<StopDraft>): void
}

/** A row after an edit: switching kind or mode clears what no longer applies (and a kept file entry). */
export function editAssertion(
  row: AssertionRow,
  patch: Partial<Omit<AssertionRow, 'id' | 'raw'>>,
): AssertionRow {
  if (patch.kind !== undefined && patch.kind !== row.kind)
    return { ...newAssertionRow(patch.kind), id: row.id }
  if (patch.mode !== undefined && patch.mode !== row.mode)
    return { id: row.id, kind: row.kind, mode: patch.mode, name: row.name, value: '', value2: '' }
  const { raw: _raw, ...rest } = row
  return { ...rest, ...patch }
}

/**
 * The request file a `dependsOn` entry names, as the runner reads it: from the collection root, or from
 * `from`'s folder for `./` and `../`; `.yaml` may be left off. Null when it leaves the collection.
 */
export function dependencyTarget(from: string, dep: string): string | null {
  const d = dep.trim()
  const relative = d.startsWith('./') || d.startsWith('../')
  const base = relative ? from.split('/').slice(0, -1) : []
  const parts = [...base]
  for (const seg of d.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (parts.length === 0) return null
      parts.pop()
    } else parts.push(seg)
  }
  if (parts.length === 0) return null
  const path = parts.join('/')
  return /\.ya?ml$/.test(path) ? path : `${path}.yaml`
}

/** `NOT_FOUND`, `not_found` or `5` as the check's status; text that is none of them stays as typed (the row says so). */
export function grpcStatusOf(text: string): GrpcStatusName | number {
  const t = text.trim()
  if (/^\d+$/.test(t)) return Number(t)
  return t.toUpperCase() as GrpcStatusName
}
