import { lstat, readdir, readFile, stat } from 'node:fs/promises'
import { leftOutBecause, readRegularFile } from '../files/read-regular-file'
import { basename, dirname, join } from 'node:path'
import type { AuthSpec, RequestScripts, Variable } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { blockMap, BruParseError, pairsOf, parseBru, textOf, valueOf, type BruPair } from './bru-lang'
import { authOf, kv, requestOf, type Blocks } from './bruno-request'
import { copyFolderHeaders, emptyPlan, ImportError, varName, type ImportPlan, type PlanNode } from './plan'
import { brunoImportPaths, withImportPaths } from './bruno-grpc'
import { ImportFolder, LINK_LEFT_OUT, LINK_OUTSIDE } from './folder-links'

/**
 * A Bruno collection folder: `bruno.json`, `collection.bru` (collection headers, auth, variables),
 * `folder.bru` per folder (its name, order, auth, variables), one `.bru` per request, `environments/*.bru`.
 * Post-response variables (`token: res.body.token`) become extractions, simple `assert` lines assertions;
 * scripts and tests are kept in the request's scripts block. The walk is bounded in depth, files and bytes.
 */

const MAX_DEPTH = 32
const MAX_FILES = 10_000
const MAX_FILE_BYTES = 8 * 1024 * 1024
const MAX_TOTAL_BYTES = 64 * 1024 * 1024
const SKIP = new Set(['node_modules', '.git', 'environments'])

export async function isBrunoFolder(path: string): Promise<boolean> {
  const st = await stat(path).catch(() => null)
  if (!st?.isDirectory()) return false
  return stat(join(path, 'bruno.json')).then(
    (s) => s.isFile(),
    () => false,
  )
}

/** The collection folder for a path: the folder itself, or the folder of a picked `bruno.json`; else null. */
export async function brunoFolderOf(path: string): Promise<string | null> {
  if (await isBrunoFolder(path)) return path
  if (basename(path) === 'bruno.json' && (await isBrunoFolder(dirname(path)))) return dirname(path)
  return null
}

interface Walk {
  u: string[]
  files: number
  bytes: number
  ignore: Set<string>
  folder: ImportFolder
}

/** `isLink`: what the folder's listing said of the file, when it was listed (otherwise it is looked at). */
async function readBru(w: Walk, path: string, where: string, isLink?: boolean): Promise<Blocks | null> {
  if (await w.folder.leadsOutside(path, isLink)) {
    w.u.push(`${where}: ${LINK_OUTSIDE}`)
    return null
  }
  if (++w.files > MAX_FILES) {
    if (w.files === MAX_FILES + 1) w.u.push(`more than ${MAX_FILES} files: the rest were not read`)
    return null
  }
  // A shared folder's `local.bru` may be a pipe or a link to /dev/zero: judged by what was opened.
  const read = await readRegularFile(path, MAX_FILE_BYTES)
  if (!read.ok) {
    w.u.push(`${where}: ${leftOutBecause(read.why, MAX_FILE_BYTES)}; left out`)
    return null
  }
  w.bytes += read.bytes.length
  if (w.bytes > MAX_TOTAL_BYTES)
    throw new ImportError(`the collection is larger than 64 MiB; nothing was written`)
  try {
    return blockMap(parseBru(read.bytes.toString('utf8')))
  } catch (e) {
    if (e instanceof BruParseError) {
      w.u.push(`${where}: not read (${e.message})`)
      return null
    }
    throw e
  }
}

/**
 * Scripts of collection.bru and folder.bru, kept at their level (collection.yaml, folder.yaml), where they run
 * for every request below them. Bruno's default "sandwich" flow runs post-response scripts request → folder →
 * collection; Flightdeck runs every level in Postman's order (collection → folder → request).
 */
