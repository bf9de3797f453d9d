import { createServer, maxHeaderSize, ServerResponse, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { WebSocketServer } from 'ws'
import { pageCsp } from '../engine/hosts/page-csp'
import { WEB_API_PATH } from '../shared/contract'
import { WEB_DOWNLOAD_TICKET_CALL } from '../shared/web-host-wire'
import { serveApiSocket, type ApiService } from './api-socket'
import {
  createDownloadTickets,
  DOWNLOAD_BODY_PATH,
  issueDownloadTicket,
  serveBodyDownload,
} from './body-download'
import { OneTimeCodes } from './one-time-codes'
import {
  authorizeRequest,
  authorizeUpgrade,
  chooseProtocol,
  createToken,
  type Credentials,
  type RequestFacts,
} from './security'
import { contentTypeFor, pageFile, readInside, readRegularFile, servePage, targetPath } from './static-files'

/**
 * The browser host: serves the built renderer and the same `window.api` over one WebSocket, bound to the
 * engine service. Loopback only, one random token per launch; see ./security.ts for the rules.
 */

/** A launch link works once, within this long: enough for a cold browser start, short for anyone reading `ps`. */
export const LAUNCH_CODE_TTL_MS = 60_000
const MAX_LAUNCH_CODES = 8

/** Incoming API frames above this are refused by ws (close 1009): the largest command is a 64 MiB text body. */
export const MAX_WS_FRAME_BYTES = 65 * 1024 * 1024

/** A content-hashed build file: a year, and no revalidation on reload. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Node's default cap on a request's target and headers together (--max-http-header-size). */
const HEADER_LIMIT_KB = Math.round(maxHeaderSize / 1024)

/** Refused links are logged once each; past this many names the log says so once and stops growing. */
const MAX_LOGGED_LINKS = 256

export interface WebHostOptions {
  service: ApiService
  /** 0 (default) picks a free port. */
  port?: number
  /** Loopback only, on purpose: the host holds no TLS and the token travels in the printed URL once. */
  host?: '127.0.0.1'
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** The bundled bridge script (out/web/bridge.js). */
  bridgeFile: string
  log?: (line: string) => void
  /** Injectable clock for the single-use codes' expiry (tests). */
  now?: () => number
}

export type LaunchUrl = { ok: true; url: string } | { ok: false; reason: string }

export interface WebHost {
  /** Full URL including the token: what the terminal prints for the person who started the host. */
  url: string
  port: number
  token: string
  /**
   * A URL for the browser opener: a single-use launch code that expires, never the token, since the opener's
   * command line is visible to every local user. The page trades the code for the token over its socket.
   */
  launchUrl(): LaunchUrl
  close(): Promise<void>
}

/**
 * The header policy. Scripts: only what the page itself allows (the renderer pinned by hash at build, plus the
 * inlined bridge's hash); every other response runs no script at all.
 */
function csp(host: string, scriptSources: readonly string[] = ["'none'"]): string {
  // Only our own API socket: the renderer makes no network requests of its own.
  return pageCsp({
    script: scriptSources.join(' '),
    style: "'self' 'unsafe-inline'",
    connect: `'self' ws://${host}`,
  })
}

function securityHeaders(host: string, scriptSources?: readonly string[]): Record<string, string> {
  return {
    'Content-Security-Policy': csp(host, scriptSources),
    'X-Content-Type-Options': 'nosniff',
    // The first URL carries the token; never let it leak in a Referer.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  }
}

/**
 * Every answer that is not the page or one of its files (a refusal, a 404, a parser error): plain text that
 * runs nothing, may not be framed and sends no Referer, so it stays inert whatever its body says one day.
 */
const REFUSAL_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
}
const REFUSAL_HEADER_LINES = Object.entries(REFUSAL_HEADERS)
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('')

function plain(
  res: ServerResponse,
  status: number,
  reason: string,
  extra: Record<string, string> = {},
): void {
  const body = reason + '\n'
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...REFUSAL_HEADERS,
    'Cache-Control': 'no-store',
    ...extra,
  })
  res.end(res.req.method === 'HEAD' ? undefined : body)
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found' }[status] ?? 'Error'
  const body = reason + '\n'
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\n${REFUSAL_HEADER_LINES}` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

function facts(req: IncomingMessage): RequestFacts {
  return {
    url: req.url ?? '/',
    host: req.headers.host,
    origin: req.headers.origin,
    protocols: req.headers['sec-websocket-protocol'],
  }
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const bindHost = options.host ?? '127.0.0.1'
  if (bindHost !== '127.0.0.1') throw new Error('The browser host binds to 127.0.0.1 only')
  const log = options.log ?? ((line: string) => console.warn(line))
  const token = createToken()
  let port = 0
  const now = options.now ?? Date.now
  const launches = new OneTimeCodes<true>({ ttlMs: LAUNCH_CODE_TTL_MS, max: MAX_LAUNCH_CODES, now })
  const tickets = createDownloadTickets(now)
  const creds: Credentials = {
    token,
    get port() {
      return port
    },
    launchIsLive: (code) => launches.peek(code),
    takeLaunch: (code) => launches.take(code) !== null,
  }
  const openBody = options.service.openBody?.bind(options.service)
  const hostCalls = {
    [WEB_DOWNLOAD_TICKET_CALL]: (payload: unknown) => issueDownloadTicket(payload, openBody, tickets),
  }

  const loggedLinks = new Set<string>()
  /** Says once per name that a file the page names is a link out of the renderer folder, and was refused. */
  function refusedLink(name: string, realPath: string): void {
    if (loggedLinks.has(name) || loggedLinks.size > MAX_LOGGED_LINKS) return
    loggedLinks.add(name)
    if (loggedLinks.size > MAX_LOGGED_LINKS) {
      log(`[flightdeck] more than ${MAX_LOGGED_LINKS} links refused; further ones are refused silently`)
      return
    }
    log(
      `[flightdeck] refused ${name}: it is a link to ${realPath}, outside the renderer folder ${options.rendererDir} (404)`,
    )
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_FRAME_BYTES,
    perMessageDeflate: false,
    // The page offers our protocol name and its credential; the answer names only the former.
    handleProtocols: (offered: Set<string>) => chooseProtocol(offered),
  })

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'Only GET and HEAD are served.', { Allow: 'GET, HEAD' })
      return
    }
    const verdict = authorizeRequest(facts(req), creds)
    if (!verdict.ok) {
      plain(res, verdict.status, verdict.reason)
      return
    }
    // Host was validated above, so it is safe to echo into the CSP.
    const hostHeader = req.headers.host ?? `127.0.0.1:${port}`
    const headers = securityHeaders(hostHeader)

    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (pathname === WEB_API_PATH) {
      plain(res, 426, 'The API is a WebSocket.', { Upgrade: 'websocket' })
      return
    }
    if (pathname.startsWith(DOWNLOAD_BODY_PATH)) {
      await serveBodyDownload(req, res, openBody, tickets, headers)
      return
    }

    // Static files are matched on the target as sent (./static-files.ts targetPath), not on the URL parser's
    // normalised path, which would read `//x` as a host and `/a/./b` as `/a/b`.
    const path = targetPath(req.url ?? '/')
    let body: Buffer | null = null
    let type = 'application/octet-stream'
    if (path === '/' || path === '/index.html') {
      const html = await readInside(options.rendererDir, 'index.html')
      if (html.kind === 'outside') {
        refusedLink(html.name, html.realPath)
        plain(res, 404, 'Not found.')
        return
      }
      if (html.kind === 'missing') {
        plain(
          res,
          500,
          `The renderer is not built (no index.html in ${options.rendererDir}); run npm run build.`,
        )
        return
      }
      const bridge = await readRegularFile(options.bridgeFile)
      if (!bridge) {
        plain(res, 500, `The bridge is not built (no ${options.bridgeFile}); run npm run build.`)
        return
      }
      const page = servePage(html.body.toString('utf8'), bridge.toString('utf8'))
      // The page's header policy allows exactly the scripts its own CSP meta does.
      Object.assign(headers, securityHeaders(hostHeader, page.scriptSources))
      body = Buffer.from(page.html, 'utf8')
      type = 'text/html; charset=utf-8'
    } else if (path !== null) {
      const file = await pageFile(options.rendererDir, path)
      if (file.kind === 'outside') refusedLink(file.name, file.realPath)
      if (file.kind === 'file') {
        body = file.body
        type = contentTypeFor(file.name)
        // A name that carries its content hash never names other bytes, so the browser may keep it: a reload
        // takes it from its cache instead of fetching it again. The page itself, which carries the bridge and
        // the CSP, and any other name are never stored.
        // Not when the target carries a query: the page never asks for one, and a `?token=` kept for a year in
        // the browser's cache would be the credential on disk.
        if (file.contentHashed && !(req.url ?? '').includes('?')) headers['Cache-Control'] = IMMUTABLE
      }
    }
    if (!body && path === '/favicon.ico') {
      // Browsers ask for it unprompted; an empty answer keeps the console free of a pointless 404.
      res.writeHead(204, headers)
      res.end()
      return
    }
    if (!body) {
      plain(res, 404, 'Not found.')
      return
    }
    res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    serve(req, res).catch((e: unknown) => {
      log(`[flightdeck] web host error: ${e instanceof Error ? e.message : String(e)}`)
      if (!res.headersSent) plain(res, 500, 'Internal error.')
      else res.destroy()
    })
  }
  const server = createServer(handle)

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      // Another protocol offered (curl --http2 on http:// asks for h2c): a server may ignore Upgrade, so
      // the request is answered as if it had none, instead of a 404 for the page itself.
      answerIgnoringUpgrade(req, socket as Socket)
      return
    }
    let pathname: string
    try {
      pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    } catch {
      refuseUpgrade(socket, 400, 'Malformed request target.')
      return
    }
    if (pathname !== WEB_API_PATH) {
      refuseUpgrade(socket, 404, 'Not found.')
      return
    }
    const verdict = authorizeUpgrade(facts(req), creds)
    if (!verdict.ok) {
      log(`[flightdeck] refused API connection: ${verdict.reason}`)
      refuseUpgrade(socket, verdict.status, verdict.reason)
      return
    }
    const session = verdict.via === 'launch' ? { kind: 'session' as const, token } : undefined
    wss.handleUpgrade(req, socket, head, (ws) =>
      serveApiSocket(ws, options.service, { log, hostCalls, ...(session ? { session } : {}) }),
    )
  })

  /** Answers a request that asked to switch protocols as a plain one, on its own connection, then closes it. */
  function answerIgnoringUpgrade(req: IncomingMessage, socket: Socket): void {
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket)
    res.on('finish', () => {
      res.detachSocket(socket)
      socket.end()
    })
    handle(req, res)
  }

  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    if (!socket.writable) {
      socket.destroy()
      return
    }
    // Said in words, as every other refusal: an empty 400 leaves the person guessing which part was wrong.
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW'
    const body = tooLarge
      ? `The request's target and headers are larger than this host reads (${HEADER_LIMIT_KB} KB).\n`
      : `Malformed HTTP request (${err.code ?? 'unreadable'}).\n`
    socket.end(
      `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\n${REFUSAL_HEADER_LINES}` +
        `Cache-Control: no-store\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  })

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, bindHost, () => {
      server.off('error', reject)
      resolvePromise()
    })
  })
  port = (server.address() as AddressInfo).port

  let closing: Promise<void> | null = null
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    launchUrl() {
      const minted = launches.mint(true)
      return minted.ok
        ? { ok: true, url: `http://127.0.0.1:${port}/?launch=${minted.code}` }
        : { ok: false, reason: `No launch link: ${minted.reason}` }
    },
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        for (const client of wss.clients) client.terminate()
        wss.close()
        server.close(() => resolveClose())
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** A plain message when the build the host serves is missing, so the CLI entry can fail early; else null. */
export async function missingBuild(rendererDir: string, bridgeFile: string): Promise<string | null> {
  for (const file of [join(rendererDir, 'index.html'), bridgeFile]) {
    try {
      await stat(file)
    } catch {
      return `Missing ${file}: run npm run build first.`
    }
  }
  return null
}
