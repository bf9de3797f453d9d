import type { AuthSpec, SavedRequest } from '../../shared/collection'
import { fileTypeOrDefault } from '../../shared/file-type'
import type { KeyValue, RequestBody } from '../../shared/request'
import { customBearerHeader } from '../auth/apply-auth'
import { brunoOAuth2Pairs } from './oauth2-export'
import { block, kv, pair, textBlock, typed } from './bruno-bru-syntax'

/** A request's (or a folder's) auth and body as Bruno's `auth:*` and `body:*` blocks, and the modes naming them. */

export function authMode(a: AuthSpec): string {
  // Bruno's bearer has no prefix: `Token abc` goes as an API-key header.
  return customBearerHeader(a) === null ? a.type : 'apikey'
}

export function authBlock(a: AuthSpec): string | null {
  switch (a.type) {
    case 'basic':
    case 'digest':
      return block(`auth:${a.type}`, [pair('username', a.username), pair('password', a.password)])
    case 'bearer': {
      const custom = customBearerHeader(a)
      return custom === null
        ? block('auth:bearer', [pair('token', a.token)])
        : block('auth:apikey', [
            pair('key', 'Authorization'),
            pair('value', custom),
            pair('placement', 'header'),
          ])
    }
    case 'apikey':
      return block('auth:apikey', [
        pair('key', a.key),
        pair('value', a.value),
        pair('placement', a.in === 'query' ? 'queryparams' : 'header'),
      ])
    case 'oauth2':
      return block(
        'auth:oauth2',
        brunoOAuth2Pairs(a).map(([k, v]) => pair(k, v)),
      )
    default:
      return null
  }
}

export function bodyMode(b: RequestBody): string {
  switch (b.kind) {
    case 'none':
      return 'none'
    case 'file':
      return 'file'
    case 'json':
      return 'json'
    case 'text':
      return /xml/.test(b.contentType) ? 'xml' : 'text'
    case 'form':
      return 'formUrlEncoded'
    case 'multipart':
      return 'multipartForm'
  }
}

export function bodyBlock(b: RequestBody, file: (path: string) => string): string | null {
  switch (b.kind) {
    case 'json':
      return textBlock('body:json', b.text)
    case 'text':
      return textBlock(/xml/.test(b.contentType) ? 'body:xml' : 'body:text', b.text)
    case 'form':
      return block('body:form-urlencoded', kv(b.fields))
    case 'multipart':
      return block(
        'body:multipart-form',
        b.parts.map((p) =>
          p.kind === 'text'
            ? pair(p.name, p.value, p.enabled, typed(p.contentType))
            : pair(p.name, `@file(${file(p.path)})`, p.enabled, typed(p.contentType)),
        ),
      )
    case 'file':
      // Bruno sends the selected file with the type beside it; Flightdeck's, else the one its name says.
      return block('body:file', [
        pair('file', `@file(${file(b.path)})`, true, typed(b.contentType || fileTypeOrDefault(b.path))),
      ])
    default:
      return null
  }
}

/**
 * Bruno sends `body:text` as text/plain and `body:xml` as application/xml; a text body of another type (HTML,
 * CSV…) keeps it as a Content-Type header, unless one is there already.
 */
export function textBodyType(r: SavedRequest): KeyValue[] {
  if (r.body.kind !== 'text' || r.kind === 'graphql') return []
  const type = r.body.contentType
  const implied = /xml/.test(type) ? 'application/xml' : 'text/plain'
  if (type.toLowerCase() === implied) return []
  if (r.headers.some((h) => h.enabled && h.name.toLowerCase() === 'content-type')) return []
  return [{ name: 'Content-Type', value: type, enabled: true }]
}
