// The GraphQL bench server, in its own process so it does not share the client's event loop: graphql-ws's
// useServer on `ws` (graphql-transport-ws) with one subscription, count(to, pad), yielding `to` results as
// fast as they are taken, each padded with `pad` characters. Prints its port on stdout, exits on SIGTERM or
// when stdin closes.
import { createServer } from 'node:http'
import { buildSchema } from 'graphql'
import { useServer } from 'graphql-ws/use/ws'
import { WebSocketServer } from 'ws'

const schema = buildSchema(`
  type Tick { i: Int!, pad: String! }
  type Query { hello: String }
  type Subscription { count(to: Int!, pad: Int!): Tick! }
`)
const roots = {
  subscription: {
    count: async function* ({ to, pad }) {
      const p = 'x'.repeat(pad)
      for (let i = 1; i <= to; i++) yield { count: { i, pad: p } }
    },
  },
}
const server = createServer()
const wss = new WebSocketServer({ server, path: '/graphql' })
useServer({ schema, roots }, wss)
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`)
})
process.on('SIGTERM', () => process.exit(0))
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
