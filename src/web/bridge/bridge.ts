import type { CommandRequest, WireMessage } from '../../shared/contract'
import type { Result } from '../../shared/result'
import { buildWindowApi, type ApiTransport } from '../../shared/window-api'
import {
  WEB_API_PROTOCOL,
  WEB_DOWNLOAD_TICKET_CALL,
  WEB_LAUNCH_PROTOCOL_PREFIX,
  WEB_TOKEN_PROTOCOL_PREFIX,
  type WebDownloadTicket,
  type WebSessionFrame,
} from '../../shared/web-host-wire'

/**
 * `window.api` for the browser host: built by the same function as the Electron preload's
 * (shared/window-api.ts), over one WebSocket. Loaded as a classic script before the renderer's module script, so
 * the API exists when the app starts.
 *
 * Type-only imports on purpose: the contract module builds its zod schemas at load time, which would put
 * all of zod into this script. The host tells the bridge its API path in the script tag instead (it takes the
 * value from the contract), and the server validates every frame anyway.
 *
 * The credential: the page's first URL carries the token (`?token=`, the URL the terminal printed) or a
 * single-use launch code (`?launch=`, the URL the browser opener got). The bridge takes it out of the address
 * bar, keeps the token in this closure and in the tab's sessionStorage (per origin, so per port: a reload of
 * this tab keeps working, no other server ever sees it) and offers it in the socket's subprotocol list. A
 * launch code is traded for the token by the socket's first frame. No cookie: cookies ignore the port, so every
 * other server on 127.0.0.1 the browser visits would receive one.
 *
 * Calls made before the socket is open are queued. If the socket drops, calls already sent are answered with
 * a `network` error (they may or may not have run), queued ones wait, and the bridge reconnects with capped,
 * jittered backoff. After a few attempts in a row that never open (the host refused this tab's credential,
 * or is gone) queued and new calls fail with a reason instead of waiting; after many, the bridge stops trying.
 * Timeline events emitted while disconnected are not replayed.
 */

interface Pending {
  frame: string
  sent: boolean
  resolve: (result: Result<unknown>) => void
}

const MIN_BACKOFF_MS = 200
const MAX_BACKOFF_MS = 5000
/** Attempts in a row that never open before calls fail instead of waiting (about 1.5 s of backoff). */
const FAILS_BEFORE_DOWN = 3
/** Attempts in a row that never open before the bridge stops trying (a reload starts over). */
const MAX_FAILED_ATTEMPTS = 30
const STORAGE_KEY = 'flightdeck.token'

type Credential = { kind: 'token'; value: string } | { kind: 'launch'; value: string }

function stored(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY)
  } catch {
    // Storage can be disabled; then only this page load holds the token.
    return null
  }
}

function store(token: string): void {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, token)
  } catch {
    // As above: a reload will then need the printed URL again.
  }
}

/** The credential from the address (taken out of it: not in history, bookmarks or screenshots), else storage. */
function readCredential(): Credential | null {
  const params = new URLSearchParams(window.location.search)
  const token = params.get('token')
  const launch = params.get('launch')
  if (token !== null || launch !== null) {
    params.delete('token')
    params.delete('launch')
    const rest = params.toString()
    const clean = window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash
    window.history.replaceState(window.history.state, '', clean)
  }
  if (token) {
    store(token)
    return { kind: 'token', value: token }
  }
  if (launch) return { kind: 'launch', value: launch }
  const kept = stored()
  return kept ? { kind: 'token', value: kept } : null
}

const NO_CREDENTIAL =
  'This tab has no Flightdeck credential: open the full URL that `npm run web` printed in its terminal ' +
  '(Flightdeck: http://127.0.0.1:…/?token=…).'
const UNREACHABLE =
  'Cannot reach the Flightdeck host: it refused this tab (a link already used, or from an earlier launch) or ' +
  'is no longer running. Open the URL it printed in its terminal (Flightdeck: http://127.0.0.1:…/?token=…).'

function isSessionFrame(data: unknown): data is WebSessionFrame {
  if (typeof data !== 'object' || data === null) return false
  const frame = data as Record<string, unknown>
  return frame['kind'] === 'session' && typeof frame['token'] === 'string'
}

/** Starts the browser's download of a ticket URL; the bytes never pass through this page's memory. */
function startDownload(url: string, name: string | undefined): void {
  const a = document.createElement('a')
  a.href = url
  a.download = name ?? ''
  a.click()
}

function apiPath(): string {
  const path = document.currentScript?.getAttribute('data-api-path')
  if (!path || !path.startsWith('/'))
    throw new Error('Flightdeck bridge: the host did not say where its API is')
  return path
}

