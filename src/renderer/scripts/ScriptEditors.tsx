import type { ScopedVariable } from '../../shared/collection'
import { CodeEditor } from '../editor/CodeEditor'
import type { ScriptsDraft } from './script-draft'
import './scripts.css'

/**
 * The pre-request and post-response editors, side by side where there is room: a request's Scripts tab and a
 * folder's (or the collection's) settings use the same pair, with completion for the `pm` API. `heightKey` keeps
 * each place's remembered editor heights apart. Each heading is one line, its explanation cut with an ellipsis
 * (whole in its tooltip), so a short composer keeps its room for the editors; with `fit` (the composer's tab)
 * the editors take the height their panel has left, down to a few lines.
 */
export function ScriptEditors({
  scripts,
  onChange,
  vars,
  heightKey,
  preNote,
  postNote,
  fit = false,
}: {
  scripts: ScriptsDraft
  onChange(patch: Partial<ScriptsDraft>): void
  vars: readonly ScopedVariable[]
  heightKey: string
  preNote: string
  postNote: string
  fit?: boolean
}) {
  return (
    <div className="scripts-editors">
      <section className="scripts-section" aria-label="Pre-request script">
        <h3 className="tests-heading scripts-heading">
          <span>Before the request</span>
          <span className="muted" title={preNote}>
            {preNote}
          </span>
        </h3>
        <CodeEditor
          label="Pre-request script"
          heightKey={`${heightKey}-pre`}
          language="javascript"
          wrap
          fit={fit}
          placeholder="// e.g. pm.request.headers.upsert({ key: 'X-Trace', value: pm.variables.get('trace') })"
          value={scripts.preRequest}
          vars={vars}
          onChange={(preRequest) => onChange({ preRequest })}
        />
      </section>
      <section className="scripts-section" aria-label="Post-response script">
        <h3 className="tests-heading scripts-heading">
          <span>After the response</span>
          <span className="muted" title={postNote}>
            {postNote}
          </span>
        </h3>
        <CodeEditor
          label="Post-response script"
          heightKey={`${heightKey}-post`}
          language="javascript"
          wrap
          fit={fit}
          placeholder="// e.g. pm.test('status is 200', () => pm.response.to.have.status(200))"
          value={scripts.test}
          vars={vars}
          onChange={(test) => onChange({ test })}
        />
      </section>
    </div>
  )
}
