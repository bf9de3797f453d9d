import type { SavedMessage } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { slugify } from '../collections/paths'
import { linkChains, type Placed } from './insomnia-chains'
import {
  auth,
  envVariables,
  folderScripts,
  grpcRequest,
  httpRequest,
  kv,
  text,
  withApiKeyCookie,
  type Ctx,
  type Res,
} from './insomnia-fields'
import { apiKeyCookie, copyCookieToInheriting } from './insomnia-cookie-key'
import { TagMapper } from './insomnia-tags'
import {
  copyFolderHeaders,
  notePlace,
  arr,
  emptyPlan,
  ImportError,
  isObj,
  request,
  str,
  type ImportPlan,
  type PlanNode,
} from './plan'
import { noteFolderOverrides } from './insomnia-folder-env'
import { withoutHandshakeHeaders } from './ws-handshake-import'

/**
 * Insomnia v4 exports (JSON): workspace, folders (request groups), requests, WebSocket requests, environments.
 * Insomnia v5 (YAML) is turned into the same resources first (insomnia-v5.ts). Here: the tree, the environments
 * and what is left out; each resource's fields are mapped in insomnia-fields.ts, response chains linked in
 * insomnia-chains.ts.
 */

export { isBoundaryless, type Res } from './insomnia-fields'

const MAX_DEPTH = 32
/** A request file holds at most this many saved messages (collection.ts's limit). */
const MAX_MESSAGES = 1000
const MAX_MESSAGE_CHARS = 16 * 1024 * 1024

const sorted = (list: Res[]): Res[] =>
  [...list].sort((a, b) => Number(a['metaSortKey'] ?? 0) - Number(b['metaSortKey'] ?? 0))

export function isInsomniaExport(data: unknown): boolean {
  return (
    isObj(data) &&
    data['_type'] === 'export' &&
    Number(data['__export_format']) === 4 &&
    Array.isArray(data['resources'])
  )
}

export function importInsomnia(data: unknown): ImportPlan {
  if (!isInsomniaExport(data) || !isObj(data)) throw new ImportError('not an Insomnia v4 export')
  return importInsomniaResources(arr(data['resources']).filter(isObj) as Res[])
}

