import type { KeyValue } from '../shared/request'
import { escapeTemplate } from '../shared/template'

/**
 * The engine reads `{{…}}` in some fields of a one-off session's payload, as it reads a saved request's: an SSE
 * request's URL, headers and body, a WebSocket's URL, headers and subprotocols, GraphQL's URL, headers and texts,
 * gRPC's target, metadata and messages, a Socket.IO or MQTT URL and headers. A one-off command has no variables,
 * so what it hands over there is the text to send written as a template that gives exactly it: its braces
 * escaped (template.ts escapeTemplate), whatever the person typed or a file held.
 */
export function asTemplate(text: string): string {
  return escapeTemplate(text)
}

/** Each header's name and value as asTemplate writes them. */
export function headersAsTemplates(headers: readonly KeyValue[]): KeyValue[] {
  return headers.map((h) => ({ ...h, name: escapeTemplate(h.name), value: escapeTemplate(h.value) }))
}

/**
 * A JSON object for a field the engine reads as a template (GraphQL's variables, connection params): the object as
 * it is when its text holds no `{{`, else `<key>Text`, its text as asTemplate writes it.
 */
export function jsonForEngine<K extends string>(key: K, value: Record<string, unknown>): JsonField<K> {
  const text = JSON.stringify(value)
  if (!text.includes('{{')) return { [key]: value } as JsonField<K>
  return { [`${key}Text`]: escapeTemplate(text) } as JsonField<K>
}

type JsonField<K extends string> = Partial<Record<K, Record<string, unknown>> & Record<`${K}Text`, string>>
