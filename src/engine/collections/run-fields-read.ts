import { DEFAULT_RETRY } from '../../shared/run-spec'
import { DEFAULT_FOLLOW_JOB, DEFAULT_LONG_POLL } from '../../shared/job-options'
import { isRaw, isSet, str, type Raw } from './yaml-read'

/** A request file's runner fields (checks, extracts, retries, dependencies, jobs…) read into the model's shapes. */

/** A single item where a list is expected (`dependsOn: login`, `onStatus: 503`) reads as a list of one. */
export function listOf(v: unknown): unknown {
  return Array.isArray(v) ? v : [v]
}

/**
 * The runner's fields, present only when the file has them (so a file without them reads, and writes back,
 * exactly as before). Header and body texts written as bare numbers read as the text they look like.
 */
export function runFields(raw: Raw): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (isSet(raw['assertions'])) out['assertions'] = readAssertions(raw['assertions'])
  if (isSet(raw['extract'])) out['extract'] = raw['extract']
  if (isSet(raw['retry'])) {
    const r = raw['retry']
    out['retry'] = isRaw(r)
      ? {
          ...DEFAULT_RETRY,
          ...r,
          ...(isSet(r['onStatus']) ? { onStatus: listOf(r['onStatus']) } : {}),
        }
      : r
  }
  if (isSet(raw['dependsOn'])) out['dependsOn'] = listOf(raw['dependsOn'])
  if (isSet(raw['stop'])) out['stop'] = raw['stop']
  if (isSet(raw['waitForWebhook'])) {
    const w = raw['waitForWebhook']
    out['waitForWebhook'] = isRaw(w)
      ? { ...w, ...(isSet(w['assertions']) ? { assertions: readAssertions(w['assertions']) } : {}) }
      : w
  }
  if (isSet(raw['followJob'])) {
    const f = raw['followJob']
    out['followJob'] = isRaw(f) ? { ...DEFAULT_FOLLOW_JOB, ...f, until: readUntil(f['until']) } : f
  }
  if (isSet(raw['longPoll'])) {
    const l = raw['longPoll']
    out['longPoll'] = isRaw(l) ? { ...DEFAULT_LONG_POLL, ...l } : l
  }
  if (isSet(raw['scripts'])) out['scripts'] = raw['scripts']
  if (isSet(raw['trace'])) out['trace'] = readTrace(raw['trace'])
  return out
}

/** `trace: per-send` is short for `trace: { mode: per-send }`. */
export function readTrace(v: unknown): unknown {
  return typeof v === 'string' ? { mode: v } : v
}

/**
 * A job's done condition: `status: 200` reads as a list of one, and a JSONPath without `equals` is done when
 * the value is null (as the engine compares it), written out as `equals: null`.
 */
function readUntil(u: unknown): unknown {
  if (!isRaw(u)) return u
  return {
    ...u,
    ...(isSet(u['status']) ? { status: listOf(u['status']) } : {}),
    ...(isSet(u['jsonPath']) && !('equals' in u) ? { equals: null } : {}),
  }
}

/** Texts compared with strings (a header's value, body text, a method) read as text when written bare. */
function readAssertions(list: unknown): unknown {
  if (!Array.isArray(list)) return list
  return list.map((a: unknown) => {
    if (!isRaw(a)) return a
    if (a['kind'] === 'header')
      return {
        ...a,
        ...(isSet(a['equals']) ? { equals: str(a['equals']) } : {}),
        ...(isSet(a['contains']) ? { contains: str(a['contains']) } : {}),
      }
    if (a['kind'] === 'body-contains') return { ...a, text: str(a['text']) }
    if ((a['kind'] === 'method' || a['kind'] === 'path') && isSet(a['equals']))
      return { ...a, equals: str(a['equals']) }
    return a
  })
}
