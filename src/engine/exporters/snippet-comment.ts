import type { SnippetTarget } from '../../shared/snippet-targets'

/** Those whose comments start with `#` (the others' with `//`). */
const HASH_COMMENTS: ReadonlySet<SnippetTarget> = new Set([
  'shell:curl',
  'shell:httpie',
  'python:requests',
  'ruby:native',
  'powershell:restmethod',
])

/** A line of the code's own comment syntax, said before the code. */
export function commentLine(target: SnippetTarget, text: string): string {
  return `${HASH_COMMENTS.has(target) ? '#' : '//'} ${text}\n`
}
