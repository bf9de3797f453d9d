import type { HarRequest, HTTPSnippet as Snippet } from '@readme/httpsnippet'
import { snippetInput, snippetOutput } from '../exporters/snippet-escapes'
import { maskParts } from '../exporters/snippet-parts'
import { maskStrings } from '../exporters/snippet-strings'
import type { TaskInput, TaskOutput } from './protocol'

/** RFC 9110's token: what a header name and a method are made of. None of it ends a string in any target. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * httpsnippet writes header names (and the method) into Python, Go, Java and C# double-quoted strings as they
 * are, so a shared collection's header `X": __import__("os").system("…"), "Y` ran for whoever ran Copy as
 * Python. Such a name cannot be sent anyway (the engine refuses it), so there is no snippet for it.
 */
function refuseNonTokens(har: HarRequest): void {
  const show = (text: string): string => JSON.stringify(text.slice(0, 80))
  if (typeof har.method === 'string' && !TOKEN.test(har.method))
    throw new Error(`The method ${show(har.method)} is not an HTTP method name`)
  for (const h of har.headers ?? [])
    if (!TOKEN.test(h.name)) throw new Error(`The header ${show(h.name)} is not an HTTP header name`)
}

/** Worker side of code snippets: httpsnippet over a request's HAR form (a large body is converted here too). */
export async function convertSnippet(
  p: TaskInput<'snippet.convert'>,
): Promise<TaskOutput<'snippet.convert'>> {
  refuseNonTokens(p.har as HarRequest)
  if (p.target === 'shell' && p.client === 'httpie')
    return (await import('../exporters/snippet-httpie')).httpieCommand(p.har as HarRequest, p.indent)
  // Loaded on first use: only code export needs it.
  const { HTTPSnippet } = await import('@readme/httpsnippet')
  const har = snippetInput(p.har, p.target)
  // Form fields go to httpsnippet as placeholders where it would write them into the code unescaped.
  const fields =
    maskParts(har as HarRequest, p.target, p.client) ?? maskStrings(har as HarRequest, p.target, p.client)
  const out = new HTTPSnippet((fields?.har ?? har) as ConstructorParameters<typeof Snippet>[0]).convert(
    p.target as Parameters<Snippet['convert']>[0],
    p.client,
    p.indent === undefined ? undefined : { indent: p.indent },
  )
  if (!out) return null
  const code = Array.isArray(out) ? (out[0] ?? null) : out
  if (code === null) return null
  const filled = fields ? fields.fill(code) : code
  if (filled instanceof Error) throw filled
  return snippetOutput(filled, har, p.target, p.client)
}
