import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { useActiveDraft } from '../tabs/use-active-draft'
import { RemoveCell } from '../composer/KeyValueTable'
import { CommitField } from './CommitField'
import { ackProblem, savedAcks } from './messaging-saved'
import { selectMessagingCompose } from './messaging-per-tab'
import type { MessagingCompose } from './messaging-slice'
import type { MessagingTab } from './messaging-tabs'
import { MessagingAuthNote } from './MessagingAuthNote'
import { SavedItemsPanel } from './SavedItemsPanel'
import './messaging.css'

/**
 * The composer's own tabs for MQTT and Socket.IO (messaging-tabs.ts lists which): Connection, Auth (the
 * protocol's credentials: MQTT's user name and password, Socket.IO's auth payload), Acks (answers to the
 * server's ack requests) and Saved (publishes / emits edited in place). The fields belong to the tab and its
 * file's `mqtt:` / `socketio:` block (messaging-per-tab.ts).
 */
export function MessagingPanel({ tab, mode }: { tab: MessagingTab; mode: 'mqtt' | 'socketio' }) {
  if (tab === 'connection') return mode === 'mqtt' ? <MqttConnection /> : <SocketIoConnection />
  if (tab === 'auth') return mode === 'mqtt' ? <MqttAuth /> : <SocketIoAuth />
  if (tab === 'acks') return <AcksTable />
  return <SavedItemsPanel block={mode} />
}

type TextKey = {
  [K in keyof MessagingCompose]: MessagingCompose[K] extends string ? K : never
}[keyof MessagingCompose]

/** One labelled text field bound to a connection field of the active tab. */
function Field(props: {
  label: string
  name: string
  field: TextKey
  placeholder?: string
  grow?: boolean
  type?: 'password'
}) {
  const value = useAppStore((s) => selectMessagingCompose(s)[props.field])
  const set = useAppStore((s) => s.setMessagingCompose)
  return (
    <label className={props.grow ? 'grow-field' : undefined}>
      {props.label}
      <input
        className={props.grow ? 'mono' : 'mono short-field'}
        aria-label={props.name}
        placeholder={props.placeholder}
        spellCheck={false}
        {...(props.type ? { type: props.type } : {})}
        value={value}
        onChange={(e) => set({ [props.field]: e.target.value })}
      />
    </label>
  )
}

/** A checkbox bound to a connection field of the active tab. */
function Check(props: { label: string; field: 'reconnect' | 'ioWebsocketOnly' }) {
  const checked = useAppStore((s) => selectMessagingCompose(s)[props.field])
  const set = useAppStore((s) => s.setMessagingCompose)
  return (
    <label>
      <input type="checkbox" checked={checked} onChange={(e) => set({ [props.field]: e.target.checked })} />
      {props.label}
    </label>
  )
}

/** TLS for mqtts:// and https:// / wss:// (the request's own option, as the Options tab has it for HTTP). */
function InsecureCheck() {
  const insecure = useActiveDraft((d) => d.options.insecure)
  const setOption = useAppStore((s) => s.setOption)
  return (
    <label>
      <input type="checkbox" checked={insecure} onChange={(e) => setOption('insecure', e.target.checked)} />
      Accept invalid certificates
    </label>
  )
}

function MqttConnection() {
  const version = useAppStore((s) => selectMessagingCompose(s).mqttVersion)
  const set = useAppStore((s) => s.setMessagingCompose)
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="MQTT options">
      <Field label="Subscribe" name="Subscriptions" field="mqttSubs" placeholder="sensors/#@1, alerts" grow />
      <label>
        Version
        <select
          aria-label="MQTT version"
          value={version}
          onChange={(e) => set({ mqttVersion: e.target.value === '4' ? 4 : 5 })}
        >
          <option value="5">5</option>
          <option value="4">3.1.1</option>
        </select>
      </label>
      <Field label="Client id" name="Client id" field="mqttClientId" placeholder="generated" />
      <Check label="Reconnect" field="reconnect" />
      <InsecureCheck />
      {/* Where MQTTX has a QoS picker per subscription, the field's own syntax is said in words. */}
      <p className="muted small auth-note" role="note">
        Topic filters, comma-separated (+ is one level, # every level below); @1 or @2 after one subscribes at
        that QoS, else QoS 0.
      </p>
    </div>
  )
}

function SocketIoConnection() {
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="Socket.IO options">
      <Field label="Namespace" name="Namespace" field="ioNamespace" />
      <Field label="Listen" name="Events to listen to" field="ioListen" placeholder="every event" grow />
      <Check label="WebSocket only" field="ioWebsocketOnly" />
      <Check label="Reconnect" field="reconnect" />
      <InsecureCheck />
    </div>
  )
}

function MqttAuth() {
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="MQTT credentials">
      <Field label="User" name="MQTT user name" field="mqttUsername" />
      <Field label="Password" name="MQTT password" field="mqttPassword" type="password" />
      <span className="muted small">Sent in CONNECT. The password stays in this tab, never in the file.</span>
      <MessagingAuthNote mode="mqtt" />
    </div>
  )
}

function SocketIoAuth() {
  return (
    <div className="stream-compose messaging-compose" role="group" aria-label="Socket.IO auth">
      <Field label="Auth" name="Auth payload" field="ioAuth" placeholder='{"token": "…"}' grow />
      <span className="muted small">
        A JSON object, sent with the namespace&apos;s CONNECT (socket.handshake.auth).
      </span>
      <MessagingAuthNote mode="socketio" />
    </div>
  )
}

/** Answers to the server's ack requests, by event (`*`: any other); none set: the ask is shown, unanswered. */
function AcksTable() {
  const tab = useAppStore(selectActiveTab)
  const setAcks = useAppStore((s) => s.setAckAnswers)
  const acks = savedAcks(tab?.extras)
  const edit = (i: number, patch: { event?: string; args?: string }): void =>
    setAcks(acks.map((a, k) => (k === i ? { ...a, ...patch } : a)))
  // A new row needs a name the file takes (an event is never empty) and no other row has.
  const free = (): string => {
    for (let n = 1; n <= acks.length; n++) if (!acks.some((a) => a.event === `event${n}`)) return `event${n}`
    return `event${acks.length + 1}`
  }
  return (
    <div className="kv">
      <p className="muted small">
        When the server emits with a callback it asks for an ack. An event listed here is answered with its
        arguments (JSON: an array is several); one not listed is shown as asked and left unanswered.
      </p>
      <table className="kv-table" aria-label="Ack answers">
        <tbody>
          {acks.map((a, i) => (
            <tr key={i}>
              <td>
                <CommitField
                  label={`Ack answer ${i + 1} event`}
                  value={a.event}
                  placeholder="event (* for any)"
                  problem={(event) => ackProblem({ ...a, event }, acks)}
                  onCommit={(event) => edit(i, { event })}
                />
              </td>
              <td>
                <CommitField
                  label={`Ack answer ${i + 1} arguments`}
                  value={a.args}
                  placeholder='{"ok": true}'
                  problem={(args) => ackProblem({ ...a, args }, acks)}
                  onCommit={(args) => edit(i, { args })}
                />
              </td>
              <RemoveCell
                label={`Remove the ack answer for ${a.event}`}
                onRemove={() => setAcks(acks.filter((_, k) => k !== i))}
              />
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        className="link-button"
        disabled={acks.length >= 1000}
        onClick={() => setAcks([...acks, { event: free(), args: '' }])}
      >
        + Add an answer
      </button>
    </div>
  )
}
