import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import { isBase64Text } from '../har/har-base64'
import { withRecordedPartHeaders } from '../har/har-multipart-text'
import { harFileName } from '../har/har-post-data'
import { LiteralBraces } from './har-literal-braces'
import { HarSecrets } from './har-secrets'
import { harWebSocket, isWebSocketEntry } from './har-websocket'
import {
  arr,
  emptyPlan,
  ImportError,
  isObj,
  MAX_IMPORT_ITEMS,
  method,
  request,
  str,
  type ImportPlan,
  type PlanFile,
  type PlanNode,
} from './plan'

/**
 * HAR 1.2 (a browser's "Save all as HAR"): one request per entry, in folders by host. Recorded credentials
 * (Authorization, cookies, passwords and tokens in forms, JSON and query strings) become secret variables
 * (./har-secrets.ts), never plain text in the files. A recorded `{{` stays text, never a variable
 * (./har-literal-braces.ts).
 */

/** Headers the engine sets itself, and HTTP/2 pseudo-headers, are not copied. */
const SKIP = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive'])

/** Content codings the engine decodes (decoders.ts); a browser also offers zstd, which Node 20 cannot undo. */
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br', 'identity', '*'])

/** A recorded Accept-Encoding with only the codings the engine decodes (`identity` when none is left). */
function decodableCodings(value: string): string {
  if (value.trim() === '') return value
  const all = value.split(',').map((c) => c.trim())
  const kept = all.filter((c) => DECODABLE.has((c.split(';')[0] ?? '').trim().toLowerCase()))
  if (kept.length === all.length) return value
  return kept.length > 0 ? kept.join(', ') : 'identity'
}

export function isHar(data: unknown): boolean {
  return isObj(data) && isObj(data['log']) && Array.isArray(data['log']['entries'])
}

/** Whether `text` has a control character (a file name with one is no path to write). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

/**
 * `files`: a line for the report for each file part (its bytes are not in the HAR);
 * `ownFiles`: the bytes of a binary body, for the import to write (entry `entry`, counted from 1).
 */
function body(
  post: unknown,
  headers: KeyValue[],
  files: string[],
  entry: number,
  ownFiles: PlanFile[],
): RequestBody {
  if (!isObj(post)) return { kind: 'none' }
  const mime = str(post['mimeType']).split(';')[0]?.trim() ?? ''
  const params = arr(post['params']).filter(isObj)
  if (mime === 'application/x-www-form-urlencoded' && params.length > 0) {
    return {
      kind: 'form',
      fields: params.map((p) => ({ name: str(p['name']), value: str(p['value']), enabled: true })),
    }
  }
  if (mime === 'multipart/form-data' && params.length > 0) {
    // Chrome's params name a file part without its filename or type: the recorded text has them.
    const described = withRecordedPartHeaders(params, str(post['mimeType']), str(post['text']))
    // A part's own type (HAR 1.2 `contentType`) goes with it when it is one header line the sender can write.
    // A file part (one with a `fileName`) stays a file part with that file name and no path: a HAR has the name,
    // not the bytes, and a name read from the collection folder would send whatever `.env` is already there. The
    // part is refused at Send until the person chooses its file; the report names each such part. Only the
    // name's last segment is kept: a shared HAR's `/home/you/.ssh/id_rsa` is no file name to send.
    const parts = described.map((p): MultipartPart => {
      const partType = str(p['contentType'])
      const typed = /^[\x20-\x7e]{1,256}$/.test(partType) ? { contentType: partType } : {}
      const recorded = str(p['fileName'])
      const fileName = harFileName(recorded)
      if (fileName !== '' && fileName.length <= 1024 && !hasControl(fileName)) {
        files.push(
          `file part "${str(p['name'])}" (${fileName}) needs a file: a HAR has no file bytes, choose its file in the Body tab (it is not sent until then)`,
        )
        return { kind: 'file', name: str(p['name']), path: '', fileName, ...typed, enabled: true }
      }
      if (recorded !== '')
        files.push(
          `file part "${str(p['name'])}": its file name is no path a request can name; imported as text`,
        )
      return { kind: 'text', name: str(p['name']), value: str(p['value']), ...typed, enabled: true }
    })
    const type = headers.findIndex((h) => h.name.toLowerCase() === 'content-type')
    // The boundary belongs to the body the engine builds, not to the recorded one.
    if (type !== -1) headers.splice(type, 1)
    return { kind: 'multipart', parts }
  }
  const recorded = str(post['text'])
  if (recorded === '') return { kind: 'none' }
  const decoded = decodedText(post, recorded)
  if (decoded.kind === 'bytes') {
    const path = `${BODIES_FOLDER}/entry-${entry}.bin`
    // The report line is the writer's: only it knows the folder the file lands in.
    ownFiles.push({
      path,
      bytes: decoded.bytes,
      said: `its body is ${decoded.bytes.length.toLocaleString('en-US')} bytes of binary (base64 in the HAR)`,
    })
    return { kind: 'file', path, contentType: str(post['mimeType']) || 'application/octet-stream' }
  }
  if (decoded.kind === 'not-base64')
    files.push('its body says it is base64 but is not: kept as the text recorded')
  const t = decoded.kind === 'text' ? decoded.text : recorded
  if (/json/i.test(mime)) return { kind: 'json', text: t }
  return { kind: 'text', text: t, contentType: str(post['mimeType']) || 'text/plain' }
}

