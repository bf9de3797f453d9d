// What every bench server run as a child process does once its handler is set up: keep connections alive,
// listen on a free loopback port, print the port on stdout (the bench reads it), and exit on SIGTERM or when
// stdin closes (so a bench that dies never leaves a server behind).
export function serveForBench(server) {
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address()
    process.stdout.write(`${typeof addr === 'object' && addr ? addr.port : 0}\n`)
  })
  process.on('SIGTERM', () => process.exit(0))
  process.stdin.on('end', () => process.exit(0))
  process.stdin.resume()
}
