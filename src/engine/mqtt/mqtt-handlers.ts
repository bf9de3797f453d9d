import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { DEFAULT_MQTT_OPTIONS, type MqttOptions } from '../../shared/mqtt'
import { fail, ok, type Result } from '../../shared/result'
import type { StreamEngine } from '../streams/stream-engine'
import type { ResolveTarget } from './messaging-resolve'
import type { MqttSession } from './mqtt-session'

/**
 * The MQTT commands. The session module (and MQTT.js with it) is loaded on the first open, so an engine that
 * never speaks MQTT never pays for the library.
 */

type Handler<K extends 'mqtt.open' | 'mqtt.publish' | 'mqtt.subscribe' | 'mqtt.unsubscribe'> = (
  p: CommandRequest<K>,
) => Promise<Result<CommandResponse<K>>>

export interface MqttHandlers {
  'mqtt.open': Handler<'mqtt.open'>
  'mqtt.publish': Handler<'mqtt.publish'>
  'mqtt.subscribe': Handler<'mqtt.subscribe'>
  'mqtt.unsubscribe': Handler<'mqtt.unsubscribe'>
}

export function createMqttHandlers(streams: StreamEngine, resolve?: ResolveTarget): MqttHandlers {
  const sessions = new Map<string, MqttSession>()
  const open = (sid: string): MqttSession | null => {
    const s = sessions.get(sid)
    return s && !s.isEnded ? s : null
  }
  return {
    'mqtt.open': async (p) => {
      const target = resolve ? await resolve(p.url, [], p.context) : null
      if (target && !target.ok) return target
      const { MqttSession: Session } = await import('./mqtt-session')
      const options: MqttOptions = { ...DEFAULT_MQTT_OPTIONS }
      for (const [k, v] of Object.entries(p.options ?? {}))
        if (v !== undefined) Object.assign(options, { [k]: v })
      const session = streams.openSession('mq', (init) => {
        return new Session({
          ...init,
          onEnd: (sid) => {
            sessions.delete(sid)
            init.onEnd(sid)
          },
          url: target ? target.value.url : p.url,
          options,
          subscriptions: p.subscriptions,
        })
      })
      sessions.set(session.sid, session)
      session.start()
      return ok({ sid: session.sid })
    },
    'mqtt.publish': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      return s.publish(p)
    },
    'mqtt.subscribe': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      return s.subscribeMore(p.subscriptions)
    },
    'mqtt.unsubscribe': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      return s.unsubscribe(p.topics)
    },
  }
}
