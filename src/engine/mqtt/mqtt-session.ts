import { randomBytes } from 'node:crypto'
import type { IClientOptions, IConnackPacket, IPublishPacket, MqttClient, Packet } from 'mqtt'
import type { MqttOptions, MqttSubscription } from '../../shared/mqtt'
import type { CommandRequest } from '../../shared/contract'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import { classifyError } from '../http/errors'
import type { ExchangeMarks } from '../http/timings'
import { SessionKernel } from '../sessions/kernel/session-kernel'
import type { SessionAttempt } from '../sessions/kernel/session-attempt'
import type { SessionTransport } from '../sessions/kernel/session-transport'
import type { PluggedSessionInit } from '../streams/stream-engine'
import { parseStreamUrl } from '../streams/stream-plumbing'
import { clientOptions, connectSentEvent } from './mqtt-options'
import { connackNote, publishArgs } from './mqtt-packets'
import { OurPublishes } from './mqtt-our-publishes'
import { attemptEndReport } from './mqtt-attempt-end'
import { clientErrorOutcome } from './mqtt-client-errors'
import { endAfterParsed, endGracefully, endWhenHandled, forceEnd } from './mqtt-client-end'
import { guardSizes, mqttClientFor, readPublishesQuickly } from './mqtt-client'
import { idsBeside } from './mqtt-session-store'
import { listenInbound } from './mqtt-inbound'
import { MqttSubscriptions } from './mqtt-subscriptions'
import { MqttInbox } from './mqtt-inbox'
import { MqttPacketLog } from './mqtt-packet-log'
import { oversizeBegun, oversizeRead } from './mqtt-size-guard'
import { doublingDelay, readCaFile } from '../sessions/kernel/session-setup'

/**
 * One MQTT connection (3.1.1 or 5, over mqtt://, mqtts://, ws:// or wss://) on MQTT.js, a transport of the
 * session kernel. Each attempt is a fresh MQTT.js client with its own reconnects off (the kernel's policy
 * reconnects, and every connection subscribes the session's topic filters again). Over TCP and TLS the
 * connection is opened through the engine's timed connection (DNS, connect, TLS phases); CONNECT is the
 * handshake's request (its fields as headers), CONNACK its answer (the `stream-open` note, in words).
 *
 * Messages are log entries named by topic, their delivery (QoS, retain, MQTT 5 properties) as the entry's id;
 * the QoS handshake (PUBACK, PUBREC, PUBREL, PUBCOMP) and SUBACKs are `control` entries beside them, each ack
 * with the time since its publish went out.
 */

const PROGRESS_EVERY_MS = 50

export interface MqttSessionInit extends PluggedSessionInit {
  url: string
  options: MqttOptions
  subscriptions: MqttSubscription[]
  /** The broker refused the credentials (bad user name or password, not authorized): a token used is dropped. */
  onUnauthorized?: () => void
}

export class MqttSession implements SessionTransport {
  readonly sid: string
  private readonly kernel: SessionKernel
  private readonly url: URL | null
  private invalid: AppError | null
  private ca: string | undefined
  private client: MqttClient | null = null
  private failure: AppError | null = null
  /** A refusal (CONNACK) or a broker's DISCONNECT: would repeat on a reconnect, or was told by the broker. */
  private refused = false
  private closing = false
  /** Stops a graceful close's timers. */
  private stopClosing: (() => void) | null = null
  /** Our QoS 1/2 publishes across connections: awaiting acks, or a place under the broker's Receive Maximum. */
  private readonly publishes: OurPublishes
  private lastProgress = 0
  private readonly subscriptions: MqttSubscriptions
  private readonly clientId: string
  private readonly inbox = new MqttInbox(
    () => this.init.ctx.clock.now(),
    (t) => this.progress(t),
  )
  /** What the packets MQTT.js reads and writes put in the log, and the publishes awaiting their acks. */
  private readonly packets: MqttPacketLog

  constructor(private readonly init: MqttSessionInit) {
    this.sid = init.sid
    const url = parseStreamUrl(init.url, ['mqtt', 'mqtts', 'ws', 'wss'])
    this.url = url.ok ? url.value : null
    this.invalid = url.ok ? null : url.error
    this.subscriptions = new MqttSubscriptions(init.subscriptions)
    this.clientId = init.options.clientId || `flightdeck-${randomBytes(4).toString('hex')}`
    if (!this.invalid && init.options.caFile) {
      const read = readCaFile(init.options.caFile)
      if ('error' in read) this.invalid = read.error
      else this.ca = read.ca
    }
    const o = init.options
    this.packets = new MqttPacketLog(
      {
        sid: init.sid,
        version: o.protocolVersion,
        now: () => init.ctx.clock.now(),
        record: (attempt, dir, kind, data, event, id) => this.record(attempt, dir, kind, data, event, id),
      },
      !o.clean,
    )
    this.publishes = new OurPublishes(this.packets, !o.clean, (attempt, words, event, id) => {
      if (attempt) this.record(attempt, 'out', 'control', words, event, id)
      else this.kernel.record('out', 'control', words, init.ctx.clock.now(), undefined, { event, id })
    })
    this.kernel = new SessionKernel(
      {
        sid: init.sid,
        kind: 'mqtt',
        tick: 'sse-event',
        ctx: init.ctx,
        log: init.log,
        onEnd: init.onEnd,
        reconnect: {
          enabled: o.reconnect,
          maxRetries: o.maxRetries,
          resetOn: 'open',
          delayMs: doublingDelay(o),
        },
      },
      this,
    )
  }

