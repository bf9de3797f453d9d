import { useState } from 'react'
import { SNIPPET_TARGETS, type SnippetTarget } from '../../shared/snippet-targets'
import { useAppStore } from '../store/store-context'

/** Edit as a new request, copy as cURL, and the request as code in other languages. */
export function RequestActions({ sid }: { sid: string }) {
  const editAsNewRequest = useAppStore((s) => s.editAsNewRequest)
  const sessionSnippet = useAppStore((s) => s.sessionSnippet)
  const [code, setCode] = useState<{ target: SnippetTarget; text: string } | null>(null)
  const [copied, setCopied] = useState<string | null>(null)

  const copy = async (text: string, what: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text)
      setCopied(`${what} copied`)
    } catch {
      setCopied('The clipboard is not available here: select the code and copy it')
    }
  }

  const show = async (target: SnippetTarget): Promise<void> => {
    const text = await sessionSnippet(sid, target)
    if (text !== null) setCode({ target, text })
  }

  return (
    <div className="request-actions">
      <button type="button" className="secondary-button small" onClick={() => void editAsNewRequest(sid)}>
        Edit as new request
      </button>
      <button
        type="button"
        className="secondary-button small"
        onClick={() =>
          void sessionSnippet(sid, 'shell:curl').then((text) => {
            if (text !== null) void copy(text, 'cURL command')
          })
        }
      >
        Copy as cURL
      </button>
      <select
        aria-label="Request as code"
        value={code?.target ?? ''}
        onChange={(e) => {
          const t = e.target.value as SnippetTarget | ''
          if (t === '') setCode(null)
          else void show(t)
        }}
      >
        <option value="">Code…</option>
        {SNIPPET_TARGETS.map((t) => (
          <option key={t.id} value={t.id}>
            {t.label}
          </option>
        ))}
      </select>
      {copied ? (
        <span className="small muted" role="status">
          {copied}
        </span>
      ) : null}
      {code ? (
        <div className="snippet">
          <pre className="mono" aria-label="Request as code">
            {code.text}
          </pre>
          <div className="snippet-actions">
            <button
              type="button"
              className="secondary-button small"
              onClick={() => void copy(code.text, 'Code')}
            >
              Copy
            </button>
            <button type="button" className="secondary-button small" onClick={() => setCode(null)}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </div>
  )
}
