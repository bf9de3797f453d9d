import { realpath } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import type { MultipartPart, RequestBody } from '../../shared/request'
import { fail, ok, type Result } from '../../shared/result'

/**
 * Where a collection's file paths may lead. A path a collection names (a `file` body, a multipart file part)
 * resolves against the collection folder, and the file it reaches, after every symbolic link is followed, must
 * lie inside that folder or inside a folder the user allowed. The check is made on the path handed on to the
 * engine, so what is checked is what is opened; a process that could swap a link inside the collection between
 * the check and the read could already read the files itself.
 */

export interface FileScope {
  /** The collection folder (absolute). */
  root: string
  /** Folders the user allowed besides the collection (absolute). */
  allowed: readonly string[]
  /** How to allow `folder`, in the words of this host (the app's setting or the CLI's flag). */
  howToAllow(folder: string): string
}

/** `child` is `parent` or lies below it (both absolute and normalised). */
export function within(parent: string, child: string): boolean {
  const rel = relative(parent, child)
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`))
}

/** Path parts a real-path walk looks at, at most: a deeper path is refused rather than walked. */
const MAX_PARTS = 4096

/**
 * The real path of `abs`: every symbolic link in it followed. Parts that do not exist (yet) keep their names
 * below the deepest part that does, so a file about to be created is judged by the folder it would land in.
 */
export async function realPathOf(abs: string): Promise<string> {
  const missing: string[] = []
  let at = resolve(abs)
  for (let i = 0; i < MAX_PARTS; i++) {
    try {
      const real = await realpath(at)
      return missing.length === 0 ? real : join(real, ...missing.reverse())
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e
      const up = dirname(at)
      if (up === at) return resolve(abs)
      missing.push(basename(at))
      at = up
    }
  }
  throw Object.assign(new Error(`${abs} is nested too deeply`), { code: 'ENAMETOOLONG' })
}

/** What a refusal names: the folder to allow is the one holding the file. */
export const OUTSIDE_CODE = 'file_outside' as const

/** What a refusal says came of it, for Send and the rest that would send; Copy as says its own. */
export const NOTHING_SENT = 'nothing was sent'

/** What a refusal says came of it where a schema (.proto, GraphQL SDL) is loaded for the composer: no send. */
export const SCHEMA_NOT_LOADED = 'the schema was not loaded'

/**
 * `raw` as the engine should open it (absolute), or a refusal naming the path as written, where it really
 * leads, the collection folder and how to allow it. `what` names the path in the message ("The body file");
 * `outcome` what came of the refusal.
 */
export async function confinePath(
  raw: string,
  scope: FileScope,
  what: string,
  outcome: string = NOTHING_SENT,
): Promise<Result<string>> {
  const abs = isAbsolute(raw) ? resolve(raw) : resolve(scope.root, raw)
  let real: string
  let root: string
  try {
    real = await realPathOf(abs)
    root = await realPathOf(scope.root)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'an error'
    return fail('file', `${what} ${raw} cannot be resolved (${code}); ${outcome}`)
  }
  if (within(root, real)) return ok(abs)
  for (const folder of scope.allowed) {
    const allowed = await realPathOf(folder).catch(() => null)
    if (allowed !== null && within(allowed, real)) return ok(abs)
  }
  const folder = dirname(real)
  const leads = real === abs && raw === abs ? '' : ` (it leads to ${real})`
  return fail(
    OUTSIDE_CODE,
    `${what} ${raw}${leads} is outside the collection folder ${scope.root}; ${outcome}. ` +
      `A request from a collection sends files from that folder only, or from a folder you allow: ${scope.howToAllow(folder)}`,
    folder,
  )
}

/**
 * The body with every file path confined to `scope` (absolute paths the engine opens as they are), or the
 * first refusal. Without a scope (a request typed in an Untitled tab) the body is returned as it is.
 */
export async function confineBody(
  body: RequestBody,
  scope: FileScope | null,
  outcome: string = NOTHING_SENT,
): Promise<Result<RequestBody>> {
  const unchosen = unchosenFilePart(body)
  if (unchosen !== undefined)
    return fail(
      'file',
      `Multipart part "${unchosen.name.slice(0, 100)}" has no file chosen (its file name ${JSON.stringify(unchosen.fileName ?? '').slice(0, 200)} only): choose its file in the Body tab; ${outcome}`,
    )
  if (!scope) return ok(body)
  if (body.kind === 'file') {
    const path = await confinePath(body.path, scope, 'The body file', outcome)
    return path.ok ? ok({ ...body, path: path.value }) : path
  }
  if (body.kind !== 'multipart') return ok(body)
  const parts: MultipartPart[] = []
  for (const part of body.parts) {
    if (part.kind !== 'file' || !part.enabled) {
      parts.push(part)
      continue
    }
    const label = `Multipart part "${part.name.slice(0, 100)}": the file`
    const path = await confinePath(part.path, scope, label, outcome)
    if (!path.ok) return path
    parts.push({ ...part, path: path.value })
  }
  return ok({ ...body, parts })
}

/**
 * An enabled file part with no path: never read from wherever the engine runs (a HAR's `.npmrc` part would
 * upload the reader's own), the person picks the file first.
 */
function unchosenFilePart(body: RequestBody): Extract<MultipartPart, { kind: 'file' }> | undefined {
  if (body.kind !== 'multipart') return undefined
  return body.parts.find(
    (p): p is Extract<MultipartPart, { kind: 'file' }> => p.kind === 'file' && p.enabled && p.path === '',
  )
}
