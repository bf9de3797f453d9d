import type { EditorView } from '@codemirror/view'
import { useMemo, useRef, useState, type RefObject } from 'react'
import type { BodyKind } from '../../shared/request'
import { CodeEditor } from '../editor/CodeEditor'
import { fileTypeOrDefault } from '../../shared/file-type'
import { FilePathField } from './FilePathField'
import { languageForContentType } from '../editor/editor-setup'
import { beautifyJson, jsonBodyProblem } from '../editor/json-beautify'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'

import { KeyValueTable } from './KeyValueTable'
import { MultipartTable } from './MultipartTable'
import { multipartHeaderWarning } from './multipart-warning'
import { partsToChoose } from './parts-to-choose'

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
  const kind = useActiveDraft((d) => d.bodyKind)
  const setBodyKind = useAppStore((s) => s.setBodyKind)
  const view = useRef<EditorView | null>(null)
  return (
    <div className="body-editor">
      <div className="code-editor-tools">
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
        {/* On the kind row, so the editor keeps the height below it. */}
        {kind === 'json' ? <BeautifyButton view={view} /> : null}
      </div>
      <div className="body-kind-panel">
        <BodyKindEditor kind={kind} view={view} />
      </div>
    </div>
  )
}

/** Re-indents the JSON body, or says why it cannot (the text stays as typed). */
function BeautifyButton({ view }: { view: RefObject<EditorView | null> }) {
  const json = useActiveDraft((d) => d.json)
  const setJsonBody = useAppStore((s) => s.setJsonBody)
  const [refusal, setRefusal] = useState<{ text: string; message: string } | null>(null)
  const beautify = () => {
    const res = beautifyJson(json)
    if (!res.ok) {
      setRefusal({ text: json, message: res.message })
      return
    }
    setRefusal(null)
    const v = view.current
    // Through the editor, so Ctrl/Cmd+Z undoes it; the store follows from the editor's change.
    if (v) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: res.text } })
    else setJsonBody(res.text)
  }
  // A refusal is about the text it was asked for; once the text changes it no longer applies.
  const refused = refusal && refusal.text === json ? refusal.message : null
  return (
    <>
      <button type="button" className="secondary-button" onClick={beautify} disabled={json.trim() === ''}>
        Beautify
      </button>
      {refused ? (
        <span className="field-warning" role="alert">
          {refused}
        </span>
      ) : null}
    </>
  )
}

function BodyKindEditor({ kind, view }: { kind: BodyKind; view: RefObject<EditorView | null> }) {
  switch (kind) {
    case 'none':
      return <p className="muted hint">This request has no body.</p>
    case 'text':
      return <TextBody />
    case 'json':
      return <JsonBody view={view} />
    case 'form':
      return <FormBody />
    case 'multipart':
      return <MultipartBody />
    case 'file':
      return <FileBody />
  }
}

function TextBody() {
  const text = useActiveDraft((d) => d.text)
  const setTextBody = useAppStore((s) => s.setTextBody)
  const vars = useAppStore((s) => s.scopeVars)
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
      <CodeEditor
        label="Body text"
        heightKey="body"
        fit
        language={languageForContentType(text.contentType)}
        value={text.text}
        vars={vars}
        onChange={(t) => setTextBody({ text: t })}
      />
    </div>
  )
}

function JsonBody({ view }: { view: RefObject<EditorView | null> }) {
  const json = useActiveDraft((d) => d.json)
  const setJsonBody = useAppStore((s) => s.setJsonBody)
  const vars = useAppStore((s) => s.scopeVars)
  const problem = useMemo(() => jsonBodyProblem(json), [json])
  return (
    <div className="body-text-editor">
      <CodeEditor
        label="Body JSON"
        heightKey="body"
        fit
        language="json"
        placeholder='{ "hello": "world" }'
        value={json}
        vars={vars}
        viewRef={view}
        onChange={setJsonBody}
      />
      {problem ? <p className="field-warning">{problem}</p> : null}
    </div>
  )
}

function FormBody() {
  const fields = useActiveDraft((d) => d.form)
  const setFormFields = useAppStore((s) => s.setFormFields)
  return <KeyValueTable label="Form fields" rows={fields} onChange={setFormFields} />
}

function MultipartBody() {
  const parts = useActiveDraft((d) => d.multipart)
  const warning = useActiveDraft((d) => multipartHeaderWarning(d.headers))
  const setMultipartParts = useAppStore((s) => s.setMultipartParts)
  const canPick = useAppStore((s) => s.info?.capabilities.nativeDialogs === true)
  const recorded = useMemo(() => partsToChoose(parts, true), [parts])
  return (
    <>
      {warning !== null ? (
        <p className="field-warning" role="note">
          ⚠ {warning}
        </p>
      ) : null}
      <MultipartTable parts={parts} onChange={setMultipartParts} />
      {recorded.length > 0 ? (
        <p className="field-warning" role="note" data-testid="parts-to-choose">
          ⚠ {recordedPartsText(recorded)}: type {recorded.length === 1 ? 'its' : 'each'} path in the
          part&apos;s file box (Tab or ↓ completes){canPick ? ' or use Choose…' : ''}. Send refuses{' '}
          {recorded.length === 1 ? 'it' : 'them'} until then.
        </p>
      ) : null}
    </>
  )
}

/** `Part "scan" was recorded without its file (receipt.png)`, or the same of several. */
function recordedPartsText(parts: readonly { name: string; fileName: string }[]): string {
  const names = parts.map((p) => `"${p.name}"`).join(', ')
  const files = parts.map((p) => p.fileName).join(', ')
  return parts.length === 1
    ? `Part ${names} was recorded without its file (${files})`
    : `Parts ${names} were recorded without their files (${files})`
}

function FileBody() {
  const file = useActiveDraft((d) => d.file)
  const setFileBody = useAppStore((s) => s.setFileBody)
  return (
    <div className="body-file">
      <label className="inline-field grow">
        File path
        <FilePathField
          label="File path"
          className="mono field-input grow"
          value={file.path}
          onChange={(path) => setFileBody({ path })}
        />
      </label>
      <label className="inline-field">
        Content type
        <input
          className="mono field-input"
          placeholder={file.path === '' ? "by the file's name" : fileTypeOrDefault(file.path)}
          title="Sent as the body's Content-Type; empty sends the type the file's name says (the placeholder), as Postman does"
          value={file.contentType}
          spellCheck={false}
          onChange={(e) => setFileBody({ contentType: e.target.value })}
        />
      </label>
      <p className="muted hint">The file is read by the engine, on the machine it runs on.</p>
    </div>
  )
}
