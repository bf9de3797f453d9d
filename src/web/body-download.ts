import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * The browser host's "save to file" for response bodies: GET /download/body/<id>?name=<file> streams the
 * stored body as an attachment, a megabyte at a time with backpressure, so a 2 GB body goes from the engine's
 * temp file to the browser's download without ever being in memory or in the page. Same token check as
 * every other request (the caller has already authorised it).
 */
export const DOWNLOAD_BODY_PATH = '/download/body/'

export interface DownloadableBody {
  size: number
  contentType: string
  read(offset: number, length: number): Promise<Buffer>
}

const CHUNK = 1024 * 1024

/** A safe download name: no path, no quotes or control characters. */
export function downloadName(raw: string | null, fallback: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base
    .replace(/[^\w.\- ]+/g, '_')
    .trim()
    .slice(0, 120)
  return clean === '' || clean === '.' || clean === '..' ? fallback : clean
}

export async function serveBodyDownload(
  req: IncomingMessage,
  res: ServerResponse,
  open: ((bodyId: string) => DownloadableBody | null) | undefined,
  headers: Record<string, string>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const bodyId = decodeURIComponent(url.pathname.slice(DOWNLOAD_BODY_PATH.length))
  const body = open && /^[\w-]{1,64}$/.test(bodyId) ? open(bodyId) : null
  if (!body) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
    res.end('No such body.\n')
    return
  }
  const name = downloadName(url.searchParams.get('name'), `${bodyId}.body`)
  res.writeHead(200, {
    ...headers,
    'Content-Type': 'application/octet-stream',
    'Content-Length': body.size,
    'Content-Disposition': `attachment; filename="${name}"`,
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  for (let offset = 0; offset < body.size;) {
    if (res.destroyed) return
    const chunk = await body.read(offset, Math.min(CHUNK, body.size - offset))
    if (chunk.length === 0) break
    offset += chunk.length
    if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r))
  }
  res.end()
}
