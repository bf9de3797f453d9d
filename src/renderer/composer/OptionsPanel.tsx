import { DEFAULT_REQUEST_OPTIONS } from '../../shared/constants'
import { NumberField } from '../app/NumberField'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { HeadersTimeoutOption } from './HeadersTimeoutOption'

const MiB = 1024 * 1024

/**
 * What a note under a session's options says is not there. A WebSocket upgrade and a GraphQL operation take only
 * the certificate choice from these (the WebSocket's message limit is in its bar; redirects are never followed on
 * an upgrade); an SSE stream follows redirects and waits for its headers, but has no body limit, total timeout or
 * server push.
 */
const NOT_APPLIED: Partial<Record<string, string>> = {
  ws: 'Redirects, timeouts and body limits are for HTTP requests: a WebSocket upgrade is never redirected, and its message limit is in the bar above.',
  graphql:
    'A GraphQL operation takes only this option; redirects, timeouts and body limits keep the engine’s defaults.',
  sse: 'A stream has no total timeout or body limit (it ends when you close it), and no server push.',
}

/** The request options worth a click today, only those the session type applies; the rest keep the engine's defaults. */
export function OptionsPanel() {
  const options = useActiveDraft((d) => d.options)
  const kind = useActiveDraft((d) => d.kind)
  const setOption = useAppStore((s) => s.setOption)
  const http = kind === 'http'
  const redirects = http || kind === 'sse'
  const note = NOT_APPLIED[kind]
  return (
    <div className="options">
      {redirects ? <RedirectOptions /> : null}
      <label className="option">
        <input
          type="checkbox"
          checked={options.insecure}
          onChange={(e) => setOption('insecure', e.target.checked)}
        />
        Accept invalid certificates
      </label>
      {http ? (
        <label
          className="option"
          title="HTTPS only: the request goes over an HTTP/2 connection of its own that accepts server push; each pushed stream is a row under it. Off, pushes are refused."
        >
          <input
            type="checkbox"
            checked={options.acceptPush}
            onChange={(e) => setOption('acceptPush', e.target.checked)}
          />
          Accept server push
        </label>
      ) : null}
      {http ? (
        <label className="option">
          Total timeout (ms)
          <NumberField
            className="num-input"
            min={0}
            max={24 * 3_600_000}
            step={1000}
            value={options.totalTimeoutMs}
            onValue={(n) => setOption('totalTimeoutMs', n)}
          />
          <span className="muted">0 = none</span>
        </label>
      ) : null}
      {kind === 'http' || kind === 'sse' ? (
        <HeadersTimeoutOption
          kind={kind}
          value={options.headersTimeoutMs}
          onValue={(ms) => setOption('headersTimeoutMs', ms)}
        />
      ) : null}
      {http ? (
        <label className="option" title="A response larger than this stops with an error saying so.">
          Max body (MB)
          <NumberField
            className="num-input"
            min={1}
            max={1024 * 1024}
            step={256}
            value={Math.max(1, Math.round(options.maxBodyBytes / MiB))}
            onValue={(n) => setOption('maxBodyBytes', n * MiB)}
          />
          <span className="muted">default {DEFAULT_REQUEST_OPTIONS.maxBodyBytes / MiB}; larger stops</span>
        </label>
      ) : null}
      {note ? (
        <p className="muted small options-note" data-testid="options-not-applied">
          {note}
        </p>
      ) : null}
    </div>
  )
}

function RedirectOptions() {
  const options = useActiveDraft((d) => d.options)
  const setOption = useAppStore((s) => s.setOption)
  return (
    <>
      <label className="option">
        <input
          type="checkbox"
          checked={options.followRedirects}
          onChange={(e) => setOption('followRedirects', e.target.checked)}
        />
        Follow redirects
      </label>
      <label className="option">
        Max redirects
        <NumberField
          className="num-input"
          min={0}
          max={100}
          value={options.maxRedirects}
          disabled={!options.followRedirects}
          onValue={(n) => setOption('maxRedirects', n)}
        />
      </label>
    </>
  )
}
