import { DEFAULT_REQUEST_OPTIONS, STREAM_HEADERS_TIMEOUT_MS } from '../../shared/constants'
import { NumberField } from '../app/NumberField'

/** The most a request may wait for its response headers (the contract's limit). */
const MAX_HEADERS_TIMEOUT_MS = 3_600_000

/** The engine's wait for the response headers when the request sets none: a stream's is short, its status is due at once. */
export function defaultHeadersTimeout(kind: 'http' | 'sse'): number {
  return kind === 'sse' ? STREAM_HEADERS_TIMEOUT_MS : DEFAULT_REQUEST_OPTIONS.headersTimeoutMs
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}

/**
 * How long the request waits for its response headers (for an SSE stream, its status line before the first event),
 * with the default in sight; typing the default, or Default, leaves the request's own setting out.
 */
export function HeadersTimeoutOption({
  kind,
  value,
  onValue,
}: {
  kind: 'http' | 'sse'
  value: number | null
  onValue(ms: number | null): void
}) {
  const fallback = defaultHeadersTimeout(kind)
  return (
    <label
      className="option"
      title={
        kind === 'sse'
          ? 'How long the stream waits for the server’s status line; then it ends with an error (or reconnects)'
          : 'How long the request waits for the response headers once it is sent'
      }
    >
      Headers timeout (ms)
      <NumberField
        className="num-input"
        aria-label="Headers timeout (ms)"
        min={1}
        max={MAX_HEADERS_TIMEOUT_MS}
        step={1000}
        value={value ?? fallback}
        onValue={(n) => onValue(n === fallback ? null : n)}
      />
      <span className="muted" data-testid="headers-timeout-default">
        {value === null
          ? `default ${seconds(fallback)}${kind === 'sse' ? ' for a stream' : ''}`
          : `set; default ${seconds(fallback)}`}
      </span>
      {value !== null ? (
        <button type="button" className="link-button" onClick={() => onValue(null)}>
          Use default
        </button>
      ) : null}
    </label>
  )
}
