import { useState } from 'react'
import { traceLink } from '../../shared/trace-context'
import type { AppState } from '../store/app-state'
import { useAppStore } from '../store/store-context'
import { CopyNote } from '../details/CopyNote'
import '../styles/trace.css'

/**
 * Trace context in the UI: the toolbar's Trace switch (sends no `trace:` setting decides carry a traceparent),
 * and the details' trace line: the id, Copy, and "Open trace" where the active environment has a `traceLink`.
 * The desktop app opens the link in the system browser through `app.openExternal` (checked again in the
 * engine); a browser host shows it as a plain link that opens a new tab, without opener or referrer.
 */

export function TraceSwitch() {
  const on = useAppStore((s) => s.traceSends)
  const setOn = useAppStore((s) => s.setTraceSends)
  return (
    <button
      type="button"
      className="secondary-button trace-switch"
      aria-pressed={on}
      title={
        on
          ? 'Sends carry a W3C traceparent unless their collection says trace: off (click to stop)'
          : 'Add a W3C traceparent to sends and streams whose collection sets no trace: (Untitled tabs included)'
      }
      onClick={() => setOn(!on)}
    >
      Trace
      {/* The state in words beside the pressed look; its name stays "Trace" (aria-pressed says on or off). */}
      {on ? (
        <span className="trace-switch-state" aria-hidden="true">
          {' '}
          on
        </span>
      ) : null}
    </button>
  )
}

/** The link template of the active collection's chosen environment, when it has one. */
function activeTraceLink(s: AppState): string | undefined {
  const dir = s.activeDir
  if (dir === null) return undefined
  const env = s.envByDir[dir]
  if (!env) return undefined
  return traceLinkOf(s, dir, env)
}

function traceLinkOf(s: AppState, dir: string, env: string): string | undefined {
  return s.collections.find((c) => c.dir === dir)?.environments.find((e) => e.id === env)?.traceLink
}

/**
 * `note` says which request the id is of where that is not plain (a run's row: its iteration). `environment`
 * names the environment whose `traceLink` applies when it is not the active one (a run's).
 */
export function TraceLine({
  traceId,
  note,
  environment,
}: {
  traceId: string
  note?: string
  environment?: { dir: string; env: string }
}) {
  const copyText = useAppStore((s) => s.copyText)
  const template = useAppStore((s) =>
    environment === undefined ? activeTraceLink(s) : traceLinkOf(s, environment.dir, environment.env),
  )
  const desktop = useAppStore((s) => s.info?.capabilities.openExternal === true)
  const openLink = useAppStore((s) => s.openExternalLink)
  const [error, setError] = useState<string | null>(null)
  const href = template === undefined ? null : traceLink(template, traceId)

  return (
    <div className="trace-line" role="group" aria-label="Trace">
      <span className="trace-label">Trace</span>
      <span className="trace-id" data-testid="trace-id">
        {traceId}
      </span>
      {note !== undefined ? <span className="trace-note muted">({note})</span> : null}
      <button
        type="button"
        className="link-button small"
        title="Copy the trace id"
        onClick={() => void copyText(traceId, 'the trace id', 'trace')}
      >
        Copy
      </button>
      {href === null ? (
        <button
          type="button"
          className="link-button small"
          disabled
          title="Add traceLink (e.g. http://localhost:16686/trace/{traceId}) to the chosen environment's file"
        >
          Open trace
        </button>
      ) : desktop ? (
        <button
          type="button"
          className="link-button small"
          title={href}
          onClick={() => void openLink(href).then(setError)}
        >
          Open trace
        </button>
      ) : (
        <a className="link-button small" href={href} title={href} target="_blank" rel="noopener noreferrer">
          Open trace
        </a>
      )}
      {error !== null ? (
        <span className="field-warning small" role="alert">
          {error}
        </span>
      ) : null}
      <CopyNote bodyId="trace" />
    </div>
  )
}
