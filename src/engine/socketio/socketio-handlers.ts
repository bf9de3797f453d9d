import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import { DEFAULT_SOCKETIO_OPTIONS, type SocketIoOptions } from '../../shared/socketio'
import type { StreamEngine } from '../streams/stream-engine'
import type { ResolveTarget } from '../mqtt/messaging-resolve'
import { parseAckAnswers } from './socketio-acks'
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

export function createSocketIoHandlers(streams: StreamEngine, resolve?: ResolveTarget): SocketIoHandlers {
  const sessions = new Map<string, SocketIoSession>()
  return {
    'socketio.open': async (p) => {
      let auth: Record<string, unknown> | null = null
      if (p.auth !== undefined && p.auth.trim() !== '') {
        let parsed: unknown
        try {
          parsed = JSON.parse(p.auth)
        } catch (e) {
          return fail(
            'invalid_request',
            `The auth payload is not JSON: ${e instanceof Error ? e.message : String(e)}`,
          )
        }
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          return fail('invalid_request', 'The auth payload must be a JSON object')
        auth = parsed as Record<string, unknown>
      }
      const acks = parseAckAnswers(p.acks)
      if (!acks.ok) return acks
      const target = resolve ? await resolve(p.url, p.headers, p.context) : null
      if (target && !target.ok) return target
      const { SocketIoSession: Session } = await import('./socketio-session')
      const options: SocketIoOptions = { ...DEFAULT_SOCKETIO_OPTIONS }
      for (const [k, v] of Object.entries(p.options ?? {}))
        if (v !== undefined) Object.assign(options, { [k]: v })
      const session = streams.openSession('io', (init) => {
        return new Session({
          ...init,
          onEnd: (sid) => {
            sessions.delete(sid)
            init.onEnd(sid)
          },
          url: target ? target.value.url : p.url,
          namespace: p.namespace?.trim() || '/',
          path: p.path?.trim() || '/socket.io',
          auth,
          headers: target ? target.value.headers : p.headers,
          query: p.query,
          options,
          listen: p.listen,
          acks: acks.value,
        })
      })
      sessions.set(session.sid, session)
      session.start()
      return ok({ sid: session.sid })
    },
    'socketio.emit': async (p) => {
      const s = sessions.get(p.sid)
      if (!s || s.isEnded) return fail('not_found', `No open Socket.IO session ${p.sid}`)
      return s.emit(p.event, p.args, p.ack)
    },
  }
}
