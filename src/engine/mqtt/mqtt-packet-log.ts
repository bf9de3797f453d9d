import type { Packet } from 'mqtt'
import { isUtf8 } from 'node:buffer'
import { mqttReasonText, type MqttOptions } from '../../shared/mqtt'
import type { ExchangeMarks } from '../http/timings'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import { AckPairing, PAIRING_LIMIT, type PairingNote } from './mqtt-ack-pairing'
import { InFlightPublishes } from './mqtt-in-flight'
import { connackAnswer, controlEntry, deliveryId } from './mqtt-packets'

/**
 * The packets MQTT.js reads and writes, as the session's log tells them: publishes as `out` entries, the QoS
 * handshake's steps, SUBSCRIBE / UNSUBSCRIBE and the broker's DISCONNECT as `control` entries in words, each ack
 * paired with the publish it answers (mqtt-ack-pairing.ts), publishes left awaiting their acks when a connection
 * drops carried to the next one or marked lost (mqtt-in-flight.ts).
 */

export interface PacketLogHost {
  readonly sid: string
  readonly version: MqttOptions['protocolVersion']
  now(): number
  record(
    attempt: SessionAttempt,
    dir: 'in' | 'out',
    kind: 'text' | 'binary' | 'control',
    data: Buffer | string,
    event: string,
    id: string,
  ): number
}

export class MqttPacketLog {
  readonly pairing = new AckPairing()
  readonly inFlight: InFlightPublishes
  /** The log seq of the publish MQTT.js wrote last (told synchronously by its 'packetsend'). */
  lastPublishSeq = -1
  /** The broker's DISCONNECT on this connection, in words. */
  serverDisconnect: string | null = null

  constructor(
    private readonly host: PacketLogHost,
    /** Clean start off: publishes awaiting acks are sent again on the next connection. */
    persistent: boolean,
  ) {
    this.inFlight = new InFlightPublishes(persistent)
  }

  /** A new connection: packet ids start afresh, but for publishes carried from the one before. */
  connecting(): void {
    this.pairing.reset()
    this.serverDisconnect = null
    this.inFlight.connecting(this.pairing)
  }

  /**
   * The connection opened and sends `stored` again (the publishes the connection before left awaiting their
   * acks): say how many; `newSession`: though the broker kept no session.
   */
  opened(attempt: SessionAttempt, stored: readonly Packet[], newSession: boolean): void {
    const note = this.inFlight.resentNote(stored, newSession)
    if (note) this.host.record(attempt, 'in', 'control', note.words, 'resent', JSON.stringify(note.c))
  }

  /** The broker started a new session and `stored` are discarded (MQTT 5): an `unsent` entry each. */
  discarded(attempt: SessionAttempt, stored: readonly Packet[], why: string): void {
    for (const d of this.inFlight.discarded(stored, this.pairing, why))
      this.host.record(attempt, 'out', 'control', d.words, 'unsent', JSON.stringify(d.c))
  }

  /**
   * The connection dropped (or the session ends): publishes awaiting acks are carried to the next connection
   * (`carry`: a persistent session that reconnects) or each marked lost. Returns words for the connection's end
   * ('' when none awaited).
   */
  dropped(attempt: SessionAttempt, carry: boolean, why: string): string {
    const out = this.inFlight.dropped(this.pairing.awaiting(), this.pairing.unanswered(), carry, why)
    for (const lost of out.lost)
      this.host.record(attempt, 'out', 'control', lost.words, 'lost', JSON.stringify(lost.c))
    return out.summary
  }

  /** The session ends between connections: the publishes carried for the next one are each marked lost. */
  abandoned(record: (words: string, id: string) => void): string {
    const out = this.inFlight.abandon('the session ended')
    for (const lost of out.lost) record(lost.words, JSON.stringify(lost.c))
    return out.summary ? `; ${out.summary}` : ''
  }

