// The gRPC bench server, in its own process so it does not share the client's event loop: serves
// test/fixtures/grpc/protos/echo.proto; Count streams n ticks as fast as the stream takes them (waiting for
// drain), each padded with `pad` bytes. Prints its port on stdout, exits when stdin closes or on SIGTERM.
import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

const dir = fileURLToPath(new URL('../test/fixtures/grpc/protos/', import.meta.url))
const pkg = protoLoader.loadSync(`${dir}echo.proto`, { keepCase: true, includeDirs: [dir] })
const proto = grpc.loadPackageDefinition(pkg)
const server = new grpc.Server()
server.addService(proto.flightdeck.test.Echo.service, {
  Count: (call) => {
    const n = Number(call.request.n ?? 0)
    const pad = 'x'.repeat(Number(call.request.pad ?? 0))
    let i = 0
    const pump = () => {
      while (i < n) {
        if (!call.write({ i: i++, pad })) {
          call.once('drain', pump)
          return
        }
      }
      call.end()
    }
    pump()
  },
})
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) throw err
  process.stdout.write(`${port}\n`)
})
process.on('SIGTERM', () => process.exit(0))
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
