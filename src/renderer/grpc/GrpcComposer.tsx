import { useState } from 'react'
import type { GrpcMethodKind } from '../../shared/grpc'
import { useAppStore } from '../store/store-context'
import { useActiveDraft } from '../tabs/use-active-draft'
import { activeGrpcDraft, grpcSchemaKey, pickedMethod } from './grpc-slice'
import './grpc.css'

const KIND_WORDS: Record<GrpcMethodKind, string> = {
  unary: 'unary',
  server_streaming: 'server stream',
  client_streaming: 'client stream',
  bidi_streaming: 'bidi stream',
}

/**
 * The composer in gRPC mode: TLS or plaintext, the schema's source (the server's reflection, or .proto files
 * with import paths) and Load, the method picked from it, the deadline, and the JSON message editor with "Fill
 * with defaults". The target is the request line's field, the metadata the Metadata tab; Invoke starts the call.
 */
export function GrpcComposer() {
  const target = useActiveDraft((d) => d.url)
  const g = useAppStore(activeGrpcDraft)
  const set = useAppStore((s) => s.setGrpcDraft)
  const load = useAppStore((s) => s.loadGrpcSchema)
  const fill = useAppStore((s) => s.fillGrpcTemplate)
  const grpcurlFor = useAppStore((s) => s.grpcurlFor)
  const schema = useAppStore((s) => s.grpcSchemas[grpcSchemaKey(target, g)])
  const picked = pickedMethod(schema, g.method)
  const [copied, setCopied] = useState(false)
  const many = picked?.kind === 'client_streaming' || picked?.kind === 'bidi_streaming'

  const copy = (): void => {
    void grpcurlFor()
      .then((text) => navigator.clipboard?.writeText(text))
      .then(() => {
        setCopied(true)
        setTimeout(() => setCopied(false), 1500)
      })
  }

  return (
    <div className="grpc-composer">
      <div className="grpc-bar" role="group" aria-label="gRPC options">
        <label>
          <select
            aria-label="Transport security"
            value={g.plaintext ? 'plaintext' : 'tls'}
            onChange={(e) => set({ plaintext: e.target.value === 'plaintext' })}
          >
            <option value="plaintext">Plaintext (h2c)</option>
            <option value="tls">TLS</option>
          </select>
        </label>
        {!g.plaintext ? (
          <label title="Accept a certificate that does not verify (a self-signed test server)">
            <input
              type="checkbox"
              checked={g.insecure}
              onChange={(e) => set({ insecure: e.target.checked })}
            />
            Skip verification
          </label>
        ) : null}
        <label>
          Schema{' '}
          <select
            aria-label="Schema source"
            value={g.source}
            onChange={(e) => set({ source: e.target.value === 'proto' ? 'proto' : 'reflection' })}
          >
            <option value="reflection">Server reflection</option>
            <option value="proto">.proto files</option>
          </select>
        </label>
        {g.source === 'proto' ? (
          <>
            <input
              className="mono grpc-path"
              aria-label="Proto files"
              placeholder="protos/service.proto, …"
              value={g.protoFiles}
              onChange={(e) => set({ protoFiles: e.target.value })}
            />
            <input
              className="mono grpc-path"
              aria-label="Import paths"
              placeholder="import paths: protos, …"
              value={g.importPaths}
              onChange={(e) => set({ importPaths: e.target.value })}
            />
          </>
        ) : null}
        <button
          type="button"
          className="secondary-button"
          onClick={() => void load()}
          disabled={schema?.state === 'loading'}
        >
          {schema?.state === 'loading' ? 'Loading…' : schema?.state === 'ready' ? 'Reload' : 'Load methods'}
        </button>
        {schema?.state === 'ready' ? <span className="muted small">{schema.info.source}</span> : null}
      </div>
      {schema?.state === 'error' ? (
        <div className="error-box small" role="alert">
          {schema.message}
        </div>
      ) : null}
      <div className="grpc-bar" role="group" aria-label="gRPC method">
        <label className="grpc-method">
          Method{' '}
          {schema?.state === 'ready' ? (
            <select aria-label="Method" value={g.method} onChange={(e) => set({ method: e.target.value })}>
              {g.method !== '' && !picked ? <option value={g.method}>{g.method}</option> : null}
              {schema.info.services.map((s) => (
                <optgroup key={s.name} label={s.name}>
                  {s.methods.map((m) => (
                    <option key={m.full} value={m.full}>
                      {m.name} — {KIND_WORDS[m.kind]}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
          ) : (
            <input
              className="mono"
              aria-label="Method"
              placeholder="package.Service/Method"
              value={g.method}
              onChange={(e) => set({ method: e.target.value })}
            />
          )}
        </label>
        {picked ? (
          <span className="muted small mono">
            {picked.requestType} → {picked.responseType}
          </span>
        ) : null}
        <label>
          Deadline{' '}
          <input
            className="num grpc-deadline"
            aria-label="Deadline in seconds"
            placeholder="none"
            value={g.deadline}
            onChange={(e) => set({ deadline: e.target.value })}
          />{' '}
          s
        </label>
        <span className="grow" />
        <button
          type="button"
          className="secondary-button"
          onClick={() => void fill()}
          disabled={g.method === ''}
        >
          Fill with defaults
        </button>
        <button type="button" className="secondary-button" onClick={copy} disabled={g.method === ''}>
          {copied ? 'Copied' : 'Copy as grpcurl'}
        </button>
      </div>
      <textarea
        className="mono grpc-message"
        aria-label="Message (JSON)"
        spellCheck={false}
        value={g.message}
        placeholder={
          many ? 'One JSON message per line, or a JSON array' : '{ } — the request message as JSON'
        }
        onChange={(e) => set({ message: e.target.value })}
      />
      {many ? (
        <div className="muted small">
          A {KIND_WORDS[picked?.kind ?? 'bidi_streaming']}: these messages go out on Invoke and the stream
          stays open; send more and half-close from the call&apos;s Send tab.
        </div>
      ) : null}
    </div>
  )
}
