import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { EngineService } from '../../src/engine/service'
import type { StreamEntry } from '../../src/shared/streams'
import { logUntil } from './log-until'
import { settle } from './stream-helpers'

/**
 * A broker on 127.0.0.1:0 that answers CONNECT with CONNACK (laid out for the version CONNECT names) and then
 * writes the bytes a test scripts, read by read: packets a real broker would not send, or sends oddly.
 */

export type Version = 4 | 5

export interface Pub {
  topic: Buffer | string
  payload?: Buffer | string
  /** QoS bits as sent (3 is malformed); a packet id is written for 1 and 2. */
  qos?: number
  packetId?: number
  /** Bytes the remaining length is written in (more than it needs: zero groups with the continuation bit). */
  lengthBytes?: number
}

export function publish(v: Version, o: Pub): Buffer {
  const t = Buffer.from(o.topic)
  const qos = o.qos ?? 0
  const id = qos === 1 || qos === 2 ? Buffer.from([0, o.packetId ?? 1]) : Buffer.alloc(0)
  const body = Buffer.concat([
    Buffer.from([t.length >> 8, t.length & 0xff]),
    t,
    id,
    v === 5 ? Buffer.from([0]) : Buffer.alloc(0),
    Buffer.from(o.payload ?? ''),
  ])
  const len: number[] = []
  let n = body.length
  do {
    len.push(n & 0x7f)
    n >>= 7
  } while (n > 0)
  while (len.length < (o.lengthBytes ?? 0)) len.push(0)
  for (let i = 0; i < len.length - 1; i++) len[i] = (len[i] as number) | 0x80
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), ...len]), body])
}

export const flood = (v: Version, from: number, n: number): Buffer[] =>
  Array.from({ length: n }, (_, i) => publish(v, { topic: 'e/flood', payload: `m${from + i}` }))
export const end = (v: Version): Buffer => publish(v, { topic: 'e/end', payload: 'end' })

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export interface ScriptedBroker {
  readonly port: number
  /**
   * Opens a session to the broker, which writes `reads` one after another once CONNACK is out, `gapMs` apart (0:
   * a turn of its event loop apart).
   */
  open(v: Version, reads: Buffer[], more?: { maxMessageBytes?: number }, gapMs?: number): Promise<string>
  /** The broker's messages in the log once `ends` of `e/end` are there: [topic, data, kind]. */
  messagesOf(sid: string, ends?: number): Promise<[string | undefined, string, string][]>
  /** The broker's messages in the log (its entries, for what a test looks at beside the data). */
  entriesUntil(sid: string, pred: (e: StreamEntry) => boolean, n?: number): Promise<StreamEntry[]>
  close(): Promise<void>
}

export async function scriptedBroker(service: EngineService): Promise<ScriptedBroker> {
  let script: (socket: Socket) => Promise<void> = async () => undefined
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true)
    let connected = false
    socket.on('data', (chunk) => {
      if (connected) return
      connected = true
      // CONNECT names its protocol level after "MQTT": CONNACK as that version lays it out.
      const level = chunk[chunk.indexOf('MQTT') + 4]
      socket.write(Buffer.from(level === 5 ? [0x20, 0x03, 0, 0, 0] : [0x20, 0x02, 0, 0]))
      void script(socket)
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  const received = (e: StreamEntry): boolean => e.dir === 'in' && e.kind !== 'control'
  return {
    port,
    async open(v, reads, more = {}, gapMs = 10) {
      script = async (socket) => {
        await sleep(30)
        for (const read of reads) {
          if (socket.destroyed) return
          socket.write(read)
          await (gapMs > 0 ? sleep(gapMs) : new Promise((r) => setImmediate(r)))
        }
      }
      const r = await service.invoke('mqtt.open', {
        url: `mqtt://127.0.0.1:${port}`,
        subscriptions: [],
        options: { protocolVersion: v, reconnect: false, ...more },
      })
      if (!r.ok) throw new Error(r.error.message)
      return r.value.sid
    },
    async messagesOf(sid, ends = 1) {
      const log = await logUntil(service, sid, (e) => e.event === 'e/end', ends, 10_000)
      await service.invoke('session.cancel', { sid })
      await settle(service, sid)
      return log
        .filter((e) => received(e) && e.event !== 'e/end')
        .map((e) => [e.event, e.data, e.kind] as [string | undefined, string, string])
    },
    async entriesUntil(sid, pred, n = 1) {
      const log = await logUntil(service, sid, pred, n, 10_000)
      return log.filter(received)
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
