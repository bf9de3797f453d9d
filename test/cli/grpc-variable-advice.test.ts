import { describe, expect, it } from 'vitest'
import { runGrpcCli } from '../../src/cli/grpc-command'

/**
 * A `{{variable}}` given to a plain `flightdeck grpc` call is refused (exit 2) with the advice closest to hand: a
 * saved gRPC request is called by `flightdeck grpc --collection DIR --request PATH` (it pointed at `flightdeck run`).
 */

describe('flightdeck grpc and a {{variable}}', () => {
  it('names grpc --collection DIR --request PATH', async () => {
    let err = ''
    const io = { out: () => undefined, err: (t: string) => void (err += t) }
    // Refused while parsing: nothing listens on port 1, and nothing is asked of it.
    const code = await runGrpcCli(['127.0.0.1:1', 'a.B/C', '--plaintext', '-d', '{"name":"{{name}}"}'], io)
    expect(code).toBe(2)
    expect(err).toBe(
      'flightdeck: {{name}} in the message (-d) is a variable, and a plain grpc has none: save the request in a collection and call it with flightdeck grpc --collection DIR --request PATH (with --env or --env-var), or write the value; for the braces themselves, write \\{{name}} or add --literal-braces\n',
    )
  })
})
