import type { ScopedVariable } from '../../shared/collection'
import type { EmptySecrets } from '../send-rules/empty-secrets'

/**
 * What this process adds to every variable scope it hands out: values given on the command line and what a
 * send does with a secret variable that has no value here (the CLI refuses it, the app sends it empty). The
 * command line's values sit where newman puts them: `--env-var` at the environment's layer (it replaces the
 * environment's value of the same name, and so wins over the folders', the collection's and the globals',
 * while a data file's row, extracted values and what scripts set still win over it); `--global-var` at the
 * globals' layer, the lowest.
 */

export type EmptySecretPolicy = 'send' | 'refuse'

export interface SessionVariableSettings {
  /** Name -> value, laid over the environment's values (a name the environment lacks is added to it). */
  values?: ReadonlyMap<string, string>
  /** Name -> value, laid over the global variables' values (`--global-var`: the lowest layer). */
  globals?: ReadonlyMap<string, string>
  emptySecrets?: EmptySecretPolicy
  /** Told once per name of each secret with no value a send used, with where it is declared. */
  onEmptySecret?: (name: string, where: string) => void
}

/** Secrets with no value a send used, remembered per name (a long-lived app sees a bounded number). */
const MAX_NOTED = 1000

export class SessionVariables {
  private values: ReadonlyMap<string, string> = new Map()
  private globals: ReadonlyMap<string, string> = new Map()
  private policy: EmptySecretPolicy = 'send'
  private listener: ((name: string, where: string) => void) | null = null
  private readonly noted = new Set<string>()

  set(settings: SessionVariableSettings): void {
    if (settings.values) this.values = new Map(settings.values)
    if (settings.globals) this.globals = new Map(settings.globals)
    if (settings.emptySecrets) this.policy = settings.emptySecrets
    if (settings.onEmptySecret) this.listener = settings.onEmptySecret
  }

  /**
   * `vars` (lowest precedence first) with this process's values at the environment's layer: an entry keeps
   * the secret mark the name has anywhere in the scope, so its value is masked as a stored secret's is, and is
   * blank unless `reveal`. Linear in the scope's size.
   */
  layer(vars: ScopedVariable[], env: string, reveal: boolean): ScopedVariable[] {
    if (this.values.size === 0 && this.globals.size === 0) return vars
    const secret = new Set<string>()
    for (const v of vars) if (v.secret) secret.add(v.name)
    const entry = (name: string, value: string, scope: 'global' | 'environment', source: string) => {
      const hidden = secret.has(name)
      return { name, value: hidden && !reveal ? '' : value, secret: hidden, scope, source }
    }
    const out: ScopedVariable[] = []
    for (const [name, value] of this.globals) out.push(entry(name, value, 'global', ''))
    for (const v of vars) {
      const replaced = v.scope === 'environment' ? this.values : v.scope === 'global' ? this.globals : null
      if (!replaced?.has(v.name)) out.push(v)
    }
    for (const [name, value] of this.values) out.push(entry(name, value, 'environment', env))
    return out
  }

  /**
   * The secrets of a revealed scope (lowest precedence first) that have no value where they win, for a send
   * to check its lookups against; undefined when there are none (nothing to watch).
   */
  emptyIn(vars: readonly ScopedVariable[], collection: string): EmptySecrets | undefined {
    const winner = new Map<string, ScopedVariable>()
    for (const v of vars) winner.set(v.name, v)
    let names: Map<string, string> | undefined
    for (const v of winner.values())
      if (v.secret && v.value === '') (names ??= new Map()).set(v.name, whereOf(v, collection))
    if (!names) return undefined
    return { names, refuse: this.policy === 'refuse', used: (name, where) => this.note(name, where) }
  }

  private note(name: string, where: string): void {
    if (this.noted.has(name) || this.noted.size >= MAX_NOTED) return
    this.noted.add(name)
    this.listener?.(name, where)
  }
}

function whereOf(v: ScopedVariable, collection: string): string {
  switch (v.scope) {
    case 'global':
      return 'global variables'
    case 'collection':
      return `collection "${collection}"`
    case 'folder':
      return `folder "${v.source}"`
    case 'environment':
      return v.source === '' ? '--env-var' : `environment "${v.source}"`
  }
}
