import type { SavedMqtt } from '../../shared/mqtt'
import type { SavedSocketIo } from '../../shared/socketio'
import { fail, ok, type Result } from '../../shared/result'
import type { TabExtras } from '../tabs/draft-convert'
import type { MqttPublishDraft, SocketIoEmitDraft } from './messaging-slice'

/**
 * Saved publishes and emits of a request, as WebSocket's saved messages: kept in the tab's `mqtt:` /
 * `socketio:` block (Save writes them to the request file, `flightdeck run` sends them once connected), listed
 * in the Publish / Emit box, picked to fill it, added from it, removed.
 */

/** The collection schema's bound on saved publishes / emits per request. */
export const MAX_SAVED_ITEMS = 1000

export type SavedPublish = SavedMqtt['publishes'][number]
export type SavedEmit = SavedSocketIo['emits'][number]

const NONE: readonly never[] = Object.freeze([])

export function savedPublishes(extras: TabExtras | undefined): readonly SavedPublish[] {
  return extras?.other.mqtt?.publishes ?? NONE
}

export function savedEmits(extras: TabExtras | undefined): readonly SavedEmit[] {
  return extras?.other.socketio?.emits ?? NONE
}

/** The extras with the publish draft added under `name` (refused, saying why, past the bound or without a topic). */
export function withPublishSaved(extras: TabExtras, name: string, d: MqttPublishDraft): Result<TabExtras> {
  const had = extras.other.mqtt ?? { subscriptions: [], publishes: [] }
  if (!d.topic.trim()) return fail('invalid_request', 'Enter the topic to publish to before saving')
  if (had.publishes.length >= MAX_SAVED_ITEMS)
    return fail(
      'invalid_request',
      `A request keeps at most ${MAX_SAVED_ITEMS} saved publishes; remove one first`,
    )
  const item: SavedPublish = {
    name: name.trim() || d.topic.trim(),
    topic: d.topic.trim(),
    payload: d.payload,
    qos: d.qos,
    retain: d.retain,
  }
  return ok({ ...extras, other: { ...extras.other, mqtt: { ...had, publishes: [...had.publishes, item] } } })
}

export function withEmitSaved(extras: TabExtras, name: string, d: SocketIoEmitDraft): Result<TabExtras> {
  const had = extras.other.socketio ?? { listen: [], emits: [] }
  if (!d.event.trim()) return fail('invalid_request', 'Enter the event to emit before saving')
  if (had.emits.length >= MAX_SAVED_ITEMS)
    return fail('invalid_request', `A request keeps at most ${MAX_SAVED_ITEMS} saved emits; remove one first`)
  const item: SavedEmit = {
    name: name.trim() || d.event.trim(),
    event: d.event.trim(),
    args: d.args,
    ack: d.ack,
  }
  return ok({ ...extras, other: { ...extras.other, socketio: { ...had, emits: [...had.emits, item] } } })
}

/** The extras without saved item `index` of the block (`mqtt` publishes or `socketio` emits). */
export function withSavedRemoved(extras: TabExtras, block: 'mqtt' | 'socketio', index: number): TabExtras {
  if (block === 'mqtt') {
    const had = extras.other.mqtt
    if (!had) return extras
    const publishes = had.publishes.filter((_, i) => i !== index)
    return { ...extras, other: { ...extras.other, mqtt: { ...had, publishes } } }
  }
  const had = extras.other.socketio
  if (!had) return extras
  const emits = had.emits.filter((_, i) => i !== index)
  return { ...extras, other: { ...extras.other, socketio: { ...had, emits } } }
}
