import type { MqttClient } from 'mqtt'
import { PacedStream } from './mqtt-paced-stream'

/**
 * How an MQTT.js client is ended: at once (a cut, an abort), or gracefully with DISCONNECT within a bounded wait.
 */

const CLOSE_GRACE_MS = 5000

/** Ends a client now, also one already waiting in a graceful end (where MQTT.js ignores end(true)). */
export function forceEnd(client: MqttClient): void {
  client.end(true)
  client.stream?.destroy()
}

/**
 * Ends a client whose broker sent a malformed packet: nothing after it is read, but the packets MQTT.js parsed
 * before it in the same read (the broker's messages, handled one per process.nextTick) are handled first, as the
 * engine's own reader handles the plain QoS 0 ones before it; then the connection is cut.
 */
export function endAfterParsed(client: MqttClient): void {
  const stream = client.stream as unknown
  if (stream instanceof PacedStream) stream.stop()
  setImmediate(() => forceEnd(client))
}

/**
 * Ends a client whose paced stream refused a message past the limit (it hands on nothing from that message on):
 * once MQTT.js has handled the messages before it, the connection is cut.
 */
export function endWhenHandled(client: MqttClient): void {
  const stream = client.stream as unknown
  if (stream instanceof PacedStream) stream.whenHandled(() => forceEnd(client))
  else setImmediate(() => forceEnd(client))
}

/**
 * DISCONNECT (MQTT 5: reason 0, normal). MQTT.js holds it back until every publish in flight is acked, and
 * ignores a later end(true), so a broker that never acks would keep Close waiting for ever. After the grace:
 * stop waiting (DISCONNECT goes out, so the broker drops the will), and should even that not close the
 * connection, cut it. Returns what stops the timers (the connection closed, or the session was let go).
 */
export function endGracefully(client: MqttClient, version: number): () => void {
  client.end(false, version === 5 ? { reasonCode: 0 } : {})
  let timer: ReturnType<typeof setTimeout> | null = setTimeout(() => {
    client.emit('outgoingEmpty')
    timer = setTimeout(() => forceEnd(client), CLOSE_GRACE_MS)
  }, CLOSE_GRACE_MS)
  return () => {
    if (timer) clearTimeout(timer)
    timer = null
  }
}
