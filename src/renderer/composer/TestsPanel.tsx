import { useMemo } from 'react'
import type { RequestKind } from '../../shared/collection'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import {
  ASSERTION_LABELS,
  ASSERTION_MODES,
  MODE_LABELS,
  assertionKindsFor,
  type AssertionKind,
  type AssertionMode,
  type AssertionRow,
  type ExtractFrom,
  type ExtractionRow,
} from './run-draft'
import { runDraftErrors, type RunErrors } from './run-draft-errors'
import { DependsOnField, RetryFields, StopFields } from './RunPolicyFields'
import { RemoveCell } from './KeyValueTable'
import { TestInput } from './TestInput'

/**
 * The Tests tab: what ▶ Run and `flightdeck run` check after this request (assertions), take from its
 * response (extract), and how they retry, order and end it. Saved into the request's file with Ctrl/Cmd+S;
 * problems show beside the field and keep the save from writing.
 */
export function TestsPanel() {
  const run = useActiveDraft((d) => d.run)
  const kind = useActiveDraft((d) => d.kind)
  const errors = useMemo(() => runDraftErrors(run, kind), [run, kind])
  return (
    <div className="tests">
      <AssertionsSection rows={run.assertions} kind={kind} errors={errors} />
      <ExtractSection rows={run.extract} errors={errors} />
      <section className="tests-section" aria-label="Retry">
        <h3 className="tests-heading">Retry</h3>
        <RetryFields errors={errors} />
      </section>
      <section className="tests-section" aria-label="Depends on">
        <h3 className="tests-heading">
          Depends on <span className="muted">run first, in the same iteration; skipped if one fails</span>
        </h3>
        <DependsOnField />
      </section>
      {kind !== 'http' ? (
        <section className="tests-section" aria-label="Stop">
          <h3 className="tests-heading">
            Stop <span className="muted">when a run's {kind === 'ws' ? 'WebSocket' : 'SSE'} step ends</span>
          </h3>
          <StopFields errors={errors} />
        </section>
      ) : null}
    </div>
  )
}

/** The messages of one row, under it. */
function RowErrors({ errors, prefix, cols }: { errors: RunErrors; prefix: string; cols: number }) {
  const list = Object.entries(errors)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, m]) => m)
  if (list.length === 0) return null
  return (
    <tr className="tests-error-row">
      <td colSpan={cols}>
        <p className="field-error">{list.join(' · ')}</p>
      </td>
    </tr>
  )
}

const NUMERIC: ReadonlySet<AssertionKind> = new Set(['status', 'duration-under', 'message-count'])

function valuePlaceholder(row: AssertionRow): string {
  if (row.kind === 'status')
    return row.mode === 'oneOf' ? '200, 201, 204' : row.mode === 'range' ? 'min' : '200'
  if (row.kind === 'message-count') return row.mode === 'range' ? 'min' : 'count'
  if (row.kind === 'duration-under') return 'ms'
  if (row.kind === 'json') return '42, "text", true or null'
  if (row.kind === 'body-contains') return 'text in the body'
  return 'value'
}

