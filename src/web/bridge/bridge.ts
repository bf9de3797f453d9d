import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  EventName,
  EventPayloads,
  FlightdeckApi,
  WireMessage,
} from '../../shared/contract'
import type { Result } from '../../shared/result'

/**
 * `window.api` for the browser host: the same contract the Electron preload offers, over one WebSocket.
 * Loaded as a classic script before the renderer's module script, so the API exists when the app starts.
 *
 * Type-only imports on purpose: the contract module builds its zod schemas at load time, which would put
 * all of zod into this script. The host tells the bridge its API path in the script tag instead (it takes the
 * value from the contract), and the server validates every frame anyway.
 *
 * Calls made before the socket is open are queued. If the socket drops, calls already sent are answered with
 * a `network` error (they may or may not have run), queued ones wait, and the bridge reconnects with capped,
 * jittered backoff. Timeline events emitted while disconnected are not replayed.
 */

type Listener = (payload: unknown) => void
interface Pending {
  frame: string
  sent: boolean
  resolve: (result: Result<unknown>) => void
}

const MIN_BACKOFF_MS = 200
const MAX_BACKOFF_MS = 5000

function readToken(): string | null {
  const params = new URLSearchParams(window.location.search)
  const token = params.get('token')
  if (token !== null) {
    // The cookie set with this page keeps reloads working; the token need not stay in the address bar,
    // history or screenshots.
    params.delete('token')
    const rest = params.toString()
    const clean = window.location.pathname + (rest ? `?${rest}` : '') + window.location.hash
    window.history.replaceState(window.history.state, '', clean)
  }
  return token
}

function apiPath(): string {
  const path = document.currentScript?.getAttribute('data-api-path')
  if (!path || !path.startsWith('/'))
    throw new Error('Flightdeck bridge: the host did not say where its API is')
  return path
}

function socketUrl(path: string, token: string | null): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:'
  const query = token === null ? '' : `?token=${encodeURIComponent(token)}`
  return `${scheme}//${window.location.host}${path}${query}`
}

function createBridge(url: string): FlightdeckApi {
  let socket: WebSocket | null = null
  let open = false
  let attempt = 0
  let nextId = 1
  const pending = new Map<number, Pending>()
  const listeners = new Map<EventName, Set<Listener>>()

  function connect(): void {
    const ws = new WebSocket(url)
    socket = ws
    ws.onopen = () => {
      open = true
      attempt = 0
      for (const p of pending.values()) {
        if (!p.sent) {
          ws.send(p.frame)
          p.sent = true
        }
      }
    }
    ws.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      let message: WireMessage
      try {
        message = JSON.parse(event.data) as WireMessage
      } catch {
        return
      }
      if (message.kind === 'reply') {
        const p = pending.get(message.id)
        if (p) {
          pending.delete(message.id)
          p.resolve(message.result)
        }
      } else if (message.kind === 'event') {
        for (const l of listeners.get(message.name) ?? []) {
          try {
            l(message.payload)
          } catch (e) {
            // One faulty listener must not starve the others of the batch.
            console.error('[flightdeck] event listener failed', e)
          }
        }
      }
    }
    ws.onclose = () => {
      open = false
      socket = null
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
      const delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** attempt) * (0.75 + Math.random() * 0.5)
      attempt++
      setTimeout(connect, delay)
    }
    // onerror is always followed by onclose, which does the work.
    ws.onerror = () => undefined
  }

  connect()

  return {
    invoke<K extends CommandName>(name: K, payload: CommandRequest<K>): Promise<Result<CommandResponse<K>>> {
      const id = nextId++
      const call: WireMessage = { kind: 'call', id, name, payload }
      return new Promise<Result<CommandResponse<K>>>((resolve) => {
        const p: Pending = {
          frame: JSON.stringify(call),
          sent: false,
          resolve: resolve as (r: Result<unknown>) => void,
        }
        pending.set(id, p)
        if (open && socket) {
          socket.send(p.frame)
          p.sent = true
        }
      })
    },
    on<E extends EventName>(name: E, listener: (payload: EventPayloads[E]) => void): () => void {
      let set = listeners.get(name)
      if (!set) {
        set = new Set()
        listeners.set(name, set)
      }
      const l = listener as Listener
      set.add(l)
      return () => {
        set.delete(l)
      }
    },
  }
}

// currentScript is only set while this classic script first runs, so read it before anything else.
const api = Object.freeze(createBridge(socketUrl(apiPath(), readToken())))
// Not writable or configurable: page code cannot swap the API out from under the renderer.
Object.defineProperty(window, 'api', { value: api, writable: false, configurable: false, enumerable: true })
