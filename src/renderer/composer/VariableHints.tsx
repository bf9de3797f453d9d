import { useMemo } from 'react'
import { activeSavedGraphql } from '../graphql/graphql-slice'
import { composerTemplatedTexts } from '../graphql/graphql-variables'
import { useAppStore } from '../store/store-context'
import { bidiVisible } from '../app/VisibleControls'
import { useActiveDraft } from '../tabs/use-active-draft'
import { previewUrl, unknownNamedByRefusal, variableHints } from './variable-hints'

/**
 * Under the request line: every {{variable}} the request uses, its value on hover, unknown ones in red (sending
 * would be refused), and the URL as it will be sent.
 */
export function VariableHints() {
  const draft = useActiveDraft((d) => d)
  const vars = useAppStore((s) => s.scopeVars)
  // A GraphQL tab's query, variables and connection params hold variables too.
  const graphql = useAppStore(activeSavedGraphql)
  const hints = useMemo(
    () => variableHints(composerTemplatedTexts(draft, graphql), vars),
    [draft, vars, graphql],
  )
  // A send just refused naming every unknown one (SendError, above): the names are said there, once.
  const refusal = useAppStore((s) => s.sendError)
  const url = draft.url
  const preview = useMemo(() => (url.includes('{{') ? previewUrl(url, vars) : ''), [url, vars])
  if (hints.length === 0) return null
  const unknown = hints.filter((h) => h.state === 'unknown')
  const namedAbove = unknown.length > 0 && unknownNamedByRefusal(hints, refusal)

  return (
    <div className="var-hints" aria-label="Variables">
      {hints.map((h) => (
        <span
          key={h.name}
          className={`var-chip var-${h.state}`}
          data-state={h.state}
          tabIndex={0}
          aria-label={
            h.state === 'unknown'
              ? `${h.name}: not defined`
              : `${h.name} = ${h.value}${h.source ? ` (${h.source})` : ''}`
          }
          title={
            h.state === 'unknown'
              ? `{{${h.name}}} is not defined in any scope: sending will be refused`
              : bidiVisible(`{{${h.name}}} = ${h.value}\nfrom: ${h.source}`)
          }
        >
          {h.name}
        </span>
      ))}
      {unknown.length > 0 && namedAbove ? null : unknown.length > 0 ? (
        <span className="var-warning" role="status">
          Unknown: {unknown.map((h) => h.name).join(', ')}
        </span>
      ) : preview ? (
        <span className="var-preview mono" title="The URL as it will be sent">
          → {preview}
        </span>
      ) : null}
    </div>
  )
}
