import {
  ancestorFolders,
  findNode,
  parentPath,
  type CollectionInfo,
  type RequestContext,
  type ScopedVariable,
  type Variable,
} from '../../shared/collection'
import { fail, ok, type Result } from '../../shared/result'
import type { SecretStore } from '../secrets/secret-store'
import { ENVIRONMENTS_DIR } from './collection-file-format'
import type { LoadedCollection } from './loader'

/** Why environment `env` is not among the collection's, when its file is there and could not be read. */
export function unreadEnvironment(info: CollectionInfo, env: string): string | null {
  const p = info.problems.find((q) =>
    [`${ENVIRONMENTS_DIR}/${env}.yaml`, `${ENVIRONMENTS_DIR}/${env}.yml`].includes(q.path),
  )
  if (!p) return null
  return `The environment "${env}" in ${info.name} could not be read: ${p.path}${p.line > 0 ? ` line ${p.line}` : ''}: ${p.message}`
}

/**
 * The variables a request sees as the files and the secret store have them (global < collection < folders,
 * outer to inner < environment), secrets filled in for sending, and the secret values handed out so, for
 * exports and reports to redact wherever they ended up.
 */

/** How a secret is keyed in the store: the collection's id, the scope (`collection`, `folder:x`, `env:y`), the name. */
export function secretKeyFor(collectionId: string, scope: string, name: string): string {
  return `${collectionId}|${scope}|${name}`
}

/** Secret values revealed for sending in this process, the oldest forgotten first past 10,000. */
export class RevealedSecrets {
  private readonly values = new Set<string>()

  remember(value: string): void {
    if (this.values.has(value)) return
    if (this.values.size >= 10_000) {
      const oldest = this.values.values().next().value
      if (oldest !== undefined) this.values.delete(oldest)
    }
    this.values.add(value)
  }

  all(): Iterable<string> {
    return this.values
  }
}

export interface ScopeSources {
  globals: readonly Variable[]
  secrets: SecretStore
  loaded(dir: string): Result<LoadedCollection>
  secretKey(dir: string, scope: string, name: string): string
  revealed: RevealedSecrets
}

/**
 * The scope of `context` (globals alone without one); with `reveal`, secrets carry their stored values. `typed`:
 * the own variables of the folder `context` names (its path `''`: the collection's) as its settings dialog shows
 * them, unsaved, in place of the saved ones; a secret typed there is used as typed (and redacted as any revealed
 * secret), one left blank keeps the value stored on this machine, as saving the dialog would.
 */
export async function fileScope(
  src: ScopeSources,
  context: RequestContext | undefined,
  reveal: boolean,
  typed?: readonly Variable[],
): Promise<Result<ScopedVariable[]>> {
  const out: ScopedVariable[] = []
  const add = async (
    v: Variable,
    scope: ScopedVariable['scope'],
    source: string,
    key: string,
    asTyped = false,
  ): Promise<void> => {
    const given = asTyped && v.value !== '' ? v.value : null
    const value = v.secret ? (reveal ? (given ?? (await src.secrets.get(key)) ?? '') : '') : v.value
    if (v.secret && reveal && value !== '') src.revealed.remember(value)
    out.push({ name: v.name, value, secret: v.secret, scope, source })
  }
  for (const v of src.globals) await add(v, 'global', '', `global|${v.name}`)
  if (!context) return ok(out)
  const loaded = src.loaded(context.dir)
  if (!loaded.ok) return loaded
  const { info } = loaded.value
  const node = findNode(info.root, context.path)
  const folderPath = node?.type === 'folder' ? node.path : parentPath(context.path)
  const own = (saved: readonly Variable[], path: string): [readonly Variable[], boolean] =>
    typed !== undefined && node?.type === 'folder' && node.path === path ? [typed, true] : [saved, false]
  const [collectionVars, collectionTyped] = own(info.variables, '')
  for (const v of collectionVars)
    await add(v, 'collection', '', src.secretKey(context.dir, 'collection', v.name), collectionTyped)
  for (const folder of ancestorFolders(info.root, `${folderPath}/`).slice(1)) {
    const [vars, asTyped] = own(folder.variables, folder.path)
    for (const v of vars) {
      await add(
        v,
        'folder',
        folder.path,
        src.secretKey(context.dir, `folder:${folder.path}`, v.name),
        asTyped,
      )
    }
  }
  if (context.env !== undefined && context.env !== '') {
    const env = info.environments.find((e) => e.id === context.env)
    if (!env)
      return fail(
        'not_found',
        unreadEnvironment(info, context.env) ?? `No environment "${context.env}" in ${info.name}`,
      )
    for (const v of env.variables)
      await add(v, 'environment', env.id, src.secretKey(context.dir, `env:${env.id}`, v.name))
  }
  return ok(out)
}
