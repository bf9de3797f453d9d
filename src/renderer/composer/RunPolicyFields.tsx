import { useMemo } from 'react'
import type { FolderNode, RequestNode, TreeNode } from '../../shared/collection'
import { useAppStore } from '../store/store-context'
import { bidiVisible, VisibleControls } from '../app/VisibleControls'
import { useActiveDraft } from '../tabs/use-active-draft'
import { dependencyTarget } from './run-draft'
import type { RunErrors } from './run-draft-errors'
import { TestInput } from './TestInput'

/** Retry policy: off, or how many tries after the first, on what, and how long to wait between them. */
export function RetryFields({ errors }: { errors: RunErrors }) {
  const retry = useActiveDraft((d) => d.run.retry)
  const setRetry = useAppStore((s) => s.setRetry)
  return (
    <div className="tests-fields">
      <label className="option">
        <input type="checkbox" checked={retry.on} onChange={(e) => setRetry({ on: e.target.checked })} />
        Retry failed attempts
      </label>
      {retry.on ? (
        <>
          <label className="option">
            Retries
            <TestInput
              label="Retries"
              className="tests-num"
              inputMode="numeric"
              value={retry.retries}
              error={errors['retry:retries']}
              onChange={(retries) => setRetry({ retries })}
            />
          </label>
          <label className="option">
            <input
              type="checkbox"
              checked={retry.onNetworkError}
              onChange={(e) => setRetry({ onNetworkError: e.target.checked })}
            />
            On network error
          </label>
          <label className="option">
            On status
            <TestInput
              label="Retry on status"
              className="tests-statuses"
              placeholder="502, 503, 504"
              value={retry.onStatus}
              error={errors['retry:onStatus']}
              onChange={(onStatus) => setRetry({ onStatus })}
            />
          </label>
          <label className="option">
            Backoff (ms)
            <TestInput
              label="Backoff (ms)"
              className="tests-num"
              inputMode="numeric"
              value={retry.backoffMs}
              error={errors['retry:backoffMs']}
              onChange={(backoffMs) => setRetry({ backoffMs })}
            />
          </label>
          <label className="option">
            × factor
            <TestInput
              label="Backoff factor"
              className="tests-num"
              inputMode="decimal"
              value={retry.factor}
              error={errors['retry:factor']}
              onChange={(factor) => setRetry({ factor })}
            />
          </label>
          <label className="option">
            up to (ms)
            <TestInput
              label="Backoff cap (ms)"
              className="tests-num"
              inputMode="numeric"
              value={retry.maxBackoffMs}
              error={errors['retry:maxBackoffMs']}
              onChange={(maxBackoffMs) => setRetry({ maxBackoffMs })}
            />
          </label>
        </>
      ) : null}
      <FieldErrors errors={errors} prefix="retry:" />
    </div>
  )
}

/** The stream step's end: after N messages, after a time, or on a message matching a pattern. */
export function StopFields({ errors }: { errors: RunErrors }) {
  const stop = useActiveDraft((d) => d.run.stop)
  const setStop = useAppStore((s) => s.setStop)
  return (
    <div className="tests-fields">
      <label className="option">
        After
        <TestInput
          label="Stop after messages"
          className="tests-num"
          inputMode="numeric"
          placeholder="100"
          value={stop.count}
          error={errors['stop:count']}
          onChange={(count) => setStop({ count })}
        />
        messages
      </label>
      <label className="option">
        or
        <TestInput
          label="Stop after ms"
          className="tests-num"
          inputMode="numeric"
          placeholder="10000"
          value={stop.durationMs}
          error={errors['stop:durationMs']}
          onChange={(durationMs) => setStop({ durationMs })}
        />
        ms
      </label>
      <label className="option">
        or on a message matching
        <TestInput
          label="Stop on a message matching"
          className="tests-statuses"
          placeholder="regular expression"
          value={stop.match}
          error={errors['stop:match']}
          onChange={(match) => setStop({ match })}
        />
      </label>
      {stop.count === '' && stop.durationMs === '' && stop.match === '' ? (
        <span className="muted">none set: 100 messages or 10 s</span>
      ) : null}
      <FieldErrors errors={errors} prefix="stop:" />
    </div>
  )
}

function FieldErrors({ errors, prefix }: { errors: RunErrors; prefix: string }) {
  const list = Object.entries(errors)
    .filter(([k]) => k.startsWith(prefix))
    .map(([, m]) => m)
  return list.length > 0 ? <p className="field-error tests-fields-error">{list.join(' · ')}</p> : null
}

function requestsOf(root: FolderNode): RequestNode[] {
  const out: RequestNode[] = []
  const walk = (n: TreeNode, depth: number): void => {
    if (n.type === 'request') out.push(n)
    else if (depth < 64) for (const c of n.children) walk(c, depth + 1)
  }
  walk(root, 0)
  return out
}

/** Other requests of the same collection, picked by path; the file keeps the path as written. */
export function DependsOnField() {
  const deps = useActiveDraft((d) => d.run.dependsOn)
  const setDependsOn = useAppStore((s) => s.setDependsOn)
  const tab = useAppStore((s) => s.tabs.find((t) => t.id === s.activeTabId))
  const collection = useAppStore((s) => s.collections.find((c) => c.dir === tab?.dir))
  const own = tab?.path ?? ''
  const requests = useMemo(() => (collection ? requestsOf(collection.root) : []), [collection])
  const byPath = useMemo(() => new Map(requests.map((r) => [r.path, r])), [requests])
  if (!tab?.dir || !collection)
    return <p className="muted tests-empty">Save this request in a collection to pick what it depends on.</p>
  const chosen = new Set(deps.map((d) => dependencyTarget(own, d)))
  const choices = requests.filter((r) => r.path !== own && !chosen.has(r.path))
  return (
    <div className="tests-fields">
      {deps.map((d, i) => {
        const target = dependencyTarget(own, d)
        const node = target ? byPath.get(target) : undefined
        return (
          <span key={`${d}-${i}`} className={`tests-chip${node ? '' : ' missing'}`}>
            <span className="mono">{d}</span>
            {node ? (
              <span className="muted">
                <VisibleControls text={node.name} />
              </span>
            ) : (
              <span className="field-error">not a request in this collection</span>
            )}
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove dependency ${d}`}
              onClick={() => setDependsOn(deps.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </span>
        )
      })}
      <select
        aria-label="Add dependency"
        value=""
        disabled={choices.length === 0}
        onChange={(e) => {
          if (e.target.value !== '') setDependsOn([...deps, e.target.value])
        }}
      >
        <option value="">{choices.length === 0 ? 'No other requests' : 'Add a request…'}</option>
        {choices.map((r) => (
          <option key={r.path} value={r.path.replace(/\.ya?ml$/, '')}>
            {bidiVisible(`${r.path.replace(/\.ya?ml$/, '')} — ${r.name}`)}
          </option>
        ))}
      </select>
    </div>
  )
}
