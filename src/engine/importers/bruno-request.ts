import type { AuthSpec, SavedRequest } from '../../shared/collection'
import type { KeyValue } from '../../shared/request'
import { counted } from '../../shared/format'
import { graphqlFromTexts } from '../graphql/graphql-import'
import { pairsOf, textOf, valueOf, type BruBlock, type BruPair } from './bru-lang'
import { bodyOf } from './bruno-body'
import { grpcRequestFrom } from './bruno-grpc'
import { assertsWithRequestVars, inlineRequestVars } from './bruno-request-vars'
import { brunoChecks } from './bruno-assert'
import { extractionsOf } from './bruno-runtime'
import { brunoOptions } from './bruno-settings'
import { withPathParams } from './bruno-url'
import { jsonAsSent } from './json-comments'
import { brunoOAuth2 } from './oauth2-import'
import { method, request } from './plan'

/**
 * One Bruno request file (`.bru`, parsed into its blocks) as a Flightdeck request: its method block, URL and
 * path params, headers, body, auth, settings, assertions, post-response variables and scripts; a gRPC request's
 * `grpc` block and messages. What cannot be carried goes into `u`, by name.
 */

export type Blocks = Map<string, BruBlock>

export function kv(list: readonly BruPair[]): KeyValue[] {
  return list.map((p) => ({ name: p.name, value: p.value, enabled: p.enabled }))
}

export function authOf(b: Blocks, mode: string | undefined, u: string[], where: string): AuthSpec {
  const v = (k: string): string => valueOf(b, `auth:${mode ?? ''}`, k) ?? ''
  switch (mode ?? 'inherit') {
    case 'inherit':
      return { type: 'inherit' }
    case 'none':
      return { type: 'none' }
    case 'bearer':
      return { type: 'bearer', token: v('token') }
    case 'basic':
      return { type: 'basic', username: v('username'), password: v('password') }
    case 'digest':
      return { type: 'digest', username: v('username'), password: v('password') }
    case 'apikey':
      return {
        type: 'apikey',
        key: v('key'),
        value: v('value'),
        in: v('placement') === 'queryparams' ? 'query' : 'header',
      }
    case 'oauth2':
      return brunoOAuth2(v, u, where)
    default:
      u.push(`${where}: auth "${mode ?? ''}" is not supported; auth left to inherit`)
      return { type: 'inherit' }
  }
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'connect', 'trace']

/** A GraphQL request's variables as Bruno sends them: without comments (decomment). */
function graphqlVars(b: Blocks, u: string[], where: string): string | undefined {
  const vars = textOf(b, 'body:graphql:vars')
  if (vars === undefined) return undefined
  return jsonAsSent(vars, 'Bruno', (l) => u.push(`${where}: ${l}`), 'GraphQL variables')
}

