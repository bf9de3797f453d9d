import { lstat, readdir, stat } from 'node:fs/promises'
import { leftOutBecause, readRegularFile } from '../files/read-regular-file'
import { basename, dirname, join } from 'node:path'
import { CORE_SCHEMA, load } from 'js-yaml'
import type { AuthSpec, SavedRequest, Variable } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import type { BruPair } from './bru-lang'
import { openCollectionGraphql } from '../graphql/graphql-import'
import { brunoOptions } from './bruno-settings'
import { grpcRequestFrom, openCollectionMessages } from './bruno-grpc'
import { brunoChecks } from './bruno-assert'
import { extractionsOf } from './bruno-runtime'
import { inlineRequestVars } from './bruno-request-vars'
import { withPathParams } from './bruno-url'
import { refuseExpanding } from './openapi-bounds'
import { ImportFolder, LINK_LEFT_OUT, LINK_OUTSIDE } from './folder-links'
import { auth, body, bruPairs, list, pairs } from './opencollection-fields'
import {
  copyFolderHeaders,
  notePlace,
  arr,
  emptyPlan,
  ImportError,
  isObj,
  method,
  request,
  str,
  varName,
  type ImportPlan,
  type PlanNode,
} from './plan'

/**
 * OpenCollection YAML (Bruno's newer format): one bundled file (`opencollection: 1.0.0`, `info`, `items`,
 * `environments`) or a folder (`opencollection.yml` at its root, a `.yml` per request, `folder.yml` per
 * folder, `environments/*.yml`). A request is `info` (name, type, seq) and `http` (method, url, params,
 * headers, body, auth), with `runtime` scripts and assertions and `docs`. The folder walk is bounded.
 */

type Obj = Record<string, unknown>
const MAX_DEPTH = 32
const MAX_FILES = 10_000
const MAX_FILE_BYTES = 8 * 1024 * 1024

export function isOpenCollection(data: unknown): boolean {
  return isObj(data) && data['opencollection'] !== undefined && isObj(data['info'])
}

/** The collection folder for a path: a folder with `opencollection.yml`, or that file's folder; else null. */
export async function openCollectionFolderOf(path: string): Promise<string | null> {
  const has = (d: string): Promise<boolean> =>
    stat(join(d, 'opencollection.yml')).then(
      (s) => s.isFile(),
      () => false,
    )
  const st = await stat(path).catch(() => null)
  if (st?.isDirectory()) return (await has(path)) ? path : null
  return basename(path) === 'opencollection.yml' && (await has(dirname(path))) ? dirname(path) : null
}

function assertPairs(item: Obj): BruPair[] {
  const runtime = isObj(item['runtime']) ? item['runtime'] : {}
  const fromRuntime = list(runtime['assertions']).map((a) => ({
    name: str(a['expression'], str(a['name'])),
    value: a['operator'] !== undefined ? `${str(a['operator'])} ${str(a['value'])}`.trim() : str(a['value']),
    enabled: a['disabled'] !== true && a['enabled'] !== false,
  }))
  return [...fromRuntime, ...bruPairs(item['assert'])]
}

