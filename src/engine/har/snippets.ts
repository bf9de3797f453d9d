import type { HTTPSnippet as Snippet } from '@readme/httpsnippet'
import type { SnippetTarget } from '../../shared/body-view'
import type { HarRequest } from './har-types'

/** Headers that describe the connection, not the request: a snippet that sets them would be wrong or noisy. */
const LEAVE_OUT = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent'])

/**
 * A request as code, written by httpsnippet (ReadMe's maintained fork) from the request's HAR form. It runs in
 * the engine because the library uses Node's `url` module.
 */
export async function snippet(request: HarRequest, target: SnippetTarget): Promise<string | null> {
  // Loaded on first use: only code export needs it.
  const { HTTPSnippet } = await import('@readme/httpsnippet')
  const [targetId, clientId] = target.split(':') as [string, string]
  const input = {
    ...request,
    headers: request.headers.filter((h) => !LEAVE_OUT.has(h.name.toLowerCase()) && !h.name.startsWith(':')),
    // httpsnippet reads cookies from `cookies`; the Cookie header would be written twice.
    cookies: [],
    httpVersion: 'HTTP/1.1',
    ...(request.postData ? { postData: { ...request.postData, text: request.postData.text ?? '' } } : {}),
  }
  const out = new HTTPSnippet(input as ConstructorParameters<typeof Snippet>[0]).convert(
    targetId as Parameters<Snippet['convert']>[0],
    clientId,
    { indent: '  ' },
  )
  if (!out) return null
  return Array.isArray(out) ? (out[0] ?? null) : out
}
