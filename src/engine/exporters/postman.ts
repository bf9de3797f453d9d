import { basename, join } from 'node:path'
import type { AuthSpec, FolderNode, SavedRequest, Variable } from '../../shared/collection'
import type { KeyValue, RequestBody } from '../../shared/request'
import { readRequestFile, stemOf, type LoadedCollection } from '../collections/loader'

/**
 * Export a collection as a Postman v2.1 collection. Secret variables go out with their names only (empty
 * values): secrets never leave the machine in an export. Postman's own SDK (postman-collection) reads the
 * result back; the tests prove it.
 */

export const POSTMAN_SCHEMA_V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json'

type Json = Record<string, unknown>

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
    case 'bearer':
      return { type: 'bearer', bearer: params({ token: auth.token }) }
    case 'apikey':
      return { type: 'apikey', apikey: params({ key: auth.key, value: auth.value, in: auth.in }) }
    case 'oauth2':
      return {
        type: 'oauth2',
        oauth2: params({
          grant_type: 'client_credentials',
          accessTokenUrl: auth.tokenUrl,
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          scope: auth.scope,
          client_authentication: auth.clientAuth === 'body' ? 'body' : 'header',
        }),
      }
  }
}

function kv(list: readonly KeyValue[]): Json[] {
  return list.map((h) =>
    h.enabled ? { key: h.name, value: h.value } : { key: h.name, value: h.value, disabled: true },
  )
}

function body(b: RequestBody): Json | null {
  switch (b.kind) {
    case 'none':
      return null
    case 'json':
      return { mode: 'raw', raw: b.text, options: { raw: { language: 'json' } } }
    case 'text':
      return {
        mode: 'raw',
        raw: b.text,
        options: { raw: { language: /xml/.test(b.contentType) ? 'xml' : 'text' } },
      }
    case 'form':
      return { mode: 'urlencoded', urlencoded: kv(b.fields) }
    case 'multipart':
      return {
        mode: 'formdata',
        formdata: b.parts.map((p) => ({
          key: p.name,
          ...(p.kind === 'text' ? { type: 'text', value: p.value } : { type: 'file', src: p.path }),
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

function requestItem(req: SavedRequest): Json {
  const headers = [...req.headers]
  if (req.body.kind === 'text' && !headers.some((h) => h.name.toLowerCase() === 'content-type')) {
    headers.push({ name: 'Content-Type', value: req.body.contentType, enabled: true })
  }
  const r: Json = { method: req.method, header: kv(headers), url: req.url }
  const b = body(req.body)
  if (b) r['body'] = b
  const a = postmanAuth(req.auth)
  if (a) r['auth'] = a
  if (req.description !== '') r['description'] = req.description
  if (req.kind !== 'http')
    r['description'] = `${req.description}\n(Flightdeck ${req.kind.toUpperCase()} request)`.trim()
  return { name: req.name, request: r }
}

export async function exportPostman(loaded: LoadedCollection): Promise<{ json: Json; skipped: string[] }> {
  const { info, folders } = loaded
  const skipped = info.problems.map((p) => `${p.path}: not exported (${p.message})`)
  const items = async (folder: FolderNode, depth: number): Promise<Json[]> => {
    const out: Json[] = []
    for (const child of folder.children) {
      if (child.type === 'request') {
        const r = await readRequestFile(
          join(info.dir, ...child.path.split('/')),
          stemOf(basename(child.path)),
        )
        if (r.ok) out.push(requestItem(r.request))
        else skipped.push(`${child.path}: not exported (line ${r.line}: ${r.problem})`)
      } else if (depth < 32) {
        const item: Json = { name: child.name, item: await items(child, depth + 1) }
        const s = folders.get(child.path)
        const a = s ? postmanAuth(s.auth) : null
        if (a) item['auth'] = a
        if (s && s.variables.length > 0) item['variable'] = variables(s.variables)
        out.push(item)
      }
    }
    return out
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
  if (info.variables.length > 0) json['variable'] = variables(info.variables)
  return { json, skipped }
}
