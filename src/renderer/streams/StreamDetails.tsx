import { useState, type ReactNode } from 'react'
import { formatBytes, formatMs } from '../../shared/format'
import { streamLogCutText } from '../../shared/stream-log-cut'
import { useAppStore } from '../store/store-context'
import type { SessionRow } from '../timeline/session-row'
import { AssembleView } from './AssembleView'
import { AttemptTable } from './AttemptTable'
import type { StreamAttempt } from './lane-attempts'
import { MessageLog } from './MessageLog'
import { EmptySecretNotice } from '../details/EmptySecretNotice'
import { FactList } from '../details/FactList'
import { rawChunksNote, streamState } from './stream-state'
import { WsSendBox } from './WsSendBox'
import { GrpcSendBox } from '../lazy/lazy-panes'
import { MqttPublishBox, SocketIoEmitBox } from '../mqtt/MessagingCompose'
import { useStreamLanes } from './use-stream-lanes'
import { TraceLine } from '../timeline/TraceLink'
import { bidiVisible, VisibleControls } from '../app/VisibleControls'
import { selectTabLiveSession } from './tab-session'
import './streams.css'
import './stream-log-separators.css'
import { groupDigits } from '../../shared/group-digits'

type Tab = 'messages' | 'send' | 'assemble' | 'handshake'

/** A short one-line error body ("busy", a JSON error) goes beside the message, not in a box of its own. */
function oneLine(detail: string): boolean {
  return detail.length <= 120 && !detail.includes('\n')
}

/**
 * The details pane for the selected row: a stream session's own pane (message log, send box or assemble view,
 * handshake) when the row is an SSE or WebSocket session, else `children` (the HTTP details pane). Mounted
 * once in the app, it also registers the waterfall's stream lane painter.
 */
export function StreamDetailsSwitch({ children }: { children: ReactNode }) {
  useStreamLanes()
  const row = useAppStore((s) => (s.selectedSid === null ? undefined : s.timeline.rows[s.selectedSid]))
  if (!row || row.queued.kind === 'http' || row.queued.kind === 'webhook') return <>{children}</>
  return <StreamDetails key={row.sid} row={row} />
}

function StreamDetails({ row }: { row: SessionRow }) {
  const ws = row.queued.kind === 'ws'
  const grpc = row.queued.kind === 'grpc'
  const mqtt = row.queued.kind === 'mqtt'
  const sio = row.queued.kind === 'socketio'
  // A gRPC call has something to send only when it is a client or bidi stream this app left open.
  const grpcSendable = useAppStore((s) => s.grpcSendable[row.sid] === true)
  // A GraphQL subscription's socket carries only its protocol's messages, which the engine keeps: nothing to
  // send by hand (Stop is in the status line).
  const sends = (ws && row.queued.graphql === undefined) || (grpc && grpcSendable) || mqtt || sio
  const [tab, setTab] = useState<Tab>('messages')
  const lane = useAppStore((s) => s.streamLanes[row.sid])
  const cancel = useAppStore((s) => s.cancel)
  const open = lane?.openSince !== null && lane?.openSince !== undefined && row.end === null
  const ended = row.end !== null
  const error = row.terminal?.type === 'error' ? row.terminal : null
  const state = streamState(row, lane)
  const sendLabel = mqtt ? 'Publish' : sio ? 'Emit' : 'Send'
  // The session the composer's Disconnect ends (by the URL, as in Postman and Insomnia) has no second button
  // here: one Disconnect on the page. Any other (another tab's, an SSE stream, a call) is closed from here.
  const composerEnds = useAppStore((s) => selectTabLiveSession(s) === row.sid)
  const tabs: { id: Tab; label: string }[] = [
    { id: 'messages', label: 'Messages' },
    ...(sends ? [{ id: 'send' as const, label: sendLabel }] : []),
    ...(ws || grpc || mqtt || sio ? [] : [{ id: 'assemble' as const, label: 'Assemble' }]),
    { id: 'handshake', label: 'Handshake' },
  ]
  const startT = row.queued.t
  const chunksNote = rawChunksNote(row, lane)

  return (
    <section
      className="details stream-details"
      aria-label="Stream details"
      data-sid={row.sid}
      data-state={state}
    >
      <div className="status-line">
        <span className={`stream-badge kind-${row.queued.kind}`}>
          {ws ? 'WS' : grpc ? 'gRPC' : mqtt ? 'MQTT' : sio ? 'Socket.IO' : 'SSE'}
        </span>
        <span className={`stream-state state-${state}`}>{stateWords(state)}</span>
        <span className="url mono" title={bidiVisible(row.queued.url)}>
          <VisibleControls text={row.queued.url} />
        </span>
        <span className="grow" />
        {/* On the status line, not a line of its own: in a short pane every line is a message row less. */}
        <span className="stream-summary muted num">
          {lane ? `↓ ${groupDigits(lane.received)} received · ↑ ${groupDigits(lane.sent)} sent` : ''}
          {lane?.subprotocol ? ` · subprotocol ${lane.subprotocol}` : ''}
          {lane?.mode && lane.mode !== 'ws' ? ` · ${lane.mode}` : ''}
          {lane && lane.reconnects > 0
            ? ` · ${lane.reconnects} reconnect${lane.reconnects === 1 ? '' : 's'}`
            : ''}
          {lane?.notKept ? <NotKept sid={row.sid} notKept={lane.notKept} /> : null}
          {lane?.resultErrors ? (
            <span className="result-errors" data-testid="result-errors">
              {` · ${groupDigits(lane.resultErrors)} result${lane.resultErrors === 1 ? '' : 's'} with errors`}
            </span>
          ) : null}
        </span>
        {!ended && !composerEnds ? (
          <button type="button" className="secondary-button" onClick={() => void cancel(row.sid)}>
            {open ? 'Close' : 'Stop'}
          </button>
        ) : null}
      </div>
      {row.queued.emptySecrets ? <EmptySecretNotice used={row.queued.emptySecrets} /> : null}
      {row.sent?.traceId !== undefined ? <TraceLine traceId={row.sent.traceId} /> : null}
      {error ? (
        <div className="error-box stream-error" role="alert">
          {error.detail && oneLine(error.detail) ? (
            <span>
              {error.message} <span className="mono small stream-error-inline">{error.detail}</span>
            </span>
          ) : (
            error.message
          )}
          {error.detail && !oneLine(error.detail) ? (
            <pre className="mono small stream-error-detail">{error.detail}</pre>
          ) : null}
        </div>
      ) : null}
      {chunksNote ? <div className="muted small stream-note">{chunksNote}</div> : null}
      <div className="tabs" role="tablist" aria-label="Stream parts">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={tab === t.id}
            className={tab === t.id ? 'tab active' : 'tab'}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="details-panel stream-panel" role="tabpanel">
        {tab === 'messages' ? (
          <MessageLog
            sid={row.sid}
            startT={startT}
            // A WebSocket user looks for the message box here: say where it is, one click away.
            emptyHint={
              sends && open ? (
                <button type="button" className="link-button" onClick={() => setTab('send')}>
                  {`${sendLabel.toLowerCase()} one from the ${sendLabel} tab`}
                </button>
              ) : undefined
            }
          />
        ) : null}
        {tab === 'send' ? (
          <>
            {grpc ? (
              <GrpcSendBox sid={row.sid} open={open} />
            ) : mqtt ? (
              <MqttPublishBox sid={row.sid} open={open} />
            ) : sio ? (
              <SocketIoEmitBox sid={row.sid} open={open} />
            ) : (
              <WsSendBox sid={row.sid} url={row.queued.url} open={open} />
            )}
            <MessageLog sid={row.sid} startT={startT} />
          </>
        ) : null}
        {tab === 'assemble' ? <AssembleView sid={row.sid} startT={startT} /> : null}
        {tab === 'handshake' ? <Handshake row={row} attempts={lane?.attempts ?? []} /> : null}
      </div>
    </section>
  )
}