export function requestOf(b: Blocks, fileName: string, u: string[], where: string): SavedRequest | null {
  const type = valueOf(b, 'meta', 'type') ?? 'http'
  const name = valueOf(b, 'meta', 'name') ?? fileName
  const tags = valueOf(b, 'meta', 'tags') ?? ''
  if (tags !== '') u.push(`${where}: tags (${tags.slice(0, 120)}) not kept (Flightdeck requests have none)`)
  if (type === 'grpc' || b.has('grpc')) return grpcOfBru(b, name, u, where)
  const verb = METHODS.find((m) => b.has(m)) ?? (b.has('http') ? 'http' : undefined)
  if (verb === undefined) {
    u.push(`${where}: a ${type} request with no method block; left out`)
    return null
  }
  const m = verb === 'http' ? valueOf(b, 'http', 'method') : verb
  const url = withPathParams(valueOf(b, verb, 'url') ?? '', pairsOf(b, 'params:path'), (l) =>
    u.push(`${where}: ${l}`),
  )
  // blockMap keeps each block under its name and again as name#n: count the named ones.
  const annotated = [...b]
    .filter(([k]) => !k.includes('#'))
    .reduce((n, [, x]) => n + (x.kind === 'pairs' ? x.annotations : 0), 0)
  if (annotated > 0)
    u.push(`${where}: ${counted(annotated, 'row annotation')} (descriptions, types) not kept`)
  const disabled = kv(pairsOf(b, 'params:query').filter((p) => !p.enabled))
  const own = assertsWithRequestVars(pairsOf(b, 'assert'), pairsOf(b, 'vars:pre-request'))
  const checks = brunoChecks(own.asserts, u, where)
  const extract = extractionsOf(pairsOf(b, 'vars:post-response'), u, where)
  const pre = textOf(b, 'script:pre-request')?.trim()
  // Bruno checks a request's assertions after its post-response script and before its tests.
  const post = [textOf(b, 'script:post-response')?.trim(), checks.script, textOf(b, 'tests')?.trim()]
    .filter((s) => s)
    .join('\n\n')
  const mode = valueOf(b, verb, 'body')
  // A GraphQL request (meta type graphql, body mode graphql) is one here too: its variables as written.
  const gql =
    type === 'graphql' || mode === 'graphql'
      ? graphqlFromTexts(textOf(b, 'body:graphql') ?? '', graphqlVars(b, u, where), where, u)
      : null
  const req = request(name, {
    method: method(m, u, where),
    url,
    description: textOf(b, 'docs')?.trim() ?? '',
    headers: kv(pairsOf(b, 'headers')),
    body: gql ? { kind: 'none' } : bodyOf(b, mode, u, where),
    auth: authOf(b, valueOf(b, verb, 'auth'), u, where),
    ...(gql ? { kind: 'graphql' as const, graphql: gql } : {}),
  })
  const options = brunoOptions(
    pairsOf(b, 'settings').map((p) => [p.name, p.value] as const),
    where,
    (l) => u.push(l),
  )
  if (Object.keys(options).length > 0) req.options = options
  if (disabled.length > 0) req.disabledParams = disabled
  if (checks.assertions.length > 0) req.assertions = checks.assertions
  if (extract.length > 0) req.extract = extract
  if (pre || post) {
    req.scripts = { ...(pre ? { preRequest: pre } : {}), ...(post ? { test: post } : {}), translated: false }
    if (pre || post !== checks.script)
      u.push(`${where}: scripts kept in the request file; they run in the script sandbox`)
  }
  inlineRequestVars(req, pairsOf(b, 'vars:pre-request'), (l) => u.push(`${where}: ${l}`), own.uses)
  return req
}

/** A `.bru` gRPC request: the `grpc` block, `metadata`, and each `body:grpc` block a message, in order. */
function grpcOfBru(b: Blocks, name: string, u: string[], where: string): SavedRequest {
  const messages: { name: string; text: string }[] = []
  for (let i = 1; b.has(`body:grpc#${i}`); i++) {
    const block = b.get(`body:grpc#${i}`)
    const pairs = block?.kind === 'pairs' ? block.pairs : []
    const get = (k: string): string => pairs.find((p) => p.name === k)?.value ?? ''
    messages.push({ name: get('name') || `message ${i}`, text: get('content') })
  }
  if (['script:pre-request', 'script:post-response', 'tests', 'assert'].some((k) => b.has(k)))
    u.push(`${where}: scripts, tests and assertions of a gRPC request not kept; add checks in its Tests tab`)
  return grpcRequestFrom(
    {
      name,
      url: valueOf(b, 'grpc', 'url') ?? '',
      method: valueOf(b, 'grpc', 'method') ?? '',
      protoPath: valueOf(b, 'grpc', 'protoPath'),
      metadata: kv(pairsOf(b, 'metadata')),
      messages,
      auth: authOf(b, valueOf(b, 'grpc', 'auth'), u, where),
      description: textOf(b, 'docs')?.trim() ?? '',
    },
    u,
    where,
  )
}