  get isEnded(): boolean {
    return this.kernel.isEnded
  }

  start(): void {
    const invalid =
      this.invalid ?? (this.url ? null : { code: 'invalid_url' as const, message: 'Invalid URL' })
    this.kernel.start({ method: 'CONNECT', url: this.url?.href ?? this.init.url, invalid })
  }

  // ---- the transport ----

  connect(attempt: SessionAttempt): void {
    const url = this.url as URL
    const o = this.init.options
    this.failure = null
    this.refused = false
    this.packets.connecting()
    const marks: ExchangeMarks = { queuedAt: attempt.queuedAt }
    attempt.marks = marks
    const options = clientOptions(o, this.clientId, this.ca)
    // A persistent session's publishes awaiting acks outlive the connection: the session sends them again, and
    // the connection's new publishes take packet ids they do not hold.
    const store = this.packets.inFlight.store
    if (store) {
      options.outgoingStore = store
      options.messageIdProvider = idsBeside(store)
    }
    let client: MqttClient
    try {
      client = mqttClientFor({
        sid: this.sid,
        clock: this.init.ctx.clock,
        url,
        options: o,
        ca: this.ca,
        attempt,
        marks,
        client: options,
        sent: () => this.connectSent(attempt, marks, options),
        // Kept in the log as read: a QoS 0 message is then indexed where it lies, not copied (mqtt-inbox.ts).
        onSlice: (slice) => {
          if (this.kernel.attempt === attempt) attempt.log.holdSlice(slice)
        },
      })
    } catch (e) {
      // Not the connection's failure but the client's (an option MQTT.js cannot write): it would throw again, so
      // no reconnect, and the publishes waiting for this connection are told of as at any end.
      const error = classifyError(e, url.host)
      this.failure = { ...error, message: `Could not start the MQTT client: ${error.message}` }
      this.refused = true
      this.closed(attempt)
      return
    }
    this.client = client
    const mine = (): boolean => this.client === client
    guardSizes(client, o, (m) => {
      if (!mine()) return
      this.failure ??= oversizeBegun(m, o.maxMessageBytes)
      this.refused = true
      endWhenHandled(client)
    })
    let done = false
    client.on('packetsend', (p: Packet) => {
      if (mine()) this.packets.sent(attempt, p)
    })
    const onMessage = listenInbound(client, {
      packet: (p) => {
        if (!mine()) return
        this.packets.received(attempt, marks, p)
        if (p.cmd === 'suback')
          this.subscriptions.acked(client, p, (words, id) =>
            this.record(attempt, 'in', 'control', words, 'SUBACK', id),
          )
      },
      message: (topic, payload, packet, topicHex) => {
        if (mine()) this.message(attempt, client, topic, payload, packet, topicHex)
      },
    })
    client.on('connect', (connack: IConnackPacket) => {
      if (!mine()) return
      const code = connack.reasonCode ?? connack.returnCode ?? 0
      attempt.opened({
        status: code,
        mode: 'mqtt',
        marks,
        note: connackNote(code, connack.sessionPresent, o.protocolVersion, connack.properties),
      })
      this.publishes.opened(attempt, client, connack, o.protocolVersion === 5)
      readPublishesQuickly(client, o, onMessage)
      this.subscribe(attempt, this.subscriptions.all())
    })
    client.on('error', (err: Error & { code?: string | number }) => {
      if (!mine()) return
      const e = clientErrorOutcome(err, url.host, o)
      if (e.refused) this.refused = true
      if (e.unauthorized) this.init.onUnauthorized?.()
      this.failure ??= e.failure
      // MQTT.js's parser reports a malformed packet and reads on: the connection ends here (after the messages
      // parsed before it).
      if (e.breach) endAfterParsed(client)
    })
    client.on('close', () => {
      if (!mine() || done) return
      done = true
      this.client = null
      this.closed(attempt)
    })
  }

  /** A broker's message on the session's connection: in the log, or the connection ends when it is too large. */
  private message(
    attempt: SessionAttempt,
    client: MqttClient,
    topic: string,
    payload: Buffer,
    packet: IPublishPacket,
    topicHex: string | undefined,
  ): void {
    const max = this.init.options.maxMessageBytes
    if (payload.length > max) {
      this.failure ??= oversizeRead(payload.length, topic, max)
      this.refused = true
      client.end(true)
      return
    }
    this.kernel.wireBytes += payload.length
    this.kernel.bodyBytes += payload.length
    this.inbox.message(attempt, topic, payload, packet, topicHex)
  }

