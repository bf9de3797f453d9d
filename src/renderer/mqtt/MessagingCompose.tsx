import { useState } from 'react'
import type { AppError } from '../../shared/result'
import { useAppStore } from '../store/store-context'
import { selectMessagingCompose } from './messaging-per-tab'
import { SavedItemsBar } from './SavedItemsBar'
import './messaging.css'

/** The MQTT mode's connection fields: subscriptions, protocol version, client id, credentials, reconnect. */
export function MqttComposeBar() {
  const c = useAppStore(selectMessagingCompose)
  const set = useAppStore((s) => s.setMessagingCompose)
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="MQTT options">
      <label className="grow-field">
        Subscribe
        <input
          className="mono"
          aria-label="Subscriptions"
          placeholder="sensors/#@1, alerts"
          spellCheck={false}
          value={c.mqttSubs}
          onChange={(e) => set({ mqttSubs: e.target.value })}
        />
      </label>
      <label>
        Version
        <select
          aria-label="MQTT version"
          value={c.mqttVersion}
          onChange={(e) => set({ mqttVersion: e.target.value === '4' ? 4 : 5 })}
        >
          <option value="5">5</option>
          <option value="4">3.1.1</option>
        </select>
      </label>
      <label>
        Client id
        <input
          className="mono short-field"
          aria-label="Client id"
          placeholder="generated"
          value={c.mqttClientId}
          onChange={(e) => set({ mqttClientId: e.target.value })}
        />
      </label>
      <label>
        User
        <input
          className="short-field"
          aria-label="MQTT user name"
          value={c.mqttUsername}
          onChange={(e) => set({ mqttUsername: e.target.value })}
        />
      </label>
      <label>
        Password
        <input
          className="short-field"
          type="password"
          aria-label="MQTT password"
          value={c.mqttPassword}
          onChange={(e) => set({ mqttPassword: e.target.value })}
        />
      </label>
      <label>
        <input type="checkbox" checked={c.reconnect} onChange={(e) => set({ reconnect: e.target.checked })} />
        Reconnect
      </label>
    </div>
  )
}

/** The Socket.IO mode's connection fields: namespace, listened events, auth, transports, reconnect. */
export function SocketIoComposeBar() {
  const c = useAppStore(selectMessagingCompose)
  const set = useAppStore((s) => s.setMessagingCompose)
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="Socket.IO options">
      <label>
        Namespace
        <input
          className="mono short-field"
          aria-label="Namespace"
          value={c.ioNamespace}
          onChange={(e) => set({ ioNamespace: e.target.value })}
        />
      </label>
      <label className="grow-field">
        Listen
        <input
          className="mono"
          aria-label="Events to listen to"
          placeholder="every event"
          spellCheck={false}
          value={c.ioListen}
          onChange={(e) => set({ ioListen: e.target.value })}
        />
      </label>
      <label className="grow-field">
        Auth
        <input
          className="mono"
          aria-label="Auth payload"
          placeholder='{"token": "…"}'
          spellCheck={false}
          value={c.ioAuth}
          onChange={(e) => set({ ioAuth: e.target.value })}
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={c.ioWebsocketOnly}
          onChange={(e) => set({ ioWebsocketOnly: e.target.checked })}
        />
        WebSocket only
      </label>
      <label>
        <input type="checkbox" checked={c.reconnect} onChange={(e) => set({ reconnect: e.target.checked })} />
        Reconnect
      </label>
    </div>
  )
}

/** Publish on an open MQTT session: topic, QoS, retain, payload (Ctrl+Enter publishes). */
export function MqttPublishBox({ sid, open }: { sid: string; open: boolean }) {
  const d = useAppStore((s) => s.mqttPublishDraft)
  const set = useAppStore((s) => s.setMqttPublishDraft)
  const publish = useAppStore((s) => s.publishMqtt)
  const [error, setError] = useState<AppError | null>(null)
  const go = async (): Promise<void> => setError(await publish(sid))
  return (
    <div className="messaging-send">
      <div className="messaging-send-bar">
        <input
          className="mono grow-field"
          aria-label="Topic"
          placeholder="topic/to/publish"
          value={d.topic}
          onChange={(e) => set({ topic: e.target.value })}
        />
        <select
          aria-label="QoS"
          value={d.qos}
          onChange={(e) => {
            const q = Number(e.target.value)
            set({ qos: q === 1 ? 1 : q === 2 ? 2 : 0 })
          }}
        >
          <option value="0">QoS 0</option>
          <option value="1">QoS 1</option>
          <option value="2">QoS 2</option>
        </select>
        <label>
          <input type="checkbox" checked={d.retain} onChange={(e) => set({ retain: e.target.checked })} />
          Retain
        </label>
        <button type="button" className="primary-button" disabled={!open} onClick={() => void go()}>
          Publish
        </button>
      </div>
      <SavedItemsBar what="publish" />
      <PayloadField
        label="Payload"
        placeholder="The payload — Ctrl+Enter publishes"
        value={d.payload}
        onChange={(payload) => set({ payload })}
        onSend={go}
        error={error}
      />
    </div>
  )
}

/** Emit on an open Socket.IO session: the event, its arguments as JSON, with or without an ack. */
export function SocketIoEmitBox({ sid, open }: { sid: string; open: boolean }) {
  const d = useAppStore((s) => s.socketIoEmitDraft)
  const set = useAppStore((s) => s.setSocketIoEmitDraft)
  const emit = useAppStore((s) => s.emitSocketIo)
  const [error, setError] = useState<AppError | null>(null)
  const go = async (): Promise<void> => setError(await emit(sid))
  return (
    <div className="messaging-send">
      <div className="messaging-send-bar">
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
        <button type="button" className="primary-button" disabled={!open} onClick={() => void go()}>
          Emit
        </button>
      </div>
      <SavedItemsBar what="emit" />
      <PayloadField
        label="Arguments (JSON)"
        placeholder='["a", {"b": 1}] — an array is several arguments; Ctrl+Enter emits'
        value={d.args}
        onChange={(args) => set({ args })}
        onSend={go}
        error={error}
      />
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
  error: AppError | null
}) {
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
      {props.error ? (
        <div className="error-box" role="alert">
          {props.error.message}
        </div>
      ) : null}
    </>
  )
}
