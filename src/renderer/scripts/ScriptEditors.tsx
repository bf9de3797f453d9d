import type { ScopedVariable } from '../../shared/collection'
import { CodeEditor } from '../editor/CodeEditor'
import type { ScriptsDraft } from './script-draft'
import './scripts.css'

/**
 * The pre-request and post-response editors, side by side: a request's Scripts tab and a folder's (or the
 * collection's) settings use the same pair, with completion for the `pm` API. `heightKey` keeps each place's
 * remembered editor heights apart.
 */
export function ScriptEditors({
  scripts,
  onChange,
  vars,
  heightKey,
  preNote,
  postNote,
}: {
  scripts: ScriptsDraft
  onChange(patch: Partial<ScriptsDraft>): void
  vars: readonly ScopedVariable[]
  heightKey: string
  preNote: string
  postNote: string
}) {
  return (
    <div className="scripts-editors">
      <section className="scripts-section" aria-label="Pre-request script">
        <h3 className="tests-heading">
          Pre-request
          <span className="muted">{preNote}</span>
        </h3>
        <CodeEditor
          label="Pre-request script"
          heightKey={`${heightKey}-pre`}
          language="javascript"
          wrap
          placeholder="// e.g. pm.request.headers.upsert({ key: 'X-Trace', value: pm.variables.get('trace') })"
          value={scripts.preRequest}
          vars={vars}
          onChange={(preRequest) => onChange({ preRequest })}
        />
      </section>
      <section className="scripts-section" aria-label="Post-response script">
        <h3 className="tests-heading">
          Post-response
          <span className="muted">{postNote}</span>
        </h3>
        <CodeEditor
          label="Post-response script"
          heightKey={`${heightKey}-post`}
          language="javascript"
          wrap
          placeholder="// e.g. pm.test('status is 200', () => pm.response.to.have.status(200))"
          value={scripts.test}
          vars={vars}
          onChange={(test) => onChange({ test })}
        />
      </section>
    </div>
  )
}
