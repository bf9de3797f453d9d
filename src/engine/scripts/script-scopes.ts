import type { ScopedVariable } from '../../shared/collection'
import type { ScopeChanges, ScriptScopes } from './script-types'

/**
 * Postman's variable scopes for scripts. `pm.environment` reads the environment, `pm.collectionVariables` the
 * collection's variables (a folder's count as its collection's: Postman has no folder scope), `pm.globals` the
 * globals, `pm.iterationData` the data row, and `pm.variables` the nearest of them (local, data, environment,
 * collection, globals). What scripts set keeps its type (a number stays a number, an object an object) for the
 * scripts after it; a `{{name}}` template, and anything written out, gets its text (`valueText`).
 */

/** The scopes a request's variables come from, as the engine lists them (lowest precedence first). */
export interface BaseScopes {
  globals: Record<string, string>
  collection: Record<string, string>
  environment: Record<string, string>
}

export function baseScopes(vars: readonly ScopedVariable[]): BaseScopes {
  const out: BaseScopes = { globals: {}, collection: {}, environment: {} }
  for (const v of vars) {
    const into =
      v.scope === 'global' ? out.globals : v.scope === 'environment' ? out.environment : out.collection
    into[v.name] = v.value
  }
  return out
}

/** A value set by a script, as a template or a file gets it: text (an object as JSON). */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === undefined) return ''
  if (v === null || typeof v !== 'object') return String(v)
  try {
    return JSON.stringify(v)
  } catch {
    return String(v)
  }
}

const WRITABLE = ['environment', 'collection', 'globals', 'local'] as const
type Writable = (typeof WRITABLE)[number]

/** Names kept per scope at most (the oldest set is forgotten first past it). */
const MAX_PER_SCOPE = 10_000

/**
 * What scripts wrote, scope by scope, typed: laid over the base scopes for the scripts that come after (in a run's
 * iteration, or a collection's sends from the app).
 */
export class ScopeOverlay {
  /**
   * `forgetOnly`: an unset forgets what scripts set, and the base's own value shows again (a collection's sends
   * from the app, whose files are never changed); else the name is gone from that scope (a run's iteration).
   */
  constructor(private readonly forgetOnly = false) {}

  private readonly set: Record<Writable, Map<string, unknown>> = {
    environment: new Map(),
    collection: new Map(),
    globals: new Map(),
    local: new Map(),
  }
  private readonly unset: Record<Writable, Set<string>> = {
    environment: new Set(),
    collection: new Set(),
    globals: new Set(),
    local: new Set(),
  }

  apply(changes: ScopeChanges): void {
    for (const scope of WRITABLE) {
      const change = changes[scope]
      if (!change) continue
      const values = this.set[scope]
      for (const k of change.unset) {
        values.delete(k)
        if (!this.forgetOnly) this.unset[scope].add(k)
      }
      for (const [k, v] of Object.entries(change.set)) {
        values.delete(k)
        values.set(k, v)
        this.unset[scope].delete(k)
        if (values.size > MAX_PER_SCOPE) {
          const oldest = values.keys().next().value
          if (oldest !== undefined) values.delete(oldest)
        }
      }
    }
  }

  /** What scripts set and unset, scope by scope (read-only views, oldest first). */
  written(): {
    set: Record<Writable, ReadonlyMap<string, unknown>>
    gone: Record<Writable, ReadonlySet<string>>
  } {
    return { set: this.set, gone: this.unset }
  }

  /** Whether a script wrote or removed `name` in some scope (then the overlay, not the base, says its value). */
  touched(name: string): boolean {
    return WRITABLE.some((s) => this.set[s].has(name) || this.unset[s].has(name))
  }

  /**
   * The scopes a phase sees: the base, the data row, `extra` (run values no script scope holds: extracted ones,
   * `--var`s) as local, and what scripts wrote on top.
   */
  view(base: BaseScopes, data: Record<string, unknown>, extra: Record<string, unknown>): ScriptScopes {
    const layer = (scope: Writable, from: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = { ...from }
      for (const k of this.unset[scope]) delete out[k]
      for (const [k, v] of this.set[scope]) out[k] = v
      return out
    }
    return {
      environment: layer('environment', base.environment),
      collection: layer('collection', base.collection),
      globals: layer('globals', base.globals),
      data: { ...data },
      local: layer('local', extra),
    }
  }
}
