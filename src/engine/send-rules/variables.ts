import { WEBHOOK_NOT_RUNNING } from '../../shared/async-schemas'
import type { AuthSpec } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { AppError } from '../../shared/result'
import {
  defaultDynamicValues,
  resolveRequest,
  resolveTemplate,
  TemplateTooLarge,
  type DynamicValues,
} from '../../shared/template'
import type { EmptySecretUse } from '../../shared/timeline'
import { emptySecretError, usedEmptySecrets, WatchedVariables, type EmptySecrets } from './empty-secrets'
import { foreignTagMessage, foreignTemplateTag } from './template-tags'
import { fakeValuesLoaded, loadFakeValues, needsFakeValues } from '../variables/fake-loader'

/**
 * Variables in a send resolve in one place, for every kind of send: the request's fields, its auth, and any
 * extra texts sent with it (a WebSocket's subprotocols, a message). A variable with no value refuses the send,
 * naming every such variable, so nothing goes out with a literal `{{name}}` in it. A secret declared but with no
 * value on this machine is refused where the policy says so (the CLI), else sent empty and named in the result.
 */

export interface ResolvedSend {
  spec: RequestSpec
  auth: AuthSpec
  extra: string[]
  /** Secrets with no value here that it used (sent empty: the policy lets them go); absent when none. */
  emptySecrets?: EmptySecretUse[]
}

export type SendResolution =
  | { ok: true; value: ResolvedSend }
  /** `unknown`: the variables that had no value (a run's report lists them). */
  | { ok: false; error: AppError; unknown: string[] }

/**
 * Resolve `request`, `auth` and `extra` with `vars` and `dyn`. `where` ends the unknown-variable message
 * (which environment was looked in), e.g. ` (environment "staging")`. `empty`: the scope's secrets with no
 * value; a send that uses one is told of it, and refused when its policy says so.
 */
export function resolveForSend(
  request: RequestSpec,
  auth: AuthSpec,
  vars: ReadonlyMap<string, string>,
  dyn: DynamicValues | undefined,
  extra: readonly string[] = [],
  where = '',
  empty?: EmptySecrets,
): SendResolution {
  let resolved: ReturnType<typeof resolveRequest>
  let texts: string[]
  const unknown: string[] = []
  // Only a scope with empty secrets pays for watching its lookups.
  const watched = empty && empty.names.size > 0 ? new WatchedVariables(vars, empty.names) : null
  const read = watched ?? vars
  try {
    resolved = resolveRequest(request, auth, read, dyn)
    // One by one, not spread: a body naming 200,000 unknown variables overflowed the call stack.
    const seen = new Set<string>()
    const note = (names: string[]): void => {
      for (const n of names) {
        if (seen.has(n)) continue
        seen.add(n)
        unknown.push(n)
      }
    }
    note(resolved.unknown)
    texts = extra.map((t) => {
      const r = resolveTemplate(t, read, dyn)
      note(r.unknown)
      return r.text
    })
  } catch (e) {
    if (e instanceof TemplateTooLarge)
      return { ok: false, error: { code: 'invalid_request', message: e.message }, unknown: [] }
    throw e
  }
  if (unknown.length > 0) return { ok: false, error: unknownVariables(unknown, where), unknown }
  const used = watched && empty ? usedEmptySecrets(watched, empty) : []
  if (empty?.refuse && used.length > 0) {
    const refused = used.map((u) => u.name)
    return { ok: false, error: emptySecretError(refused, empty.names), unknown: refused }
  }
  const tag = foreignTemplateTag(resolved.spec, resolved.auth)
  if (tag !== null)
    return { ok: false, error: { code: 'invalid_request', message: foreignTagMessage(tag) }, unknown: [] }
  const value: ResolvedSend = { spec: resolved.spec, auth: resolved.auth, extra: texts }
  if (used.length > 0) value.emptySecrets = used
  return { ok: true, value }
}

/**
 * resolveForSend, loading Postman's random-data values first when the request (or a variable it uses) names one
 * of them and they are not loaded yet: the first such send in a process pays for loading them, no other does.
 * A send that needs nothing loaded resolves at once, with no promise: a run resolves every request of a
 * collection here. Once the values are in, not even the first look for names to load is made.
 */
export function resolveForSendSoon(
  ...args: Parameters<typeof resolveForSend>
): SendResolution | Promise<SendResolution> {
  const [request, auth, vars, dyn, extra, where, empty] = args
  const base = dyn ?? defaultDynamicValues
  if (fakeValuesLoaded()) return resolveForSend(request, auth, vars, base, extra, where, empty)
  // Names asked for at any depth: a variable whose value is `{{$randomEmail}}` needs the values too.
  const missed: string[] = []
  const probe: DynamicValues = {
    ...base,
    fake: (name) => {
      const v = base.fake?.(name)
      if (v === undefined) missed.push(name)
      return v
    },
  }
  const first = resolveForSend(request, auth, vars, probe, extra, where, empty)
  if (!needsFakeValues(missed)) return first
  return loadThenResolve(args, missed)
}

/** resolveForSendSoon, always as a promise. */
export async function resolveForSendLoading(
  ...args: Parameters<typeof resolveForSend>
): Promise<SendResolution> {
  return resolveForSendSoon(...args)
}

async function loadThenResolve(
  args: Parameters<typeof resolveForSend>,
  missed: readonly string[],
): Promise<SendResolution> {
  const [request, auth, vars, dyn, extra, where, empty] = args
  try {
    await loadFakeValues()
  } catch (e) {
    const names = [...new Set(missed)].map((n) => `{{${n}}}`).join(', ')
    const why = e instanceof Error ? e.message : String(e)
    return {
      ok: false,
      error: {
        code: 'invalid_request',
        message: `Could not load the random-data values for ${names}: ${why}`,
      },
      unknown: [],
    }
  }
  return resolveForSend(request, auth, vars, dyn ?? defaultDynamicValues, extra, where, empty)
}

/** Unknown variables a refusal names; the rest are counted. */
export const UNKNOWN_NAMES_SHOWN = 20

/**
 * The refusal for variables with no value, naming them in its words and in `unknown` (the names a host reads);
 * `where` ends the message (see resolveForSend).
 */
export function unknownVariables(unknown: readonly string[], where: string): AppError {
  // {{$webhook}} is unknown only when no inbox is running: say what to do about it.
  if (unknown.includes('$webhook'))
    return { code: 'unknown_variable', message: WEBHOOK_NOT_RUNNING, unknown: ['$webhook'] }
  // The first names only, and how many more: a text with tens of thousands would make a message of megabytes.
  const shown = unknown.slice(0, UNKNOWN_NAMES_SHOWN)
  const names = shown.map((n) => `{{${n}}}`).join(', ')
  const more =
    unknown.length > UNKNOWN_NAMES_SHOWN
      ? ` and ${(unknown.length - UNKNOWN_NAMES_SHOWN).toLocaleString('en-US')} more`
      : ''
  const s = unknown.length > 1 ? 's' : ''
  return { code: 'unknown_variable', message: `Unknown variable${s} ${names}${more}${where}`, unknown: shown }
}
