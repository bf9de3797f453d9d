import type { KeyValue, RequestSpec } from '../../shared/request'
import type { RequestContext } from '../../shared/collection'
import { ok, type Result } from '../../shared/result'
import { prepareRequest } from '../collections/handlers'
import type { CollectionManager } from '../collections/manager'

/**
 * `{{variables}}` in an MQTT or Socket.IO session's URL and headers, resolved as a request's are (the
 * collection's scopes and environment, `{{$uuid}}` and friends); an unknown one refuses the open, naming it.
 */
export type ResolveTarget = (
  url: string,
  headers: KeyValue[],
  context: RequestContext | undefined,
) => Promise<Result<{ url: string; headers: KeyValue[] }>>

export function messagingResolver(manager: CollectionManager, ready?: Promise<void>): ResolveTarget {
  return async (url, headers, context) => {
    const templated =
      url.includes('{{') || headers.some((h) => h.name.includes('{{') || h.value.includes('{{'))
    if (!templated) return ok({ url, headers })
    if (ready) await ready
    const request: RequestSpec = { method: 'GET', url, headers, body: { kind: 'none' }, options: {} }
    const prepared = await prepareRequest(manager, request, { type: 'none' }, context)
    if (!prepared.ok) return prepared
    return ok({ url: prepared.value.spec.url, headers: prepared.value.spec.headers })
  }
}
