import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createSchema, createYoga } from 'graphql-yoga'
import { createHandler } from 'graphql-sse/lib/use/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { digestChecker, type DigestChecker } from '../fixtures/auth-server'
import { collectionRunFolder, type CollectionRunFolder } from './collection-run-folder'

/**
 * A run's GraphQL subscription over SSE is an SSE session, and is authorized as one: digest (which a WebSocket
 * upgrade cannot take) works for it in `flightdeck run`. Both servers put every request behind a strict digest
 * check (the method and URI are part of the answer, a nonce count is never taken twice): graphql-yoga serving
 * GraphQL over SSE's distinct connections mode, and graphql-sse's own handler serving single connection mode,
 * whose PUT, GET, POST and DELETE each need their own answer. Single connection steps were authorized as
 * WebSocket sessions and failed with 'Digest auth is not supported for WebSocket sessions'.
 */

const schema = createSchema({
  typeDefs: /* GraphQL */ `
    type Query {
      ok: Boolean
    }
    type Subscription {
      ticks(to: Int!, delayMs: Int = 0): Int!
    }
  `,
  resolvers: {
    Subscription: {
      ticks: {
        subscribe: async function* (_: unknown, { to, delayMs }: { to: number; delayMs: number }) {
          for (let i = 1; i <= to; i++) {
            if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs))
            yield { ticks: i }
          }
        },
      },
    },
  },
})

interface Guarded {
  url: string
  digest: DigestChecker
  /** The methods of the requests that passed the digest check, in order. */
  passed: string[]
  close(): Promise<void>
}

async function guarded(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<Guarded> {
  const digest = digestChecker()
  const passed: string[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    const refused = digest.check(req)
    if (refused) {
      req.resume()
      res.writeHead(refused.status, refused.headers).end()
      return
    }
    passed.push(req.method ?? '')
    handle(req, res)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    digest,
    passed,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

let yogaServer: Guarded
let sseServer: Guarded
let folder: CollectionRunFolder

const step = (name: string, base: string, transport: string, rest = ''): string =>
  [
    `name: ${name}`,
    'kind: graphql',
    `url: "{{${base}}}/graphql"`,
    'auth:',
    '  type: digest',
    '  username: alice',
    "  password: '{{password}}'",
    'graphql:',
    '  query: "subscription { ticks(to: 3) }"',
    `  transport: ${transport}`,
    'assertions:',
    '  - { kind: message-count, equals: 3 }',
    '  - { kind: json, path: $.data.ticks, equals: 3 }',
    rest,
  ].join('\n')

beforeAll(async () => {
  const yoga = createYoga({ schema, logging: false })
  yogaServer = await guarded((req, res) => void yoga(req, res))
  const handler = createHandler({ schema })
  sseServer = await guarded((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end()
    })
  })
  folder = collectionRunFolder('fd-gql-sse-auth')
  folder.write(
    'collection.yaml',
    `flightdeck: 1\nname: SSE auth\nvariables:\n  yoga: ${yogaServer.url}\n  single: ${sseServer.url}\n  password: s3cret\n`,
  )
  folder.write('distinct/ticks.yaml', step('Distinct', 'yoga', 'sse'))
  folder.write('single/ticks.yaml', step('Single', 'single', 'sse-single'))
  folder.write(
    'stopped/ticks.yaml',
    step('Stopped', 'single', 'sse-single')
      .replace('ticks(to: 3)', 'ticks(to: 100000, delayMs: 5)')
      .replace(/assertions:[\s\S]*$/, 'stop:\n  count: 2\n'),
  )
  folder.write('ws/ticks.yaml', step('Over a WebSocket', 'yoga', 'transport-ws'))
})

afterAll(async () => {
  await yogaServer?.close()
  await sseServer?.close()
  folder?.remove()
})

describe('flightdeck run: a GraphQL subscription over SSE with digest auth', () => {
  it("distinct connections (graphql-yoga): the stream's POST answers the challenge", async () => {
    const r = await folder.run('distinct')
    const [res] = r.report.results
    expect([res?.passed, res?.error?.message ?? null]).toEqual([true, null])
    expect(r.code).toBe(0)
    expect(yogaServer.passed).toEqual(['POST'])
  })

  it('single connection (graphql-sse): the PUT, GET and POST each carry an answer for their own method', async () => {
    sseServer.passed.length = 0
    const before = sseServer.digest.seen.length
    const r = await folder.run('single')
    const [res] = r.report.results
    expect([res?.passed, res?.error?.message ?? null]).toEqual([true, null])
    expect(r.code).toBe(0)
    expect(sseServer.passed).toEqual(['PUT', 'GET', 'POST'])
    // One challenge, then a growing nonce count: no answer was sent twice.
    const counts = sseServer.digest.seen.slice(before).map((s) => s.nc)
    expect(counts).toEqual([...counts].sort((a, b) => a - b))
    expect(counts.length).toBe(3)
  })

  it("a stopped single connection step's DELETE is authorized too", async () => {
    sseServer.passed.length = 0
    const r = await folder.run('stopped')
    const [res] = r.report.results
    expect([res?.passed, res?.error?.message ?? null]).toEqual([true, null])
    for (let i = 0; i < 200 && !sseServer.passed.includes('DELETE'); i++)
      await new Promise((r) => setTimeout(r, 10))
    expect(sseServer.passed).toEqual(['PUT', 'GET', 'POST', 'DELETE'])
  })

  it('over a WebSocket, digest is still refused in a sentence', async () => {
    const r = await folder.run('ws')
    const [res] = r.report.results
    expect(res?.passed).toBe(false)
    expect(res?.error?.message).toMatch(/^Digest auth is not supported for WebSocket sessions/)
  })
})
