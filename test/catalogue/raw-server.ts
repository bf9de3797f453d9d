import { createServer, type AddressInfo, type Socket } from 'node:net'

/**
 * A TCP server on 127.0.0.1:0 that answers HTTP/1.1 by hand, for the responses a well-behaved server library
 * will not produce (1xx before the final response, a lying Content-Length, garbage). `respond` gets the socket
 * and each request's head (request line and headers, as text) and writes whatever bytes it likes.
 */
export interface RawServer {
  url: string
  port: number
  /** Request heads received, in order. */
  heads: string[]
  close(): Promise<void>
}

const MAX_HEAD = 64 * 1024

export async function startRawServer(respond: (socket: Socket, head: string) => void): Promise<RawServer> {
  const heads: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    let buffered = ''
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1')
      // Bodies are not expected on these routes: every head ends a request.
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end)
        buffered = buffered.slice(end + 4)
        heads.push(head)
        respond(socket, head)
      }
      if (buffered.length > MAX_HEAD) socket.destroy()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    heads,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })),
  }
}

/** The path of a request head (`GET /x HTTP/1.1` -> `/x`). */
export function pathOf(head: string): string {
  return head.split(' ')[1] ?? '/'
}

/**
 * The value of header `name` in a request head as it came on the wire (one optional space after the colon is
 * not part of it, so `Bearer ` keeps its trailing space), or null when the head has none.
 */
export function headerOf(head: string, name: string): string | null {
  const at = head.toLowerCase().indexOf(`\r\n${name.toLowerCase()}:`)
  if (at === -1) return null
  const start = at + name.length + 3
  const end = head.indexOf('\r', start)
  const value = head.slice(start, end === -1 ? undefined : end)
  return value.startsWith(' ') ? value.slice(1) : value
}
