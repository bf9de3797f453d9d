import { useState } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'

/** A client or bidi stream's send box: one JSON message at a time (Ctrl+Enter), then Half-close. */
export function GrpcSendBox({ sid, open }: { sid: string; open: boolean }) {
  const send = useAppStore((s) => s.sendGrpcMessage)
  const end = useAppStore((s) => s.endGrpc)
  const [text, setText] = useState('{}')
  const [error, setError] = useState<AppError | null>(null)
  const [closed, setClosed] = useState(false)
  const go = async (): Promise<void> => setError(await send(sid, text))
  return (
    <div className="grpc-send">
      <textarea
        className="mono grpc-message"
        aria-label="Message to send (JSON)"
        spellCheck={false}
        value={text}
        disabled={!open || closed}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault()
            void go()
          }
        }}
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
