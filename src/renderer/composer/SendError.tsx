import { useEffect, useRef } from 'react'
import { useAppStore } from '../store/store-context'

/** The last `http.send` command error, said plainly. Network errors are on the timeline, not here. */
export function SendError() {
  const error = useAppStore((s) => s.sendError)
  const folder = useAppStore((s) => s.refusedFolder())
  const allow = useAppStore((s) => s.allowRefusedFolder)
  const box = useRef<HTMLDivElement>(null)
  // A composer scrolled down to its form (a short window) would hold a new error above its fold.
  useEffect(() => {
    if (error) box.current?.scrollIntoView({ block: 'nearest' })
  }, [error])
  if (!error) return null
  return (
    <div className="send-error" role="alert" ref={box}>
      <strong>Not sent:</strong> {error.message}
      {error.detail && folder === null ? <span className="muted"> — {error.detail}</span> : null}
      <span className="muted code"> ({error.code})</span>
      {folder !== null ? (
        <button
          type="button"
          className="secondary-button allow-files"
          onClick={() => {
            // Widening what every collection may send is the person's call: ask, naming the folder.
            const yes = window.confirm(
              `Let requests from collections send files from ${folder}?\n\nAny collection you open could then upload files from that folder. You can remove it under Files… in the sidebar.`,
            )
            if (yes) void allow()
          }}
        >
          Allow files from {folder}…
        </button>
      ) : null}
    </div>
  )
}