/**
 * The summary's word on a cut log: the count the lane shows (every message, kept or not, is ticked), with the
 * reason the engine gave at the log's last read (none until one was read).
 */
function NotKept({ sid, notKept }: { sid: string; notKept: number }) {
  const cut = useAppStore((s) => (s.logView?.sid === sid ? s.logView.cut : null))
  const dropped = useAppStore((s) => (s.logView?.sid === sid ? s.logView.dropped : 0))
  return (
    <span className="log-cut" data-testid="summary-log-cut">
      {` · ${streamLogCutText(Math.max(notKept, dropped), cut ?? undefined)}`}
    </span>
  )
}

function Handshake({ row, attempts }: { row: SessionRow; attempts: readonly StreamAttempt[] }) {
  const facts: [string, string][] = []
  if (row.sent) facts.push(['Remote address', `${row.sent.remoteAddress}:${row.sent.remotePort}`])
  if (row.tls) facts.push(['TLS', `${row.tls.version} ${row.tls.cipher}`])
  if (row.dns) facts.push(['DNS', formatMs(row.dns.t - row.dns.start)])
  if (row.connect) facts.push(['Connect', formatMs(row.connect.t - row.connect.start)])
  if (row.tls) facts.push(['TLS handshake', formatMs(row.tls.t - row.tls.start)])
  if (row.sent && row.response) facts.push(['Waiting (TTFB)', formatMs(row.response.t - row.sent.t)])
  if (row.response) facts.push(['Status', `${row.response.status} ${row.response.statusText}`.trim()])
  if (row.terminal?.type === 'done') facts.push(['Received', formatBytes(row.terminal.wireBytes)])
  return (
    <div className="handshake">
      {attempts.length > 0 ? <AttemptTable row={row} attempts={attempts} /> : null}
      {attempts.length > 1 ? <h3 className="section-title">First connection</h3> : null}
      <FactList facts={facts} />
      <HeaderTable title="Request headers" headers={row.sent?.headers ?? []} />
      <HeaderTable title="Response headers" headers={row.response?.headers ?? []} />
    </div>
  )
}

function HeaderTable({ title, headers }: { title: string; headers: readonly (readonly [string, string])[] }) {
  return (
    <>
      <h3 className="section-title">{title}</h3>
      {headers.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <table className="header-table">
          <tbody>
            {headers.map(([k, v], i) => (
              <tr key={`${k}${i}`}>
                <th scope="row" className="mono">
                  <span className="header-name">{k}</span>
                </th>
                <td className="mono">{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  )
}

/** The state as a person reads it, in sentence case (a CSS capitalize made "Waiting For Headers"). */
function stateWords(state: string): string {
  const words = state === 'waiting' ? 'waiting for headers' : state
  return words.charAt(0).toUpperCase() + words.slice(1)
}
