import { FilePathField } from './FilePathField'
import { partPathLabel } from './parts-to-choose'
import { RemoveCell } from './KeyValueTable'
import { fileTypeOrDefault } from '../../shared/file-type'
import type { MultipartPart } from '../../shared/request'

interface MultipartTableProps {
  parts: readonly MultipartPart[]
  onChange(parts: MultipartPart[]): void
}

/** A part's Content-Type as typed: none when the box is empty. */
function typeOf(value: string): { contentType?: string } {
  return value === '' ? {} : { contentType: value }
}

/** A file part's filename as typed: none when the box is empty (the path's last name is sent). */
function fileNameOf(value: string): { fileName?: string } {
  return value === '' ? {} : { fileName: value }
}

type FilePart = Extract<MultipartPart, { kind: 'file' }>

/** A file part with its type and filename as typed (an empty box leaves the field out). */
function withTyped(part: FilePart, contentType: string, fileName: string): FilePart {
  return {
    kind: 'file',
    name: part.name,
    path: part.path,
    enabled: part.enabled,
    ...typeOf(contentType),
    ...fileNameOf(fileName),
  }
}

/** The last name of a path as typed (either separator): the filename a part is sent with by default. */
function lastName(path: string): string {
  return path.split(/[\\/]/).pop() ?? ''
}

/**
 * Multipart parts: text parts (name = value) and file parts (name, a path on the engine's machine), each with
 * its own Content-Type when one is typed. A file part without one shows, greyed, the type its name says: what
 * the engine sends for it. A file part's filename (curl's `;filename=`) is the path's last name unless one is
 * typed; the box shows, greyed, the name that is sent.
 */
export function MultipartTable({ parts, onChange }: MultipartTableProps) {
  const update = (index: number, part: MultipartPart) =>
    onChange(parts.map((p, i) => (i === index ? part : p)))
  const remove = (index: number) => onChange(parts.filter((_, i) => i !== index))

  return (
    <div className="kv">
      <table className="kv-table" aria-label="Multipart parts">
        <tbody>
          {parts.map((part, i) => (
            <tr key={i} className={part.enabled ? undefined : 'kv-disabled'}>
              <td className="kv-check">
                <input
                  type="checkbox"
                  aria-label={`Enabled part ${i + 1}`}
                  checked={part.enabled}
                  onChange={(e) => update(i, { ...part, enabled: e.target.checked })}
                />
              </td>
              <td className="kv-kind">
                <select
                  aria-label={`Part ${i + 1} kind`}
                  value={part.kind}
                  onChange={(e) =>
                    update(
                      i,
                      e.target.value === 'file'
                        ? {
                            kind: 'file',
                            name: part.name,
                            path: part.kind === 'file' ? part.path : '',
                            ...typeOf(part.contentType ?? ''),
                            enabled: part.enabled,
                          }
                        : {
                            kind: 'text',
                            name: part.name,
                            value: part.kind === 'text' ? part.value : '',
                            ...typeOf(part.contentType ?? ''),
                            enabled: part.enabled,
                          },
                    )
                  }
                >
                  <option value="text">Text</option>
                  <option value="file">File</option>
                </select>
              </td>
              <td className="kv-part-name">
                <input
                  className="kv-input mono"
                  aria-label={`Part ${i + 1} name`}
                  placeholder="name"
                  value={part.name}
                  spellCheck={false}
                  onChange={(e) => update(i, { ...part, name: e.target.value })}
                />
              </td>
              <td>
                {part.kind === 'text' ? (
                  <div className="kv-file">
                    <input
                      className="kv-input mono"
                      aria-label={`Part ${i + 1} value`}
                      placeholder="value"
                      value={part.value}
                      spellCheck={false}
                      onChange={(e) => update(i, { ...part, value: e.target.value })}
                    />
                    <input
                      className="kv-input mono kv-ct"
                      aria-label={`Part ${i + 1} content type`}
                      placeholder="content type (none)"
                      title="Sent as this part's own Content-Type (a JSON part beside a file); empty sends none"
                      value={part.contentType ?? ''}
                      spellCheck={false}
                      onChange={(e) =>
                        update(i, {
                          kind: 'text',
                          name: part.name,
                          value: part.value,
                          enabled: part.enabled,
                          ...typeOf(e.target.value),
                        })
                      }
                    />
                  </div>
                ) : (
                  <div className="kv-file">
                    <FilePathField
                      label={partPathLabel(i)}
                      value={part.path}
                      onChange={(path) => update(i, { ...part, path })}
                      {...(part.path === '' && part.fileName
                        ? {
                            placeholder: `choose the file for ${part.fileName} — Tab or ↓ completes`,
                            missing: part.enabled,
                          }
                        : {})}
                    />
                    <input
                      className="kv-input mono kv-ct"
                      aria-label={`Part ${i + 1} content type`}
                      placeholder={
                        part.path === '' ? 'content type (by its name)' : fileTypeOrDefault(part.path)
                      }
                      title="Sent as this part's Content-Type; empty sends the type the file's name says (the placeholder), as Postman and Insomnia do"
                      value={part.contentType ?? ''}
                      spellCheck={false}
                      onChange={(e) => update(i, withTyped(part, e.target.value, part.fileName ?? ''))}
                    />
                    <input
                      className="kv-input mono kv-fn"
                      aria-label={`Part ${i + 1} file name`}
                      placeholder={part.path === '' ? 'file name' : lastName(part.path)}
                      title="Sent as this part's filename (curl's ;filename=); empty sends the file's own name (the placeholder)"
                      value={part.fileName ?? ''}
                      spellCheck={false}
                      onChange={(e) => update(i, withTyped(part, part.contentType ?? '', e.target.value))}
                    />
                  </div>
                )}
              </td>
              <RemoveCell label={`Remove part ${i + 1}`} onRemove={() => remove(i)} />
            </tr>
          ))}
        </tbody>
      </table>
      <div className="kv-actions">
        <button
          type="button"
          className="link-button"
          onClick={() => onChange([...parts, { kind: 'text', name: '', value: '', enabled: true }])}
        >
          + Text part
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() => onChange([...parts, { kind: 'file', name: '', path: '', enabled: true }])}
        >
          + File part
        </button>
      </div>
    </div>
  )
}