  /** A packet MQTT.js wrote. */
  sent(attempt: SessionAttempt, p: Packet): void {
    const t = this.host.now()
    switch (p.cmd) {
      case 'publish': {
        const payload =
          typeof p.payload === 'string' ? Buffer.from(p.payload, 'utf8') : Buffer.from(p.payload)
        const seq = this.host.record(
          attempt,
          'out',
          isUtf8(payload) ? 'text' : 'binary',
          payload,
          p.topic,
          deliveryId(p),
        )
        this.lastPublishSeq = seq
        // A copy sent again (DUP) pairs afresh: its ack answers the copy.
        if (p.qos > 0 && p.messageId !== undefined) {
          this.note(attempt, this.pairing.sent(p.messageId, { t, seq, topic: p.topic, qos: p.qos }))
        }
        return
      }
      case 'pubrel':
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
        this.control(attempt, 'out', p.cmd.toUpperCase(), p.messageId, p.reasonCode, p.cmd === 'pubrel')
        return
      case 'subscribe':
        for (const s of p.subscriptions)
          this.control(
            attempt,
            'out',
            'SUBSCRIBE',
            p.messageId,
            undefined,
            false,
            `${s.topic} with QoS ${s.qos}`,
          )
        return
      case 'unsubscribe':
        this.control(
          attempt,
          'out',
          'UNSUBSCRIBE',
          p.messageId,
          undefined,
          false,
          p.unsubscriptions.join(', '),
        )
        return
      default:
    }
  }

  /** A packet MQTT.js read. */
  received(attempt: SessionAttempt, marks: ExchangeMarks, p: Packet): void {
    switch (p.cmd) {
      case 'connack': {
        const t = this.host.now()
        marks.firstByte = t
        const code = p.reasonCode ?? p.returnCode ?? 0
        const v = this.host.version
        attempt.phase(() => connackAnswer(this.host.sid, t, code, p.sessionPresent, v, p.properties))
        return
      }
      case 'puback':
      case 'pubrec':
      case 'pubcomp':
      case 'pubrel':
        this.control(attempt, 'in', p.cmd.toUpperCase(), p.messageId, p.reasonCode, p.cmd === 'pubrec')
        return
      case 'suback':
        // Recorded by the session's subscriptions, which know each topic filter of its SUBSCRIBE.
        return
      case 'unsuback':
        this.control(attempt, 'in', 'UNSUBACK', p.messageId, undefined, false)
        return
      case 'disconnect': {
        const code = p.reasonCode ?? 0
        const why = p.properties?.reasonString
        this.serverDisconnect = `The broker disconnected: ${mqttReasonText(code)}${why ? `: ${why}` : ''}`
        this.control(attempt, 'in', 'DISCONNECT', undefined, code, false, why)
        return
      }
      default:
    }
  }

  /** A QoS handshake step (or another control packet) in the log, paired with its publish when it has one. */
  private control(
    attempt: SessionAttempt,
    dir: 'in' | 'out',
    name: string,
    packetId: number | undefined,
    reasonCode: number | undefined,
    midway: boolean,
    about?: string,
  ): void {
    const t = this.host.now()
    // Our publish's handshake: PUBACK / PUBCOMP end it (PUBREC and PUBREL are midway, for QoS 2). Packet ids
    // are per direction: only the steps that answer our publishes (all in, but our PUBREL) are paired.
    const answersOurs = /^PUB(ACK|REC|COMP)$/.test(name) ? dir === 'in' : name === 'PUBREL' && dir === 'out'
    const paired = packetId !== undefined && answersOurs ? this.pairing.answer(packetId, !midway) : undefined
    const ours = paired?.pub
    const why = paired?.forgotten ? '(its publish was forgotten past the pairing limit)' : about
    const { words, c } = controlEntry(name, packetId, reasonCode, ours && { ...ours, rttMs: t - ours.t }, why)
    this.host.record(attempt, dir, 'control', words, name, JSON.stringify(c))
  }

  note(attempt: SessionAttempt, note: PairingNote | null): void {
    if (note) this.host.record(attempt, 'in', 'control', note.words, PAIRING_LIMIT, JSON.stringify(note.c))
  }
}
