import type { ImportFormat, ImportReport } from '../../shared/collection-schemas'
import { counted } from '../../shared/format'
import { useAppStore } from '../store/store-context'

/**
 * What the last import did. It leads with what a person must act on (parts left out, scripts kept but not
 * run, auth not supported, credentials moved), then the rest of what did not map, and folds the long tail
 * (saved example responses, folder descriptions) into one count per kind.
 */
export function ImportReportBody({ report }: { report: ImportReport }) {
  const attention = report.attention ?? []
  const folded = report.folded ?? []
  // `unmapped` is attention, then the rest, then one summary line per fold (the engine's report-order.ts).
  const other = report.unmapped.slice(attention.length, report.unmapped.length - folded.length)
  const summaries = report.unmapped.slice(report.unmapped.length - folded.length)
  return (
    <>
      <p className="small">
        {counted(report.requests, 'request')}, {counted(report.folders, 'folder')},{' '}
        {counted(report.environments, 'environment')}.
      </p>
      {attention.length > 0 ? (
        <div className="import-attention">
          <p className="small">
            <strong>Needs attention ({attention.length})</strong>
          </p>
          <ul className="small unmapped">
            {attention.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {other.length > 0 ? (
        <details open={attention.length === 0 && other.length <= 6}>
          <summary className="small">
            {attention.length > 0 ? 'Also not mapped' : 'Not mapped'} ({other.length})
          </summary>
          <ul className="small unmapped">
            {other.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {folded.map((f, i) => (
        <details key={f.what} className="import-folded">
          <summary className="small muted">{summaries[i] ?? `${f.count} ${f.what}`}</summary>
          <ul className="small unmapped">
            {f.lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        </details>
      ))}
      {report.unmapped.length === 0 ? <p className="small muted">Everything was mapped.</p> : null}
    </>
  )
}

const FORMAT_TITLES: Record<Exclude<ImportFormat, 'auto'>, string> = {
  postman: 'Postman collection',
  'postman-env': 'Postman environment',
  insomnia: 'Insomnia export',
  hoppscotch: 'Hoppscotch collection',
  'hoppscotch-env': 'Hoppscotch environment',
  yaak: 'Yaak workspace',
  bruno: 'Bruno collection',
  openapi: 'OpenAPI description',
  har: 'HAR file',
  curl: 'curl command',
}

/** The report's head: what was imported, as the tool that made it names it ("Imported Postman collection"). */
export function importTitle(format: ImportReport['format'] | undefined): string {
  return `Imported ${format !== undefined ? FORMAT_TITLES[format] : 'file'}`
}

/** The last import's report, or why it failed. */
export function ImportReportView() {
  const report = useAppStore((s) => s.importReport)
  const error = useAppStore((s) => s.importError)
  const dismiss = useAppStore((s) => s.dismissImportReport)
  if (!report && !error) return null
  return (
    <div className={`import-report${error ? ' failed' : ''}`} role="status" aria-label="Import report">
      <div className="import-report-head">
        <strong>{error ? 'Import failed' : importTitle(report?.format)}</strong>
        <span className="spacer" />
        <button type="button" className="icon-button" aria-label="Dismiss import report" onClick={dismiss}>
          ×
        </button>
      </div>
      {error ? <p>{error}</p> : null}
      {report ? <ImportReportBody report={report} /> : null}
    </div>
  )
}
