import type { AuthSpec, SavedRequest } from '../../shared/collection'
import { isFakeVariable } from '../../shared/fake-variables'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import {
  notePlace,
  arr,
  partContentType,
  emptyPlan,
  ImportError,
  isObj,
  method,
  refuseTooLarge,
  request,
  str,
  type ImportPlan,
  type PlanFolder,
  type PlanNode,
} from './plan'
import { applyScripts, eventScripts, levelScripts, linkDependencies, reportScripts } from './postman-events'
import { keepsBody, mergeProfile, profileOptions, reportProfile, type Profile } from './postman-profile'
import { postmanUrl } from './postman-url'
import { jsonText, TOO_DEEP_FOR_TEXT } from './postman-json-values'
import { postmanVariables, reportFolderVariables, reportLegacyVariables } from './postman-variables'
import { postmanOAuth2 } from './oauth2-import'
import { fromPostmanGraphql, postmanGraphqlMethodNote } from '../graphql/graphql-postman'

/** Postman collections (v2.0 and v2.1) and Postman environments. */

const MAX_DEPTH = 32
/** A multipart body's most parts (the request file's limit). */
const MAX_PARTS = 1000

function isBareCollection(data: unknown): data is Record<string, unknown> {
  return (
    isObj(data) &&
    isObj(data['info']) &&
    /schema\.getpostman\.com\/json\/collection\/v2/.test(str(data['info']['schema']))
  )
}

/**
 * The collection itself: a collection file, or the `{ "collection": … }` envelope Postman's API answers with
 * (and some exports made through it are saved as); null when it is neither.
 */
function collectionOf(data: unknown): Record<string, unknown> | null {
  if (isBareCollection(data)) return data
  if (isObj(data) && Object.keys(data).length === 1 && isBareCollection(data['collection']))
    return data['collection']
  return null
}

export function isPostmanCollection(data: unknown): boolean {
  return collectionOf(data) !== null
}

/** A Postman environment or globals export (v2.0 and v2.1 have the same shape: `values` of key/value rows). */
export function isPostmanEnvironment(data: unknown): boolean {
  if (!isObj(data) || !Array.isArray(data['values'])) return false
  const scope = data['_postman_variable_scope']
  if (scope === 'environment' || scope === 'globals') return true
  return typeof data['name'] === 'string' && data['values'].every((v) => isObj(v) && 'key' in v)
}

/**
 * Postman's dynamic variables under another Flightdeck name; its random-data ones (`{{$randomEmail}}`) keep
 * theirs, and any other `{{$name}}` is reported.
 */
const DYNAMIC: Record<string, string> = {
  $guid: '$uuid',
  $randomUUID: '$uuid',
  $uuid: '$uuid',
  $timestamp: '$timestamp',
  $isoTimestamp: '$isoTimestamp',
  $randomInt: '$randomInt',
}

function text(v: unknown, unmapped: string[], where: string): string {
  return str(v).replace(/\{\{\s*(\$[A-Za-z]+)\s*\}\}/g, (m, name: string) => {
    const twin = DYNAMIC[name]
    if (twin) return `{{${twin}}}`
    if (isFakeVariable(name)) return m
    const line = `${where}: Postman dynamic variable {{${name}}} has no Flightdeck equivalent; kept as text`
    if (!unmapped.includes(line)) unmapped.push(line)
    return m
  })
}

/** v2.1 auth params are [{ key, value }]; v2.0's are a plain object. */
function authParams(v: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (Array.isArray(v)) {
    for (const p of v) if (isObj(p)) out[str(p['key'])] = str(p['value'])
  } else if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = str(val)
  }
  return out
}

