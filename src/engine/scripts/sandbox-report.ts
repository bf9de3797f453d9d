import type { ConsoleLevel, ScriptTestResult } from '../../shared/scripts'
import type { SandboxConsoleLine, ScopeChanges, ScriptRequest } from './script-types'
import { SCOPE_NAMES } from './script-types'

/**
 * A phase's report as the sandbox hands it back, checked before the engine uses it. The report is built inside
 * the sandbox from objects a script can reach (a scope's `_p` is its phase), so a script can put anything in it;
 * what is not the shape the prelude writes is refused whole, and the phase fails saying so, instead of the engine
 * tripping over it.
 */

export interface EndState {
  tests?: ScriptTestResult[]
  console?: SandboxConsoleLine[]
  droppedConsole?: number
  droppedTests?: number
  changes?: ScopeChanges
  error?: { message: string; where: string } | null
  skip?: boolean
  next?: string | null
  request?: ScriptRequest
  read?: string[]
}

const LEVELS: ReadonlySet<string> = new Set<ConsoleLevel>(['log', 'info', 'warn', 'error', 'debug'])

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isCount = (v: unknown): boolean => v === undefined || (typeof v === 'number' && v >= 0)

function testOk(t: unknown): boolean {
  return (
    isObj(t) &&
    typeof t.name === 'string' &&
    typeof t.passed === 'boolean' &&
    (t.error === undefined || typeof t.error === 'string') &&
    (t.skipped === undefined || typeof t.skipped === 'boolean') &&
    (t.where === undefined || typeof t.where === 'string')
  )
}

function lineOk(l: unknown): boolean {
  return (
    isObj(l) &&
    typeof l.level === 'string' &&
    LEVELS.has(l.level) &&
    typeof l.text === 'string' &&
    typeof l.at === 'number'
  )
}

function changesOk(c: unknown): boolean {
  if (c === undefined) return true
  if (!isObj(c)) return false
  return Object.entries(c).every(
    ([scope, change]) =>
      (SCOPE_NAMES as readonly string[]).includes(scope) &&
      isObj(change) &&
      isObj(change.set) &&
      Array.isArray(change.unset) &&
      change.unset.every((k) => typeof k === 'string'),
  )
}

function requestOk(r: unknown): boolean {
  if (r === undefined) return true
  return (
    isObj(r) &&
    typeof r.method === 'string' &&
    typeof r.url === 'string' &&
    Array.isArray(r.headers) &&
    r.headers.every((h) => isObj(h) && typeof h.key === 'string' && typeof h.value === 'string') &&
    isObj(r.body) &&
    typeof r.body.mode === 'string' &&
    isObj(r.auth) &&
    typeof r.auth.type === 'string'
  )
}

/** The report, or what is wrong with it. */
export function checkedEnd(raw: unknown): EndState | string {
  if (!isObj(raw)) return 'the report is not an object'
  if (raw.tests !== undefined && !(Array.isArray(raw.tests) && raw.tests.every(testOk))) return 'its tests'
  if (raw.console !== undefined && !(Array.isArray(raw.console) && raw.console.every(lineOk)))
    return 'its console'
  if (!isCount(raw.droppedConsole) || !isCount(raw.droppedTests)) return 'its counts'
  if (!changesOk(raw.changes)) return 'its variables'
  const e = raw.error
  if (
    e !== undefined &&
    e !== null &&
    !(isObj(e) && typeof e.message === 'string' && typeof e.where === 'string')
  )
    return 'its error'
  if (raw.next !== undefined && raw.next !== null && typeof raw.next !== 'string') return 'its next request'
  if (raw.skip !== undefined && typeof raw.skip !== 'boolean') return 'its skip'
  if (!requestOk(raw.request)) return 'its request'
  if (raw.read !== undefined && !(Array.isArray(raw.read) && raw.read.every((k) => typeof k === 'string')))
    return 'its reads'
  return raw as EndState
}
