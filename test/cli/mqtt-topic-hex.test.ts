import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'
import { publish } from '../engine/mqtt-scripted-broker'

/**
 * A delivery whose topic is not UTF-8 shows U+FFFD for each bad byte, so two topics that differ only there look
 * the same; `--json` kept their bytes (`topicHex`), the human output did not. Now it prints them beside the topic.
 * mosquitto refuses such a topic from its publishers (MQTT requires UTF-8), so a broker that sends one anyway is
 * scripted here: a plain TCP server on 127.0.0.1:0 that answers CONNECT and SUBSCRIBE, then publishes.
 */

const BAD = Buffer.from([0x61, 0xff, 0x2f, 0xc3]) // "a", a byte no UTF-8 has, "/", a sequence cut short
const OTHER = Buffer.from([0x61, 0xfe, 0x2f, 0xc3]) // shown the same: a\ufffd/\ufffd
const LONG = Buffer.concat([Buffer.from('t/'), Buffer.alloc(300, 0xff)])

let server: Server
let url: string
const sockets = new Set<Socket>()

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.on('data', (chunk) => {
      const type = chunk[0] ?? 0
      // CONNECT: CONNACK as MQTT 5 lays it out (the CLI's default version), no properties.
      if (type === 0x10) socket.write(Buffer.from([0x20, 0x03, 0, 0, 0]))
      // SUBSCRIBE: SUBACK (granted QoS 0) for its packet id, then the messages.
      if (type === 0x82) {
        // The packet id follows the remaining length (one byte here, two past 127).
        const at = (chunk[1] ?? 0) & 0x80 ? 3 : 2
        socket.write(Buffer.from([0x90, 0x04, chunk[at] ?? 0, chunk[at + 1] ?? 1, 0, 0]))
        socket.write(
          Buffer.concat([
            publish(5, { topic: 'ok/plain', payload: 'fine' }),
            publish(5, { topic: BAD, payload: 'one' }),
            publish(5, { topic: OTHER, payload: 'two' }),
            publish(5, { topic: LONG, payload: 'three' }),
          ]),
        )
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
})

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await runCli(argv, { out: (t) => void (out += t), err: (t) => void (err += t) })
  return { code, out, err }
}

describe('flightdeck mqtt: a topic that is not UTF-8', () => {
  it("prints the topic's bytes beside the text that cannot show them", async () => {
    const r = await cli('mqtt', url, '--sub', '#', '--max', '4')
    expect(r.err).toBe('')
    expect(r.code).toBe(0)
    const messages = r.out.split('\n').filter((l) => l.includes(' [QoS 0] '))
    expect(messages).toHaveLength(4)
    expect(messages[0]).toMatch(/← ok\/plain \[QoS 0\] \(4 B\) fine$/)
    expect(messages[1]).toMatch(
      /← a\ufffd\/\ufffd \[QoS 0\] \[topic \(not UTF-8\): 0x61ff2fc3\] \(3 B\) one$/,
    )
    expect(messages[2]).toMatch(
      /← a\ufffd\/\ufffd \[QoS 0\] \[topic \(not UTF-8\): 0x61fe2fc3\] \(3 B\) two$/,
    )
    // A long one is cut to 128 bytes of hex, its length said.
    const head = Buffer.concat([Buffer.from('t/'), Buffer.alloc(126, 0xff)]).toString('hex')
    expect(messages[3]).toContain(`[topic (not UTF-8): 0x${head}… (302 bytes)] (5 B) three`)
  }, 30_000)

  it('--json has the same bytes as topicHex', async () => {
    const r = await cli('mqtt', url, '--sub', '#', '--max', '4', '--json')
    expect(r.code).toBe(0)
    const hex = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type?: string; topicHex?: string })
      .filter((m) => m.type === 'message')
      .map((m) => m.topicHex)
    expect(hex).toEqual([undefined, '61ff2fc3', '61fe2fc3', LONG.toString('hex')])
  }, 30_000)
})
