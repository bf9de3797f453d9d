import { useAppStore } from '../store/store-context'

/**
 * A request opened from a HAR whose multipart file parts came without their files: a HAR keeps a file's name,
 * not its bytes, and a file of that name is not picked for the person (a shared HAR naming `.npmrc` would upload
 * theirs). Said where they look when the HAR opens, with the way to send it again: Edit as new request, then
 * choose each file in the Body tab.
 */
export function HarFilesNotice({ sid }: { sid: string }) {
  const parts = useAppStore((s) => s.harFilesToChoose.get(sid))
  const editAsNewRequest = useAppStore((s) => s.editAsNewRequest)
  if (parts === undefined || parts.length === 0) return null
  const one = parts.length === 1
  return (
    <div className="note-box har-files-notice" role="note" data-testid="har-files-notice">
      <div>
        <strong>{one ? 'A file part came without its file' : 'File parts came without their files'}</strong>{' '}
        (a HAR keeps a file&apos;s name, not its bytes):
      </div>
      <ul className="har-files-list">
        {parts.map((p, i) => (
          <li key={i}>
            part <span className="mono">{p.name || '(no name)'}</span>, recorded as{' '}
            <span className="mono">{p.fileName}</span>
          </li>
        ))}
      </ul>
      <div>
        To send it again:{' '}
        <button type="button" className="link-button" onClick={() => void editAsNewRequest(sid)}>
          Edit as new request
        </button>
        , then choose {one ? 'the file' : 'each file'} in the Body tab. Until then Send refuses{' '}
        {one ? 'it' : 'them'}.
      </div>
    </div>
  )
}
