import { useEffect, useMemo } from 'react'
import type { GrpcMethodKind, GrpcSchemaInfo } from '../../shared/grpc'
import { useAppStore } from '../store/store-context'
import { CopyNote } from '../details/CopyNote'
import { useActiveDraft } from '../tabs/use-active-draft'
import { GrpcMessageEditor } from './GrpcMessageEditor'
import type { MessageTypes } from './grpc-json-assist'
import { activeGrpcDraft, grpcSchemaKey, pickedMethod } from './grpc-slice'
import { shortTypeNames } from './short-type-names'
import './grpc.css'

const KIND_WORDS: Record<GrpcMethodKind, string> = {
  unary: 'unary',
  server_streaming: 'server stream',
  client_streaming: 'client stream',
  bidi_streaming: 'bidi stream',
}

/**
 * The composer in gRPC mode: TLS or plaintext, the schema's source (the server's reflection, or .proto files
 * with import paths) and Load, the method picked from it, the deadline, "Fill with defaults" and Copy as
 * grpcurl. The message is the Message tab (GrpcMessagePanel), the metadata the Metadata tab, beside Tests: the
 * tabs sit right under these bars, so a long message never pushes them out of the pane. The target is the
 * request line's field; Invoke starts the call.
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
  const copyText = useAppStore((s) => s.copyText)
  const tabId = useAppStore((s) => s.activeTabId)
  const showTabCall = useAppStore((s) => s.showTabGrpcCall)
  // A gRPC tab brought to the front shows its own call's details, not the one another tab invoked.
  useEffect(() => showTabCall(), [tabId, showTabCall])

  // Said under the bar, copied or not: a window without clipboard access says why instead of 'Copied'.
  const copy = (): void => {
    void grpcurlFor().then((text) => copyText(text, 'the grpcurl command', 'grpcurl'))
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
        <span className="grow" />
        <button type="button" className="secondary-button" onClick={copy} disabled={g.method === ''}>
          Copy as grpcurl
        </button>
      </div>
      <CopyNote bodyId="grpcurl" />
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
              {/* With none picked the box showed the first method, which Invoke then refused as unpicked. */}
              {g.method === '' ? (
                <option value="" disabled>
                  Pick a method…
                </option>
              ) : null}
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
        {picked ? <MethodTypes request={picked.requestType} response={picked.responseType} /> : null}
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
      </div>
    </div>
  )
}

/** The picked method's types by their short names, the full ones in the tooltip. */
function MethodTypes({ request, response }: { request: string; response: string }) {
  const [shortRequest, shortResponse] = shortTypeNames(request, response)
  const full = `${request} → ${response}`
  return (
    <span className="muted small mono grpc-types" title={full}>
      {shortRequest} → {shortResponse}
    </span>
  )
}

/**
 * The Message tab: the JSON editor, with completion and lint from the picked method's request type once the
 * schema is loaded. It fills the tab's height (the composer pane's splitter makes it taller).
 */
export function GrpcMessagePanel() {
  const target = useActiveDraft((d) => d.url)
  const g = useAppStore(activeGrpcDraft)
  const set = useAppStore((s) => s.setGrpcDraft)
  const schema = useAppStore((s) => s.grpcSchemas[grpcSchemaKey(target, g)])
  const picked = pickedMethod(schema, g.method)
  const many = picked?.kind === 'client_streaming' || picked?.kind === 'bidi_streaming'
  const types = useMessageTypes(schema?.state === 'ready' ? schema.info : null, picked?.requestType, many)
  return (
    <div className="grpc-message-panel">
      <GrpcMessageEditor
        value={g.message}
        onChange={(message) => set({ message })}
        label="Message (JSON)"
        types={types}
        placeholderText={
          many ? 'One JSON message per line, or a JSON array' : '{ } — the request message as JSON'
        }
      />
      {many ? (
        <div className="muted small">
          A {KIND_WORDS[picked?.kind ?? 'bidi_streaming']}: these messages go out on Invoke and the stream
          stays open; send more and half-close from the call&apos;s Send tab.
        </div>
      ) : !picked ? (
        <div className="muted small">
          {schema?.state === 'ready' ? 'Pick a method' : 'Load the methods and pick one'}: the editor then
          completes its fields.
        </div>
      ) : null}
    </div>
  )
}

/** The editor's view of a request type: the same object while the schema and type stay (no reconfigure). */
export function useMessageTypes(
  info: GrpcSchemaInfo | null,
  requestType: string | undefined,
  many: boolean,
): MessageTypes | null {
  return useMemo(
    () => (info?.types && requestType ? { root: requestType, types: info.types, many } : null),
    [info, requestType, many],
  )
}
