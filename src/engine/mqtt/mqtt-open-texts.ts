import type { CommandRequest } from '../../shared/contract'
import { fail, type Result } from '../../shared/result'
import { propertyTexts, withPropertyTexts } from './mqtt-property-texts'

/**
 * The texts of an MQTT open that `{{variables}}` resolve in, beside its URL: the client id, user name and
 * password, the will's topic and payload, each topic filter subscribed to, and the will's MQTT 5 properties
 * (mqtt-property-texts.ts). `withOpenTexts` puts the resolved
 * ones back in the same order. An absent option stays absent (an empty user name is not no user name to every
 * broker). Linear in the open's texts.
 */

type MqttOpen = CommandRequest<'mqtt.open'>

export function openTexts(p: MqttOpen): string[] {
  const o = p.options ?? {}
  const out = [
    o.clientId ?? '',
    o.username ?? '',
    o.password ?? '',
    o.will?.topic ?? '',
    o.will?.payload ?? '',
  ]
  for (const s of p.subscriptions) out.push(s.topic)
  out.push(...propertyTexts(o.will?.properties))
  return out
}

export function withOpenTexts(p: MqttOpen, texts: readonly string[]): MqttOpen {
  let i = 0
  const next = (): string => texts[i++] ?? ''
  const o = p.options
  const [clientId, username, password, willTopic, willPayload] = [next(), next(), next(), next(), next()]
  const subscriptions = p.subscriptions.map((s) => ({ ...s, topic: next() }))
  if (!o) return { ...p, subscriptions }
  const willProperties = withPropertyTexts(o.will?.properties, texts.slice(i))
  const options = { ...o }
  if (o.clientId !== undefined) options.clientId = clientId
  if (o.username !== undefined) options.username = username
  if (o.password !== undefined) options.password = password
  if (o.will)
    options.will = {
      ...o.will,
      topic: willTopic,
      payload: willPayload,
      ...(willProperties ? { properties: willProperties } : {}),
    }
  return { ...p, options, subscriptions }
}

/** A will topic or topic filter that resolved to nothing, said in words (the original text named); else null. */
export function emptyOpenText(typed: MqttOpen, resolved: MqttOpen): Result<never> | null {
  if (resolved.options?.will?.topic === '')
    return fail(
      'invalid_request',
      `The will's topic ${typed.options?.will?.topic.slice(0, 200) ?? ''} is empty once resolved`,
    )
  const i = resolved.subscriptions.findIndex((s) => s.topic === '')
  const named = typed.subscriptions[i]?.topic.slice(0, 200)
  return named === undefined
    ? null
    : fail('invalid_request', `The topic filter ${named} is empty once resolved`)
}
