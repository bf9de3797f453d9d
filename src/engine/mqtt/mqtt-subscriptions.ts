import type { MqttClient } from 'mqtt'
import type { MqttQos, MqttSubscription } from '../../shared/mqtt'
import { subackEntries } from './mqtt-packets'

/**
 * The session's topic filters. Each connection is a fresh MQTT.js client with its own resubscribes off, so every
 * connection subscribes them all again once open; filters added or removed while a connection is open go at once.
 */
export class MqttSubscriptions {
  private readonly filters = new Map<string, MqttQos>()

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
   * SUBSCRIBE for `list` on `client`; each filter's grant (the SUBACK) is told to `suback` while `current()`
   * says the client is still the session's.
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
    client.subscribe(map, (err, granted) => {
      if (!current()) return
      for (const e of subackEntries(err ?? null, granted)) suback(e.text, e.id)
    })
  }
}