function socketUrl(path: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${window.location.host}${path}`
}

function networkError(message: string): Result<never> {
  return { ok: false, error: { code: 'network', message } }
}

function socketTransport(url: string, first: Credential | null): ApiTransport {
  let credential = first
  let socket: WebSocket | null = null
  let open = false
  let attempt = 0
  /** Attempts in a row that closed without ever opening. */
  let failed = 0
  let nextId = 1
  const pending = new Map<number, Pending>()
  let deliver: (message: unknown) => void = () => undefined

  /** Why a call cannot be sent now, or null if it can (or can wait for the socket). */
  function refusal(): string | null {
    if (credential === null) return NO_CREDENTIAL
    return failed >= FAILS_BEFORE_DOWN ? UNREACHABLE : null
  }

  function failUnsent(message: string): void {
    for (const [id, p] of pending) {
      if (!p.sent) {
        pending.delete(id)
        p.resolve(networkError(message))
      }
    }
  }

  function connect(): void {
    if (credential === null) return
    const prefix = credential.kind === 'token' ? WEB_TOKEN_PROTOCOL_PREFIX : WEB_LAUNCH_PROTOCOL_PREFIX
    const ws = new WebSocket(url, [WEB_API_PROTOCOL, prefix + credential.value])
    socket = ws
    let opened = false
    ws.onopen = () => {
      opened = true
      open = true
      attempt = 0
      failed = 0
      for (const p of pending.values()) {
        if (!p.sent) {
          ws.send(p.frame)
          p.sent = true
        }
      }
    }
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      let data: unknown
      try {
        data = JSON.parse(event.data)
      } catch {
        return
      }
      if (isSessionFrame(data)) {
        // The launch code is used up; the token serves reconnects and reloads of this tab from now on.
        credential = { kind: 'token', value: data.token }
        store(data.token)
        return
      }
      const message = data as WireMessage
      if (message.kind === 'reply') {
        const p = pending.get(message.id)
        if (p) {
          pending.delete(message.id)
          p.resolve(message.result)
        }
      } else if (message.kind === 'event') {
        deliver({ name: message.name, payload: message.payload })
      }
    }
    ws.onclose = () => {
      open = false
      socket = null
      if (!opened) failed++
      if (failed >= FAILS_BEFORE_DOWN) failUnsent(UNREACHABLE)
      for (const [id, p] of pending) {
        if (p.sent) {
          pending.delete(id)
          p.resolve({
            ok: false,
            error: {
              code: 'network',
              message: 'Lost the connection to the Flightdeck host; the command may not have run.',
            },
          })
        }
      }
      if (failed >= MAX_FAILED_ATTEMPTS) {
        console.error(`[flightdeck] ${UNREACHABLE} Stopped after ${failed} attempts; reload to try again.`)
        return
      }
      const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt) * (0.75 + Math.random() * 0.5)
      attempt++
      setTimeout(connect, delay)
    }
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => undefined
  }

  connect()

  function call(name: string, payload: unknown): Promise<Result<unknown>> {
    const why = refusal()
    if (why !== null && !open) return Promise.resolve(networkError(why))
    const id = nextId++
    const frame: WireMessage = { kind: 'call', id, name, payload }
    return new Promise<Result<unknown>>((resolve) => {
      const p: Pending = { frame: JSON.stringify(frame), sent: false, resolve }
      pending.set(id, p)
      if (open && socket) {
        socket.send(p.frame)
        p.sent = true
      }
    })
  }

  /**
   * `body.save` without a path: the browser downloads the body. A link cannot carry the socket's credential,
   * so the host hands out a single-use ticket URL for it over the socket.
   */
  async function download(bodyId: string, name: string | undefined): Promise<Result<unknown>> {
    const ticket = await call(WEB_DOWNLOAD_TICKET_CALL, name === undefined ? { bodyId } : { bodyId, name })
    if (!ticket.ok) return ticket
    const { url, bytes } = ticket.value as WebDownloadTicket
    startDownload(url, name)
    return { ok: true, value: { path: null, bytes } }
  }

  return {
    call(name, payload) {
      if (name === 'body.save') {
        const save = payload as CommandRequest<'body.save'>
        if (save.path === undefined) return download(save.bodyId, save.suggestedName)
      }
      return call(name, payload)
    },
    listen(next) {
      deliver = next
    },
  }
}

// currentScript is only set while this classic script first runs, so read it before anything else.
const api = buildWindowApi(socketTransport(socketUrl(apiPath()), readCredential()))
// Not writable or configurable: page code cannot swap the API out from under the renderer.
Object.defineProperty(window, 'api', { value: api, writable: false, configurable: false, enumerable: true })
