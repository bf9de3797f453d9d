import { connect } from 'node:net'

/** What came back to a request written byte for byte: the status line's code, the headers (names lower-cased). */
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Writes `text` as it is (no client library tidies the target or the headers first) on a connection of its own
 * to 127.0.0.1:`port`, and reads the answer until the server closes, or, with `headOnly`, until the end of its
 * head (a keep-alive answer would otherwise hold the socket open). Fails after 5 s without one. A connection
 * that ends with no answer gives status NaN.
 */
export function rawRequest(port: number, text: string, headOnly = false): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    let data = ''
    const timer = setTimeout(() => {
      socket.destroy()
      reject(
        new Error(
          `no answer within 5 s to ${JSON.stringify(text.slice(0, 80))}; got ${JSON.stringify(data.slice(0, 200))}`,
        ),
      )
    }, 5000)
    socket.setEncoding('latin1')
    socket.on('data', (c: string) => {
      data += c
      if (headOnly && data.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const split = data.indexOf('\r\n\r\n')
      const [statusLine = '', ...lines] = data.slice(0, split < 0 ? data.length : split).split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        body: split < 0 ? '' : data.slice(split + 4),
      })
    })
    socket.write(text, 'latin1')
  })
}
