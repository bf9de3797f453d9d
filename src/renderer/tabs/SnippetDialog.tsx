import { useEffect, useState } from 'react'
import { useModalDialog } from '../hooks/use-modal-dialog'
import { SNIPPET_TARGETS, snippetLabel, type SnippetTarget } from '../../shared/snippet-targets'
import { useAppStore } from '../store/store-context'
import { CopyNote } from '../details/CopyNote'

/**
 * The composer's request as curl or code, in the languages a timeline row's Code menu offers, variables filled in
 * from the environment (secrets stay as names).
 */
export function SnippetDialog({ onClose }: { onClose(): void }) {
  const snippetFor = useAppStore((s) => s.snippetFor)
  const copyText = useAppStore((s) => s.copyText)
  const [target, setTarget] = useState<SnippetTarget>('shell:curl')
  const [result, setResult] = useState<{ text: string } | { error: string } | null>(null)
  const dialog = useModalDialog()

  useEffect(() => {
    let live = true
    void snippetFor(target).then((r) => {
      if (live) setResult(r)
    })
    return () => {
      live = false
    }
  }, [snippetFor, target])

  return (
    <dialog ref={dialog} className="vars-dialog snippet-dialog" aria-label="Code snippet" onClose={onClose}>
      <div className="vars-head">
        <select
          className="field-input"
          aria-label="Snippet language"
          value={target}
          onChange={(e) => setTarget(e.target.value as SnippetTarget)}
        >
          {SNIPPET_TARGETS.map((t) => (
            <option key={t.id} value={t.id}>
              {t.label}
            </option>
          ))}
        </select>
        <span className="spacer" />
        {result && 'text' in result ? (
          <button
            type="button"
            className="secondary-button"
            // Said beside the button, copied or not (a window without clipboard access says why).
            onClick={() => void copyText(result.text, `the ${snippetLabel(target)} snippet`, 'snippet')}
          >
            Copy
          </button>
        ) : null}
        <button type="button" className="secondary-button" onClick={onClose}>
          Close
        </button>
      </div>
      <CopyNote bodyId="snippet" />
      {result && 'error' in result ? (
        <p className="sidebar-error" role="alert">
          {result.error}
        </p>
      ) : (
        <textarea
          className="code-area mono snippet-text"
          aria-label="Snippet"
          readOnly
          value={result?.text ?? ''}
        />
      )}
    </dialog>
  )
}
