import { basename, join, resolve } from 'node:path'
import type {
  CollectionInfo,
  FolderNode,
  RequestContext,
  ScopedVariable,
  Variable,
} from '../../shared/collection'
import { treeDelta, type CollectionChangedEvent } from '../../shared/collection-delta'
import { fail, ok, type Result } from '../../shared/result'
import type { SecretStore } from '../secrets/secret-store'
import type { EmptySecrets } from '../send-rules/empty-secrets'
import { FileAccess } from '../files/file-access'
import { writeFileAtomic } from './atomic-write'
import { stat } from './callback-fs'
import { COLLECTION_FILE, ENVIRONMENT_KEYS } from './collection-file-format'
import { ConfigFolderError, configFolderError, ensureConfigFolder } from '../files/config-folder'
import { environmentPlain } from './collection-file-write'
import { parseEnvironmentText } from './collection-file-read'
import { loadCollection, ParseCache, type LoadedCollection } from './loader'
import { SessionVariables } from './session-variables'
import { removeStrayTemps, sweepFolderTemps } from './temp-sweep'
import { createCollection } from './store'
import { fileScope, RevealedSecrets, secretKeyFor } from './variable-scope'
import { watchDir, type DirWatcher } from './watcher'
import {
  emptyWorkspace,
  MAX_OPEN,
  MAX_RECENT,
  readText,
  readWorkspace,
  WorkspaceWriter,
  type Workspace,
} from './workspace-file'
import { renderYaml } from './yaml-doc'

/**
 * The open collections of one host: loading, watching, the workspace (which folders are open, recent ones),
 * global variables, and variable scopes with secrets filled in. Every change, made here or outside the app,
 * ends in a rescan and one `changed` notification per collection.
 */

export { secretKeyFor } from './variable-scope'
export { MAX_OPEN, MAX_RECENT } from './workspace-file'

/** What a rescan changed: the folders whose node changed, not the whole tree (shared/collection-delta.ts). */
export type CollectionChange = CollectionChangedEvent

interface Open {
  dir: string
  cache: ParseCache
  loaded: LoadedCollection
  watcher: DirWatcher | null
  scanning: Promise<void>
  /** How many changes were published since the collection opened (the version a receiver's tree is at). */
  version: number
  /** The tree as of `version`: the next change is told against it (a scan that changed nothing is not told). */
  published: FolderNode
}

export interface CollectionManagerOptions {
  configDir: string
  secrets: SecretStore
  /** Watch folders for outside edits (default true; the CLI turns it off). */
  watch?: boolean
  /** Remember open and recent folders in the config dir (default true). */
  persist?: boolean
  /** Whose words a refusal of a file outside a collection uses to say how to allow it (default the app's). */
  fileHost?: 'app' | 'cli'
}

export class CollectionManager {
  private readonly open = new Map<string, Open>()
  private readonly listeners = new Set<(c: CollectionChange) => void>()
  private workspace: Workspace = emptyWorkspace()
  private readonly workspaceFile: WorkspaceWriter
  private globals: Variable[] = []
  private ready: Promise<void> | null = null
  /** Why the open collections could not be remembered (the config folder is unusable), shown with each. */
  private configTrouble: ConfigFolderError | null = null

  /** Folders outside a collection whose files its requests may send (the user's choice). */
  readonly files: FileAccess
  /** Values given on the command line, and what a send does with a secret that has no value. */
  readonly session = new SessionVariables()

  constructor(private readonly options: CollectionManagerOptions) {
    this.files = new FileAccess({
      configDir: options.configDir,
      persist: options.persist !== false,
      host: options.fileHost ?? 'app',
    })
    this.workspaceFile = new WorkspaceWriter(
      options.configDir,
      options.persist !== false,
      () => this.workspace,
    )
  }

  get secrets(): SecretStore {
    return this.options.secrets
  }

