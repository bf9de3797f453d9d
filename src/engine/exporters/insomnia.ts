import { dump } from 'js-yaml'
import type {
  AuthSpec,
  EnvironmentInfo,
  RequestScripts,
  SavedRequest,
  Variable,
} from '../../shared/collection'
import { fileTypeOrDefault } from '../../shared/file-type'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import type { Extraction } from '../../shared/run-spec'
import type { LoadedCollection } from '../collections/loader'
import { readExportTree, type ExportFolder, type ExportRequest } from './export-tree'
import { insomniaOAuth2Fields } from './oauth2-export'
import { insomniaSettingsOf, optionsLeft } from './export-options'
import { fileNamesLeft } from './file-part-names'

/**
 * Export to Insomnia v5 (the YAML Insomnia 10 and later imports): the folder tree under `collection:`, the
 * collection's variables as the base environment and each environment as a sub-environment. `{{name}}`
 * becomes `{{ _.name }}`; dynamic variables become Insomnia's tags. Secret values go out empty. Request and
 * folder scripts go where Insomnia keeps them (`scripts: { preRequest, afterResponse }`). What Insomnia cannot
 * hold (extractions, assertions, the collection's own scripts) is listed in `skipped`.
 */

type Json = Record<string, unknown>

const DYNAMIC: Record<string, string> = {
  $uuid: "{% uuid 'v4' %}",
  $timestamp: "{% now 'unix', '' %}",
  $timestampMs: "{% now 'millis', '' %}",
  $isoTimestamp: "{% now 'iso-8601', '' %}",
}

type Tx = (s: string) => string

/**
 * `{{name}}` -> `{{ _.name }}`, `{{$uuid}}` -> `{% uuid 'v4' %}`; a variable another request extracts becomes
 * Insomnia's response tag on that request (`chains`: variable name -> tag), so the chain survives the trip.
 */
export function insomniaText(s: string, chains: ReadonlyMap<string, string> = new Map()): string {
  return s.replace(/\{\{\s*([$A-Za-z_][\w.-]*)\s*\}\}/g, (m, name: string) =>
    name.startsWith('$') ? (DYNAMIC[name] ?? m) : (chains.get(name) ?? `{{ _.${name} }}`),
  )
}

/** The response tag that reads what `x` extracts from request `reqId`; null when Insomnia cannot say it. */
function chainTag(reqId: string, x: Extraction): string | null {
  const b64 = (f: string): string => `b64::${Buffer.from(f, 'utf8').toString('base64')}::46b`
  if (x.from === 'json') return `{% response 'body', '${reqId}', '${b64(x.path)}', 'always', 60 %}`
  if (x.from === 'header') return `{% response 'header', '${reqId}', '${b64(x.header)}', 'always', 60 %}`
  return null
}

/** A stable id from a path, in Insomnia's `prefix_hex` shape. */
function idOf(prefix: string, key: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (let i = 0; i < key.length; i++) {
    h1 = Math.imul(h1 ^ key.charCodeAt(i), 0x01000193) >>> 0
    h2 = Math.imul(h2 ^ key.charCodeAt(i), 0x811c9dc5) >>> 0
  }
  return `${prefix}_${h1.toString(16).padStart(8, '0')}${h2.toString(16).padStart(8, '0')}`
}

function pairs(list: readonly KeyValue[], tx: Tx): Json[] {
  return list.map((p) => ({
    name: tx(p.name),
    value: tx(p.value),
    ...(p.enabled ? {} : { disabled: true }),
  }))
}

function auth(a: AuthSpec, tx: Tx): Json | undefined {
  switch (a.type) {
    case 'inherit':
      return undefined
    case 'none':
      return { type: 'none', disabled: false }
    case 'basic':
    case 'digest':
      return { type: a.type, username: tx(a.username), password: tx(a.password) }
    case 'bearer':
      return { type: 'bearer', token: tx(a.token), prefix: a.prefix === undefined ? '' : tx(a.prefix.trim()) }
    case 'apikey':
      return {
        type: 'apikey',
        key: tx(a.key),
        value: tx(a.value),
        addTo: a.in === 'query' ? 'queryParams' : 'header',
      }
    case 'oauth2':
      return insomniaOAuth2Fields(a, tx)
  }
}

/**
 * The body as Insomnia holds it. A text part's own type goes in `multiline` (Insomnia sends a string there as
 * the part's Content-Type); a file part has no type field, since Insomnia always sends the type its name says:
 * a typed file part whose type differs is listed in `skipped`.
 */
