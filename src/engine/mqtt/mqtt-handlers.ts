import type { RequestContext } from '../../shared/collection'
import type { CommandRequest, CommandResponse } from '../../shared/contract'
import { fail, ok, type Result } from '../../shared/result'
import { checkUrlScheme } from '../sessions/url-schemes'
import type { StreamEngine } from '../streams/stream-engine'
import type { TokenFor } from './messaging-token'
import { mqttConnect, mqttTakesToken } from './messaging-connect'
import { resolveTexts, type ResolveTarget } from './messaging-resolve'
import { emptyOpenText, openTexts, withOpenTexts } from './mqtt-open-texts'
import { propertyTexts, withPropertyTexts } from './mqtt-property-texts'
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

export function createMqttHandlers(
  streams: StreamEngine,
  resolve?: ResolveTarget,
  tokenFor?: TokenFor,
): MqttHandlers {
  const sessions = new Map<string, MqttSession>()
  // The scope each session was opened in: its publishes' and subscriptions' `{{variables}}` resolve there.
  const scopes = new Map<string, RequestContext>()
  const open = (sid: string): MqttSession | null => {
    const s = sessions.get(sid)
    return s && !s.isEnded ? s : null
  }
  return {
    'mqtt.open': async (p) => {
      const target = resolve ? await resolve(p.url, [], p.context, openTexts(p), p.options?.caFile) : null
      if (target && !target.ok) return target
      const scheme = checkUrlScheme('mqtt', target ? target.value.url : p.url)
      if (!scheme.ok) return scheme
      const resolved = target ? withOpenTexts(p, target.value.extra) : p
      const empty = emptyOpenText(p, resolved)
      if (empty) return empty
      const { MqttSession: Session } = await import('./mqtt-session')
      const url = target ? target.value.url : p.url
      const token =
        tokenFor && mqttTakesToken(resolved.options)
          ? await tokenFor('mqtt', url, p.context, p.requestAuth)
          : null
      if (token && !token.ok) return token
      const caFile = target?.value.caFile
      const { options, tokenSent } = mqttConnect(
        resolved.options,
        caFile ? { caFile } : {},
        token?.value?.token ?? null,
      )
      const session = streams.openSession('mq', (init) => {
        return new Session({
          ...init,
          onEnd: (sid) => {
            sessions.delete(sid)
            scopes.delete(sid)
            init.onEnd(sid)
          },
          url,
          options,
          subscriptions: resolved.subscriptions,
          ...(tokenSent && token?.value ? { onUnauthorized: token.value.refused } : {}),
        })
      })
      sessions.set(session.sid, session)
      if (p.context) scopes.set(session.sid, p.context)
      session.start()
      return ok({ sid: session.sid })
    },
    'mqtt.publish': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      // Bytes given as hex or base64 are sent as they are; only a text payload can hold a variable.
      const text = p.encoding === undefined || p.encoding === 'utf8'
      const texts = await resolveTexts(resolve, scopes.get(p.sid), [
        p.topic,
        text ? p.payload : '',
        ...propertyTexts(p.properties),
      ])
      if (!texts.ok) return texts
      const [topic = p.topic, payload = p.payload, ...props] = texts.value
      if (topic === '')
        return fail('invalid_request', `The topic ${p.topic.slice(0, 200)} is empty once resolved`)
      const properties = withPropertyTexts(p.properties, props)
      if (p.properties?.responseTopic && properties?.responseTopic === '')
        return fail(
          'invalid_request',
          `The response topic ${p.properties.responseTopic.slice(0, 200)} is empty once resolved`,
        )
      const resolved = {
        ...p,
        topic,
        payload: text ? payload : p.payload,
        ...(properties ? { properties } : {}),
      }
      // The session may have ended while the scope was read.
      return open(p.sid)?.publish(resolved) ?? fail('not_found', `No open MQTT session ${p.sid}`)
    },
    'mqtt.subscribe': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      const topics = p.subscriptions.map((x) => x.topic)
      const texts = await resolveTexts(resolve, scopes.get(p.sid), topics)
      if (!texts.ok) return texts
      const subscriptions = p.subscriptions.map((x, i) => ({ ...x, topic: texts.value[i] ?? x.topic }))
      const blank = subscriptions.findIndex((x) => x.topic === '')
      const named = p.subscriptions[blank]?.topic.slice(0, 200)
      if (named !== undefined)
        return fail('invalid_request', `The topic filter ${named} is empty once resolved`)
      return open(p.sid)?.subscribeMore(subscriptions) ?? fail('not_found', `No open MQTT session ${p.sid}`)
    },
    'mqtt.unsubscribe': async (p) => {
      const s = open(p.sid)
      if (!s) return fail('not_found', `No open MQTT session ${p.sid}`)
      // Resolved as they were when subscribed, so `{{room}}/#` unsubscribes what it subscribed.
      const topics = await resolveTexts(resolve, scopes.get(p.sid), p.topics)
      if (!topics.ok) return topics
      return open(p.sid)?.unsubscribe(topics.value) ?? fail('not_found', `No open MQTT session ${p.sid}`)
    },
  }
}
