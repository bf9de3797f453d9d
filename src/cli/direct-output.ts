import { writeSync } from 'node:fs'

/**
 * Output written to a file descriptor (1 or 2) with `fs.writeSync`, not through process.stdout or process.stderr:
 * making those streams for a pipe loads Node's net and stream modules, which a Node that compiles its own modules
 * at each start pays for in full (~45M instructions of `flightdeck --help`'s ~200M, ~6M of a `send`, which loads
 * net anyway). For the commands that print and end (help, send, run, import); a stream command keeps the stream,
 * since a reader that stops reading would block its whole session here.
 *
 * A write the descriptor cannot take at once (a non-blocking pipe that is full: EAGAIN) hands the rest, and every
 * later write, to the stream, so the order holds. Other failures (EPIPE: the reader has gone) are thrown to the
 * caller, as the stream would have reported them.
 */
export class DirectOutput {
  private stream: NodeJS.WriteStream | null = null

  constructor(
    private readonly fd: 1 | 2,
    private readonly openStream: () => NodeJS.WriteStream,
  ) {}

  write(text: string): void {
    if (this.stream) {
      this.stream.write(text)
      return
    }
    const bytes = Buffer.from(text)
    let at = 0
    try {
      while (at < bytes.length) at += writeSync(this.fd, bytes, at)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
      this.stream = this.openStream()
      this.stream.write(bytes.subarray(at))
    }
  }
}
