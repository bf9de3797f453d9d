import type { MqttPublishProperties } from '../../shared/mqtt'

/**
 * The texts of a publish's MQTT 5 properties that `{{variables}}` resolve in, as its topic and payload do: the
 * content type, the response topic, the correlation data and each user property's name and value, in this
 * order (`withPropertyTexts` puts the resolved ones back in it). An absent property stays absent; numbers and
 * flags are not texts. Linear in the properties' texts.
 */

export function propertyTexts(properties: MqttPublishProperties | undefined): string[] {
  if (!properties) return []
  const out = [properties.contentType ?? '', properties.responseTopic ?? '', properties.correlationData ?? '']
  for (const u of properties.userProperties ?? []) out.push(u.name, u.value)
  return out
}

export function withPropertyTexts(
  properties: MqttPublishProperties | undefined,
  texts: readonly string[],
): MqttPublishProperties | undefined {
  if (!properties) return properties
  let i = 0
  const next = (): string => texts[i++] ?? ''
  const [contentType, responseTopic, correlationData] = [next(), next(), next()]
  const out: MqttPublishProperties = { ...properties }
  if (properties.contentType !== undefined) out.contentType = contentType
  if (properties.responseTopic !== undefined) out.responseTopic = responseTopic
  if (properties.correlationData !== undefined) out.correlationData = correlationData
  if (properties.userProperties)
    out.userProperties = properties.userProperties.map(() => ({ name: next(), value: next() }))
  return out
}
