import { useAppStore } from '../store/store-context'

/** The last `http.send` command error, said plainly. Network errors are on the timeline, not here. */
export function SendError() {
  const error = useAppStore((s) => s.sendError)
  if (!error) return null
  return (
    <div className="send-error" role="alert">
      <strong>Not sent:</strong> {error.message}
      {error.detail ? <span className="muted"> — {error.detail}</span> : null}
      <span className="muted code"> ({error.code})</span>
    </div>
  )
}
