import type { KeyValue, RequestSpec } from '../../shared/request'
import type { RequestContext } from '../../shared/collection'
import { ok, type Result } from '../../shared/result'
import { collectionFileScope, prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'
import { confineRequestOptions } from '../files/confine-tls'

/**
 * `{{variables}}` in an MQTT or Socket.IO session's URL and headers, resolved as a request's are (the
 * collection's scopes and environment, `{{$uuid}}` and friends); an unknown one refuses the open, naming it.
 * `extra` texts (a connect's user name, a publish's topic, an emit's arguments) resolve in the same scope, but
 * only when there is one (`context`), as a WebSocket message does: a session opened from no collection sends
 * them as typed, `{{` and all. A `caFile` comes back confined to the collection as a body file is (absolute), or
 * refused.
 */
export type ResolveTarget = (
  url: string,
  headers: KeyValue[],
  context: RequestContext | undefined,
  extra?: readonly string[],
  caFile?: string,
) => Promise<Result<{ url: string; headers: KeyValue[]; extra: string[]; caFile?: string }>>

export function messagingResolver(manager: CollectionManager, ready?: Promise<void>): ResolveTarget {
  return async (url, headers, context, extra = [], caFile) => {
    const confined = await confinedCaFile(manager, context, caFile, ready)
    if (!confined.ok) return confined
    const ca = confined.value === undefined ? {} : { caFile: confined.value }
    const texts = context ? extra : []
    const templated =
      url.includes('{{') ||
      headers.some((h) => h.name.includes('{{') || h.value.includes('{{')) ||
      texts.some((t) => t.includes('{{'))
    if (!templated) return ok({ url, headers, extra: [...extra], ...ca })
    if (ready) await ready
    const request: RequestSpec = { method: 'GET', url, headers, body: { kind: 'none' }, options: {} }
    const prepared = await prepareRequest(manager, request, { type: 'none' }, context, texts)
    if (!prepared.ok) return prepared
    const { spec } = prepared.value
    return ok({
      url: spec.url,
      headers: spec.headers,
      extra: context ? prepared.value.extra : [...extra],
      ...ca,
    })
  }
}

async function confinedCaFile(
  manager: CollectionManager,
  context: RequestContext | undefined,
  caFile: string | undefined,
  ready: Promise<void> | undefined,
): Promise<Result<string | undefined>> {
  if (!caFile || !context) return ok(caFile)
  if (ready) await ready
  const r = await confineRequestOptions({ caFile }, collectionFileScope(manager, context))
  return r.ok ? ok(r.value.caFile) : r
}

/** Resolves `texts` alone (a publish's, an emit's) in `context`; as they are without a resolver or a scope. */
export async function resolveTexts(
  resolve: ResolveTarget | undefined,
  context: RequestContext | undefined,
  texts: readonly string[],
): Promise<Result<string[]>> {
  if (!resolve || !context || !texts.some((t) => t.includes('{{'))) return ok([...texts])
  const r = await resolve('', [], context, texts)
  return r.ok ? ok(r.value.extra) : r
}
