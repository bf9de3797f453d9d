import { Store, type IClientOptions, type IStore, type MqttClient, type Packet } from 'mqtt'

/**
 * A persistent session's QoS 1/2 publishes (and QoS 2 PUBRELs) awaiting their acks, shared by every connection
 * of the session: MQTT.js puts each one here as it goes out and takes it off at its ack. MQTT.js sends what its
 * store holds again as a connection opens, one at a time, each after the ack of the one before, and says the
 * connection is open (so subscribes and publishes go) only after the last one: 200 stored publishes held the
 * session's open 200 round trips. This store hands MQTT.js nothing at connect; the session decides what becomes
 * of them by the CONNACK (mqtt-our-publishes.ts) and sends them again itself (`resend`), within the broker's
 * Receive Maximum, as the connection opens.
 */
export class SessionStore implements IStore {
  private readonly packets = new Map<number, Packet>()

  put(packet: Packet, cb: () => void): this {
    // A PUBREL takes its PUBLISH's place (a Map keeps the first key's order): the order sent stays.
    if (packet.messageId !== undefined) this.packets.set(packet.messageId, packet)
    cb()
    return this
  }

  get(packet: Pick<Packet, 'messageId'>, cb: (error?: Error, packet?: Packet) => void): this {
    const p = packet.messageId === undefined ? undefined : this.packets.get(packet.messageId)
    if (p) cb(undefined, p)
    else cb(new Error('missing packet'))
    return this
  }

  del(packet: Pick<Packet, 'messageId'>, cb: (error?: Error, packet?: Packet) => void): this {
    const id = packet.messageId
    const p = id === undefined ? undefined : this.packets.get(id)
    if (p && id !== undefined) {
      this.packets.delete(id)
      cb(undefined, p)
    } else cb(new Error('missing packet'))
    return this
  }

  /** Nothing for MQTT.js to send again: the session does (see the class). */
  createStream(): ReturnType<IStore['createStream']> {
    return new Store().createStream()
  }

  /** The store outlives the client using it: MQTT.js closes its stores when a client ends. */
  close(cb: () => void): void {
    cb()
  }

  has(id: number): boolean {
    return this.packets.has(id)
  }

  /** What awaits its ack, in the order it went out. */
  stored(): Packet[] {
    return [...this.packets.values()]
  }

  /** Everything taken off (none will be sent again): what was held. */
  discard(): Packet[] {
    const all = this.stored()
    this.packets.clear()
    return all
  }
}

/**
 * Packet ids for a connection's new publishes that never take one a stored publish still holds: each connection
 * is a fresh MQTT.js client (its ids start anywhere), and the stored ones go again beside the new ones.
 */
export function idsBeside(store: SessionStore): NonNullable<IClientOptions['messageIdProvider']> {
  let next = Math.max(1, Math.floor(Math.random() * 65_535))
  let last: number | null = null
  return {
    allocate(): number | null {
      for (let i = 0; i < 65_535; i++) {
        const id = next
        next = next === 65_535 ? 1 : next + 1
        if (!store.has(id)) return (last = id)
      }
      return null
    },
    getLastAllocated: (): number | null => last,
    register: (): boolean => true,
    deallocate: (): void => undefined,
    clear: (): void => undefined,
  }
}

/**
 * MQTT.js's members a stored packet is sent again through (as its own store processing does). Its public API has
 * no way to send a PUBREL (`publish` makes PUBLISH packets only), so these internals stay;
 * test/engine/mqtt-client-internals.test.ts fails, naming them, on an MQTT.js that no longer has them.
 */
interface ClientInternals {
  outgoing: Record<number, { volatile: boolean; cmd: string; cb: (err?: Error) => void }>
  _sendPacket(packet: Packet, cb: undefined, cbStorePut: undefined, noStore: boolean): void
}

/** What `client` lacks of the MQTT.js internals `resend` uses, in words (null: it has them). */
export function missingInternals(client: MqttClient): string | null {
  const own = client as unknown as Partial<ClientInternals>
  const missing = [
    ...(typeof own.outgoing === 'object' && own.outgoing !== null ? [] : ['client.outgoing (an object)']),
    ...(typeof own._sendPacket === 'function' ? [] : ['client._sendPacket (a function)']),
  ]
  return missing.length > 0
    ? `this MQTT.js has no ${missing.join(' and ')}: a stored PUBLISH or PUBREL cannot be sent again`
    : null
}

/**
 * Sends a stored PUBLISH or PUBREL again on `client` with its packet id (it stays in the store till its ack);
 * `done` is told at its ack (PUBACK, PUBCOMP) or refusal, as a publish's callback is.
 */
export function resend(client: MqttClient, packet: Packet, done: (err?: Error) => void): void {
  const missing = missingInternals(client)
  const id = packet.messageId
  if (missing !== null || id === undefined) return done(new Error(missing ?? 'a stored packet with no id'))
  const own = client as unknown as ClientInternals
  own.outgoing[id] = { volatile: false, cmd: packet.cmd, cb: (err) => done(err) }
  // A PUBLISH sent again says so (DUP, MQTT 3.1.1 and 5 3.3.1.1); MQTT.js's own resend leaves it unset.
  own._sendPacket(packet.cmd === 'publish' ? { ...packet, dup: true } : packet, undefined, undefined, true)
}
