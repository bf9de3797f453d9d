import type { ErrorEvent } from '../../shared/timeline'
import { describeError } from './error-text'

/** A failed exchange's error, where the person is looking: headline, the engine's message, detail and code. */
export function ErrorBox({ error }: { error: Pick<ErrorEvent, 'code' | 'message' | 'detail'> }) {
  return (
    <div className="error-box" role="alert">
      <div className="error-title">{describeError(error.code)}</div>
      <div>{error.message}</div>
      {error.detail ? <div className="muted mono small">{error.detail}</div> : null}
      <div className="muted small mono">{error.code}</div>
    </div>
  )
}
