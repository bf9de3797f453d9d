import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { RemoveCell } from '../composer/KeyValueTable'
import { CommitField } from './CommitField'
import { QosSelect } from './QosSelect'
import {
  savedEmits,
  savedItemProblem,
  savedPublishes,
  type SavedEmit,
  type SavedPublish,
} from './messaging-saved'

/**
 * The composer's Saved tab for MQTT and Socket.IO: the request's saved publishes / emits edited in place (name,
 * topic or event, QoS and retain or ack, payload or arguments), moved up and down, removed. They are the tab's
 * `mqtt:` / `socketio:` block, so Save writes them to the request file in this order, which is the order
 * `flightdeck run` sends them in. A topic or event being cleared is shown with its problem and not written.
 */
export function SavedItemsPanel({ block }: { block: 'mqtt' | 'socketio' }) {
  const tab = useAppStore(selectActiveTab)
  const edit = useAppStore((s) => s.editSavedItem)
  const move = useAppStore((s) => s.moveSavedItem)
  const remove = useAppStore((s) => s.removeSavedItem)
  const what = block === 'mqtt' ? 'publish' : 'emit'
  const items = block === 'mqtt' ? savedPublishes(tab?.extras) : savedEmits(tab?.extras)
  if (items.length === 0)
    return (
      <p className="muted small">
        No saved {what}s yet. Open the session, write a {what} in its {block === 'mqtt' ? 'Publish' : 'Emit'}{' '}
        box and choose Add to saved; they are listed here to rename, change, reorder or remove.
      </p>
    )
  return (
    <table className="kv-table saved-items" aria-label={`Saved ${what}s`}>
      {/* Column headers so sighted users and screen readers both know which field is which. */}
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">{block === 'mqtt' ? 'Topic' : 'Event'}</th>
          <th scope="col">{block === 'mqtt' ? 'QoS / retain' : 'Ack'}</th>
          <th scope="col">{block === 'mqtt' ? 'Payload' : 'Arguments'}</th>
          <th scope="col">
            <span className="saved-sr">Order</span>
          </th>
          <th scope="col">
            <span className="saved-sr">Remove</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((m, i) => {
          const n = `Saved ${what} ${i + 1}`
          return (
            <tr key={i}>
              <td className="saved-name">
                <CommitField
                  label={`${n} name`}
                  value={m.name}
                  problem={(name) => (name.length > 256 ? 'A name has at most 256 characters' : null)}
                  onCommit={(name) => edit(i, { name })}
                />
              </td>
              {'topic' in m ? (
                <PublishCells item={m} label={n} onEdit={(p) => edit(i, p)} />
              ) : (
                <EmitCells item={m} label={n} onEdit={(p) => edit(i, p)} />
              )}
              <td className="saved-move">
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move ${n.toLowerCase()} up`}
                  disabled={i === 0}
                  onClick={() => move(i, i - 1)}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={`Move ${n.toLowerCase()} down`}
                  disabled={i === items.length - 1}
                  onClick={() => move(i, i + 1)}
                >
                  ↓
                </button>
              </td>
              <RemoveCell label={`Remove ${n.toLowerCase()} (${m.name})`} onRemove={() => remove(i)} />
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function PublishCells(props: {
  item: SavedPublish
  label: string
  onEdit: (p: Partial<SavedPublish>) => void
}) {
  const { item: m, label, onEdit } = props
  return (
    <>
      <td>
        <CommitField
          label={`${label} topic`}
          value={m.topic}
          placeholder="topic"
          problem={(topic) => savedItemProblem({ ...m, topic })}
          onCommit={(topic) => onEdit({ topic })}
        />
      </td>
      <td className="saved-flags">
        <QosSelect label={`${label} QoS`} value={m.qos} onChange={(qos) => onEdit({ qos })} />
        <label>
          <input
            type="checkbox"
            aria-label={`${label} retain`}
            checked={m.retain}
            onChange={(e) => onEdit({ retain: e.target.checked })}
          />
          Retain
        </label>
      </td>
      <td className="saved-payload">
        <PayloadCell label={`${label} payload`} value={m.payload} onEdit={(payload) => onEdit({ payload })} />
      </td>
    </>
  )
}

function EmitCells(props: { item: SavedEmit; label: string; onEdit: (p: Partial<SavedEmit>) => void }) {
  const { item: m, label, onEdit } = props
  return (
    <>
      <td>
        <CommitField
          label={`${label} event`}
          value={m.event}
          placeholder="event"
          problem={(event) => savedItemProblem({ ...m, event })}
          onCommit={(event) => onEdit({ event })}
        />
      </td>
      <td className="saved-flags">
        <label>
          <input
            type="checkbox"
            aria-label={`${label} asks for an ack`}
            checked={m.ack}
            onChange={(e) => onEdit({ ack: e.target.checked })}
          />
          Ack
        </label>
      </td>
      <td className="saved-payload">
        <PayloadCell label={`${label} arguments`} value={m.args} onEdit={(args) => onEdit({ args })} />
      </td>
    </>
  )
}

function PayloadCell(props: { label: string; value: string; onEdit: (v: string) => void }) {
  return (
    <textarea
      className="kv-input mono saved-payload-text"
      aria-label={props.label}
      rows={1}
      spellCheck={false}
      value={props.value}
      onChange={(e) => props.onEdit(e.target.value)}
    />
  )
}
