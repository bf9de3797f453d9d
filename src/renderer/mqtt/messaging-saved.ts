import type { SavedMqtt } from '../../shared/mqtt'
import type { SavedSocketIo, SocketIoAckAnswer } from '../../shared/socketio'
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

/** How to change each block's saved list (publishes for `mqtt`, emits for `socketio`). */
interface ListOps {
  mqtt: (items: readonly SavedPublish[]) => SavedPublish[]
  socketio: (items: readonly SavedEmit[]) => SavedEmit[]
}

function withList(extras: TabExtras, block: 'mqtt' | 'socketio', ops: ListOps): TabExtras {
  if (block === 'mqtt') {
    const had = extras.other.mqtt
    if (!had) return extras
    return { ...extras, other: { ...extras.other, mqtt: { ...had, publishes: ops.mqtt(had.publishes) } } }
  }
  const had = extras.other.socketio
  if (!had) return extras
  return { ...extras, other: { ...extras.other, socketio: { ...had, emits: ops.socketio(had.emits) } } }
}

/** The same change for either block's list. */
function both(op: <T>(items: readonly T[]) => T[]): ListOps {
  return { mqtt: op, socketio: op }
}

/** The extras without saved item `index` of the block (`mqtt` publishes or `socketio` emits). */
export function withSavedRemoved(extras: TabExtras, block: 'mqtt' | 'socketio', index: number): TabExtras {
  return withList(
    extras,
    block,
    both((items) => items.filter((_, i) => i !== index)),
  )
}

/** The extras with saved item `from` moved to `to` (both in the list; otherwise unchanged). */
export function withSavedMoved(
  extras: TabExtras,
  block: 'mqtt' | 'socketio',
  from: number,
  to: number,
): TabExtras {
  return withList(
    extras,
    block,
    both((items) => {
      if (from === to || from < 0 || to < 0 || from >= items.length || to >= items.length) return [...items]
      const out = [...items]
      const [moved] = out.splice(from, 1)
      if (moved !== undefined) out.splice(to, 0, moved)
      return out
    }),
  )
}

/** A change to one saved publish or emit, field by field (its name, topic or event, payload or arguments…). */
export type SavedItemPatch = Partial<SavedPublish> | Partial<SavedEmit>

/** The extras with saved item `index` changed in place. */
export function withSavedEdited(
  extras: TabExtras,
  block: 'mqtt' | 'socketio',
  index: number,
  patch: SavedItemPatch,
): TabExtras {
  return withList(extras, block, {
    mqtt: (items) =>
      items.map((m, i) =>
        i === index ? { ...m, ...pick(patch as Partial<SavedPublish>, PUBLISH_KEYS) } : m,
      ),
    socketio: (items) =>
      items.map((m, i) => (i === index ? { ...m, ...pick(patch as Partial<SavedEmit>, EMIT_KEYS) } : m)),
  })
}

const PUBLISH_KEYS = ['name', 'topic', 'payload', 'qos', 'retain'] as const
const EMIT_KEYS = ['name', 'event', 'args', 'ack'] as const

/** Only the block's own fields, so a patch meant for the other kind adds nothing to the file. */
function pick<T extends object, K extends keyof T>(o: Partial<T>, keys: readonly K[]): Partial<T> {
  const out: Partial<T> = {}
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k]
  return out
}

/** What is wrong with a saved item as edited (the file's schema needs a topic or an event), or null. */
export function savedItemProblem(item: SavedPublish | SavedEmit): string | null {
  if ('topic' in item) {
    if (!item.topic.trim()) return 'A saved publish needs its topic'
    if (/[+#]/.test(item.topic)) return 'A topic to publish to has no + or # (those are for subscriptions)'
    return null
  }
  return item.event.trim() ? null : 'A saved emit needs its event'
}

/** The request's answers to the server's ack requests (its `socketio: acks:`). */
export function savedAcks(extras: TabExtras | undefined): readonly SocketIoAckAnswer[] {
  return extras?.other.socketio?.acks ?? NONE
}

/** The extras with these ack answers (none: the key is left out of the file). */
export function withAcks(extras: TabExtras, acks: readonly SocketIoAckAnswer[]): TabExtras {
  const { acks: _old, ...had } = extras.other.socketio ?? { listen: [], emits: [] }
  const socketio: SavedSocketIo = acks.length ? { ...had, acks: [...acks] } : had
  return { ...extras, other: { ...extras.other, socketio } }
}

/** What is wrong with an ack answer as edited, or null (an empty event is a row still being typed). */
export function ackProblem(a: SocketIoAckAnswer, all: readonly SocketIoAckAnswer[]): string | null {
  if (!a.event.trim()) return 'Name the event this answers (* for any)'
  if (all.filter((x) => x.event.trim() === a.event.trim()).length > 1)
    return `Two answers for ${a.event.trim()}`
  if (a.args.trim() === '') return null
  try {
    JSON.parse(a.args)
    return null
  } catch (e) {
    return `Not JSON: ${e instanceof Error ? e.message : String(e)}`
  }
}