/** Where a recorded binary body is written, below the import's folder (hidden: no folder in the tree). */
const BODIES_FOLDER = '.har-bodies'

/**
 * A body recorded as base64 (HAR 1.2 has `encoding` only on responses; proxies such as Reqable and Martian
 * write it on `postData` too): its text when the bytes are UTF-8, else the bytes. A plain body is as recorded.
 */
function decodedText(
  post: Record<string, unknown>,
  text: string,
):
  | { kind: 'plain' }
  | { kind: 'not-base64' }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array } {
  if (str(post['encoding']).toLowerCase() !== 'base64') return { kind: 'plain' }
  if (!isBase64Text(text)) return { kind: 'not-base64' }
  const bytes = Buffer.from(text, 'base64')
  try {
    return { kind: 'text', text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) }
  } catch {
    return { kind: 'bytes', bytes: new Uint8Array(bytes) }
  }
}

export function harCollectionPlan(data: unknown): ImportPlan {
  if (!isHar(data) || !isObj(data)) throw new ImportError('not a HAR file (no log.entries)')
  const log = data['log'] as Record<string, unknown>
  const creator = isObj(log['creator']) ? str(log['creator']['name']) : ''
  const plan = emptyPlan(creator ? `HAR from ${creator}` : 'HAR import')
  const u = plan.unmapped
  const byHost = new Map<string, PlanNode[]>()
  const entries = arr(log['entries']).filter(isObj)
  const braces = new LiteralBraces()
  const secrets = new HarSecrets(braces)
  const ownFiles: PlanFile[] = []
  // Requests and their host folders together stay within what one import writes: the entries past that are
  // counted and reported, not planned (a plan over the limit is refused whole).
  let items = 0
  let kept = 0
  let past = 0
  let undecodable = 0
  entries.forEach((e, i) => {
    if (past > 0) {
      past++
      return
    }
    const r = e['request']
    if (!isObj(r)) {
      u.push(`entry ${i + 1}: no request; left out`)
      return
    }
    let url: URL
    try {
      url = new URL(str(r['url']))
    } catch {
      u.push(`entry ${i + 1}: URL "${str(r['url']).slice(0, 80)}" is not valid; left out`)
      return
    }
    const newHost = !byHost.has(url.host)
    if (items + (newHost ? 2 : 1) > MAX_IMPORT_ITEMS) {
      past = 1
      return
    }
    items += newHost ? 2 : 1
    kept++
    const where = `entry ${i + 1} (${str(r['method'])} ${url.pathname})`
    const recorded: KeyValue[] = arr(r['headers'])
      .filter(isObj)
      .map((h) => ({ name: str(h['name']), value: str(h['value']), enabled: true }))
      .filter((h) => !h.name.startsWith(':') && !SKIP.has(h.name.toLowerCase()))
    for (const h of recorded) {
      if (h.name.toLowerCase() !== 'accept-encoding') continue
      const kept = decodableCodings(h.value)
      if (kept === h.value) continue
      undecodable++
      h.value = kept
    }
    let node: PlanNode
    if (isWebSocketEntry(e, url, recorded)) {
      const ws = harWebSocket(e, url, recorded, (text, label) => secrets.message(text, i, label))
      u.push(`${where}: ${ws.note}`)
      node = {
        type: 'request',
        request: request(`WS ${url.pathname}`, {
          kind: 'ws',
          url: secrets.url(ws.url, i),
          headers: secrets.headers(ws.headers, i),
          protocols: ws.protocols,
          messages: ws.messages,
        }),
      }
    } else {
      const files: string[] = []
      const written = ownFiles.length
      const plain = body(r['postData'], recorded, files, i + 1, ownFiles)
      for (const f of files) u.push(`${where}: ${f}`)
      for (const f of ownFiles.slice(written)) f.said = `${where}: ${f.said}`
      node = {
        type: 'request',
        request: request(`${str(r['method'], 'GET').toUpperCase()} ${url.pathname}`, {
          method: method(r['method'], u, where),
          url: secrets.url(url.href, i),
          headers: secrets.headers(recorded, i),
          body: secrets.body(plain, i),
        }),
      }
    }
    const literal = braces.line(i, where)
    if (literal) u.push(literal)
    // Pushed in place: copying the host's list for every entry made a one-host HAR quadratic.
    const list = byHost.get(url.host)
    if (list) list.push(node)
    else byHost.set(url.host, [node])
  })
  if (undecodable > 0)
    u.push(
      `Accept-Encoding: codings Flightdeck cannot decode (zstd, …) left out in ${undecodable} ${undecodable === 1 ? 'request' : 'requests'}, so servers answer in one it can (the browser's list as recorded offered them)`,
    )
  if (past > 0) {
    const n = (x: number): string => x.toLocaleString('en-US')
    u.push(
      `${n(past)} ${past === 1 ? 'entry' : 'entries'} past the first ${n(kept)} left out (an import writes at most ${n(MAX_IMPORT_ITEMS)} requests and folders)`,
    )
  }
  const moved = secrets.report()
  if (moved) {
    u.push(moved)
    plan.variables.push(...secrets.variables)
  }
  if (entries.some((e) => isObj(e['response'])))
    u.push('recorded responses and timings are not imported (the requests are)')
  if (ownFiles.length > 0) plan.files = ownFiles
  plan.children = [...byHost].map(([host, children]): PlanNode => ({
    type: 'folder',
    folder: { name: host, variables: [], auth: { type: 'inherit' }, children },
  }))
  return plan
}
