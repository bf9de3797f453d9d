import { MAX_UNKNOWN_NAMES } from '../../shared/error-facts'
import type { AppError } from '../../shared/result'
import type { EmptySecretUse } from '../../shared/timeline'

/**
 * Secret variables with no value on this machine (a collection from git on a fresh CI runner: the value is
 * never in the folder). A send that uses one would go out with `Bearer ` and pass against a server that does
 * not check, so the send is told which ones it used, and the CLI refuses it; the app (a person is there to read
 * it) sends it empty and says so beside the response's status (the `queued` event's `emptySecrets`).
 */

export interface EmptySecrets {
  /** The secret names with no value where they win in this scope, and where they come from (`environment "ci"`). */
  names: ReadonlyMap<string, string>
  /** Refuse a send that uses one (the CLI); else it goes out with the empty value (the app). */
  refuse: boolean
  /** Told of every one a send used (still empty then: a data row or a script may have given it a value). */
  used(name: string, where: string): void
}

/**
 * `vars` as resolution reads them, noting which of `watch` it looked up: only lookups say what a send used,
 * at any depth (`{{auth}}` whose value is `Bearer {{token}}` uses token too).
 */
export class WatchedVariables implements ReadonlyMap<string, string> {
  readonly looked = new Set<string>()

  constructor(
    private readonly inner: ReadonlyMap<string, string>,
    private readonly watch: ReadonlyMap<string, string>,
  ) {}

  get(name: string): string | undefined {
    if (this.watch.has(name)) this.looked.add(name)
    return this.inner.get(name)
  }

  has(name: string): boolean {
    return this.inner.has(name)
  }

  get size(): number {
    return this.inner.size
  }

  forEach(
    callback: (value: string, key: string, map: ReadonlyMap<string, string>) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, v] of this.inner) callback.call(thisArg, v, k, this)
  }

  entries(): MapIterator<[string, string]> {
    return this.inner.entries()
  }

  keys(): MapIterator<string> {
    return this.inner.keys()
  }

  values(): MapIterator<string> {
    return this.inner.values()
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.inner[Symbol.iterator]()
  }
}

/**
 * The watched secrets a resolution used that are still empty, each told to `empty.used`, with where each is
 * declared: the send refuses them when its policy says so, else it goes out and says it used them.
 */
export function usedEmptySecrets(watched: WatchedVariables, empty: EmptySecrets): EmptySecretUse[] {
  const used: EmptySecretUse[] = []
  for (const name of watched.looked) {
    if (watched.get(name) !== '') continue
    const where = empty.names.get(name) ?? ''
    used.push({ name, where })
    empty.used(name, where)
  }
  return used
}

/**
 * The secrets a pre-request script read while they had no value (`pm.environment.get('token')`, then used to
 * build a header by hand: no `{{token}}` lookup sees that) and did not itself give a value, each told to
 * `empty.used`, with where each is declared (see usedEmptySecrets).
 */
export function scriptEmptySecretUses(
  read: readonly string[],
  written: ReadonlyMap<string, string>,
  empty: EmptySecrets,
): EmptySecretUse[] {
  const used: EmptySecretUse[] = []
  for (const name of read) {
    // A script that read it empty and then fetched and set it (a login) sends what it set.
    if (!empty.names.has(name) || (written.get(name) ?? '') !== '') continue
    const where = empty.names.get(name) ?? ''
    used.push({ name, where })
    empty.used(name, where)
  }
  return used
}

/** Of scriptEmptySecretUses, the names the request is refused for when the policy refuses (else none). */
export function scriptEmptySecrets(
  read: readonly string[],
  written: ReadonlyMap<string, string>,
  empty: EmptySecrets,
): string[] {
  const used = scriptEmptySecretUses(read, written, empty)
  return empty.refuse ? used.map((u) => u.name) : []
}

/** `a` then those of `b` not in it (a send's `{{token}}` lookups and its script's reads, each named once). */
export function mergeEmptySecrets(
  a: readonly EmptySecretUse[],
  b: readonly EmptySecretUse[],
): EmptySecretUse[] {
  return [...a, ...b.filter((u) => !a.some((x) => x.name === u.name))]
}

/**
 * The refusal of a send that uses secrets with no value, naming them and where they are declared; `byScript`:
 * a pre-request script read them (the request is the one it built).
 */
export function emptySecretError(
  names: readonly string[],
  where: ReadonlyMap<string, string>,
  byScript = false,
): AppError {
  const first = names[0] ?? ''
  const list = names.map((n) => `{{${n}}}${where.has(n) ? ` (${where.get(n) ?? ''})` : ''}`).join(', ')
  const s = names.length > 1 ? 's' : ''
  const read = byScript ? `, and the pre-request script read ${names.length > 1 ? 'them' : 'it'}` : ''
  return {
    code: 'unknown_variable',
    message: `Secret variable${s} ${list} ${names.length > 1 ? 'have' : 'has'} no value on this machine${read}; give it with --env-var ${first}=… or store it in the app`,
    unknown: names.slice(0, MAX_UNKNOWN_NAMES),
  }
}
