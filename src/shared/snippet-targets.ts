/**
 * The languages Copy as writes a request in, one list for the composer's Code dialog (`draft.snippet`,
 * `export.request`) and a timeline row's Code menu (`session.snippet`). Ids are httpsnippet's `target:client`;
 * cURL is first: "Copy as cURL".
 */
export const SNIPPET_TARGETS = [
  { id: 'shell:curl', label: 'cURL' },
  { id: 'shell:httpie', label: 'HTTPie' },
  { id: 'javascript:fetch', label: 'JavaScript (fetch)' },
  { id: 'node:axios', label: 'Node.js (axios)' },
  { id: 'python:requests', label: 'Python (requests)' },
  { id: 'go:native', label: 'Go' },
  { id: 'java:okhttp', label: 'Java (OkHttp)' },
  { id: 'csharp:httpclient', label: 'C# (HttpClient)' },
  { id: 'php:curl', label: 'PHP (curl)' },
  { id: 'ruby:native', label: 'Ruby' },
  { id: 'powershell:restmethod', label: 'PowerShell' },
] as const

export type SnippetTarget = (typeof SNIPPET_TARGETS)[number]['id']

/** The composer's own names for its first four languages, which its commands still take. */
export const SNIPPET_TARGET_ALIASES = {
  curl: 'shell:curl',
  'javascript-fetch': 'javascript:fetch',
  'python-requests': 'python:requests',
  go: 'go:native',
} as const satisfies Record<string, SnippetTarget>

/** A language as the composer's commands name it: an id of the list or one of its older names. */
export type SnippetTargetName = SnippetTarget | keyof typeof SNIPPET_TARGET_ALIASES

export const SNIPPET_TARGET_NAMES = [
  ...SNIPPET_TARGETS.map((t) => t.id),
  ...(Object.keys(SNIPPET_TARGET_ALIASES) as (keyof typeof SNIPPET_TARGET_ALIASES)[]),
] as [SnippetTargetName, ...SnippetTargetName[]]

export function snippetTargetOf(name: SnippetTargetName): SnippetTarget {
  return name in SNIPPET_TARGET_ALIASES
    ? SNIPPET_TARGET_ALIASES[name as keyof typeof SNIPPET_TARGET_ALIASES]
    : (name as SnippetTarget)
}

export function snippetLabel(target: SnippetTarget): string {
  return SNIPPET_TARGETS.find((t) => t.id === target)?.label ?? target
}
