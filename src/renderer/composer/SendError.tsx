import { useEffect, useMemo, useRef } from 'react'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { partPathLabel, partsToChoose } from './parts-to-choose'

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
      <ChooseFileButton />
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

/**
 * Send refused a file part with no file chosen (a HAR's upload, a part left empty): the way to choose it, one
 * click away. Opens the Body tab and puts the cursor in that part's file box.
 */
function ChooseFileButton() {
  const refused = useAppStore((s) => s.sendError?.code === 'file')
  const multipart = useActiveDraft((d) => d.bodyKind === 'multipart')
  const parts = useActiveDraft((d) => d.multipart)
  const choosePart = useAppStore((s) => s.chooseComposerPart)
  const first = useMemo(() => partsToChoose(parts)[0], [parts])
  if (!refused || !multipart || first === undefined) return null
  return (
    <button
      type="button"
      className="secondary-button choose-file"
      onClick={() => {
        choosePart('body')
        // The Body tab's table is drawn on the next frame.
        requestAnimationFrame(() => {
          const box = document.querySelector<HTMLInputElement>(
            `input[aria-label="${partPathLabel(first.index)}"]`,
          )
          box?.scrollIntoView({ block: 'nearest' })
          box?.focus()
        })
      }}
    >
      Choose the file for part &quot;{first.name}&quot;{first.fileName ? ` (${first.fileName})` : ''}
    </button>
  )
}
