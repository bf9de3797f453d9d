import type { HarRequest, HTTPSnippet as Snippet } from '@readme/httpsnippet'
import { snippetInput, snippetOutput } from '../exporters/snippet-escapes'
import { maskParts } from '../exporters/snippet-parts'
import { maskStrings } from '../exporters/snippet-strings'
import type { TaskInput, TaskOutput } from './protocol'

/** Worker side of code snippets: httpsnippet over a request's HAR form (a large body is converted here too). */
export async function convertSnippet(
  p: TaskInput<'snippet.convert'>,
): Promise<TaskOutput<'snippet.convert'>> {
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
