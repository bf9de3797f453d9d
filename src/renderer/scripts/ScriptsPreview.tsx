import { useActiveDraft } from '../tabs/use-active-draft'
import { hasScript, type ScriptsDraft } from './script-draft'
import './scripts-preview.css'

/**
 * The scripts' text while the script editors' code loads (a second on a cold start): the same two places, read
 * only, with words saying the editors are on their way, so the tab is never an empty frame. It is part of the
 * window's first code and uses no editor code.
 */
export function ScriptsPreview({ scripts }: { scripts: ScriptsDraft }) {
  return (
    <div className="scripts-preview" role="status" aria-label="Loading the script editors">
      <p className="muted small scripts-preview-note">
        Loading the script editors… (read-only until they open)
      </p>
      <div className="scripts-preview-pair">
        <PreviewSection title="Before the request" label="Pre-request script" text={scripts.preRequest} />
        <PreviewSection title="After the response" label="Post-response script" text={scripts.test} />
      </div>
    </div>
  )
}

function PreviewSection({ title, label, text }: { title: string; label: string; text: string }) {
  return (
    <section className="scripts-preview-section" aria-label={`${label} (loading)`}>
      <h3 className="tests-heading">{title}</h3>
      {hasScript(text) ? (
        <pre className="scripts-preview-text">{text}</pre>
      ) : (
        <p className="muted scripts-preview-text">No {label.toLowerCase()}</p>
      )}
    </section>
  )
}

/** The composer's Scripts tab while its code loads: the active request's scripts. */
export function ScriptsPanelPreview() {
  const scripts = useActiveDraft((d) => d.scripts)
  return <ScriptsPreview scripts={scripts} />
}
