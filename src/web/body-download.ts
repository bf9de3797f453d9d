import type { IncomingMessage, ServerResponse } from 'node:http'
import { fail, ok, type Result } from '../shared/result'
import type { WebDownloadTicket, WebDownloadTicketRequest } from '../shared/web-host-wire'
import { OneTimeCodes } from './one-time-codes'

/**
 * The browser host's "save to file" for response bodies: GET /download/body/<id>?ticket=<t>&name=<file>
 * streams the stored body as an attachment, a megabyte at a time with backpressure, so a 2 GB body goes from
 * the engine's temp file to the browser's download without ever being in memory or in the page.
 *
 * A download is a plain navigation, which cannot carry the API socket's credential (and there is no cookie),
 * so the page first asks for a ticket over its authenticated socket: random, for that one body, single-use,
 * valid for 30 s.
 */
export const DOWNLOAD_BODY_PATH = '/download/body/'
export const DOWNLOAD_TICKET_TTL_MS = 30_000
export const MAX_DOWNLOAD_TICKETS = 32

export interface DownloadableBody {
  size: number
  contentType: string
  read(offset: number, length: number): Promise<Buffer>
}

export type OpenBody = (bodyId: string) => DownloadableBody | null

const CHUNK = 1024 * 1024
const BODY_ID = /^[\w-]{1,64}$/

export function createDownloadTickets(now?: () => number): OneTimeCodes<string> {
  return new OneTimeCodes<string>({
    ttlMs: DOWNLOAD_TICKET_TTL_MS,
    max: MAX_DOWNLOAD_TICKETS,
    ...(now ? { now } : {}),
  })
}

/** A safe download name: no path, no quotes or control characters. */
export function downloadName(raw: string | null, fallback: string): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? ''
  const clean = base
    .replace(/[^\w.\- ]+/g, '_')
    .trim()
    .slice(0, 120)
  return clean === '' || clean === '.' || clean === '..' ? fallback : clean
}

function parseTicketRequest(payload: unknown): WebDownloadTicketRequest | null {
  if (typeof payload !== 'object' || payload === null) return null
  const p = payload as Record<string, unknown>
  const bodyId = p['bodyId']
  const name = p['name']
  if (typeof bodyId !== 'string' || !BODY_ID.test(bodyId)) return null
  if (name !== undefined && (typeof name !== 'string' || name.length > 255)) return null
  return name === undefined ? { bodyId } : { bodyId, name }
}

/** The answer to the page's ticket call: a URL that downloads the body once, or why not. */
export function issueDownloadTicket(
  payload: unknown,
  open: OpenBody | undefined,
  tickets: OneTimeCodes<string>,
): Result<WebDownloadTicket> {
  const request = parseTicketRequest(payload)
  if (!request)
    return fail('bad_payload', 'A download ticket needs a body id (and at most a 255-character name)')
  const body = open?.(request.bodyId) ?? null
  if (!body) return fail('not_found', 'That body is no longer stored (it was cleared or never finished)')
  const minted = tickets.mint(request.bodyId)
  if (!minted.ok) return fail('too_large', `Too many downloads are waiting to start: ${minted.reason}`)
  const name = downloadName(request.name ?? null, `${request.bodyId}.body`)
  const url =
    `${DOWNLOAD_BODY_PATH}${encodeURIComponent(request.bodyId)}` +
    `?ticket=${minted.code}&name=${encodeURIComponent(name)}`
  return ok({ url, bytes: body.size })
}

function refuse(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(text + '\n')
}

export async function serveBodyDownload(
  req: IncomingMessage,
  res: ServerResponse,
  open: OpenBody | undefined,
  tickets: OneTimeCodes<string>,
  headers: Record<string, string>,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  let bodyId: string
  try {
    bodyId = decodeURIComponent(url.pathname.slice(DOWNLOAD_BODY_PATH.length))
  } catch {
    refuse(res, 400, 'Malformed body id.', headers)
    return
  }
  const ticket = url.searchParams.get('ticket')
  // Checked before the body is looked up, so without a ticket nothing says which body ids exist.
  if (ticket === null || tickets.take(ticket) !== bodyId) {
    refuse(
      res,
      403,
      'This download link was already used, has expired or was never issued: press Save in Flightdeck again.',
      headers,
    )
    return
  }
  const body = open && BODY_ID.test(bodyId) ? open(bodyId) : null
  if (!body) {
    refuse(res, 404, 'No such body.', headers)
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
    // 'close' too: a download cancelled mid-way never drains, and must not hold this loop forever.
    if (!res.write(chunk))
      await new Promise<void>((r) => {
        res.once('drain', r)
        res.once('close', r)
      })
  }
  res.end()
}
