import type { RequestKind } from '../../shared/collection'
import { STATUS_NAMES } from '../../shared/grpc'
import { grpcStatusOf, type AssertionRow, type RunDraft } from './run-draft'

/**
 * What is wrong with a Tests tab draft, field by field, before it may be saved: numbers in range, patterns
 * that compile, variable names, status lists, dependencies that name a request.
 */

/** Problems by field key (`a:<rowId>:value`, `x:<rowId>:source`, `retry:backoffMs`, `stop:match`, ...). */
export type RunErrors = Record<string, string>

function intIn(text: string, min: number, max: number, what: string, optional = false): string | null {
  const t = text.trim()
  if (t === '') return optional ? null : `${what} is required`
  const n = Number(t)
  if (!Number.isInteger(n)) return `${what} must be a whole number`
  if (n < min || n > max) return `${what} must be ${min}–${max}`
  return null
}

export function regexError(pattern: string): string | null {
  if (pattern === '') return 'A pattern is required'
  try {
    new RegExp(pattern)
    return null
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : 'Not a valid pattern'
  }
}

function statusListError(text: string, required: boolean): string | null {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '')
  if (parts.length === 0) return required ? 'List at least one status' : null
  const bad = parts.find((p) => !/^\d{3}$/.test(p) || Number(p) < 100)
  return bad === undefined ? null : `"${bad}" is not a status (100–999)`
}

const VAR_NAME = /^[A-Za-z_][\w.-]*$/

function assertionErrors(row: AssertionRow, put: (field: string, msg: string | null) => void): void {
  if (row.raw) return
  const k = (f: string) => `a:${row.id}:${f}`
  switch (row.kind) {
    case 'status':
      if (row.mode === 'oneOf') put(k('value'), statusListError(row.value, true))
      else if (row.mode === 'range') {
        put(k('value'), intIn(row.value, 100, 999, 'Status', true))
        put(k('value2'), intIn(row.value2, 100, 999, 'Status', true))
      } else put(k('value'), intIn(row.value, 100, 999, 'Status'))
      return
    case 'message-count': {
      const max = 1_000_000_000
      if (row.mode === 'range') {
        put(k('value'), intIn(row.value, 0, max, 'Count', true))
        put(k('value2'), intIn(row.value2, 0, max, 'Count', true))
      } else put(k('value'), intIn(row.value, 0, max, 'Count'))
      return
    }
    case 'header':
      put(k('name'), row.name.trim() === '' ? 'A header name is required' : null)
      return
    case 'json':
      put(k('name'), row.name.trim() === '' ? 'A JSON path is required ($.a.b)' : null)
      return
    case 'body-contains':
      put(k('value'), row.value === '' ? 'Text to look for is required' : null)
      return
    case 'grpc-status': {
      const v = grpcStatusOf(row.value)
      const known = typeof v === 'number' ? v < STATUS_NAMES.length : STATUS_NAMES.includes(v)
      put(k('value'), known ? null : 'A gRPC status: a name (NOT_FOUND) or a code (0–16)')
      return
    }
    case 'duration-under': {
      const n = Number(row.value.trim())
      put(
        k('value'),
        row.value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 86_400_000
          ? 'A time in ms (more than 0) is required'
          : null,
      )
    }
  }
}

export function runDraftErrors(run: RunDraft, kind: RequestKind): RunErrors {
  const errors: RunErrors = {}
  const put = (field: string, msg: string | null): void => {
    if (msg !== null) errors[field] = msg
  }
  for (const row of run.assertions) assertionErrors(row, put)
  const names = new Set<string>()
  for (const row of run.extract) {
    const name = row.name.trim()
    put(
      `x:${row.id}:name`,
      name === ''
        ? 'A variable name is required'
        : !VAR_NAME.test(name)
          ? 'Letters, digits, _ . and - (not starting with a digit)'
          : names.has(name)
            ? `${name} is extracted twice`
            : null,
    )
    names.add(name)
    if (row.from === 'regex') {
      put(`x:${row.id}:source`, regexError(row.source))
      put(`x:${row.id}:group`, intIn(row.group, 0, 99, 'Group', true))
    } else
      put(
        `x:${row.id}:source`,
        row.source.trim() === ''
          ? row.from === 'json'
            ? 'A JSON path is required'
            : 'A header name is required'
          : null,
      )
  }
  if (run.retry.on) {
    const r = run.retry
    put('retry:retries', intIn(r.retries, 1, 100, 'Retries'))
    put('retry:onStatus', statusListError(r.onStatus, false))
    put('retry:backoffMs', intIn(r.backoffMs, 0, 600_000, 'Backoff'))
    const f = Number(r.factor.trim())
    put('retry:factor', r.factor.trim() === '' || !(f >= 1 && f <= 10) ? 'Factor must be 1–10' : null)
    put('retry:maxBackoffMs', intIn(r.maxBackoffMs, 0, 3_600_000, 'Cap'))
  }
  run.dependsOn.forEach((p, i) => put(`dep:${i}`, p.trim() === '' ? 'A request path is required' : null))
  if (kind !== 'http') {
    put('stop:count', intIn(run.stop.count, 1, 1_000_000, 'Count', true))
    put('stop:durationMs', intIn(run.stop.durationMs, 1, 86_400_000, 'Duration', true))
    if (run.stop.match !== '') put('stop:match', regexError(run.stop.match))
  }
  return errors
}

/** "Tests: <first problem>" for the save refusal, or null when the draft can be saved. */
export function firstRunError(run: RunDraft, kind: RequestKind): string | null {
  const errors = Object.values(runDraftErrors(run, kind))
  if (errors.length === 0) return null
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  return `Not saved: the Tests tab has a problem: ${errors[0]}${more}.`
}
