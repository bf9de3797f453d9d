import type { AuthSpec } from '../../shared/collection'
import type { KeyValue, MultipartPart, RequestBody } from '../../shared/request'
import type { BruPair } from './bru-lang'
import { boundedParts, noteRelativeFiles, selectedFile } from './bruno-body'
import { jsonAsSent } from './json-comments'
import { arr, isObj, partContentType, str } from './plan'

/** One OpenCollection request's fields: its key/value lists, auth and body. */

type Obj = Record<string, unknown>

export const list = (v: unknown): Obj[] => arr(v).filter(isObj)

export function pairs(v: unknown): KeyValue[] {
  return list(v).map((p) => ({
    name: str(p['name']),
    value: str(p['value']),
    enabled: p['disabled'] !== true && p['enabled'] !== false,
  }))
}

export function bruPairs(v: unknown): BruPair[] {
  return pairs(v).map((p) => ({ name: p.name, value: p.value, enabled: p.enabled }))
}

export function auth(v: unknown, u: string[], where: string): AuthSpec {
  if (v === undefined || v === 'inherit') return { type: 'inherit' }
  if (!isObj(v)) return v === 'none' ? { type: 'none' } : { type: 'inherit' }
  const f = (k: string): string => str(v[k])
  switch (str(v['type'], 'inherit')) {
    case 'inherit':
      return { type: 'inherit' }
    case 'none':
      return { type: 'none' }
    case 'bearer':
      return { type: 'bearer', token: f('token') }
    case 'basic':
      return { type: 'basic', username: f('username'), password: f('password') }
    case 'digest':
      return { type: 'digest', username: f('username'), password: f('password') }
    case 'apikey':
      return {
        type: 'apikey',
        key: f('key'),
        value: f('value'),
        in: /query/i.test(f('placement')) ? 'query' : 'header',
      }
    default:
      u.push(`${where}: auth "${f('type')}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

export function body(v: unknown, u: string[], where: string): RequestBody {
  if (!isObj(v)) return { kind: 'none' }
  const data = v['data']
  const text = typeof data === 'string' ? data : ''
  switch (str(v['type'], 'none')) {
    case 'none':
      return { kind: 'none' }
    case 'json':
      return { kind: 'json', text: jsonAsSent(text, 'Bruno', (l) => u.push(`${where}: ${l}`)) }
    case 'text':
      return { kind: 'text', text, contentType: 'text/plain' }
    case 'xml':
      return { kind: 'text', text, contentType: 'application/xml' }
    case 'sparql':
      return { kind: 'text', text, contentType: 'application/sparql-query' }
    case 'form-urlencoded':
      return { kind: 'form', fields: pairs(data) }
    case 'file':
      return selectedFile(
        list(data).map((f) => ({
          path: str(f['filePath']),
          contentType: str(f['contentType']),
          selected: f['selected'] === true,
        })),
        u,
        where,
      )
    case 'multipart-form': {
      const parts: MultipartPart[] = list(data).flatMap((p): MultipartPart[] => {
        const enabled = p['disabled'] !== true
        const name = str(p['name'])
        const type = partContentType(str(p['contentType']).trim(), name, u, where)
        if (p['type'] !== 'file') return [{ kind: 'text', name, value: str(p['value']), ...type, enabled }]
        // A part of that name for each file, as Bruno sends a list of files.
        const files = (Array.isArray(p['value']) ? p['value'].map((x) => str(x)) : [str(p['value'])]).filter(
          (f) => f.trim() !== '',
        )
        if (files.length === 0) return [{ kind: 'file', name, path: 'file', ...type, enabled }]
        noteRelativeFiles(files, `part "${name}"`, u, where)
        return files.map((path) => ({ kind: 'file', name, path: path.trim(), ...type, enabled }))
      })
      return { kind: 'multipart', parts: boundedParts(parts, u, where) }
    }
    default:
      u.push(`${where}: body "${str(v['type'])}" is not supported; left out`)
      return { kind: 'none' }
  }
}

/** Assertions as `{ expression, operator, value }` (runtime) or `{ name, value }` (older files). */