export function postmanAuth(v: unknown, unmapped: string[], where: string): AuthSpec {
  if (!isObj(v)) return { type: 'inherit' }
  const type = str(v['type'])
  const p = authParams(v[type])
  const t = (s: string | undefined): string => text(s ?? '', unmapped, where)
  switch (type) {
    // Postman's "Inherit auth from parent", written out: the same as no auth object at all.
    case 'inherit':
      return { type: 'inherit' }
    case 'noauth':
      return { type: 'none' }
    case 'basic':
      return { type: 'basic', username: t(p['username']), password: t(p['password']) }
    case 'digest':
      return { type: 'digest', username: t(p['username']), password: t(p['password']) }
    case 'bearer':
      return { type: 'bearer', token: t(p['token']) }
    case 'apikey':
      return {
        type: 'apikey',
        key: t(p['key']),
        value: t(p['value']),
        in: p['in'] === 'query' ? 'query' : 'header',
      }
    case 'oauth2':
      return postmanOAuth2((k) => t(p[k]), unmapped, where)
    default:
      unmapped.push(`${where}: auth type "${type}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

function kv(list: unknown, unmapped: string[], where: string): KeyValue[] {
  // v2.0 allows headers as one string, a `Name: value` per line (`//` starts a disabled one).
  if (typeof list === 'string')
    return list
      .split(/\r?\n/)
      .filter((l) => l.includes(':'))
      .slice(0, 1000)
      .map((l) => {
        const off = l.trimStart().startsWith('//')
        const line = off ? l.trimStart().slice(2) : l
        const at = line.indexOf(':')
        return {
          name: text(line.slice(0, at).trim(), unmapped, where),
          value: text(line.slice(at + 1).trim(), unmapped, where),
          enabled: !off,
        }
      })
  return arr(list)
    .filter(isObj)
    .map((h) => ({
      name: text(h['key'], unmapped, where),
      value: text(h['value'], unmapped, where),
      enabled: h['disabled'] !== true,
    }))
}

function body(v: unknown, unmapped: string[], where: string, headers: KeyValue[]): RequestBody {
  if (!isObj(v) || v['disabled'] === true) return { kind: 'none' }
  const mode = str(v['mode'])
  switch (mode) {
    case 'raw': {
      const raw = text(v['raw'], unmapped, where)
      const lang =
        isObj(v['options']) && isObj(v['options']['raw']) ? str(v['options']['raw']['language']) : ''
      const ct = headers.find((h) => h.enabled && h.name.toLowerCase() === 'content-type')?.value ?? ''
      if (lang === 'json' || /json/i.test(ct)) return { kind: 'json', text: raw }
      const types: Record<string, string> = {
        xml: 'application/xml',
        html: 'text/html',
        javascript: 'application/javascript',
      }
      return { kind: 'text', text: raw, contentType: ct || types[lang] || 'text/plain' }
    }
    case 'urlencoded':
      return { kind: 'form', fields: kv(v['urlencoded'], unmapped, where) }
    case 'formdata': {
      const parts: MultipartPart[] = []
      for (const p of arr(v['formdata']).filter(isObj)) {
        const enabled = p['disabled'] !== true
        const name = text(p['key'], unmapped, where)
        const type = str(p['contentType']).trim()
        if (p['type'] === 'file') {
          // Postman sends every file of a part (src is a list when several were picked), each as a part of that name.
          const srcs = (Array.isArray(p['src']) ? p['src'].map((s) => str(s)) : [str(p['src'])]).filter(
            (s) => s !== '',
          )
          if (srcs.length === 0) {
            unmapped.push(`${where}: form-data file part "${name}" has no file; left out`)
            continue
          }
          for (const path of srcs.slice(0, MAX_PARTS))
            parts.push({ kind: 'file', name, path, ...(type ? { contentType: type } : {}), enabled })
        } else {
          const value = text(p['value'], unmapped, where)
          parts.push({ kind: 'text', name, value, ...partContentType(type, name, unmapped, where), enabled })
        }
      }
      if (parts.length > MAX_PARTS)
        unmapped.push(
          `${where}: form-data parts past the first ${MAX_PARTS} left out (${parts.length - MAX_PARTS})`,
        )
      return { kind: 'multipart', parts: parts.slice(0, MAX_PARTS) }
    }
    case 'file': {
      const src = isObj(v['file']) ? str(v['file']['src']) : ''
      if (src === '') {
        unmapped.push(`${where}: binary body has no file; left out`)
        return { kind: 'none' }
      }
      return { kind: 'file', path: src }
    }
    case 'graphql': {
      const g = isObj(v['graphql']) ? v['graphql'] : {}
      let variables: unknown = {}
      try {
        variables = JSON.parse(str(g['variables']) || '{}')
      } catch {
        unmapped.push(`${where}: GraphQL variables are not JSON; left out`)
      }
      if (variables !== null && typeof variables === 'object' && jsonText(variables) === null) {
        unmapped.push(`${where}: ${DEEP_VARIABLES}`)
        variables = {}
      }
      return { kind: 'json', text: `${JSON.stringify({ query: str(g['query']), variables }, null, 2)}\n` }
    }
    case '':
      return { kind: 'none' }
    default:
      unmapped.push(`${where}: body mode "${mode}" is not supported; left out`)
      return { kind: 'none' }
  }
}

const DEEP_VARIABLES = `GraphQL variables left out: they are ${TOO_DEEP_FOR_TEXT}`

/** JSON text whose value nests too deeply to keep (writing it back as JSON, to send it, would fail). */
function tooDeepToWrite(text: string): boolean {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return false
  }
  return value !== null && typeof value === 'object' && jsonText(value) === null
}

/** Methods whose body Postman leaves out unless the request's protocolProfileBehavior.disableBodyPruning is on. */
const PRUNED: ReadonlySet<string> = new Set(['GET', 'COPY', 'HEAD', 'PURGE', 'UNLOCK'])

/** What an import carries while it walks the items. */
interface Walk {
  unmapped: string[]
}

/**
 * The folders and requests `item` (below) will make, counted from the source alone: a collection over the
 * import limit is refused before any per-request work (a 250,000-request file was seconds of planning).
 */
function countItems(list: unknown): { requests: number; folders: number } {
  const counts = { requests: 0, folders: 0 }
  const walk = (items: unknown, depth: number): void => {
    for (const v of arr(items)) {
      if (!isObj(v)) continue
      if (Array.isArray(v['item'])) {
        if (depth >= MAX_DEPTH) continue
        counts.folders++
        walk(v['item'], depth + 1)
      } else if (typeof v['request'] === 'string' || isObj(v['request'])) counts.requests++
    }
  }
  walk(list, 0)
  return counts
}

function item(
  v: Record<string, unknown>,
  walk: Walk,
  path: string,
  depth: number,
  parentProfile: Profile,
): PlanNode | null {
  const unmapped = walk.unmapped
  const name = str(v['name'], 'Untitled').trim() || 'Untitled'
  const where = notePlace(path, name)
  if (Array.isArray(v['item'])) {
    if (depth >= MAX_DEPTH) {
      unmapped.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
      return null
    }
    const own = eventScripts(v['event'])
    reportScripts(own, where, (l) => unmapped.push(l), 'folder.yaml')
    const scripts = levelScripts(own)
    reportFolderVariables(v['variable'], where, unmapped)
    reportProfile(v['protocolProfileBehavior'], where, (l) => unmapped.push(l))
    const profile = mergeProfile(parentProfile, v['protocolProfileBehavior'])
    const folder: PlanFolder = {
      name,
      variables: [],
      auth: postmanAuth(v['auth'], unmapped, where),
      ...(scripts ? { scripts } : {}),
      children: v['item'].filter(isObj).flatMap((c) => item(c, walk, where, depth + 1, profile) ?? []),
    }
    if (str(v['description']) !== '') unmapped.push(`${where}: folder description not imported`)
    return { type: 'folder', folder }
  }
  const r =
    typeof v['request'] === 'string' ? { url: v['request'] } : isObj(v['request']) ? v['request'] : null
  if (!r) {
    unmapped.push(`${where}: not a request or folder; left out`)
    return null
  }
  const headers = kv(r['header'], unmapped, where)
  reportProfile(v['protocolProfileBehavior'], where, (l) => unmapped.push(l))
  const profile = mergeProfile(parentProfile, v['protocolProfileBehavior'])
  const options = profileOptions(profile)
  const description = isObj(r['description']) ? str(r['description']['content']) : str(r['description'])
  const u = postmanUrl(
    r['url'],
    (t) => text(t, unmapped, where),
    (line) => unmapped.push(`${where}: ${line}`),
  )
  // A GraphQL body makes a GraphQL request (its JSON body below stays the fallback should it not read); what
  // that fallback could not carry (variables with an unquoted {{variable}} are no JSON) is not reported then.
  const gql = isObj(r['body']) && r['body']['mode'] === 'graphql' && r['body']['disabled'] !== true
  const g = gql && isObj(r['body']) ? fromPostmanGraphql(r['body']['graphql']) : null
  if (g?.variables !== undefined && tooDeepToWrite(g.variables)) {
    unmapped.push(`${where}: ${DEEP_VARIABLES}`)
    delete g.variables
  }
  const saved: SavedRequest = request(name, {
    method: method(r['method'], unmapped, where),
    url: u.url,
    ...(u.disabledParams.length > 0 ? { disabledParams: u.disabledParams } : {}),
    description,
    headers,
    body: body(r['body'], g ? [] : unmapped, where, headers),
    auth: postmanAuth(r['auth'], unmapped, where),
    ...(Object.keys(options).length > 0 ? { options } : {}),
  })
  if (g) {
    Object.assign(saved, { kind: 'graphql', graphql: g, body: { kind: 'none' } })
    const note = postmanGraphqlMethodNote(saved.method, keepsBody(profile))
    if (note) unmapped.push(`${where}: ${note}`)
  } else if (saved.body.kind !== 'none' && PRUNED.has(saved.method) && !keepsBody(profile)) {
    unmapped.push(
      `${where}: the ${saved.method}'s body is left out: Postman does not send it (the request's "disableBodyPruning" setting is off)`,
    )
    saved.body = { kind: 'none' }
  }
  const responses = arr(v['response']).length
  if (responses > 0)
    unmapped.push(`${where}: ${responses} saved example response${responses > 1 ? 's' : ''} not imported`)
  const own = eventScripts(v['event'])
  reportScripts(own, where, (l) => unmapped.push(l))
  return { type: 'request', request: applyScripts(saved, own) }
}

export function importPostmanCollection(source: unknown): ImportPlan {
  const data = collectionOf(source)
  if (!data) throw new ImportError('not a Postman collection (v2.0 or v2.1)')
  refuseTooLarge(countItems(data['item']))
  const info = data['info'] as Record<string, unknown>
  const plan = emptyPlan(str(info['name'], 'Imported collection'))
  const u = plan.unmapped
  plan.variables = postmanVariables(data['variable'], u, 'collection', (t) => text(t, u, 'collection'))
  reportLegacyVariables(data['variables'], u)
  plan.auth = postmanAuth(data['auth'], u, 'collection')
  const walk: Walk = { unmapped: u }
  const own = eventScripts(data['event'])
  reportScripts(own, 'collection', (l) => u.push(l), 'collection.yaml')
  const scripts = levelScripts(own)
  if (scripts) plan.scripts = scripts
  reportProfile(data['protocolProfileBehavior'], 'collection', (l) => u.push(l))
  const profile = mergeProfile({}, data['protocolProfileBehavior'])
  plan.children = arr(data['item'])
    .filter(isObj)
    .flatMap((c) => item(c, walk, '', 0, profile) ?? [])
  linkDependencies(plan.children)
  return plan
}

/** A Postman environment, or the globals (which become an environment named for them). */
export function importPostmanEnvironment(data: unknown): ImportPlan {
  if (!isPostmanEnvironment(data) || !isObj(data)) throw new ImportError('not a Postman environment')
  const globals = data['_postman_variable_scope'] === 'globals'
  const name = str(data['name'], globals ? 'Globals' : 'Environment') || (globals ? 'Globals' : 'Environment')
  const plan = emptyPlan(name)
  const where = `${globals ? 'globals' : 'environment'} ${name}`
  plan.environments.push({
    name,
    variables: postmanVariables(data['values'], plan.unmapped, where, (t) => text(t, plan.unmapped, where)),
  })
  if (globals)
    plan.unmapped.push(
      `globals ${name}: imported as the environment "${name}" (choose it to use them; Flightdeck has no global scope in a collection)`,
    )
  return plan
}
