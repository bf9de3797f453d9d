import type { Arrived } from './import-formats-helpers'

/** One part of a multipart body as it arrived: its name, filename and Content-Type (null when absent), bytes. */
export interface ArrivedPart {
  name: string | null
  filename: string | null
  contentType: string | null
  body: string
}

/** The parts of a multipart body, split with the boundary its Content-Type names, headers read as sent. */
export function multipartParts(a: Arrived): ArrivedPart[] {
  const m = /boundary=("?)([^";]+)\1/.exec(String(a.headers['content-type'] ?? ''))
  if (!m) throw new Error(`not a multipart body: ${String(a.headers['content-type'])}`)
  const out: ArrivedPart[] = []
  const pieces = a.body.split(`--${m[2] ?? ''}`)
  // The first piece is the preamble, the last the closing `--`.
  for (const piece of pieces.slice(1, -1)) {
    const at = piece.indexOf('\r\n\r\n')
    const head = piece.slice(2, at)
    const header = (name: string): string | null =>
      head
        .split('\r\n')
        .find((l) => l.toLowerCase().startsWith(`${name}:`))
        ?.slice(name.length + 1)
        .trim() ?? null
    const disposition = header('content-disposition') ?? ''
    out.push({
      name: /;\s*name="([^"]*)"/.exec(disposition)?.[1] ?? null,
      filename: /;\s*filename="([^"]*)"/.exec(disposition)?.[1] ?? null,
      contentType: header('content-type'),
      body: piece.slice(at + 4, -2),
    })
  }
  return out
}
