import { basename, join } from 'node:path'
import type { AuthSpec, EnvironmentInfo, FolderNode, SavedRequest, Variable } from '../../shared/collection'
import type { KeyValue, RequestBody } from '../../shared/request'
import { readRequestFile, stemOf, type LoadedCollection } from '../collections/loader'
import { exportLiteralBraces } from './export-literal-braces'
import { resolveDependency } from '../runner/plan'
import { customBearerHeader } from '../auth/apply-auth'
import { postmanOAuth2Fields } from './oauth2-export'
import { levelEvents, requestEvents } from './postman-scripts'
import { postmanProfileOf } from './export-options'
import { fileNamesLeft } from './file-part-names'
import { toPostmanGraphql } from '../graphql/graphql-postman'

/**
 * Export a collection as a Postman v2.1 collection. Secret variables go out with their names only (empty
 * values): secrets never leave the machine in an export. Postman's own SDK (postman-collection) reads the
 * result back; the tests prove it.
 */

export const POSTMAN_SCHEMA_V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

type Json = Record<string, unknown>

/**
 * Flightdeck's dynamic variables under Postman's names (`{{$uuid}}` is not one Postman knows). `{{$webhook}}`
 * and `{{$timestampMs}}` have no Postman twin: they are left as they are and the export says so.
 */
const POSTMAN_DYNAMIC: Record<string, string> = {
  $uuid: '$guid',
  $timestamp: '$timestamp',
  $isoTimestamp: '$isoTimestamp',
  $randomInt: '$randomInt',
}

/** Every string in `v` with Flightdeck's dynamic variables named as Postman names them. */
export function postmanNames<T>(v: T): T {
  const walk = (x: unknown, depth: number): unknown => {
    if (typeof x === 'string')
      return x.replace(/\{\{\s*(\$[A-Za-z]+)\s*\}\}/g, (m, name: string) => {
        const twin = POSTMAN_DYNAMIC[name]
        return twin ? `{{${twin}}}` : m
      })
    if (depth > 32 || typeof x !== 'object' || x === null) return x
    if (Array.isArray(x)) return x.map((i) => walk(i, depth + 1))
    return Object.fromEntries(Object.entries(x).map(([k, i]) => [k, walk(i, depth + 1)]))
  }
  return walk(v, 0) as T
}

/**
 * The URL as Postman's object form when some query parameters are switched off (a string cannot hold them):
 * protocol, host, port, path and query parsed the way Postman parses a raw URL, the disabled rows added.
 */
function urlOf(url: string, disabled: readonly KeyValue[]): string | Json {
  if (disabled.length === 0) return url
  const hashAt = url.indexOf('#')
  const noHash = hashAt === -1 ? url : url.slice(0, hashAt)
  const qAt = noHash.indexOf('?')
  const base = qAt === -1 ? noHash : noHash.slice(0, qAt)
  const query = qAt === -1 ? '' : noHash.slice(qAt + 1)
  const proto = /^([A-Za-z][\w+.-]*):\/\//.exec(base)
  const afterProto = proto ? base.slice(proto[0].length) : base
  const slash = afterProto.indexOf('/')
  const hostPort = slash === -1 ? afterProto : afterProto.slice(0, slash)
  const path = slash === -1 ? '' : afterProto.slice(slash + 1)
  const port = /:(\d+)$/.exec(hostPort)
  const host = port ? hostPort.slice(0, -port[0].length) : hostPort
  const rows: Json[] = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const eq = p.indexOf('=')
      return eq === -1 ? { key: p, value: null } : { key: p.slice(0, eq), value: p.slice(eq + 1) }
    })
  for (const d of disabled) rows.push({ key: d.name, value: d.value, disabled: true })
  const out: Json = { raw: url }
  if (proto) out['protocol'] = proto[1]
  out['host'] = host.split('.')
  if (port) out['port'] = port[1]
  out['path'] = path === '' ? [] : path.split('/')
  out['query'] = rows
  if (hashAt !== -1) out['hash'] = url.slice(hashAt + 1)
  return out
}

function params(list: Record<string, string>): { key: string; value: string; type: 'string' }[] {
  return Object.entries(list).map(([key, value]) => ({ key, value, type: 'string' }))
}

export function postmanAuth(auth: AuthSpec): Json | null {
  switch (auth.type) {
    case 'inherit':
      return null
    case 'none':
      return { type: 'noauth' }
    case 'basic':
    case 'digest':
      return { type: auth.type, [auth.type]: params({ username: auth.username, password: auth.password }) }
    case 'bearer': {
      // Postman's bearer has no prefix: `Token abc` goes as the header it is.
      const custom = customBearerHeader(auth)
      return custom === null
        ? { type: 'bearer', bearer: params({ token: auth.token }) }
        : { type: 'apikey', apikey: params({ key: 'Authorization', value: custom, in: 'header' }) }
    }
    case 'apikey':
      return { type: 'apikey', apikey: params({ key: auth.key, value: auth.value, in: auth.in }) }
    case 'oauth2':
      return {
        type: 'oauth2',
        oauth2: params(postmanOAuth2Fields(auth)),
      }
  }
}

