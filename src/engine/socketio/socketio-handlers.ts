import type { RequestContext } from '../../shared/collection'
import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import { checkUrlScheme } from '../sessions/url-schemes'
import type { StreamEngine } from '../streams/stream-engine'
import { resolveTexts, type ResolveTarget } from '../mqtt/messaging-resolve'
import type { TokenFor } from '../mqtt/messaging-token'
import { socketIoAuthPayload, socketIoHandshake } from '../mqtt/messaging-connect'
import { parseAckAnswers } from './socketio-acks'
import { argsFromJsonText } from './socketio-args'
import type { SocketIoSession } from './socketio-session'

/**
 * The Socket.IO commands. The session module (and socket.io-client with it) is loaded on the first open, so an
 * engine that never speaks Socket.IO never pays for the library.
 */

type Handler<K extends 'socketio.open' | 'socketio.emit'> = (
  p: CommandRequest<K>,
) => Promise<Result<CommandResponse<K>>>

export interface SocketIoHandlers {
  'socketio.open': Handler<'socketio.open'>
  'socketio.emit': Handler<'socketio.emit'>
}

export function createSocketIoHandlers(
  streams: StreamEngine,
  resolve?: ResolveTarget,
  tokenFor?: TokenFor,
): SocketIoHandlers {
  const sessions = new Map<string, SocketIoSession>()
  // The scope each session was opened in: its emits' `{{variables}}` resolve there.
  const scopes = new Map<string, RequestContext>()
  return {
    'socketio.open': async (p) => {
      // The auth payload resolves as text, before it is read as JSON (as a run's does).
      const target = resolve
        ? await resolve(p.url, p.headers, p.context, [p.auth ?? ''], p.options?.caFile)
        : null
      if (target && !target.ok) return target
      const scheme = checkUrlScheme('socketio', target ? target.value.url : p.url)
      if (!scheme.ok) return scheme
      const authText = p.auth === undefined ? undefined : (target?.value.extra[0] ?? p.auth)
      const auth = socketIoAuthPayload(authText)
      if (!auth.ok) return auth
      const acks = parseAckAnswers(p.acks)
      if (!acks.ok) return acks
      const { SocketIoSession: Session } = await import('./socketio-session')
      const url = target ? target.value.url : p.url
      const token = tokenFor ? await tokenFor('socketio', url, p.context, p.requestAuth) : null
      if (token && !token.ok) return token
      const caFile = target?.value.caFile
      const { options, headers, query, ...handshake } = socketIoHandshake(
        p.options,
        caFile ? { caFile } : {},
        target ? target.value.headers : p.headers,
        p.query,
        auth.value,
        token?.value ?? null,
      )
      const session = streams.openSession('io', (init) => {
        return new Session({
          ...init,
          onEnd: (sid) => {
            sessions.delete(sid)
            scopes.delete(sid)
            init.onEnd(sid)
          },
          url,
          namespace: p.namespace?.trim() || '/',
          path: p.path?.trim() || '/socket.io',
          auth: handshake.auth,
          headers,
          ...(token?.value ? { onUnauthorized: token.value.refused } : {}),
          query,
          options,
          listen: p.listen,
          acks: acks.value,
        })
      })
      sessions.set(session.sid, session)
      if (p.context) scopes.set(session.sid, p.context)
      session.start()
      return ok({ sid: session.sid })
    },
    'socketio.emit': async (p) => {
      const s = sessions.get(p.sid)
      if (!s || s.isEnded) return fail('not_found', `No open Socket.IO session ${p.sid}`)
      // Binary arguments go as they are; the event name, the arguments' JSON text (read once resolved, as a
      // run's saved emit is: `[{{n}}]`) and JSON and text arguments can hold a variable.
      const scope = scopes.get(p.sid)
      const texts = await resolveTexts(resolve, scope, [
        p.event,
        p.argsText ?? '',
        ...p.args.map((a) => (a.kind === 'binary' ? '' : a.data)),
      ])
      if (!texts.ok) return texts
      const [event = p.event, argsText = '', ...data] = texts.value
      if (event === '')
        return fail('invalid_request', `The event ${p.event.slice(0, 200)} is empty once resolved`)
      const listed = argsFromJsonText(argsText, !(resolve && scope) && argsText.includes('{{'))
      if (!listed.ok) return listed
      const args = [
        ...listed.value,
        ...p.args.map((a, i) => (a.kind === 'binary' ? a : { ...a, data: data[i] ?? a.data })),
      ]
      // The session may have ended while the scope was read.
      if (s.isEnded) return fail('not_found', `No open Socket.IO session ${p.sid}`)
      return s.emit(event, args, p.ack)
    },
  }
}