function requestOf(item: Obj, u: string[], where: string): SavedRequest | null {
  const info = isObj(item['info']) ? item['info'] : {}
  const tags = arr(info['tags'])
    .map((t) => str(t))
    .filter((t) => t !== '')
  if (tags.length > 0)
    u.push(`${where}: tags (${tags.join(', ').slice(0, 120)}) not kept (Flightdeck requests have none)`)
  if (isObj(item['grpc'])) {
    const g = item['grpc']
    const docs = isObj(item['docs']) ? str(item['docs']['content']) : str(item['docs'])
    const rt = isObj(item['runtime']) ? item['runtime'] : {}
    if (list(rt['scripts']).length > 0 || list(rt['assertions']).length > 0)
      u.push(
        `${where}: scripts, tests and assertions of a gRPC request not kept; add checks in its Tests tab`,
      )
    return grpcRequestFrom(
      {
        name: str(info['name'], 'Untitled'),
        url: str(g['url']),
        method: str(g['method']),
        protoPath: typeof g['protoFilePath'] === 'string' ? g['protoFilePath'] : undefined,
        metadata: pairs(g['metadata']),
        messages: openCollectionMessages(g['message']),
        auth: auth(g['auth'], u, where),
        description: docs.trim(),
      },
      u,
      where,
    )
  }
  // A GraphQL item keeps its method, URL, params, headers and body in `graphql` instead of `http`.
  const gqlItem = !isObj(item['http']) && isObj(item['graphql']) ? item['graphql'] : null
  const http = isObj(item['http']) ? item['http'] : gqlItem
  const httpBody = isObj(http?.['body']) ? http['body'] : {}
  const isGql = gqlItem !== null || httpBody['type'] === 'graphql'
  if (!http) {
    u.push(`${where}: a ${str(info['type'], 'request')} item with no http block; left out`)
    return null
  }
  const params = list(http['params'])
  const pathParams = params
    .filter((p) => p['type'] === 'path')
    .map((p) => ({ name: str(p['name']), value: str(p['value']), enabled: p['disabled'] !== true }))
  let url = withPathParams(str(http['url']), pathParams, (l) => u.push(`${where}: ${l}`))
  const disabled: KeyValue[] = []
  for (const p of params) {
    const name = str(p['name'])
    const value = str(p['value'])
    if (p['type'] === 'path') {
      continue
    } else if (p['disabled'] === true) {
      disabled.push({ name, value, enabled: false })
    } else if (!new RegExp(`[?&]${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}=`).test(url)) {
      url += `${url.includes('?') ? '&' : '?'}${name}=${value}`
    }
  }
  const runtime = isObj(item['runtime']) ? item['runtime'] : {}
  const scripts = list(runtime['scripts'])
  const code = (types: string[]): string =>
    scripts
      .filter((s) => types.includes(str(s['type'])))
      .map((s) => str(s['code']).trim())
      .filter((s) => s !== '')
      .join('\n\n')
  const pre = code(['before-request', 'pre-request'])
  // Bruno checks a request's assertions after its post-response script and before its tests.
  const checks = brunoChecks(assertPairs(item), u, where)
  const post = [code(['after-response', 'post-response']), checks.script, code(['tests'])]
    .filter((s) => s !== '')
    .join('\n\n')
  const vars = isObj(item['vars']) ? item['vars'] : {}
  const docs = isObj(item['docs']) ? str(item['docs']['content']) : str(item['docs'])
  const req = request(str(info['name'], 'Untitled'), {
    method: method(http['method'] ?? (isGql ? 'POST' : undefined), u, where),
    url,
    description: docs.trim(),
    headers: pairs(http['headers']),
    body: isGql ? { kind: 'none' } : body(http['body'], u, where),
    auth: auth(http['auth'] ?? (isGql ? runtime['auth'] : undefined), u, where),
    ...(isGql
      ? {
          kind: 'graphql' as const,
          graphql: openCollectionGraphql(gqlItem ? gqlItem['body'] : httpBody['data'], where, u),
        }
      : {}),
  })
  if (disabled.length > 0) req.disabledParams = disabled
  const settings = isObj(item['settings']) ? Object.entries(item['settings']) : []
  const options = brunoOptions(settings, where, (l) => u.push(l))
  if (Object.keys(options).length > 0) req.options = options
  if (checks.assertions.length > 0) req.assertions = checks.assertions
  const extract = extractionsOf(bruPairs(vars['postResponse']), u, where)
  if (extract.length > 0) req.extract = extract
  inlineRequestVars(req, bruPairs(vars['preRequest']), (l) => u.push(`${where}: ${l}`))
  if (pre || post) {
    req.scripts = { ...(pre ? { preRequest: pre } : {}), ...(post ? { test: post } : {}), translated: false }
    if (pre || post !== checks.script)
      u.push(`${where}: scripts kept in the request file; they run in the script sandbox`)
  }
  return req
}

function variables(v: unknown, u: string[], where: string): Variable[] {
  const out: Variable[] = []
  for (const p of list(v)) {
    const name = varName(str(p['name']))
    if (!name) {
      u.push(`${where}: variable "${str(p['name']).slice(0, 60)}" has a name Flightdeck cannot use; left out`)
      continue
    }
    if (p['disabled'] === true || p['enabled'] === false) continue
    const secret = p['secret'] === true
    out.push({ name, value: secret ? '' : str(p['value']), secret })
  }
  return out
}

/**
 * A folder's or the collection's own settings: `request` (newer) or `http` (older) holds auth and variables,
 * and headers sent with every request below it (copied down by the caller).
 */
function settings(
  item: Obj,
  u: string[],
  where: string,
): { variables: Variable[]; auth: AuthSpec; headers: KeyValue[] } {
  const r = isObj(item['request']) ? item['request'] : isObj(item['http']) ? item['http'] : {}
  const vars = isObj(item['vars']) ? item['vars']['preRequest'] : undefined
  return {
    variables: variables(r['variables'] ?? vars, u, where),
    auth: auth(r['auth'], u, where),
    headers: pairs(r['headers']),
  }
}

function seqOf(item: Obj): number {
  const info = isObj(item['info']) ? item['info'] : {}
  const n = Number(info['seq'] ?? item['seq'])
  return Number.isFinite(n) ? n : Number.MAX_SAFE_INTEGER
}

function items(list0: unknown, u: string[], path: string, depth: number): PlanNode[] {
  const sorted = list(list0)
    .map((o, i) => ({ o, i }))
    .sort((a, b) => seqOf(a.o) - seqOf(b.o) || a.i - b.i)
  const out: PlanNode[] = []
  for (const { o } of sorted) {
    const info = isObj(o['info']) ? o['info'] : {}
    const name = str(info['name'], str(o['name'], 'Untitled'))
    const where = notePlace(path, name)
    if (info['type'] === 'folder' || Array.isArray(o['items'])) {
      if (depth >= MAX_DEPTH) {
        u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
        continue
      }
      const { headers, ...s } = settings(o, u, where)
      const children = items(o['items'], u, where, depth + 1)
      copyFolderHeaders(children, headers, (l) => u.push(l), where)
      out.push({ type: 'folder', folder: { name, ...s, children } })
      continue
    }
    const req = requestOf(o, u, where)
    if (req) out.push({ type: 'request', request: req })
  }
  return out
}