function kv(list: readonly KeyValue[]): Json[] {
  return list.map((h) =>
    h.enabled ? { key: h.name, value: h.value } : { key: h.name, value: h.value, disabled: true },
  )
}

/**
 * Postman's raw-body languages and the Content-Type each makes Postman send when no header gives one
 * (postman-runtime's body builder): a text body of one of these types needs no header of its own.
 */
const RAW_LANGUAGE_TYPES: Record<string, string> = {
  text: 'text/plain',
  html: 'text/html',
  xml: 'application/xml',
  javascript: 'application/javascript',
}

function rawLanguage(contentType: string): string {
  const type = contentType.toLowerCase()
  const exact = Object.entries(RAW_LANGUAGE_TYPES).find(([, t]) => t === type)?.[0]
  return exact ?? (/xml/.test(type) ? 'xml' : 'text')
}

/** The Content-Type header a body needs in Postman: its own type, unless a raw body's language says it. */
function bodyTypeHeader(b: RequestBody): string {
  if (b.kind === 'file') return b.contentType ?? ''
  if (b.kind !== 'text') return ''
  return RAW_LANGUAGE_TYPES[rawLanguage(b.contentType)] === b.contentType.toLowerCase() ? '' : b.contentType
}

function body(b: RequestBody): Json | null {
  switch (b.kind) {
    case 'none':
      return null
    case 'json':
      return { mode: 'raw', raw: b.text, options: { raw: { language: 'json' } } }
    case 'text':
      return { mode: 'raw', raw: b.text, options: { raw: { language: rawLanguage(b.contentType) } } }
    case 'form':
      return { mode: 'urlencoded', urlencoded: kv(b.fields) }
    case 'multipart':
      return {
        mode: 'formdata',
        // Postman sends a row's `contentType` as the part's Content-Type, a text row's as a file row's.
        formdata: b.parts.map((p) => ({
          key: p.name,
          ...(p.kind === 'text' ? { type: 'text', value: p.value } : { type: 'file', src: p.path }),
          ...(p.contentType ? { contentType: p.contentType } : {}),
          ...(p.enabled ? {} : { disabled: true }),
        })),
      }
    case 'file':
      return { mode: 'file', file: { src: b.path } }
  }
}

export function variables(vars: readonly Variable[]): Json[] {
  return vars.map((v) =>
    v.secret
      ? { key: v.name, value: '', description: 'Secret in Flightdeck: not exported, set it yourself' }
      : { key: v.name, value: v.value },
  )
}

function requestItem(req: SavedRequest, path: string, skipped: string[]): Json {
  const headers = [...req.headers]
  const ownType = bodyTypeHeader(req.body)
  if (ownType !== '' && !headers.some((h) => h.enabled && h.name.toLowerCase() === 'content-type')) {
    headers.push({ name: 'Content-Type', value: ownType, enabled: true })
  }
  const r: Json = { method: req.method, header: kv(headers), url: urlOf(req.url, req.disabledParams ?? []) }
  const gql = req.kind === 'graphql' && req.graphql ? toPostmanGraphql(req.graphql) : null
  if (gql?.note) skipped.push(`${path}: ${gql.note}`)
  const b = gql ? gql.body : body(req.body)
  if (b) r['body'] = b
  if (!gql) fileNamesLeft(req.body, 'Postman', path, skipped)
  const a = postmanAuth(req.auth)
  if (a) r['auth'] = a
  if (req.description !== '') r['description'] = req.description
  if (req.kind !== 'http' && req.kind !== 'graphql')
    r['description'] = `${req.description}\n(Flightdeck ${req.kind.toUpperCase()} request)`.trim()
  const { events, skipped: notSaid } = requestEvents(req)
  for (const s of notSaid) skipped.push(`${path}: ${s}; not in the export`)
  for (const name of ['webhook', 'timestampMs'])
    if (new RegExp(`\\{\\{\\s*\\$${name}\\s*\\}\\}`).test(JSON.stringify(r)))
      skipped.push(`${path}: {{$${name}}} has no Postman equivalent; kept as text`)
  const item: Json = { name: req.name }
  if (events.length > 0) item['event'] = events
  item['request'] = postmanNames(r)
  // Postman leaves out a GET's (HEAD's…) body unless told not to; Flightdeck sends it, so the export says so.
  const profile: Json = postmanProfileOf(req.options, path, skipped) ?? {}
  if (b && !gql && /^(GET|COPY|HEAD|PURGE|UNLOCK)$/.test(req.method)) profile['disableBodyPruning'] = true
  if (Object.keys(profile).length > 0) item['protocolProfileBehavior'] = profile
  return item
}

