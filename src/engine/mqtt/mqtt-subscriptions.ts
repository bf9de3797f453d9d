import type { MqttClient, Packet } from 'mqtt'
import type { MqttQos, MqttSubscription } from '../../shared/mqtt'
import { subackEntries } from './mqtt-packets'

/**
 * The session's topic filters. Each connection is a fresh MQTT.js client with its own resubscribes off, so every
 * connection subscribes them all again once open; filters added or removed while a connection is open go at once.
 *
 * Each SUBACK is told as MQTT.js reads it, in the order the broker sent it: the subscribe's callback comes a
 * promise later, after the messages MQTT.js read behind the SUBACK (a retained message printed before the grant
 * it followed).
 */
export class MqttSubscriptions {
  private readonly filters = new Map<string, MqttQos>()
  /** The topic filters of each SUBSCRIBE awaiting its SUBACK, by packet id, on each connection's client. */
  private readonly awaiting = new WeakMap<MqttClient, Map<number, string[]>>()

  constructor(initial: readonly MqttSubscription[]) {
    this.add(initial)
  }

  add(list: readonly MqttSubscription[]): void {
    for (const s of list) this.filters.set(s.topic, s.qos)
  }

  remove(topics: readonly string[]): void {
    for (const t of topics) this.filters.delete(t)
  }

  /** Every filter of the session, for a connection that just opened. */
  all(): MqttSubscription[] {
    return [...this.filters].map(([topic, qos]) => ({ topic, qos }))
  }

  /**
   * SUBSCRIBE for `list` on `client`; each filter's grant (the SUBACK, told by `acked`) or the subscribe's failure
   * is told to `suback` while `current()` says the client is still the session's.
   */
  subscribe(
    client: MqttClient,
    list: readonly MqttSubscription[],
    current: () => boolean,
    suback: (words: string, id: string) => void,
  ): void {
    if (list.length === 0) return
    const map: Record<string, { qos: MqttQos }> = {}
    for (const s of list) map[s.topic] = { qos: s.qos }
    const awaiting = this.awaitingOn(client)
    const ids: number[] = []
    // MQTT.js writes the SUBSCRIBE as it is asked (the connection is open): its packet id is known here.
    const sent = (p: Packet): void => {
      if (p.cmd !== 'subscribe' || p.messageId === undefined) return
      ids.push(p.messageId)
      awaiting.set(
        p.messageId,
        p.subscriptions.map((x) => x.topic),
      )
    }
    client.on('packetsend', sent)
    try {
      client.subscribe(map, (err) => {
        if (!current()) return
        // Told at its SUBACK; else it failed (the connection closed first, a filter MQTT.js refused).
        const unanswered = ids.filter((id) => awaiting.delete(id))
        if (ids.length > 0 && unanswered.length === 0) return
        for (const e of subackEntries(err ?? new Error('no SUBACK'), undefined)) suback(e.text, e.id)
      })
    } finally {
      client.off('packetsend', sent)
    }
  }

  /** A SUBACK MQTT.js read on `client`: each filter's grant or refusal, told to `suback`. */
  acked(
    client: MqttClient,
    p: Extract<Packet, { cmd: 'suback' }>,
    suback: (words: string, id: string) => void,
  ): void {
    const awaiting = this.awaitingOn(client)
    const topics = p.messageId === undefined ? undefined : awaiting.get(p.messageId)
    if (!topics || p.messageId === undefined) return
    awaiting.delete(p.messageId)
    const codes = p.granted as readonly unknown[]
    const granted = topics.map((topic, i) => {
      const code = codes[i]
      return { topic, qos: typeof code === 'number' ? code : 0x80 }
    })
    for (const e of subackEntries(null, granted)) suback(e.text, e.id)
  }

  private awaitingOn(client: MqttClient): Map<number, string[]> {
    let m = this.awaiting.get(client)
    if (!m) this.awaiting.set(client, (m = new Map()))
    return m
  }
}
