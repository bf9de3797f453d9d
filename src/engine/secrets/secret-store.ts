import { chmod, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { writeFileAtomic } from '../collections/atomic-write'
import { ensureConfigFolder } from '../files/config-folder'

/**
 * Where secret variable values live: never in a collection folder. The browser host and the CLI use a 0600 JSON
 * file in the user's config dir; the desktop app passes a store that encrypts values with the OS keychain
 * (Electron safeStorage, see src/main/safe-storage.ts) through the same interface.
 */
export interface SecretStore {
  get(key: string): Promise<string | undefined>
  /** `null` removes the secret. */
  set(key: string, value: string | null): Promise<void>
}

/** How values are sealed at rest; identity for the plain 0600 file. */
export interface SecretCodec {
  encode(value: string): string
  decode(stored: string): string
}

const identity: SecretCodec = { encode: (v) => v, decode: (v) => v }
const MAX_SECRETS = 100_000

export class FileSecretStore implements SecretStore {
  private cache: Map<string, string> | null = null
  private writing: Promise<void> = Promise.resolve()

  constructor(
    readonly path: string,
    private readonly codec: SecretCodec = identity,
  ) {}

  private async load(): Promise<Map<string, string>> {
    if (this.cache) return this.cache
    const map = new Map<string, string>()
    try {
      const data: unknown = JSON.parse(await readFile(this.path, 'utf8'))
      if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
        for (const [k, v] of Object.entries(data)) if (typeof v === 'string') map.set(k, v)
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        // An unreadable secrets file is not replaced: refuse rather than lose every secret in it.
        throw new Error(
          `Cannot read the secrets file ${this.path}: ${e instanceof Error ? e.message : String(e)}`,
        )
      }
    }
    this.cache = map
    return map
  }

  async get(key: string): Promise<string | undefined> {
    const stored = (await this.load()).get(key)
    return stored === undefined ? undefined : this.codec.decode(stored)
  }

  async set(key: string, value: string | null): Promise<void> {
    const map = await this.load()
    if (value === null) {
      if (!map.delete(key)) return
    } else {
      if (!map.has(key) && map.size >= MAX_SECRETS) throw new Error('Too many secrets stored')
      map.set(key, this.codec.encode(value))
    }
    const text = `${JSON.stringify(Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b))), null, 2)}\n`
    // Writes are serialized so two quick saves cannot interleave.
    this.writing = this.writing
      .catch(() => undefined)
      .then(async () => {
        await ensureConfigFolder(dirname(this.path), 'the secret values', 0o700)
        await writeFileAtomic(this.path, text, { mode: 0o600 })
        // An existing file keeps its mode through a rename only if the temp had it: make sure, every time.
        await chmod(this.path, 0o600)
      })
    await this.writing
  }
}

/** A store held in memory only (tests, and a host that chose not to persist secrets). */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>()
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key)
  }
  async set(key: string, value: string | null): Promise<void> {
    if (value === null) this.values.delete(key)
    else this.values.set(key, value)
  }
}
