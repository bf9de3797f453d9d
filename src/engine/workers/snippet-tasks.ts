import type { HTTPSnippet as Snippet } from '@readme/httpsnippet'
import { snippetInput, snippetOutput } from '../exporters/snippet-escapes'
import type { TaskInput, TaskOutput } from './protocol'

/** Worker side of code snippets: httpsnippet over a request's HAR form (a large body is converted here too). */
export async function convertSnippet(
  p: TaskInput<'snippet.convert'>,
): Promise<TaskOutput<'snippet.convert'>> {
  // Loaded on first use: only code export needs it.
  const { HTTPSnippet } = await import('@readme/httpsnippet')
  const har = snippetInput(p.har, p.target)
  const out = new HTTPSnippet(har as ConstructorParameters<typeof Snippet>[0]).convert(
    p.target as Parameters<Snippet['convert']>[0],
    p.client,
    p.indent === undefined ? undefined : { indent: p.indent },
  )
  if (!out) return null
  const code = Array.isArray(out) ? (out[0] ?? null) : out
  return code === null ? null : snippetOutput(code, har, p.target, p.client)
}