  /** CONNECT went out (MQTT.js queues it as the client is made, before any listener could hear it). */
  private connectSent(attempt: SessionAttempt, marks: ExchangeMarks, o: IClientOptions): void {
    const t = this.init.ctx.clock.now()
    marks.sendStart ??= t
    marks.sendEnd = t
    attempt.phase(() => connectSentEvent(this.sid, t, this.url, this.clientId, o))
  }

  private record(
    attempt: SessionAttempt,
    dir: 'in' | 'out',
    kind: 'text' | 'binary' | 'control',
    data: Buffer | string,
    event: string,
    id: string,
  ): number {
    // The broker's messages pending as one tick go out first: ticks keep the log's order.
    this.inbox.flush()
    const t = this.init.ctx.clock.now()
    const seq = attempt.record(dir, kind, data, t, undefined, { event, id })
    if (dir === 'in') this.progress(t)
    return seq
  }

  /** `body-progress` at most every PROGRESS_EVERY_MS while messages come in. */
  private progress(t: number): void {
    if (t - this.lastProgress < PROGRESS_EVERY_MS) return
    this.lastProgress = t
    this.kernel.progress(t)
  }

  private subscribe(attempt: SessionAttempt, list: MqttSubscription[]): void {
    const client = this.client
    if (!client) return
    this.subscriptions.subscribe(
      client,
      list,
      () => this.client === client,
      (words, id) => this.record(attempt, 'in', 'control', words, 'SUBACK', id),
    )
  }

  /** The connection closed: how the attempt ended, for the kernel to reconnect or end the session. */
  private closed(attempt: SessionAttempt): void {
    this.inbox.flush()
    this.stopClosing?.()
    this.stopClosing = null
    this.packets.note(attempt, this.packets.pairing.flush(this.init.ctx.clock.now()))
    const goesOn = !this.closing && this.kernel.willReconnect(attempt, !this.refused)
    const publishes = this.publishes.closed(attempt, goesOn)
    attempt.ended(
      attemptEndReport({
        closing: this.closing,
        opened: attempt.isOpen,
        failure: this.failure,
        refused: this.refused,
        serverDisconnect: this.packets.serverDisconnect,
        host: this.url?.host ?? '',
        publishes,
      }),
    )
  }

  abort(): void {
    const client = this.client
    this.client = null
    if (client) forceEnd(client)
  }

  beginClose(): boolean {
    const client = this.client
    if (!client || !client.connected) return false
    this.closing = true
    this.stopClosing = endGracefully(client, this.init.options.protocolVersion)
    return true
  }

  release(): void {
    this.stopClosing?.()
    this.stopClosing = null
    this.abort()
  }

  // ---- commands ----

  /** `seq`: the publish's log entry; -1 and `waiting` when it waits for the broker's Receive Maximum. */
  publish(p: Omit<CommandRequest<'mqtt.publish'>, 'sid'>): Result<{ seq: number; waiting?: boolean }> {
    const client = this.openClient()
    if (!client) return fail('invalid_request', 'The MQTT connection is not open')
    const args = publishArgs(p, this.init.options.protocolVersion)
    if (!args.ok) return args
    return ok(this.publishes.publish(p.topic, args.value.payload, args.value.options))
  }

  subscribeMore(list: MqttSubscription[]): Result<{ subscribed: number }> {
    this.subscriptions.add(list)
    const attempt = this.kernel.attempt
    if (this.openClient() && attempt) this.subscribe(attempt, list)
    return ok({ subscribed: list.length })
  }

  unsubscribe(topics: string[]): Result<{ unsubscribed: number }> {
    this.subscriptions.remove(topics)
    this.openClient()?.unsubscribe(topics)
    return ok({ unsubscribed: topics.length })
  }

  private openClient(): MqttClient | null {
    const client = this.client
    return this.kernel.isOpen && client?.connected ? client : null
  }

  stop(): boolean {
    if (this.kernel.isEnded) return false
    return this.kernel.close(`Closed by you (DISCONNECT)${this.leftBehind()}`)
  }

  dispose(): void {
    if (this.kernel.isEnded) return
    const attempt = this.kernel.attempt
    const client = this.client
    if (this.kernel.state === 'closing' && attempt && client) {
      // Close was waiting for the acks: its connection ends now, as it would at the end of the wait (the close's
      // words, with the publishes it lost), and its late 'close' event is no longer this session's.
      this.client = null
      this.closed(attempt)
      forceEnd(client)
      return
    }
    // An open connection goes with the process, and the publishes awaiting their acks or a place with it.
    const lost = attempt && this.kernel.state === 'open' ? this.publishes.endedOpen(attempt) : ''
    const words = `Closed by you (Flightdeck is shutting down)${this.leftBehind()}`
    this.kernel.dispose(lost ? `${words}; ${lost}` : words)
  }

  /**
   * The session ends between connections (waiting to reconnect, or connecting): no connection will send again
   * the publishes carried for the next one, so each is marked lost (and those waiting for a place not sent);
   * words for the session's end.
   */
  private leftBehind(): string {
    const state = this.kernel.state
    if (state !== 'waiting' && state !== 'connecting') return ''
    return this.publishes.endedBetween()
  }
}