function body(b: RequestBody, tx: Tx, where: string, skipped: string[]): Json | undefined {
  switch (b.kind) {
    case 'none':
      return undefined
    case 'json':
      return { mimeType: 'application/json', text: tx(b.text) }
    case 'text':
      return { mimeType: b.contentType, text: tx(b.text) }
    case 'form':
      return { mimeType: 'application/x-www-form-urlencoded', params: pairs(b.fields, tx) }
    case 'multipart':
      return {
        mimeType: 'multipart/form-data',
        params: b.parts.map((p) =>
          p.kind === 'text'
            ? {
                name: tx(p.name),
                value: tx(p.value),
                ...(p.contentType ? { multiline: p.contentType } : {}),
                ...(p.enabled ? {} : { disabled: true }),
              }
            : {
                name: tx(p.name),
                type: 'file',
                fileName: filePartName(p, where, skipped),
                ...(p.enabled ? {} : { disabled: true }),
              },
        ),
      }
    case 'file':
      return { mimeType: 'application/octet-stream', fileName: b.path }
  }
}

function filePartName(p: Extract<MultipartPart, { kind: 'file' }>, where: string, skipped: string[]): string {
  const guessed = fileTypeOrDefault(p.path)
  if (p.contentType && p.contentType.toLowerCase() !== guessed)
    skipped.push(
      `${where}: file part "${p.name}" goes as ${guessed} in Insomnia, not ${p.contentType} (Insomnia types a file part by its name)`,
    )
  return p.path
}

function environmentData(vars: readonly Variable[], tx: Tx = (x) => insomniaText(x)): Json {
  return Object.fromEntries(vars.map((v) => [v.name, v.secret ? '' : tx(v.value)]))
}

/**
 * Scripts as a v5 file holds them on a request or a folder. The text goes as written (a script's `{{name}}` is
 * the script's own string, not a template); a `translated` script goes too: its checks have no Insomnia field,
 * the script is what Insomnia can run.
 */
function scriptsOut(s: RequestScripts | undefined): Json {
  const pre = s?.preRequest ?? ''
  const after = s?.test ?? ''
  if (pre.trim() === '' && after.trim() === '') return {}
  return {
    scripts: {
      ...(pre.trim() !== '' ? { preRequest: pre } : {}),
      ...(after.trim() !== '' ? { afterResponse: after } : {}),
    },
  }
}

function requestItem(
  node: ExportRequest,
  sortKey: number,
  skipped: string[],
  tx: Tx,
  inherited: AuthSpec,
): Json | null {
  const r = node.request
  const left: string[] = []
  if (r.assertions?.length) left.push('assertions')
  if (r.extract?.some((x) => x.from === 'regex')) left.push('regex extractions')
  if (r.scripts && r.kind !== 'http' && Object.keys(scriptsOut(r.scripts)).length > 0) left.push('scripts')
  if (r.followJob || r.longPoll || r.waitForWebhook) left.push('what it does after its response')
  const used = r.auth.type === 'inherit' ? inherited : r.auth
  // Insomnia sends an OAuth 2.0 token in the Authorization header only.
  if (used.type === 'oauth2' && used.tokenIn === 'query') left.push('the OAuth 2.0 token sent in the query')
  if (left.length > 0)
    skipped.push(`${node.path}: ${left.join(', ')} not exported (Insomnia has no such field)`)
  const meta: Json = { id: idOf(r.kind === 'ws' ? 'ws-req' : 'req', node.path), sortKey }
  if (r.description) meta['description'] = r.description
  if (r.kind === 'ws') {
    webSocketLeft(r, node.path, skipped)
    return {
      url: tx(r.url),
      name: r.name,
      meta,
      headers: pairs([...r.headers, ...subprotocolHeader(r)], tx),
      ...auth0(r.auth.type === 'inherit' ? inherited : r.auth, tx),
    }
  }
  if (r.kind !== 'http') {
    skipped.push(`${node.path}: not exported (Insomnia has no ${r.kind} requests)`)
    return null
  }
  const out: Json = { url: tx(r.url), name: r.name, meta, method: r.method }
  const b = body(r.body, tx, node.path, skipped)
  if (b) out['body'] = b
  fileNamesLeft(r.body, 'Insomnia', node.path, skipped)
  if (r.disabledParams?.length) out['parameters'] = pairs(r.disabledParams, tx)
  const headers = [...r.headers, ...fileBodyType(r)]
  if (headers.length > 0) out['headers'] = pairs(headers, tx)
  Object.assign(out, auth0(r.auth.type === 'inherit' ? inherited : r.auth, tx), scriptsOut(r.scripts))
  const settings = insomniaSettingsOf(r.options, node.path, skipped)
  if (settings) out['settings'] = settings
  return out
}

/**
 * Insomnia has no subprotocol field: its WebSocket client offers the subprotocols of a `Sec-WebSocket-Protocol`
 * header, which is where its users write them. A header of that name the request has already says them.
 */
