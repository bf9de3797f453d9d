import type { SavedMqtt } from '../../shared/mqtt'
import type { SavedSocketIo } from '../../shared/socketio'
import { propertyTexts, withPropertyTexts } from '../mqtt/mqtt-property-texts'

/**
 * The texts of a run's MQTT or Socket.IO step that `{{variables}}` resolve in, beside its URL and headers, as a
 * WebSocket step's messages do: MQTT's username, password, each publish's topic and payload, the client id, the
 * will's topic and payload, each topic filter subscribed to, each publish's and the will's MQTT 5 properties; Socket.IO's auth payload and each emit's event and
 * arguments (the same texts as a session opened in the app resolves). They resolve with the step's request (resolveForSend's `extra`),
 * so an unknown variable fails the step, and a secret with no value on this machine is caught there too (the CLI
 * refuses the step unsent). Linear in the step's texts.
 */

interface MessagingStep {
  kind?: string
  mqtt?: SavedMqtt
  socketio?: SavedSocketIo
}

/** The step's texts in a fixed order (`withMessagingTexts` puts them back in it); null: not such a step. */
export function messagingTexts(step: MessagingStep): string[] | null {
  if (step.kind === 'mqtt') {
    const saved = step.mqtt
    if (!saved) return null
    const out = [saved.options?.username ?? '', saved.options?.password ?? '']
    for (const p of saved.publishes) out.push(p.topic, p.payload)
    const o = saved.options
    out.push(o?.clientId ?? '', o?.will?.topic ?? '', o?.will?.payload ?? '')
    for (const sub of saved.subscriptions) out.push(sub.topic)
    for (const p of saved.publishes) out.push(...propertyTexts(p.properties))
    out.push(...propertyTexts(o?.will?.properties))
    return out
  }
  if (step.kind === 'socketio') {
    const saved = step.socketio
    if (!saved) return null
    const out = [saved.auth ?? '']
    for (const e of saved.emits) out.push(e.event, e.args)
    return out
  }
  return null
}

/** `step` with its texts replaced by `texts` (resolved), taken in `messagingTexts`' order. */
export function withMessagingTexts<S extends MessagingStep>(step: S, texts: readonly string[]): S {
  let i = 0
  const next = (): string => texts[i++] ?? ''
  const mqtt = step.kind === 'mqtt' ? step.mqtt : undefined
  if (mqtt) {
    const options = { ...mqtt.options }
    const username = next()
    const password = next()
    // An absent one stays absent (an empty username is not no username to every broker).
    if (mqtt.options?.username !== undefined) options.username = username
    if (mqtt.options?.password !== undefined) options.password = password
    const publishes = mqtt.publishes.map((p) => ({ ...p, topic: next(), payload: next() }))
    const [clientId, willTopic, willPayload] = [next(), next(), next()]
    if (mqtt.options?.clientId !== undefined) options.clientId = clientId
    const subscriptions = mqtt.subscriptions.map((sub) => ({ ...sub, topic: next() }))
    const withProperties = publishes.map((p) => {
      const own = propertyTexts(p.properties).map(() => next())
      const properties = withPropertyTexts(p.properties, own)
      return properties ? { ...p, properties } : p
    })
    const will = mqtt.options?.will
    const willOwn = propertyTexts(will?.properties).map(() => next())
    const willProperties = withPropertyTexts(will?.properties, willOwn)
    if (will)
      options.will = {
        ...will,
        topic: willTopic,
        payload: willPayload,
        ...(willProperties ? { properties: willProperties } : {}),
      }
    return { ...step, mqtt: { ...mqtt, options, publishes: withProperties, subscriptions } }
  }
  const io = step.kind === 'socketio' ? step.socketio : undefined
  if (io) {
    const auth = next()
    const emits = io.emits.map((e) => ({ ...e, event: next(), args: next() }))
    return { ...step, socketio: { ...io, ...(io.auth !== undefined ? { auth } : {}), emits } }
  }
  return step
}