function AssertionsSection({
  rows,
  kind,
  errors,
}: {
  rows: readonly AssertionRow[]
  kind: RequestKind
  errors: RunErrors
}) {
  const add = useAppStore((s) => s.addAssertion)
  const update = useAppStore((s) => s.updateAssertion)
  const remove = useAppStore((s) => s.removeAssertion)
  const kinds = assertionKindsFor(kind)
  return (
    <section className="tests-section" aria-label="Assertions">
      <h3 className="tests-heading">
        Assertions <span className="muted">checked by ▶ Run and flightdeck run</span>
      </h3>
      {rows.length > 0 ? (
        <table className="kv-table tests-table" aria-label="Assertions">
          <tbody>
            {rows.flatMap((row, i) => {
              const n = i + 1
              const k = (f: string) => errors[`a:${row.id}:${f}`]
              const modes = ASSERTION_MODES[row.kind]
              const hasName = row.kind === 'header' || row.kind === 'json'
              const hasValue = row.mode !== 'exists' && row.mode !== 'absent'
              return [
                <tr key={row.id}>
                  <td className="tests-kind">
                    <select
                      aria-label={`Assertion ${n} kind`}
                      value={row.kind}
                      onChange={(e) => update(row.id, { kind: e.target.value as AssertionKind })}
                    >
                      {[...new Set([...kinds, row.kind])].map((k2) => (
                        <option key={k2} value={k2}>
                          {ASSERTION_LABELS[k2]}
                        </option>
                      ))}
                    </select>
                  </td>
                  {row.raw ? (
                    <td className="muted mono tests-raw" title="Kept as the file has it">
                      {JSON.stringify(row.raw)}
                    </td>
                  ) : (
                    <td className="tests-spec">
                      <span className="tests-values">
                        {hasName ? (
                          <TestInput
                            label={`Assertion ${n} ${row.kind === 'json' ? 'path' : 'header'}`}
                            className="tests-subject"
                            code
                            placeholder={row.kind === 'json' ? '$.user.id' : 'content-type'}
                            value={row.name}
                            error={k('name')}
                            onChange={(name) => update(row.id, { name })}
                          />
                        ) : null}
                        {modes.length > 1 ? (
                          <select
                            aria-label={`Assertion ${n} comparison`}
                            value={row.mode}
                            onChange={(e) => update(row.id, { mode: e.target.value as AssertionMode })}
                          >
                            {modes.map((m) => (
                              <option key={m} value={m}>
                                {MODE_LABELS[m]}
                              </option>
                            ))}
                          </select>
                        ) : null}
                        {hasValue ? (
                          <>
                            <TestInput
                              label={`Assertion ${n} ${row.mode === 'range' ? 'min' : 'value'}`}
                              placeholder={valuePlaceholder(row)}
                              className={
                                NUMERIC.has(row.kind) && row.mode !== 'oneOf' ? 'tests-num' : 'tests-grow'
                              }
                              value={row.value}
                              error={k('value')}
                              code={!NUMERIC.has(row.kind)}
                              inputMode={NUMERIC.has(row.kind) ? 'numeric' : 'text'}
                              onChange={(value) => update(row.id, { value })}
                            />
                            {row.mode === 'range' ? (
                              <>
                                <span className="muted">and</span>
                                <TestInput
                                  label={`Assertion ${n} max`}
                                  className="tests-num"
                                  placeholder="max"
                                  value={row.value2}
                                  error={k('value2')}
                                  inputMode="numeric"
                                  onChange={(value2) => update(row.id, { value2 })}
                                />
                              </>
                            ) : null}
                            {row.kind === 'duration-under' ? <span className="muted">ms</span> : null}
                          </>
                        ) : null}
                      </span>
                    </td>
                  )}
                  <RemoveCell label={`Remove assertion ${n}`} onRemove={() => remove(row.id)} />
                </tr>,
                <RowErrors key={`${row.id}-e`} errors={errors} prefix={`a:${row.id}:`} cols={3} />,
              ]
            })}
          </tbody>
        </table>
      ) : (
        <p className="muted tests-empty">No assertions: a run passes when a response arrives.</p>
      )}
      <div className="kv-actions">
        {kinds.map((k2) => (
          <button key={k2} type="button" className="link-button" onClick={() => add(k2)}>
            + {ASSERTION_LABELS[k2]}
          </button>
        ))}
      </div>
    </section>
  )
}

const FROM_LABELS: Record<ExtractFrom, string> = { json: 'JSON path', header: 'Header', regex: 'Regex' }

function ExtractSection({ rows, errors }: { rows: readonly ExtractionRow[]; errors: RunErrors }) {
  const add = useAppStore((s) => s.addExtraction)
  const update = useAppStore((s) => s.updateExtraction)
  const remove = useAppStore((s) => s.removeExtraction)
  return (
    <section className="tests-section" aria-label="Extract">
      <h3 className="tests-heading">
        Extract <span className="muted">into variables for the requests that run after it</span>
      </h3>
      {rows.length > 0 ? (
        <table className="kv-table tests-table" aria-label="Extractions">
          <tbody>
            {rows.flatMap((row, i) => {
              const n = i + 1
              const k = (f: string) => errors[`x:${row.id}:${f}`]
              return [
                <tr key={row.id}>
                  <td className="tests-name">
                    <TestInput
                      label={`Extraction ${n} variable`}
                      placeholder="variable"
                      value={row.name}
                      error={k('name')}
                      onChange={(name) => update(row.id, { name })}
                    />
                  </td>
                  <td className="tests-kind">
                    <select
                      aria-label={`Extraction ${n} from`}
                      value={row.from}
                      onChange={(e) => update(row.id, { from: e.target.value as ExtractFrom })}
                    >
                      {(['json', 'header', 'regex'] as const).map((f) => (
                        <option key={f} value={f}>
                          {FROM_LABELS[f]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="tests-value">
                    <span className="tests-values">
                      <TestInput
                        label={`Extraction ${n} ${row.from === 'json' ? 'path' : row.from === 'header' ? 'header' : 'pattern'}`}
                        placeholder={
                          row.from === 'json'
                            ? '$.token'
                            : row.from === 'header'
                              ? 'x-request-id'
                              : 'id=(\\w+)'
                        }
                        value={row.source}
                        code
                        error={k('source')}
                        onChange={(source) => update(row.id, { source })}
                      />
                      {row.from === 'regex' ? (
                        <TestInput
                          label={`Extraction ${n} group`}
                          className="tests-group"
                          placeholder="group"
                          value={row.group}
                          error={k('group')}
                          inputMode="numeric"
                          onChange={(group) => update(row.id, { group })}
                        />
                      ) : null}
                    </span>
                  </td>
                  <RemoveCell label={`Remove extraction ${n}`} onRemove={() => remove(row.id)} />
                </tr>,
                <RowErrors key={`${row.id}-e`} errors={errors} prefix={`x:${row.id}:`} cols={4} />,
              ]
            })}
          </tbody>
        </table>
      ) : null}
      <div className="kv-actions">
        <button type="button" className="link-button" onClick={() => add('json')}>
          + Extract
        </button>
      </div>
    </section>
  )
}
