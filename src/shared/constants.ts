import type { RequestOptions } from './request'

/**
 * Plain values every layer may need, in a module that imports no schema library, so the renderer and the
 * preload do not pull zod into their bundles just to read a constant. `request.ts` and `contract.ts`
 * re-export these.
 */

/** Electron IPC channels. The preload and main import these; no other file spells them. */
export const IPC_COMMAND_CHANNEL = 'flightdeck:command'
export const IPC_EVENT_CHANNEL = 'flightdeck:event'

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const

export const DEFAULT_REQUEST_OPTIONS: RequestOptions = {
  connectTimeoutMs: 10_000,
  headersTimeoutMs: 300_000,
  idleTimeoutMs: 300_000,
  totalTimeoutMs: 0,
  followRedirects: true,
  maxRedirects: 10,
  insecure: false,
  decompress: true,
  cookies: true,
  /** 2 GiB: what a desktop can hold on disk per response without surprise; a request may raise it. */
  maxBodyBytes: 2 * 1024 * 1024 * 1024,
  http2: true,
  acceptPush: false,
}

/**
 * How long a stream (SSE) waits for its response headers when its request sets no headers timeout (the engine's
 * default for a stream; an exchange's is DEFAULT_REQUEST_OPTIONS.headersTimeoutMs).
 */
export const STREAM_HEADERS_TIMEOUT_MS = 30_000

/** Most copies one "Send ×N" may fire. */
export const MAX_SEND_COUNT = 1000
/** Most bytes one `body.read` returns. */
export const MAX_BODY_READ = 4 * 1024 * 1024
