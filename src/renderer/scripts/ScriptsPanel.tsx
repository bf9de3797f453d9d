import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { hasScript, type ScriptsDraft } from './script-draft'
import { LevelScriptsLine } from './LevelScriptsLine'
import { ScriptEditors } from './ScriptEditors'
import './scripts.css'

/** Under the editors on one line, cut with an ellipsis where the panel is narrow (whole in its tooltip). */
const SANDBOX_NOTE =
  "Scripts run in the engine's sandbox (QuickJS): no files, no network but pm.sendRequest, stopped past their " +
  "CPU time or memory limit. console.* goes to the request's Scripts tab in the details. Send ×N runs the " +
  'scripts for each copy: its pre-request script before it goes out, its post-response script on its own response.'

/**
 * The composer's Scripts tab: the request's pre-request script (runs before it is sent; may change it and set
 * variables) and its post-response script (sees the response, records tests), in JavaScript with completion for
 * the `pm` API. An imported request whose scripts were translated into declarative checks says that those
 * checks are what runs, and offers to run the script instead.
 */
export function ScriptsPanel() {
  const scripts = useActiveDraft((d) => d.scripts)
  const afterMode = useActiveDraft((d) => d.after.mode)
  const editDraft = useAppStore((s) => s.editDraft)
  const vars = useAppStore((s) => s.scopeVars)
  const set = (patch: Partial<ScriptsDraft>): void =>
    editDraft((d) => ({ scripts: { ...d.scripts, ...patch } }))
  const translated = scripts.translated === true && (hasScript(scripts.preRequest) || hasScript(scripts.test))
  return (
    <div className="scripts-panel">
      {translated ? (
        <div className="scripts-translated" role="note" data-testid="scripts-translated">
          <span>
            Imported scripts, translated into this request&apos;s Tests (assertions and extraction):{' '}
            <strong>those checks are what runs</strong>; the script text below is kept as it came and not run.
          </span>
          <button type="button" className="secondary-button" onClick={() => set({ translated: false })}>
            Run the scripts instead
          </button>
        </div>
      ) : null}
      {afterMode !== 'none' && (hasScript(scripts.preRequest) || hasScript(scripts.test)) ? (
        <p className="scripts-not-run" role="note" data-testid="scripts-after-response">
          This request {afterMode === 'follow' ? 'follows the job it starts' : 'long-polls'} (After response):
          a send from here does not run its scripts. A run does.
        </p>
      ) : null}
      <LevelScriptsLine />
      <ScriptEditors
        scripts={scripts}
        onChange={set}
        vars={vars}
        heightKey="script"
        fit
        preNote="may change the request (pm.request) and set variables"
        postNote="reads the response and records tests: pm.response, pm.test, pm.expect"
      />
      <p className="muted small scripts-sandbox-note" title={SANDBOX_NOTE}>
        {SANDBOX_NOTE}
      </p>
    </div>
  )
}
