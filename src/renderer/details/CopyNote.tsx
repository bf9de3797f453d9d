import { useAppStore } from '../store/store-context'

/** What the last Copy did, shown where it was asked for: a body (by its id), or a place ('url', 'headers'). */
export function CopyNote({ bodyId }: { bodyId: string }) {
  const note = useAppStore((s) => (s.copyNote?.bodyId === bodyId ? s.copyNote : null))
  return note ? (
    <p className={note.error ? 'field-warning small body-note' : 'muted small body-note'} role="status">
      {note.text}
    </p>
  ) : null
}
