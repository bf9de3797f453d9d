import type { CommandRequest, CommandResponse } from '../../shared/contract'
import type { RequestSpec } from '../../shared/request'
import { fail, type Result } from '../../shared/result'
import type { AuthRunner } from '../auth/auth-runner'
import { collectionFileScope, prepareRequest, tracePlanOf } from '../collections/handlers'
import { confineRequestOptions } from '../files/confine-tls'
import { checkUrlScheme } from '../sessions/url-schemes'
import { withTraceSpec } from '../trace/trace-headers'
import type { CollectionManager } from '../collections/manager'
import type { StreamEngine } from './stream-engine'

/**
 * Opening SSE and WebSocket sessions the way `request.send` sends: `{{variables}}` resolve in the collection's
 * scopes (global < collection < folder < environment, plus `{{$uuid}}` and friends), the effective auth is the
 * request's or the nearest folder's or the collection's, and an unknown variable refuses the open, naming it.
 * The resolved request is what the stream engine sees: the timeline shows the URL that was really opened. A secret
 * with no value here goes out empty, and the session's `queued` event names it (as a send's does).
 */

export interface StreamOpenDeps {
  manager: CollectionManager
  auth: AuthRunner
  streams: StreamEngine
  /** Resolves once the workspace (open collections, globals) is restored. */
  ready?: Promise<void>
}

export interface StreamOpenHandlers {
  'sse.open'(p: CommandRequest<'sse.open'>): Promise<Result<CommandResponse<'sse.open'>>>
  'ws.open'(p: CommandRequest<'ws.open'>): Promise<Result<CommandResponse<'ws.open'>>>
  'ws.send'(p: CommandRequest<'ws.send'>): Promise<Result<CommandResponse<'ws.send'>>>
}

/** Subprotocols must still be HTTP tokens once their variables are filled in. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export function createStreamOpenHandlers(deps: StreamOpenDeps): StreamOpenHandlers {
  const { manager, auth, streams } = deps
  const ready = async (): Promise<void> => {
    if (deps.ready) await deps.ready
  }

  return {
    'sse.open': async (p) => {
      await ready()
      const prepared = await prepareRequest(manager, p.request, p.auth ?? { type: 'inherit' }, p.context)
      if (!prepared.ok) return prepared
      const scheme = checkUrlScheme('sse', prepared.value.spec.url)
      if (!scheme.ok) return scheme
      // A stream follows its request file's trace: setting, else the toolbar's switch, as a send does.
      const { auth: effective } = prepared.value
      const resolved = withTraceSpec(prepared.value.spec, tracePlanOf(manager, p.context, p.trace))
      const authorized = await auth.authorize(resolved, effective, 'SSE')
      if (!authorized.ok) return authorized
      const { spec, refused } = authorized.value
      // A reconnect is authorized as the first connection was: a token past its time is fetched anew, a digest
      // response takes the next nonce count (or a fresh challenge). Basic, bearer and API keys come out the same.
      const renewed = effective.type === 'oauth2' || effective.type === 'digest'
      return streams.openSse(
        { request: spec, ...(p.stream ? { stream: p.stream } : {}) },
        {
          ...(refused ? { onUnauthorized: refused } : {}),
          ...(renewed ? { reauthorize: () => auth.authorize(resolved, effective, 'SSE') } : {}),
          ...(prepared.value.emptySecrets ? { emptySecrets: prepared.value.emptySecrets } : {}),
        },
      )
    },

    'ws.open': async (p) => {
      await ready()
      // The upgrade is a GET: its URL and headers resolve as a request's do; subprotocols ride along as extras.
      const request: RequestSpec = {
        method: 'GET',
        url: p.url,
        headers: p.headers,
        body: { kind: 'none' },
        options: {},
      }
      const prepared = await prepareRequest(
        manager,
        request,
        p.auth ?? { type: 'inherit' },
        p.context,
        p.protocols,
      )
      if (!prepared.ok) return prepared
      const scheme = checkUrlScheme('ws', prepared.value.spec.url)
      if (!scheme.ok) return scheme
      const bad = prepared.value.extra.find((proto) => !TOKEN.test(proto))
      if (bad !== undefined) {
        return fail('invalid_request', `Subprotocol "${bad.slice(0, 100)}" is not an HTTP token`)
      }
      const traced = withTraceSpec(prepared.value.spec, tracePlanOf(manager, p.context, p.trace))
      const authorized = await auth.authorize(traced, prepared.value.auth, 'WebSocket')
      if (!authorized.ok) return authorized
      const { spec, refused } = authorized.value
      // A CA file the request names is confined to its collection as a body file is.
      const options = p.options
        ? await confineRequestOptions(p.options, collectionFileScope(manager, p.context))
        : null
      if (options && !options.ok) return options
      return streams.openWs(
        {
          url: spec.url,
          headers: spec.headers,
          protocols: prepared.value.extra,
          ...(options ? { options: options.value } : {}),
        },
        {
          ...(refused ? { onUnauthorized: refused } : {}),
          ...(prepared.value.emptySecrets ? { emptySecrets: prepared.value.emptySecrets } : {}),
        },
      )
    },

    'ws.send': async (p) => {
      // Only text (and JSON, sent as text) can hold a variable; binary data and files go as they are.
      if (!p.resolve || p.kind === 'binary' || p.data === undefined || !p.data.includes('{{')) {
        return streams.send(p)
      }
      await ready()
      const carrier: RequestSpec = {
        method: 'GET',
        url: '',
        headers: [],
        body: { kind: 'none' },
        options: {},
      }
      const prepared = await prepareRequest(manager, carrier, { type: 'none' }, p.context, [p.data])
      if (!prepared.ok) return prepared
      return streams.send({ ...p, data: prepared.value.extra[0] ?? '' })
    },
  }
}
