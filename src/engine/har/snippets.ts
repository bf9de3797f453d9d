import type { SnippetTarget } from '../../shared/body-view'
import { sharedPool, TaskFailed } from '../workers/pool'
import type { HarRequest } from './har-types'

/** Headers that describe the connection, not the request: a snippet that sets them would be wrong or noisy. */
const LEAVE_OUT = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent'])

/**
 * A request as code, written by httpsnippet (ReadMe's maintained fork) from the request's HAR form. It runs in
 * the engine's worker pool (the library uses Node's `url` module, and a large body is converted whole).
 */
export async function snippet(request: HarRequest, target: SnippetTarget): Promise<string | null> {
  const [targetId, clientId] = target.split(':') as [string, string]
  const input = {
    ...request,
    headers: request.headers.filter((h) => !LEAVE_OUT.has(h.name.toLowerCase()) && !h.name.startsWith(':')),
    // httpsnippet reads cookies from `cookies`; the Cookie header would be written twice.
    cookies: [],
    httpVersion: 'HTTP/1.1',
    ...(request.postData ? { postData: { ...request.postData, text: request.postData.text ?? '' } } : {}),
  }
  try {
    return await sharedPool().run('snippet.convert', {
      har: input,
      target: targetId,
      client: clientId,
      indent: '  ',
    })
  } catch (e) {
    // As httpsnippet threw it, when it ran here.
    throw e instanceof TaskFailed ? new Error(e.failure.message) : e
  }
}