/** A Postman environment (v2.1 shape) for one of the collection's environments; secrets go out empty. */
export function postmanEnvironment(env: EnvironmentInfo): Json {
  return {
    name: env.name,
    values: env.variables.map((v) =>
      v.secret
        ? { key: v.name, value: '', type: 'secret', enabled: true }
        : { key: v.name, value: postmanNames(v.value), type: 'default', enabled: true },
    ),
    _postman_variable_scope: 'environment',
  }
}

/**
 * Folder variables Postman will read, moved to the collection's: Postman's runner does not read a folder's
 * `variable` list. A name moves when every folder that has it (and the collection, if it has it) gives it the
 * same value, so each request still gets what it got; the others stay on their folders and `stay` names them.
 */
function hoistFolderVariables(
  collection: readonly Variable[],
  folders: LoadedCollection['folders'],
): { hoisted: Variable[]; stay: Set<string> } {
  const byName = new Map<string, Variable[]>()
  for (const [path, s] of folders)
    if (path !== '') for (const v of s.variables) byName.set(v.name, [...(byName.get(v.name) ?? []), v])
  const hoisted: Variable[] = []
  const stay = new Set<string>()
  for (const [name, list] of byName) {
    const top = collection.find((v) => v.name === name)
    const all = top ? [top, ...list] : list
    const first = all[0]
    if (first && all.every((v) => v.value === first.value && v.secret === first.secret)) {
      if (!top) hoisted.push(first)
    } else stay.add(name)
  }
  return { hoisted, stay }
}

/** An exported item, with the requests it holds and the ones they depend on (collection paths). */
interface Placed {
  json: Json
  paths: Set<string>
  deps: Set<string>
}

/**
 * Siblings reordered so that what a request depends on comes before it: Postman runs a collection in its
 * order, where Flightdeck runs dependencies first. Otherwise the order is kept (a cycle keeps it as it is).
 */
function dependenciesFirst(list: readonly Placed[]): Placed[] {
  const left = [...list]
  const out: Placed[] = []
  const needs = (a: Placed, b: Placed): boolean => a !== b && [...a.deps].some((d) => b.paths.has(d))
  for (let guard = 0; left.length > 0 && guard < list.length * list.length + 1; guard++) {
    const at = left.findIndex((a) => !left.some((b) => needs(a, b)))
    out.push(...left.splice(at === -1 ? 0 : at, 1))
  }
  return [...out, ...left]
}

export async function exportPostman(loaded: LoadedCollection): Promise<{ json: Json; skipped: string[] }> {
  const { info, folders } = loaded
  const skipped = info.problems.map((p) => `${p.path}: not exported (${p.message})`)
  const { hoisted, stay } = hoistFolderVariables(info.variables, folders)
  const items = async (folder: FolderNode, depth: number, placed?: Placed[]): Promise<Json[]> => {
    const out: Placed[] = []
    for (const child of folder.children) {
      if (child.type === 'request') {
        const r = await readRequestFile(
          join(info.dir, ...child.path.split('/')),
          stemOf(basename(child.path)),
        )
        if (!r.ok) {
          skipped.push(`${child.path}: not exported (line ${r.line}: ${r.problem})`)
          continue
        }
        const deps = (r.request.dependsOn ?? []).flatMap((d) => resolveDependency(child.path, d) ?? [])
        out.push({
          json: requestItem(
            exportLiteralBraces(r.request, child.path, 'Postman', skipped),
            child.path,
            skipped,
          ),
          paths: new Set([child.path]),
          deps: new Set(deps),
        })
      } else if (depth < 32) {
        const inner: Placed[] = []
        const item: Json = { name: child.name, item: await items(child, depth + 1, inner) }
        const s = folders.get(child.path)
        const a = s ? postmanAuth(s.auth) : null
        if (a) item['auth'] = a
        const own = (s?.variables ?? []).filter((v) => stay.has(v.name))
        if (own.length > 0) {
          item['variable'] = variables(own)
          skipped.push(
            `${child.path}: folder variables ${own.map((v) => v.name).join(', ')} kept on the folder, where Postman does not read them (other levels give them other values)`,
          )
        }
        const events = levelEvents(s?.scripts)
        if (events.length > 0) item['event'] = events
        out.push({
          json: item,
          paths: new Set(inner.flatMap((p) => [...p.paths])),
          deps: new Set(inner.flatMap((p) => [...p.deps])),
        })
      }
    }
    placed?.push(...out)
    return dependenciesFirst(out).map((p) => p.json)
  }
  const json: Json = {
    info: {
      ...(loaded.settings.id ? { _postman_id: loaded.settings.id } : {}),
      name: info.name,
      schema: POSTMAN_SCHEMA_V21,
    },
    item: await items(info.root, 0),
  }
  const auth = postmanAuth(info.auth)
  if (auth) json['auth'] = auth
  const collectionVariables = [...info.variables, ...hoisted]
  if (collectionVariables.length > 0) json['variable'] = variables(collectionVariables)
  const events = levelEvents(loaded.settings.scripts)
  if (events.length > 0) json['event'] = events
  return { json: postmanNames(json), skipped }
}