  onChange(listener: (c: CollectionChange) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Read the workspace and reopen what was open last time (folders that are gone are dropped). */
  restore(extra: readonly string[] = []): Promise<void> {
    this.ready ??= (async () => {
      // Temp files of writers killed mid-save would otherwise pile up in the config folder run after run.
      await sweepFolderTemps(this.options.configDir)
      this.workspace = await readWorkspace(this.options.configDir, this.options.persist !== false)
      this.globals = await this.readGlobals()
      await this.files.restore()
      for (const dir of [...this.workspace.open, ...extra.map((d) => resolve(d))]) {
        if (this.open.has(dir)) continue
        await this.openDir(dir, false).catch(() => undefined)
      }
    })()
    return this.ready
  }

  list(): { open: CollectionInfo[]; recent: string[]; selectedEnv: Record<string, string> } {
    const selectedEnv: Record<string, string> = {}
    for (const dir of this.open.keys()) {
      const env = this.workspace.env[dir]
      if (env) selectedEnv[dir] = env
    }
    return {
      open: [...this.open.values()].map((o) => this.shown(o)),
      recent: [...this.workspace.recent],
      selectedEnv,
    }
  }

  async selectEnvironment(input: string, env: string): Promise<void> {
    const dir = resolve(input)
    if (env === '') delete this.workspace.env[dir]
    else this.workspace.env[dir] = env
    await this.keepWorkspace()
  }

  get(dir: string): Open | undefined {
    return this.open.get(resolve(dir))
  }

  info(dir: string): Result<CollectionInfo> {
    const o = this.get(dir)
    return o ? ok(o.loaded.info) : fail('not_found', `No open collection at ${dir}`)
  }

  loaded(dir: string): Result<LoadedCollection> {
    const o = this.get(dir)
    return o ? ok(o.loaded) : fail('not_found', `No open collection at ${dir}`)
  }

  async openDir(input: string, create: boolean, name?: string): Promise<Result<CollectionInfo>> {
    const dir = resolve(input)
    const existing = this.open.get(dir)
    if (existing) return ok(this.shown(existing))
    if (this.open.size >= MAX_OPEN)
      return fail('invalid_request', `At most ${MAX_OPEN} collections can be open at once`)
    const st = await stat(dir).catch(() => null)
    const hasFile = await stat(join(dir, COLLECTION_FILE)).then(
      (s) => s.isFile(),
      () => false,
    )
    if (!hasFile) {
      if (!create) {
        return fail(
          'not_found',
          st?.isDirectory()
            ? `${dir} has no ${COLLECTION_FILE}: it is not a Flightdeck collection yet`
            : `${dir} does not exist`,
        )
      }
      const made = await createCollection(dir, name?.trim() || basename(dir))
      if (!made.ok) return made
    }
    // Without a watcher nothing rescans it soon: its files are read without their stats (./parse-cache.ts).
    const cache = new ParseCache({ keepStats: this.options.watch !== false })
    const loaded = await loadCollection(dir, cache)
    // What killed writers left behind goes when the collection is opened (the scan found them anyway).
    await removeStrayTemps(loaded.temps)
    const entry: Open = {
      dir,
      cache,
      loaded,
      watcher: null,
      scanning: Promise.resolve(),
      version: 0,
      published: loaded.info.root,
    }
    if (this.options.watch !== false) entry.watcher = watchDir(dir, () => void this.rescan(dir))
    this.open.set(dir, entry)
    await this.remember(dir)
    return ok(this.shown(entry))
  }

  /**
   * A collection as the user sees it: when the config folder is unusable, it opened all the same, and its
   * problems say that it will not be reopened next time and why (the path in the way and what to do).
   */
  private shown(o: Open): CollectionInfo {
    const info = { ...o.loaded.info, version: o.version }
    const trouble = this.configTrouble
    if (!trouble) return info
    const message = `${trouble.message}. This collection is open now but will not be reopened at the next start`
    return {
      ...info,
      problems: [...info.problems, { path: this.options.configDir, line: 0, column: 0, message }],
    }
  }

  async close(input: string): Promise<boolean> {
    const dir = resolve(input)
    const o = this.open.get(dir)
    if (!o) return false
    o.watcher?.close()
    this.open.delete(dir)
    this.workspace.open = this.workspace.open.filter((d) => d !== dir)
    await this.keepWorkspace()
    return true
  }

  /** Rescan now (after our own write) or when the watcher says so; scans of one collection never overlap. */
  rescan(input: string): Promise<void> {
    const o = this.open.get(resolve(input))
    if (!o) return Promise.resolve()
    o.scanning = o.scanning.then(async () => {
      if (this.open.get(o.dir) !== o) return
      o.loaded = await loadCollection(o.dir, o.cache)
      const changed = o.cache.changed
      if (changed.length === 0) return
      const { root, version, ...info } = this.shown(o)
      const folders = treeDelta(o.published, root)
      o.published = root
      o.version++
      const change: CollectionChange = {
        dir: o.dir,
        base: version ?? 0,
        version: o.version,
        info,
        folders,
        changed,
      }
      for (const l of this.listeners) l(change)
    })
    return o.scanning
  }

  dispose(): void {
    for (const o of this.open.values()) o.watcher?.close()
    this.open.clear()
    this.listeners.clear()
  }

  // ------------------------------------------------------------------ variables

  /** The key a secret is stored under: the collection's id (or folder), the scope, the name. */
  secretKey(dir: string, scope: string, name: string): string {
    const o = this.get(dir)
    return secretKeyFor(o?.loaded.settings.id ?? resolve(dir), scope, name)
  }

  /** Store secret values out of `vars` (a blank value keeps what is stored) and forget removed secrets. */
  async storeSecrets(
    prefix: (name: string) => string,
    vars: readonly Variable[],
    before: readonly Variable[],
  ): Promise<void> {
    for (const v of vars) {
      if (v.secret && v.value !== '') await this.secrets.set(prefix(v.name), v.value)
    }
    for (const old of before) {
      if (old.secret && !vars.some((v) => v.secret && v.name === old.name))
        await this.secrets.set(prefix(old.name), null)
    }
  }

  getGlobals(): Variable[] {
    return this.globals.map((v) => (v.secret ? { ...v, value: '' } : v))
  }

  async saveGlobals(vars: Variable[]): Promise<void> {
    await this.storeSecrets((n) => `global|${n}`, vars, this.globals)
    const text = renderYaml(
      environmentPlain('Globals', vars),
      await readText(this.globalsPath()),
      ENVIRONMENT_KEYS,
    )
    await ensureConfigFolder(this.options.configDir, 'the global variables')
    await writeFileAtomic(this.globalsPath(), text).catch(async (e: unknown) => {
      throw await configFolderError(this.options.configDir, 'the global variables', e)
    })
    this.globals = vars.map((v) => (v.secret ? { ...v, value: '' } : v))
  }

  /** Secret values handed out for sending, so exports can redact them wherever they ended up. Bounded. */
  private readonly revealed = new RevealedSecrets()

  /** Every secret value revealed for sending in this process (global, collection, folder or environment). */
  revealedSecrets(): Iterable<string> {
    return this.revealed.all()
  }

  /**
   * Every variable visible to a request, lowest precedence first: global < collection < folders (outer to
   * inner) < environment, whose values the command line's (`--env-var`) replace. With `reveal`, secrets carry
   * their values (for sending); without, they are blank.
   */
  async scope(
    context: RequestContext | undefined,
    reveal: boolean,
    typed?: readonly Variable[],
  ): Promise<Result<ScopedVariable[]>> {
    const scope = await fileScope(
      {
        globals: this.globals,
        secrets: this.secrets,
        loaded: (dir) => this.loaded(dir),
        secretKey: (dir, s, name) => this.secretKey(dir, s, name),
        revealed: this.revealed,
      },
      context,
      reveal,
      typed,
    )
    if (!scope.ok) return scope
    const out = this.session.layer(scope.value, context?.env ?? '', reveal)
    if (reveal && out !== scope.value)
      for (const v of out) if (v.secret && v.value !== '') this.revealed.remember(v.value)
    return ok(out)
  }

  /** The secrets of a revealed scope with no value where they win (see SessionVariables.emptyIn). */
  emptySecrets(dir: string, vars: readonly ScopedVariable[]): EmptySecrets | undefined {
    const o = this.get(dir)
    return this.session.emptyIn(vars, o?.loaded.info.name ?? basename(dir))
  }

  // ------------------------------------------------------------------ workspace files

  private globalsPath(): string {
    return join(this.options.configDir, 'globals.yaml')
  }

  private async readGlobals(): Promise<Variable[]> {
    const text = await readText(this.globalsPath())
    if (text === null) return []
    const r = parseEnvironmentText(text, 'globals')
    return r.ok ? r.value.variables : []
  }

  private async remember(dir: string): Promise<void> {
    if (!this.workspace.open.includes(dir)) this.workspace.open.push(dir)
    this.workspace.recent = [dir, ...this.workspace.recent.filter((d) => d !== dir)].slice(0, MAX_RECENT)
    await this.keepWorkspace()
  }

  /**
   * Write workspace.json; an unusable config folder does not undo what the user did (open, close, choose an
   * environment): it is remembered as trouble that every open collection shows until a write succeeds.
   */
  private async keepWorkspace(): Promise<void> {
    try {
      await this.workspaceFile.write()
      this.configTrouble = null
    } catch (e) {
      if (!(e instanceof ConfigFolderError)) throw e
      this.configTrouble = e
    }
  }
}
