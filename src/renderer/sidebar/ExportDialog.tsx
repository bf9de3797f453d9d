import { useEffect, useRef, useState } from 'react'
import type { CollectionInfo } from '../../shared/collection'
import type { ExportFormat } from '../../shared/collection-schemas'
import { useAppStore, useAppStoreApi } from '../store/store-context'
import { downloadText } from './download'
import { environmentFileName, exportFileName } from './export-file-names'

/**
 * Export a collection to another tool. Postman and Insomnia are one file (downloaded); Bruno is a folder of
 * files, written where the person says. Afterwards it lists every file or part the export left out, with why:
 * a person leaving for another tool sees what did not come along.
 */

const LABELS: Record<ExportFormat, string> = {
  postman: 'Postman v2.1 (JSON)',
  insomnia: 'Insomnia v5 (YAML)',
  bruno: 'Bruno (a folder of .bru files)',
}

export function ExportDialog({ collection, onClose }: { collection: CollectionInfo; onClose(): void }) {
  const exportCollection = useAppStore((s) => s.exportCollection)
  const result = useAppStore((s) => s.exportResult)
  const store = useAppStoreApi()
  const error = useAppStore((s) => s.exportError)
  const dismiss = useAppStore((s) => s.dismissExport)
  const [format, setFormat] = useState<ExportFormat>('postman')
  const [folder, setFolder] = useState('')
  const [busy, setBusy] = useState(false)
  const mine = result?.dir === collection.dir ? result : null
  const formatRef = useRef<HTMLSelectElement>(null)
  // Opened from the collection's head: the focus comes along, so the keys work in it at once.
  useEffect(() => formatRef.current?.focus(), [])

  const run = async (): Promise<void> => {
    setBusy(true)
    const text = await exportCollection(
      collection.dir,
      format,
      format === 'bruno' ? folder.trim() : undefined,
    )
    setBusy(false)
    if (text !== null && format !== 'bruno')
      downloadText(
        exportFileName(collection.name, format),
        text,
        format === 'insomnia' ? 'application/yaml' : 'application/json',
      )
    // Postman keeps environments in files of their own: each comes down beside the collection.
    if (text !== null && format === 'postman')
      for (const env of store.getState().exportResult?.environments ?? [])
        downloadText(environmentFileName(collection.name, env.id), env.text, 'application/json')
  }
  const close = (): void => {
    dismiss()
    onClose()
  }

  return (
    <div
      className="export-dialog"
      role="dialog"
      aria-label={`Export ${collection.name}`}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return
        // Not the window's Esc too (that cancels the selected request).
        e.preventDefault()
        close()
      }}
    >
      <label className="small">
        Format{' '}
        <select
          ref={formatRef}
          className="field-input"
          value={format}
          onChange={(e) => setFormat(e.target.value as ExportFormat)}
          aria-label="Export format"
        >
          {(Object.keys(LABELS) as ExportFormat[]).map((f) => (
            <option key={f} value={f}>
              {LABELS[f]}
            </option>
          ))}
        </select>
      </label>
      {format === 'bruno' ? (
        <label className="small">
          Folder{' '}
          <input
            className="field-input mono"
            value={folder}
            placeholder="a new or empty folder"
            aria-label="Bruno folder"
            onChange={(e) => setFolder(e.target.value)}
          />
        </label>
      ) : null}
      <p className="muted small">Secret values are left out of every export.</p>
      <div className="row">
        <button
          type="button"
          className="primary-button"
          disabled={busy || (format === 'bruno' && folder.trim() === '')}
          onClick={() => void run()}
        >
          {busy ? 'Exporting…' : 'Export'}
        </button>
        <button type="button" className="secondary-button" onClick={close}>
          Close
        </button>
      </div>
      {error !== null ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {mine !== null ? (
        <div className="export-result small" aria-label="Export result">
          <p>
            Exported as {LABELS[mine.format]}
            {mine.file !== undefined ? (
              <>
                {' '}
                to <span className="mono">{mine.file}</span>
              </>
            ) : null}
            .
          </p>
          {mine.environments && mine.environments.length > 0 ? (
            <p aria-label="Environments exported">
              With{' '}
              {mine.environments.length === 1
                ? 'its environment'
                : `its ${mine.environments.length} environments`}{' '}
              as Postman environment files: {mine.environments.map((e) => e.name).join(', ')}.
            </p>
          ) : null}
          {mine.skipped.length > 0 ? (
            <>
              <p className="warning">
                {mine.skipped.length} {mine.skipped.length === 1 ? 'thing' : 'things'} not exported:
              </p>
              <ul className="export-skipped" aria-label="Not exported">
                {mine.skipped.map((line) => (
                  <li key={line} className="mono">
                    {line}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <p className="muted">Everything was exported.</p>
          )}
        </div>
      ) : null}
    </div>
  )
}