export function importOpenCollection(data: unknown): ImportPlan {
  if (!isOpenCollection(data) || !isObj(data)) throw new ImportError('not an OpenCollection file')
  const info = data['info'] as Obj
  const plan = emptyPlan(str(info['name'], 'OpenCollection import'))
  const s = settings(data, plan.unmapped, 'collection')
  plan.variables = s.variables
  plan.auth = s.auth
  plan.children = items(data['items'], plan.unmapped, '', 0)
  copyFolderHeaders(plan.children, s.headers, (l) => plan.unmapped.push(l), 'collection')
  for (const e of list(data['environments'])) {
    const name = str(e['name'], 'Environment')
    plan.environments.push({
      name,
      variables: variables(e['variables'], plan.unmapped, `environment ${name}`),
    })
  }
  return plan
}

async function readYaml(
  path: string,
  u: string[],
  where: string,
  count: { files: number; folder: ImportFolder },
  isLink?: boolean,
): Promise<Obj | null> {
  if (await count.folder.leadsOutside(path, isLink)) {
    u.push(`${where}: ${LINK_OUTSIDE}`)
    return null
  }
  if (++count.files > MAX_FILES) return null
  const read = await readRegularFile(path, MAX_FILE_BYTES)
  if (!read.ok) {
    u.push(`${where}: ${leftOutBecause(read.why, MAX_FILE_BYTES)}; left out`)
    return null
  }
  try {
    const data: unknown = load(read.bytes.toString('utf8'), { schema: CORE_SCHEMA, json: true })
    refuseExpanding(data)
    return isObj(data) ? data : null
  } catch (e) {
    u.push(`${where}: not read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`)
    return null
  }
}

/** The folder layout turned into the bundled shape (items nested), then mapped by the same code. */
export async function importOpenCollectionFolder(dir: string): Promise<ImportPlan> {
  const u: string[] = []
  const count = { files: 0, folder: new ImportFolder(dir) }
  if (await count.folder.leadsOutside(join(dir, 'opencollection.yml')))
    throw new ImportError(`opencollection.yml is ${LINK_OUTSIDE.split(';')[0]}: not read`)
  const root = await readYaml(join(dir, 'opencollection.yml'), u, 'opencollection.yml', count)
  if (!root) throw new ImportError('opencollection.yml is not a YAML mapping')
  const walk = async (d: string, path: string, depth: number): Promise<Obj[]> => {
    const out: Obj[] = []
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (e.name.startsWith('.') || e.name === 'node_modules' || (depth === 0 && e.name === 'environments'))
        continue
      const where = path ? `${path}/${e.name}` : e.name
      if (e.isDirectory()) {
        if (depth >= MAX_DEPTH) {
          u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
          continue
        }
        const f = (await stat(join(d, e.name, 'folder.yml')).catch(() => null))
          ? await readYaml(join(d, e.name, 'folder.yml'), u, `${where}/folder.yml`, count)
          : null
        const info = isObj(f?.['info']) ? (f['info'] as Obj) : {}
        out.push({
          ...(f ?? {}),
          info: { ...info, name: str(info['name'], e.name), type: 'folder' },
          items: await walk(join(d, e.name), where, depth + 1),
        })
      } else if (e.isSymbolicLink() && (await stat(join(d, e.name)).catch(() => null))?.isDirectory()) {
        u.push(`${where}: ${LINK_LEFT_OUT}`)
      } else if (
        /\.ya?ml$/.test(e.name) &&
        e.name !== 'folder.yml' &&
        !(depth === 0 && e.name === 'opencollection.yml')
      ) {
        // A linked request file is read when it leads to a file inside the folder (readYaml judges it).
        const item = await readYaml(join(d, e.name), u, where, count, e.isSymbolicLink())
        if (item) out.push(item)
      }
    }
    return out
  }
  // A bundled file (its items inline) picked by its name is read as it is.
  const bundled: Obj = Array.isArray(root['items'])
    ? { ...root, environments: list(root['environments']) }
    : { ...root, items: await walk(dir, '', 0), environments: [] }
  const envLinked = (await lstat(join(dir, 'environments')).catch(() => null))?.isSymbolicLink() === true
  if (envLinked) u.push(`environments: ${LINK_LEFT_OUT}`)
  const envs = envLinked ? [] : await readdir(join(dir, 'environments')).catch(() => [] as string[])
  for (const f of envs.filter((n) => /\.ya?ml$/.test(n)).sort()) {
    const e = await readYaml(join(dir, 'environments', f), u, `environments/${f}`, count)
    if (e) (bundled['environments'] as Obj[]).push({ ...e, name: str(e['name'], f.replace(/\.ya?ml$/, '')) })
  }
  if (count.files > MAX_FILES) u.push(`more than ${MAX_FILES} files: the rest were not read`)
  const plan = importOpenCollection(bundled)
  plan.unmapped.unshift(...u)
  plan.sourceDir = dir
  return plan
}
