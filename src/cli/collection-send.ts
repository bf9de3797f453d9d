import { resolve } from 'node:path'
import { savedToSpec, type RequestKind } from '../shared/collection'
import type { SendResult } from '../shared/contract'
import { fail, type ErrorCode, type Result } from '../shared/result'
import type { CommandService } from '../engine/service'
import type { SavedSendCommand } from './collection-args'

/** Errors that are the caller's to fix (a wrong path, a missing variable): exit code 2, like bad arguments. */
export const USER_ERROR_CODES: ReadonlySet<ErrorCode> = new Set([
  'bad_payload',
  'not_found',
  'parse',
  'unknown_variable',
  'unsupported',
  'invalid_request',
  'file_outside',
])

/** What each kind of saved request is called, and the command that runs it from the terminal. */
const OTHER_KINDS: Record<Exclude<RequestKind, 'http'>, [name: string, command: string]> = {
  sse: ['an SSE', 'flightdeck run'],
  ws: ['a WebSocket', 'flightdeck run'],
  graphql: ['a GraphQL', 'flightdeck run'],
  grpc: ['a gRPC', 'flightdeck grpc --collection or flightdeck run'],
  mqtt: ['an MQTT', 'flightdeck run'],
  socketio: ['a Socket.IO', 'flightdeck run'],
}

/** Why `send` does not run a saved request of another kind, and what does. */
function notHttp(path: string, kind: Exclude<RequestKind, 'http'>): string {
  const [name, command] = OTHER_KINDS[kind]
  return `${path} is ${name} request; send runs HTTP requests (${command} runs it)`
}

/** Run a saved request: the same files, variables, environments, secrets and auth the app uses. */
export async function sendSaved(service: CommandService, cmd: SavedSendCommand): Promise<Result<SendResult>> {
  // Relative folders are the shell's: they resolve against the current folder, as any path argument does.
  const allowed = await service.allowFilesForSession(cmd.allowFiles.map((d) => resolve(d)))
  if (!allowed.ok) return fail(allowed.error.code, `--allow-files: ${allowed.error.message}`)
  const opened = await service.invoke('collection.open', { dir: cmd.collection })
  if (!opened.ok) return opened
  const dir = opened.value.dir
  const problem = opened.value.problems.find((p) => p.path === cmd.request)
  if (problem) return fail('parse', `${cmd.request} line ${problem.line}: ${problem.message}`)
  const read = await service.invoke('collection.read', { dir, path: cmd.request })
  if (!read.ok) return read
  const saved = read.value.request
  if (saved.kind !== 'http') return fail('unsupported', notHttp(cmd.request, saved.kind))
  const request = savedToSpec(saved)
  if (cmd.insecure) request.options = { ...request.options, insecure: true }
  const context =
    cmd.env === undefined ? { dir, path: cmd.request } : { dir, path: cmd.request, env: cmd.env }
  return service.invoke('request.send', {
    request,
    auth: saved.auth,
    context,
    ...(saved.scripts && cmd.noScripts !== true ? { scripts: saved.scripts } : {}),
    ...(cmd.noScripts === true ? { runScripts: false } : {}),
    ...(cmd.trace ? { trace: true } : {}),
    ...(cmd.caFile !== undefined ? { caFile: cmd.caFile } : {}),
  })
}