/** The workspace's resources (v4 as exported, or v5 turned into them) to a plan. */
export function importInsomniaResources(resources: Res[], fallbackName = 'Insomnia import'): ImportPlan {
  const byParent = new Map<string, Res[]>()
  for (const r of resources) {
    const p = str(r['parentId'])
    const list = byParent.get(p)
    if (list) list.push(r)
    else byParent.set(p, [r])
  }
  const workspaces = resources.filter((r) => r['_type'] === 'workspace')
  const workspace = workspaces[0]
  const plan = emptyPlan(str(workspace?.['name'], fallbackName))
  const u = plan.unmapped
  if (workspaces.length > 1)
    u.push(`${workspaces.length - 1} more workspace(s) in the file left out: import them one at a time`)
  const wsId = str(workspace?.['_id'])
  const names = new Map<string, string>()
  for (const r of resources)
    if (r['_type'] === 'request') names.set(str(r['_id']), str(r['name'], 'Untitled'))
  const tags = new TagMapper(names, u)
  const c = (owner: string): Ctx => ({ u, tags, owner })
  const placed = new Map<string, Placed>()

  const handled = new Set<unknown>()
  const children = (parentId: string, path: string, folders: string[], depth: number): PlanNode[] => {
    const out: PlanNode[] = []
    // The writer names files after their requests, -2, -3 on a clash: the same rule predicts each path.
    const taken = { files: new Set<string>(), dirs: new Set<string>() }
    const unique = (set: Set<string>, stem: string): string => {
      let name = stem
      for (let i = 2; set.has(name) && i < 10_000; i++) name = `${stem}-${i}`
      set.add(name)
      return name
    }
    for (const r of sorted(byParent.get(parentId) ?? [])) {
      const name = str(r['name'], 'Untitled')
      const where = notePlace(path, name)
      const id = str(r['_id'])
      switch (r['_type']) {
        case 'request_group': {
          handled.add(r)
          if (depth >= MAX_DEPTH) {
            u.push(`${where}: folders nested deeper than ${MAX_DEPTH} left out`)
            break
          }
          const slug = unique(taken.dirs, slugify(name, 'folder'))
          const scripts = folderScripts(r)
          if (scripts)
            u.push(
              `${where}: folder scripts kept in folder.yaml; they run for every request below it, in the script sandbox`,
            )
          const below = children(id, where, [...folders, slug], depth + 1)
          // Insomnia sends a folder's headers with every request in it.
          copyFolderHeaders(below, kv(r['headers'], c(''), where), (l) => u.push(l), where)
          const cookie = apiKeyCookie(r['authentication'], (raw) => text(raw, c(''), where))
          if (cookie)
            u.push(
              `${where}: its API key is sent in a cookie, as Insomnia sends it: copied as a Cookie header into ${copyCookieToInheriting(below, cookie)} request(s) below it that inherit its auth (Flightdeck's API key auth goes in a header or the query)`,
            )
          out.push({
            type: 'folder',
            folder: {
              name,
              variables: envVariables(r['environment'], c(''), where),
              auth: auth(r['authentication'], c(''), where),
              ...(scripts ? { scripts } : {}),
              children: below,
            },
          })
          break
        }
        case 'request': {
          handled.add(r)
          const req = httpRequest(r, name, where, c(id))
          placed.set(id, { folders, file: `${unique(taken.files, slugify(req.name))}.yaml`, request: req })
          out.push({ type: 'request', request: req })
          break
        }
        case 'websocket_request': {
          handled.add(r)
          const headers = withoutHandshakeHeaders(
            withApiKeyCookie(kv(r['headers'], c(id), where), r['authentication'], c(id), where),
            where,
            (l) => u.push(l),
          )
          const payloads = (byParent.get(id) ?? []).filter((p) => p['_type'] === 'websocket_payload')
          for (const p of payloads) handled.add(p)
          const req = request(name, {
            kind: 'ws',
            url: text(r['url'], c(id), where),
            ...subprotocolsOf(headers),
            auth: auth(r['authentication'], c(id), where),
            messages: savedMessagesOf(payloads, c(id), where, u),
          })
          unique(taken.files, slugify(req.name))
          out.push({ type: 'request', request: req })
          break
        }
        case 'grpc_request': {
          handled.add(r)
          out.push({ type: 'request', request: grpcRequest(r, name, where, c(id), resources, u) })
          unique(taken.files, slugify(name))
          break
        }
        default:
          break
      }
    }
    return out
  }
  plan.children = children(wsId, '', [], 0)
  linkChains(tags, placed, u)

  // Environments: the base one (child of the workspace) holds collection variables; its children are environments.
  const base = resources.find((r) => r['_type'] === 'environment' && str(r['parentId']) === wsId)
  if (base) {
    handled.add(base)
    plan.variables = envVariables(base['data'], c(''), 'base environment')
    for (const env of resources.filter(
      (r) => r['_type'] === 'environment' && str(r['parentId']) === str(base['_id']),
    )) {
      handled.add(env)
      const name = str(env['name'], 'Environment')
      plan.environments.push({ name, variables: envVariables(env['data'], c(''), `environment ${name}`) })
    }
  }
  for (const r of resources) {
    if (handled.has(r) || r === workspace) continue
    const type = str(r['_type'])
    if (
      type === 'request' ||
      type === 'request_group' ||
      type === 'environment' ||
      type === 'websocket_request' ||
      type === 'grpc_request'
    ) {
      u.push(`${str(r['name'], type)}: not under the workspace; left out`)
    } else if (type === 'websocket_payload') {
      // A payload becomes a saved message of the WebSocket request it sits under; this one's request is not imported.
      u.push(
        `websocket_payload${r['name'] ? ` "${str(r['name'])}"` : ''}: left out (its WebSocket request ${str(r['parentId']).slice(0, 80) || '(none)'} is not imported)`,
      )
    } else {
      u.push(
        `${type}${r['name'] ? ` "${str(r['name'])}"` : ''}: not imported (Flightdeck has no ${type.replace(/_/g, ' ')})`,
      )
    }
  }
  noteFolderOverrides(plan, u)
  return plan
}

/**
 * Insomnia keeps what its WebSocket request's editor holds as `websocket_payload` resources under the request
 * (`value`, and `mode`, the editor's language, which a text message does not need): each becomes a saved message,
 * sent from the request's stream.
 */
function savedMessagesOf(payloads: Res[], c: Ctx, where: string, u: string[]): SavedMessage[] {
  const kept = sorted(payloads)
    .map((p, i) => ({
      name: (str(p['name']).trim() || `message ${i + 1}`).slice(0, 256),
      text: text(p['value'], c, where),
    }))
    .filter((m) => m.text.trim() !== '')
  const large = kept.filter((m) => m.text.length > MAX_MESSAGE_CHARS)
  if (large.length > 0)
    u.push(
      `${where}: ${large.length} saved message(s) over 16 MiB left out (${large.map((m) => m.name).join(', ')})`,
    )
  const fit = kept.length - large.length
  if (fit > MAX_MESSAGES)
    u.push(`${where}: ${fit} saved messages; the first ${MAX_MESSAGES} kept, ${fit - MAX_MESSAGES} left out`)
  return kept.filter((m) => !large.includes(m)).slice(0, MAX_MESSAGES)
}

/**
 * Insomnia's WebSocket client offers the subprotocols a `Sec-WebSocket-Protocol` header lists (it has no field of
 * its own); Flightdeck's are the request's protocols, and the header is left out so they are offered once.
 */
function subprotocolsOf(headers: KeyValue[]): { headers: KeyValue[]; protocols: string[] } {
  const said = headers.filter((h) => h.enabled && h.name.toLowerCase() === 'sec-websocket-protocol')
  if (said.length === 0) return { headers, protocols: [] }
  const protocols = said
    .flatMap((h) => h.value.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .slice(0, 64)
  return { headers: headers.filter((h) => !said.includes(h)), protocols }
}
