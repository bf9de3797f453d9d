import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createSchema } from 'graphql-yoga'
import { createHandler } from 'graphql-sse/lib/use/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/index'

/**
 * `flightdeck graphql -t sse-single -A NAME`: GraphQL over SSE's single connection mode makes several requests (PUT
 * to reserve a stream, GET to open it, POST to start the operation); each carries the User-Agent -A names, and
 * `-A ''` leaves it out of every one. graphql-sse's own handler on 127.0.0.1:0, behind a recorder of the headers.
 */

let server: Server
let url = ''
const seen: { method: string; headers: IncomingHttpHeaders }[] = []
const sockets = new Set<Socket>()

beforeAll(async () => {
  const schema = createSchema({
    typeDefs: 'type Query { hello: String! }\ntype Subscription { count(to: Int!): Int! }',
    resolvers: {
      Query: { hello: () => 'world' },
      Subscription: {
        count: {
          subscribe: async function* (_: unknown, { to }: { to: number }) {
            for (let i = 1; i <= to; i++) yield { count: i }
          },
        },
      },
    },
  })
  const handler = createHandler({ schema })
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', headers: req.headers })
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`
})

afterAll(async () => {
  for (const s of sockets) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
})

async function subscribe(...extra: string[]): Promise<{ method: string; headers: IncomingHttpHeaders }[]> {
  const before = seen.length
  let out = ''
  let err = ''
  const code = await runCli(
    ['graphql', url, '-q', 'subscription { count(to: 2) }', '-t', 'sse-single', '--json', ...extra],
    { out: (t) => void (out += t), err: (t) => void (err += t) },
  )
  expect(err).toBe('')
  expect(code).toBe(0)
  expect(out.split('\n').filter((l) => l.includes('"type":"next"'))).toHaveLength(2)
  return seen.slice(before)
}

describe('graphql -t sse-single -A', () => {
  it('every request of the reserved stream (PUT, GET, POST) carries the User-Agent -A names', async () => {
    const requests = await subscribe('-A', 'probe/sse-single')
    expect(requests.map((r) => r.method)).toEqual(expect.arrayContaining(['PUT', 'GET', 'POST']))
    expect(requests.map((r) => `${r.method} ${r.headers['user-agent'] ?? '(none)'}`)).toEqual(
      requests.map((r) => `${r.method} probe/sse-single`),
    )
  })

  it("-A '' sends none on any of them; without -A, Flightdeck's own goes on each", async () => {
    const none = await subscribe('-A', '')
    expect(none.length).toBeGreaterThanOrEqual(3)
    expect(none.filter((r) => 'user-agent' in r.headers).map((r) => r.method)).toEqual([])
    const own = await subscribe()
    expect(own.every((r) => r.headers['user-agent']?.startsWith('Flightdeck/'))).toBe(true)
  })
})
