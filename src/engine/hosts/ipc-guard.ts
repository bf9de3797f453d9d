import { describeCommandName, isCommandName, type CommandName } from '../../shared/contract'
import type { AppError, ErrorCode, Result } from '../../shared/result'
import { isRendererUrl, type RendererLocation } from './renderer-location'

/**
 * The check every IPC command passes before it reaches the engine service. Pure (no electron import), so it
 * lives outside src/main and is unit-tested directly; src/main/ipc.ts only extracts `SenderFacts` from the
 * Electron event.
 *
 * The renderer is treated as untrusted: a compromised page, an injected iframe or a navigated-away document
 * must not be able to drive the engine. So the sender must be the main frame of our own window showing our own
 * renderer, and the message must be a small `{ name, payload }` naming a known command. Payload contents are
 * then validated by the service's schemas.
 */

/** The largest schema field is a 64 MiB text body; allow that plus the JSON around it, and nothing bigger. */
export const MAX_IPC_MESSAGE_CHARS = 65 * 1024 * 1024

export interface SenderFacts {
  /** `event.sender.id`: which webContents sent the message. */
  webContentsId: number
  /** `event.senderFrame`, reduced to what we check; null when the frame is already gone. */
  frame: { url: string; isMainFrame: boolean } | null
}

/** What ipcMain's invoke event tells about its sender: the subset of Electron's `IpcMainInvokeEvent` we read. */
export interface InvokeEventFacts {
  sender: { id: number; mainFrame: { frameTreeNodeId: number } }
  senderFrame: { url: string; parent: unknown; frameTreeNodeId: number } | null
}

/** The sender of an IPC invoke, reduced to what the guard checks. */
export function senderFacts(event: InvokeEventFacts): SenderFacts {
  const frame = event.senderFrame
  return {
    webContentsId: event.sender.id,
    frame: frame && {
      url: frame.url,
      isMainFrame: frame.parent === null && frame.frameTreeNodeId === event.sender.mainFrame.frameTreeNodeId,
    },
  }
}

export interface GuardPolicy {
  /** Our window's webContents id; null when no window exists (nothing may call then). */
  windowWebContentsId: number | null
  renderer: RendererLocation
  maxChars?: number
}

export type GuardOutcome = { ok: true; name: CommandName; payload: unknown } | { ok: false; error: AppError }

function refuse(code: ErrorCode, message: string): GuardOutcome {
  return { ok: false, error: { code, message } }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Size of the message as JSON characters, or -1 when it cannot be serialised (cycles and BigInt survive
 * Electron's structured clone but are never valid commands). Stops being exact past the limit on purpose: a
 * huge payload is refused either way.
 */
export function jsonSize(value: unknown): number {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? -1 : text.length
  } catch {
    return -1
  }
}

export function guardCommand(sender: SenderFacts, message: unknown, policy: GuardPolicy): GuardOutcome {
  if (policy.windowWebContentsId === null || sender.webContentsId !== policy.windowWebContentsId) {
    return refuse('forbidden', 'IPC from a webContents that is not the Flightdeck window')
  }
  if (!sender.frame) return refuse('forbidden', 'IPC from a frame that no longer exists')
  if (!sender.frame.isMainFrame) return refuse('forbidden', 'IPC from a sub-frame')
  if (!isRendererUrl(sender.frame.url, policy.renderer)) {
    return refuse('forbidden', 'IPC from a document that is not the Flightdeck renderer')
  }

  if (!isPlainObject(message)) return refuse('bad_payload', 'A command must be an object { name, payload }')
  const keys = Object.keys(message)
  if (keys.length !== 2 || !('name' in message) || !('payload' in message)) {
    return refuse('bad_payload', 'A command must have exactly the keys name and payload')
  }
  const size = jsonSize(message)
  const max = policy.maxChars ?? MAX_IPC_MESSAGE_CHARS
  if (size < 0) return refuse('bad_payload', 'A command must be plain JSON data')
  if (size > max) return refuse('bad_payload', `Command too large (${size} > ${max} characters)`)

  const { name, payload } = message
  if (!isCommandName(name)) {
    return refuse('unknown_command', `Unknown command: ${describeCommandName(name)}`)
  }
  return { ok: true, name, payload }
}

/**
 * Guard, then dispatch: what the ipcMain handler does, minus Electron. Refusals are logged (code and reason,
 * never the payload, which may hold secrets) and answered as data.
 */
export async function handleIpcCommand(
  service: { call(name: unknown, payload: unknown): Promise<Result<unknown>> },
  sender: SenderFacts,
  message: unknown,
  policy: GuardPolicy,
  log: (line: string) => void = (line) => console.warn(line),
): Promise<Result<unknown>> {
  const outcome = guardCommand(sender, message, policy)
  if (!outcome.ok) {
    log(`[flightdeck] refused IPC command: ${outcome.error.code}: ${outcome.error.message}`)
    return { ok: false, error: outcome.error }
  }
  return service.call(outcome.name, outcome.payload)
}