function subprotocolHeader(r: SavedRequest): KeyValue[] {
  if (r.protocols.length === 0) return []
  if (r.headers.some((h) => h.enabled && h.name.toLowerCase() === 'sec-websocket-protocol')) return []
  return [{ name: 'Sec-WebSocket-Protocol', value: r.protocols.join(', '), enabled: true }]
}

/**
 * What a WebSocket request has that an Insomnia one cannot hold, named: its saved messages (Insomnia keeps one
 * draft payload, not a list), when a run's step ends, and its options (Insomnia sets certificate checks and
 * timeouts for the whole app).
 */
function webSocketLeft(r: SavedRequest, where: string, skipped: string[]): void {
  const n = r.messages.length
  const names = r.messages.slice(0, 5).map((m) => m.name)
  const left = [
    n > 0 ? `${n} saved message${n === 1 ? '' : 's'} (${names.join(', ')}${n > 5 ? ', …' : ''})` : '',
    r.stop ? "when a run's step ends" : '',
  ].filter((x) => x !== '')
  if (left.length > 0)
    skipped.push(
      `${where}: ${left.join(', ')} not exported (an Insomnia WebSocket request has no such field)`,
    )
  optionsLeft(r.options, 'Insomnia', where, skipped)
}

/**
 * Insomnia sends a file body with no Content-Type unless a header gives one (its app adds one when a file is
 * chosen); Flightdeck sends the body's type, else the type the file's name says. The header keeps that.
 */
function fileBodyType(r: SavedRequest): KeyValue[] {
  if (r.body.kind !== 'file') return []
  if (r.headers.some((h) => h.enabled && h.name.toLowerCase() === 'content-type')) return []
  return [
    { name: 'Content-Type', value: r.body.contentType || fileTypeOrDefault(r.body.path), enabled: true },
  ]
}

function auth0(a: AuthSpec, tx: Tx): Json {
  const x = auth(a, tx)
  return x ? { authentication: x } : {}
}

function folderItems(f: ExportFolder, skipped: string[], tx: Tx, inherited: AuthSpec): Json[] {
  return f.children.flatMap((c, i): Json[] => {
    if (c.type === 'request') {
      const item = requestItem(c, (i + 1) * 100, skipped, tx, inherited)
      return item ? [item] : []
    }
    const out: Json = { name: c.name, meta: { id: idOf('fld', c.path), sortKey: (i + 1) * 100 } }
    // A folder's own texts keep plain variables: Insomnia reads a response tag per request, not per folder.
    if (c.variables.length > 0) out['environment'] = environmentData(c.variables)
    Object.assign(
      out,
      auth0(c.auth, (x) => insomniaText(x)),
      scriptsOut(c.scripts),
    )
    // The collection's auth has no place in a v5 file: it goes to the requests that inherit it, through
    // folders that inherit too; below a folder with auth of its own, Insomnia inherits as Flightdeck does.
    out['children'] = folderItems(c, skipped, tx, c.auth.type === 'inherit' ? inherited : { type: 'inherit' })
    return [out]
  })
}

export async function exportInsomnia(loaded: LoadedCollection): Promise<{ text: string; skipped: string[] }> {
  const { root, skipped } = await readExportTree(loaded, 'Insomnia')
  if (Object.keys(scriptsOut(root.scripts)).length > 0)
    skipped.push(
      "collection.yaml: the collection's scripts not exported (Insomnia has scripts on folders and requests only; put them on a folder to keep them)",
    )
  const chains = new Map<string, string>()
  const collect = (f: ExportFolder): void => {
    for (const c of f.children) {
      if (c.type === 'folder') collect(c)
      else
        for (const x of c.request.extract ?? []) {
          const tag = chainTag(idOf('req', c.path), x)
          if (tag !== null && !chains.has(x.name)) chains.set(x.name, tag)
        }
    }
  }
  collect(root)
  const tx: Tx = (s) => insomniaText(s, chains)
  const envs: EnvironmentInfo[] = loaded.info.environments
  const doc: Json = {
    type: 'collection.insomnia.rest/5.0',
    name: loaded.info.name,
    meta: { id: idOf('wrk', loaded.settings.id ?? loaded.info.dir) },
    collection: folderItems(root, skipped, tx, root.auth),
    environments: {
      name: 'Base Environment',
      meta: { id: idOf('env', 'base') },
      data: environmentData(root.variables),
      ...(envs.length > 0
        ? {
            subEnvironments: envs.map((e) => ({
              name: e.name,
              meta: { id: idOf('env', e.id) },
              data: environmentData(e.variables),
            })),
          }
        : {}),
    },
  }
  return { text: dump(doc, { lineWidth: -1, noRefs: true }), skipped }
}