function levelScriptsOf(b: Blocks | null): RequestScripts | undefined {
  if (!b) return undefined
  const pre = textOf(b, 'script:pre-request')?.trim()
  const post = [textOf(b, 'script:post-response')?.trim(), textOf(b, 'tests')?.trim()]
    .filter((x) => x)
    .join('\n\n')
  if (!pre && !post) return undefined
  return { ...(pre ? { preRequest: pre } : {}), ...(post ? { test: post } : {}), translated: false }
}

function variables(list: readonly BruPair[], u: string[], where: string, secret = false): Variable[] {
  const out: Variable[] = []
  for (const p of list) {
    const name = varName(p.name)
    if (!name) {
      u.push(`${where}: variable "${p.name.slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    if (!p.enabled) {
      u.push(`${where}: variable "${name}" is switched off; left out`)
      continue
    }
    out.push({ name, value: p.value, secret })
  }
  return out
}

/** Settings of collection.bru / folder.bru: variables, auth and scripts, and its headers (copied down). */
function folderSettings(
  b: Blocks | null,
  u: string[],
  where: string,
  file: string,
): { variables: Variable[]; auth: AuthSpec; scripts?: RequestScripts; headers: KeyValue[] } {
  if (!b) return { variables: [], auth: { type: 'inherit' }, headers: [] }
  const scripts = levelScriptsOf(b)
  if (scripts)
    u.push(`${where}: scripts kept in ${file}; they run for every request below it, in the script sandbox`)
  const mode = valueOf(b, 'auth', 'mode')
  return {
    variables: variables(pairsOf(b, 'vars:pre-request'), u, where),
    auth: authOf(b, mode, u, where),
    ...(scripts ? { scripts } : {}),
    headers: kv(pairsOf(b, 'headers')),
  }
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true
}

async function children(w: Walk, dir: string, path: string, depth: number): Promise<PlanNode[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const items: { seq: number; name: string; node: PlanNode }[] = []
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.') || (depth === 0 && (SKIP.has(e.name) || w.ignore.has(e.name)))) continue
    const where = path ? `${path}/${e.name}` : e.name
    if (e.isDirectory()) {
      if (e.name === 'node_modules') continue
      if (depth >= MAX_DEPTH) {
        w.u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
        continue
      }
      const fb = await stat(join(dir, e.name, 'folder.bru')).then(
        () => readBru(w, join(dir, e.name, 'folder.bru'), `${where}/folder.bru`),
        () => null,
      )
      const { headers, ...s } = folderSettings(fb, w.u, where, 'folder.yaml')
      const below = await children(w, join(dir, e.name), where, depth + 1)
      copyFolderHeaders(below, headers, (l) => w.u.push(l), where)
      items.push({
        seq: Number((fb && valueOf(fb, 'meta', 'seq')) ?? Number.MAX_SAFE_INTEGER),
        name: e.name,
        node: {
          type: 'folder',
          folder: { name: (fb && valueOf(fb, 'meta', 'name')) || e.name, ...s, children: below },
        },
      })
    } else if (e.isSymbolicLink() && (await isFolder(join(dir, e.name)))) {
      w.u.push(`${where}: ${LINK_LEFT_OUT}`)
    } else if (
      (e.isFile() || e.isSymbolicLink()) &&
      e.name.endsWith('.bru') &&
      e.name !== 'folder.bru' &&
      e.name !== 'collection.bru'
    ) {
      // A linked request file is read when it leads to a file inside the folder (readBru judges it).
      const b = await readBru(w, join(dir, e.name), where, e.isSymbolicLink())
      if (!b) continue
      const req = requestOf(b, e.name.replace(/\.bru$/, ''), w.u, where)
      if (req)
        items.push({
          seq: Number(valueOf(b, 'meta', 'seq') ?? Number.MAX_SAFE_INTEGER),
          name: e.name,
          node: { type: 'request', request: req },
        })
    }
  }
  // Bruno orders by seq; files without one come after, by name.
  return items.sort((a, b) => a.seq - b.seq || a.name.localeCompare(b.name)).map((i) => i.node)
}

/**
 * bruno.json's `protobuf.protoFiles`: the list Bruno offers a gRPC request's proto from. Each request names its
 * own (its protoPath, copied with what it imports), so the list itself is named, not kept.
 */
function protoFilesNote(v: unknown): string | null {
  if (typeof v !== 'object' || v === null) return null
  const items = (v as Record<string, unknown>)['protoFiles']
  if (!Array.isArray(items)) return null
  const files = items
    .map((x: unknown) =>
      typeof x === 'object' && x !== null ? (x as Record<string, unknown>)['path'] : null,
    )
    .filter((x): x is string => typeof x === 'string')
    .slice(0, 20)
  if (files.length === 0) return null
  return `bruno.json: its proto files (${files.join(', ')}) were not copied as a list; a gRPC request loads the proto it names, copied with the protos it imports`
}

export async function importBrunoFolder(dir: string): Promise<ImportPlan> {
  if (!(await isBrunoFolder(dir))) throw new ImportError(`${dir} is not a Bruno collection (no bruno.json)`)
  let config: Record<string, unknown> = {}
  const linkedConfig = await new ImportFolder(dir).leadsOutside(join(dir, 'bruno.json'))
  if (linkedConfig) throw new ImportError(`bruno.json is ${LINK_OUTSIDE.split(';')[0]}: not read`)
  try {
    const parsed: unknown = JSON.parse(await readFile(join(dir, 'bruno.json'), 'utf8'))
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      config = parsed as Record<string, unknown>
  } catch (e) {
    throw new ImportError(`bruno.json is not JSON (${e instanceof Error ? e.message : String(e)})`)
  }
  const plan = emptyPlan(typeof config['name'] === 'string' ? config['name'] : 'Bruno import')
  const ignore = new Set(
    Array.isArray(config['ignore']) ? config['ignore'].filter((x): x is string => typeof x === 'string') : [],
  )
  const w: Walk = { u: plan.unmapped, files: 0, bytes: 0, ignore, folder: new ImportFolder(dir) }
  const protos = protoFilesNote(config['protobuf'])
  if (protos) w.u.push(protos)
  const importPaths = brunoImportPaths(config['protobuf'], w.u)
  const cb = await stat(join(dir, 'collection.bru')).then(
    () => readBru(w, join(dir, 'collection.bru'), 'collection.bru'),
    () => null,
  )
  const s = folderSettings(cb, w.u, 'collection.bru', 'collection.yaml')
  plan.variables = s.variables
  plan.auth = s.auth
  if (s.scripts) plan.scripts = s.scripts
  plan.children = await children(w, dir, '', 0)
  withImportPaths(plan.children, importPaths)
  copyFolderHeaders(plan.children, s.headers, (l) => w.u.push(l), 'collection.bru')
  const envDir = join(dir, 'environments')
  const envLinked = (await lstat(envDir).catch(() => null))?.isSymbolicLink() === true
  if (envLinked) w.u.push(`environments: ${LINK_LEFT_OUT}`)
  const envFiles = envLinked ? [] : await readdir(envDir).catch(() => [] as string[])
  for (const f of envFiles.filter((n) => n.endsWith('.bru')).sort()) {
    const b = await readBru(w, join(envDir, f), `environments/${f}`)
    if (!b) continue
    const name = f.replace(/\.bru$/, '')
    const vars = variables(pairsOf(b, 'vars'), w.u, `environment ${name}`)
    const secrets = b.get('vars:secret')
    if (secrets?.kind === 'list') {
      for (const raw of secrets.items) {
        const off = raw.startsWith('~')
        const n = varName(off ? raw.slice(1) : raw)
        if (n && !off) vars.push({ name: n, value: '', secret: true })
      }
      if (secrets.items.length > 0)
        w.u.push(
          `environment ${name}: secret values are not in the collection folder; set them in Flightdeck`,
        )
    }
    plan.environments.push({ name, variables: vars })
  }
  plan.sourceDir = dir
  return plan
}
