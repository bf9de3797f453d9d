import { useState, type ReactNode } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'
import { SavedItemsBar } from './SavedItemsBar'
import { QosSelect } from './QosSelect'
import './messaging.css'

/** What the last send came to: what went wrong, a note (a publish waiting for the broker), or nothing. */
type SendOutcome = AppError | { note: string } | null

/** Publish on an open MQTT session: topic, QoS, retain, payload (Ctrl+Enter publishes). */
export function MqttPublishBox({ sid, open }: { sid: string; open: boolean }) {
  const d = useAppStore((s) => s.mqttPublishDraft)
  const set = useAppStore((s) => s.setMqttPublishDraft)
  const publish = useAppStore((s) => s.publishMqtt)
  return (
    <SendBox
      what="publish"
      sid={sid}
      send={() => publish(sid)}
      open={open}
      payload={{
        label: 'Payload',
        placeholder: 'The payload — Ctrl+Enter publishes',
        value: d.payload,
        onChange: (payload) => set({ payload }),
      }}
    >
      <input
        className="mono grow-field"
        aria-label="Topic"
        placeholder="topic/to/publish"
        value={d.topic}
        onChange={(e) => set({ topic: e.target.value })}
      />
      <QosSelect label="QoS" value={d.qos} onChange={(qos) => set({ qos })} />
      <label>
        <input type="checkbox" checked={d.retain} onChange={(e) => set({ retain: e.target.checked })} />
        Retain
      </label>
    </SendBox>
  )
}

/** Emit on an open Socket.IO session: the event, its arguments as JSON, with or without an ack. */
export function SocketIoEmitBox({ sid, open }: { sid: string; open: boolean }) {
  const d = useAppStore((s) => s.socketIoEmitDraft)
  const set = useAppStore((s) => s.setSocketIoEmitDraft)
  const emit = useAppStore((s) => s.emitSocketIo)
  return (
    <SendBox
      what="emit"
      sid={sid}
      send={() => emit(sid)}
      open={open}
      payload={{
        label: 'Arguments (JSON)',
        placeholder: '["a", {"b": 1}] — an array is several arguments; Ctrl+Enter emits',
        value: d.args,
        onChange: (args) => set({ args }),
      }}
    >
      <input
        className="mono grow-field"
        aria-label="Event"
        placeholder="event name"
        value={d.event}
        onChange={(e) => set({ event: e.target.value })}
      />
      <label>
        <input type="checkbox" checked={d.ack} onChange={(e) => set({ ack: e.target.checked })} />
        Ask for an ack
      </label>
    </SendBox>
  )
}

/**
 * What the publish and the emit box share: their own fields and the send button on one bar, the saved items
 * below it, then the payload (Ctrl/Cmd+Enter sends) and what went wrong with the last send.
 */
function SendBox(props: {
  what: 'publish' | 'emit'
  sid: string
  send: () => Promise<SendOutcome>
  open: boolean
  payload: Omit<Parameters<typeof PayloadField>[0], 'onSend' | 'outcome'>
  children: ReactNode
}) {
  const [outcome, setOutcome] = useState<SendOutcome>(null)
  const go = async (): Promise<void> => {
    if (props.open) setOutcome(await props.send())
  }
  return (
    <div className="messaging-send">
      <div className="messaging-send-bar">
        {props.children}
        <button type="button" className="primary-button" disabled={!props.open} onClick={() => void go()}>
          {props.what === 'publish' ? 'Publish' : 'Emit'}
        </button>
      </div>
      {props.open ? null : (
        // Said beside the greyed button: a session that is connecting, or has ended (refused, gone away, closed).
        <p className="muted small messaging-not-open" role="note">
          This session is not open: wait while it connects, or press Send to open a new one to {props.what}{' '}
          on.
        </p>
      )}
      <SavedItemsBar what={props.what} sid={props.sid} />
      <PayloadField {...props.payload} onSend={go} outcome={outcome} />
    </div>
  )
}

/** The text a publish or an emit sends (Ctrl/Cmd+Enter sends it), and what went wrong with the last send. */
function PayloadField(props: {
  label: string
  placeholder: string
  value: string
  onChange: (value: string) => void
  onSend: () => Promise<void>
  outcome: SendOutcome
}) {
  const o = props.outcome
  return (
    <>
      <textarea
        className="mono messaging-payload"
        aria-label={props.label}
        placeholder={props.placeholder}
        spellCheck={false}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault()
            void props.onSend()
          }
        }}
      />
      {o && 'note' in o ? (
        <p className="muted small" role="status">
          {o.note}
        </p>
      ) : o ? (
        <div className="error-box" role="alert">
          {o.message}
        </div>
      ) : null}
    </>
  )
}
