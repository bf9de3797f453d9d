import type { AppError, ErrorCode } from '../../shared/result'
import { closeCodeText } from '../../shared/streams'
import { classifyError } from '../http/errors'

/** Why a WebSocket connection failed or ended badly, in plain words. */
export interface WsFailure {
  code: ErrorCode
  message: string
  detail?: string
  /** The close code Flightdeck sent because of it (protocol errors): such a failure is not retried. */
  closeCode?: number
}

/**
 * The queue of frames waiting for a later turn (ws-turn-pacer.ts) passed its bound: the connection is dropped
 * (no close frame: the socket is paused behind a flood) and the session ends with these words, not retried.
 */
export function frameQueueCut(queued: number): WsFailure {
  return {
    code: 'protocol',
    message: `More than ${queued.toLocaleString('en-US')} WebSocket frames waited to be handled; Flightdeck dropped the connection`,
    closeCode: 1008,
  }
}

/** `ws`'s error (a protocol breach, a limit, a timeout, a network failure) in plain words. */
export function describeWsError(
  err: Error & { code?: string },
  host: string,
  maxMessageBytes: number,
  connectTimeoutMs?: number,
): WsFailure {
  const code = err.code ?? ''
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' || code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH') {
    return {
      code: 'message_too_large',
      message: `The server sent a message larger than the limit of ${formatLimit(maxMessageBytes)}; Flightdeck refused it and closed with ${closeCodeText(1009)}`,
      detail: err.message,
      closeCode: 1009,
    }
  }
  if (code === 'WS_ERR_INVALID_UTF8') {
    return {
      code: 'protocol',
      message: `The server sent a text message that is not valid UTF-8; Flightdeck closed with ${closeCodeText(1007)}`,
      detail: err.message,
      closeCode: 1007,
    }
  }
  if (code === 'WS_ERR_TOO_MANY_BUFFERED_PARTS') {
    return {
      code: 'protocol',
      message: `The server sent a message in too many fragments`,
      detail: err.message,
      closeCode: 1008,
    }
  }
  if (code.startsWith('WS_ERR_')) {
    return {
      code: 'protocol',
      message: `The server broke the WebSocket protocol (${err.message}); Flightdeck closed with ${closeCodeText(1002)}`,
      detail: err.message,
      closeCode: 1002,
    }
  }
  if (/handshake has timed out/i.test(err.message)) {
    return {
      code: 'timeout_connect',
      message:
        connectTimeoutMs === undefined
          ? `Timed out opening the WebSocket to ${host}`
          : `Timed out opening the WebSocket to ${host}: no answer to the upgrade within ${formatMs(connectTimeoutMs)}`,
      detail: err.message,
    }
  }
  if (/subprotocol|Sec-WebSocket|extension/i.test(err.message)) {
    return {
      code: 'protocol',
      message: `The WebSocket handshake failed: ${err.message}`,
      detail: err.message,
    }
  }
  return classifyError(err, host)
}

/** A close the server chose: normal ones end the session as done, the rest as an error in plain words. */
export function serverCloseFailure(code: number, words: string): WsFailure | null {
  if (code === 1000 || code === 1001 || code === 1005 || code === 1012 || code >= 3000) return null
  if (code === 1009) return { code: 'message_too_large', message: words }
  if (code === 1002 || code === 1003 || code === 1007 || code === 1008 || code === 1010) {
    return { code: 'protocol', message: words }
  }
  return { code: 'network', message: words }
}

/** The failure as the session's error (the close code Flightdeck sent is told on `stream-closed`). */
export function stripClose(f: WsFailure): AppError {
  return f.detail === undefined
    ? { code: f.code, message: f.message }
    : { code: f.code, message: f.message, detail: f.detail }
}

export function formatLimit(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`
  return `${bytes} bytes`
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
