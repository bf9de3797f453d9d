import { useState } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'
import { useMessageTypes } from './GrpcComposer'
import { GrpcMessageEditor } from './GrpcMessageEditor'

/**
 * A client or bidi stream's send box: one JSON message at a time (Ctrl+Enter), with the same completion and lint
 * as the composer's message editor, then Half-close.
 */
export function GrpcSendBox({ sid, open }: { sid: string; open: boolean }) {
  const send = useAppStore((s) => s.sendGrpcMessage)
  const end = useAppStore((s) => s.endGrpc)
  const [text, setText] = useState('{}')
  const [error, setError] = useState<AppError | null>(null)
  const [closed, setClosed] = useState(false)
  const call = useAppStore((s) => s.grpcSendTypes[sid])
  const schema = useAppStore((s) => (call ? s.grpcSchemas[call.schemaKey] : undefined))
  const types = useMessageTypes(schema?.state === 'ready' ? schema.info : null, call?.requestType, false)
  const go = async (): Promise<void> => setError(await send(sid, text))
  return (
    <div className="grpc-send">
      <GrpcMessageEditor
        value={text}
        onChange={setText}
        label="Message to send (JSON)"
        types={types}
        placeholderText="{ } — one message as JSON; Ctrl+Enter sends"
        disabled={!open || closed}
        onSubmit={() => void go()}
      />
      <div className="grpc-bar">
        <button type="button" className="primary-button" disabled={!open || closed} onClick={() => void go()}>
          Send
        </button>
        <button
          type="button"
          className="secondary-button"
          disabled={!open || closed}
          title="Tell the server no more messages come (the call goes on until its status)"
          onClick={() =>
            void end(sid).then((e) => {
              setError(e)
              if (!e) setClosed(true)
            })
          }
        >
          Half-close
        </button>
        {closed ? (
          <span className="muted small">Half-closed: waiting for the server&apos;s status</span>
        ) : null}
      </div>
      {error ? (
        <div className="error-box small" role="alert">
          {error.message}
        </div>
      ) : null}
    </div>
  )
}
