import type { BodyKind } from '../../shared/request'
import { useAppStore } from '../store/store-context'
import { jsonProblem } from './json-check'
import { KeyValueTable } from './KeyValueTable'
import { MultipartTable } from './MultipartTable'

const KINDS: { kind: BodyKind; label: string }[] = [
  { kind: 'none', label: 'None' },
  { kind: 'text', label: 'Text' },
  { kind: 'json', label: 'JSON' },
  { kind: 'form', label: 'Form' },
  { kind: 'multipart', label: 'Multipart' },
  { kind: 'file', label: 'Binary file' },
]

/** The request body, by kind. Each kind keeps its own draft in the store. */
export function BodyEditor() {
  const kind = useAppStore((s) => s.composer.bodyKind)
  const setBodyKind = useAppStore((s) => s.setBodyKind)
  return (
    <div className="body-editor">
      <div className="segmented" role="radiogroup" aria-label="Body kind">
        {KINDS.map((k) => (
          <label key={k.kind} className={k.kind === kind ? 'segment active' : 'segment'}>
            <input
              type="radio"
              name="body-kind"
              value={k.kind}
              checked={k.kind === kind}
              onChange={() => setBodyKind(k.kind)}
            />
            {k.label}
          </label>
        ))}
      </div>
      <div className="body-kind-panel">
        <BodyKindEditor kind={kind} />
      </div>
    </div>
  )
}

function BodyKindEditor({ kind }: { kind: BodyKind }) {
  switch (kind) {
    case 'none':
      return <p className="muted hint">This request has no body.</p>
    case 'text':
      return <TextBody />
    case 'json':
      return <JsonBody />
    case 'form':
      return <FormBody />
    case 'multipart':
      return <MultipartBody />
    case 'file':
      return <FileBody />
  }
}

function TextBody() {
  const text = useAppStore((s) => s.composer.text)
  const setTextBody = useAppStore((s) => s.setTextBody)
  return (
    <div className="body-text-editor">
      <label className="inline-field">
        Content type
        <input
          className="mono field-input"
          value={text.contentType}
          spellCheck={false}
          onChange={(e) => setTextBody({ contentType: e.target.value })}
        />
      </label>
      <textarea
        className="code-area mono"
        aria-label="Body text"
        value={text.text}
        spellCheck={false}
        onChange={(e) => setTextBody({ text: e.target.value })}
      />
    </div>
  )
}

function JsonBody() {
  const json = useAppStore((s) => s.composer.json)
  const setJsonBody = useAppStore((s) => s.setJsonBody)
  const problem = jsonProblem(json)
  return (
    <div className="body-text-editor">
      <textarea
        className="code-area mono"
        aria-label="Body JSON"
        placeholder='{ "hello": "world" }'
        value={json}
        spellCheck={false}
        onChange={(e) => setJsonBody(e.target.value)}
      />
      {problem ? <p className="field-warning">{problem} (it is sent as typed)</p> : null}
    </div>
  )
}

function FormBody() {
  const fields = useAppStore((s) => s.composer.form)
  const setFormFields = useAppStore((s) => s.setFormFields)
  return <KeyValueTable label="Form fields" rows={fields} onChange={setFormFields} />
}

function MultipartBody() {
  const parts = useAppStore((s) => s.composer.multipart)
  const setMultipartParts = useAppStore((s) => s.setMultipartParts)
  return <MultipartTable parts={parts} onChange={setMultipartParts} />
}

function FileBody() {
  const file = useAppStore((s) => s.composer.file)
  const setFileBody = useAppStore((s) => s.setFileBody)
  return (
    <div className="body-file">
      <label className="inline-field grow">
        File path
        <input
          className="mono field-input grow"
          placeholder="/path/to/file.bin"
          value={file.path}
          spellCheck={false}
          onChange={(e) => setFileBody({ path: e.target.value })}
        />
      </label>
      <label className="inline-field">
        Content type
        <input
          className="mono field-input"
          placeholder="application/octet-stream"
          value={file.contentType}
          spellCheck={false}
          onChange={(e) => setFileBody({ contentType: e.target.value })}
        />
      </label>
      <p className="muted hint">The file is read by the engine, on the machine it runs on.</p>
    </div>
  )
}
