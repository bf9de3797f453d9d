import type { StateCreator } from 'zustand'
import type { MqttQos, MqttSubscription } from '../../shared/mqtt'
import { fail, ok, type AppError, type Result } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft, selectActiveTab } from '../tabs/active-draft'
import { activeCaFile } from '../tabs/saved-options'
import { selectMessagingCompose, sessionTrust, withComposeSaved } from './messaging-per-tab'
import { checkMessagingUrl } from './messaging-url'
import {
  savedAcks,
  savedEmits,
  savedPublishes,
  withAcks,
  withEmitSaved,
  withPublishSaved,
  withSavedEdited,
  withSavedMoved,
  withSavedRemoved,
  savedItemProblem,
  type SavedItemPatch,
} from './messaging-saved'
import type { TabExtras } from '../tabs/draft-convert'
import type { SocketIoAckAnswer } from '../../shared/socketio'

/**
 * The composer's MQTT and Socket.IO modes: what a connection is opened with (the request line's URL and the
 * Headers table, plus these fields), and the publish / emit commands of an open session. The fields belong to
 * the tab and its file's `mqtt:` / `socketio:` block (messaging-per-tab.ts).
 */

export interface MessagingCompose {
  /** Topic filters, comma-separated, each with an optional `@QoS` (`sensors/#@1, alerts`). */
  mqttSubs: string
  mqttVersion: 4 | 5
  mqttClientId: string
  mqttUsername: string
  mqttPassword: string
  /** Socket.IO: the namespace, the events listened to (comma-separated; empty: every event), the auth JSON. */
  ioNamespace: string
  ioListen: string
  ioAuth: string
  ioWebsocketOnly: boolean
  reconnect: boolean
}

export interface MqttPublishDraft {
  topic: string
  payload: string
  qos: MqttQos
  retain: boolean
}

export interface SocketIoEmitDraft {
  event: string
  /** JSON: an array is the emit's arguments, anything else its one argument; empty: none. */
  args: string
  ack: boolean
}

export interface MessagingSlice {
  /** Connection fields as edited in each tab (by tab id); a tab not edited shows its file's. */
  messagingByTab: Readonly<Record<string, MessagingCompose>>
  mqttPublishDraft: MqttPublishDraft
  socketIoEmitDraft: SocketIoEmitDraft
  setMessagingCompose(patch: Partial<MessagingCompose>): void
  setMqttPublishDraft(patch: Partial<MqttPublishDraft>): void
  setSocketIoEmitDraft(patch: Partial<SocketIoEmitDraft>): void
  /**
   * The Publish / Emit box's draft added to tab `tabId`'s saved publishes / emits (by default the active tab's;
   * a session's box passes the tab it was opened from). An error says why not.
   */
  saveMessagingItem(name: string, tabId?: string): AppError | null
  /** Saved publish / emit `index` of tab `tabId` (by default the active one) into the box. */
  pickSavedItem(index: number, tabId?: string): void
  removeSavedItem(index: number, tabId?: string): void
  /** Saved publish / emit `index` of the active tab changed in place (its name, topic or event, payload…). */
  editSavedItem(index: number, patch: SavedItemPatch): void
  moveSavedItem(from: number, to: number): void
  /** The Publish / Emit box written over saved item `index` (its name kept; an error says why not). */
  updateSavedItem(index: number, tabId?: string): AppError | null
  /** The active Socket.IO tab's answers to the server's ack requests. */
  setAckAnswers(acks: readonly SocketIoAckAnswer[]): void
  /** Open the active tab's MQTT or Socket.IO connection (the composer's Send). */
  openMessaging(): Promise<Result<{ sid: string }>>
  /** What went wrong, or a note when the publish waits for the broker (shown under the payload). */
  publishMqtt(sid: string): Promise<AppError | { note: string } | null>
  emitSocketIo(sid: string): Promise<AppError | null>
}

/** `a/#@1, b` as subscriptions; a bad QoS is an error naming it. */
export function parseSubscriptions(text: string): Result<MqttSubscription[]> {
  const out: MqttSubscription[] = []
  for (const part of text.split(',')) {
    const t = part.trim()
    if (!t) continue
    const m = /^(.*?)(?:@(\d+))?$/.exec(t)
    const topic = (m?.[1] ?? '').trim()
    const q = m?.[2] === undefined ? 0 : Number(m[2])
    if (!topic) continue
    if (q !== 0 && q !== 1 && q !== 2) return fail('invalid_request', `QoS must be 0, 1 or 2 in "${t}"`)
    out.push({ topic, qos: q })
  }
  return ok(out)
}

export function createMessagingSlice(client: ApiClient): StateCreator<AppState, [], [], MessagingSlice> {
  return (set, get) => ({
    messagingByTab: {},
    mqttPublishDraft: { topic: '', payload: '', qos: 0, retain: false },
    socketIoEmitDraft: { event: '', args: '', ack: false },
    setMessagingCompose: (patch) =>
      set((s) => {
        const id = s.activeTabId
        const next = { ...selectMessagingCompose(s), ...patch }
        // Only the tabs still open keep their fields: closed ones are dropped here.
        const byTab: Record<string, MessagingCompose> = { [id]: next }
        for (const t of s.tabs) {
          const own = s.messagingByTab[t.id]
          if (own && t.id !== id) byTab[t.id] = own
        }
        return {
          messagingByTab: byTab,
          tabs: s.tabs.map((t) =>
            t.id === id ? { ...t, extras: withComposeSaved(t.extras, t.draft.kind, next) } : t,
          ),
        }
      }),
    setMqttPublishDraft: (patch) => set((s) => ({ mqttPublishDraft: { ...s.mqttPublishDraft, ...patch } })),
    setSocketIoEmitDraft: (patch) =>
      set((s) => ({ socketIoEmitDraft: { ...s.socketIoEmitDraft, ...patch } })),

    saveMessagingItem: (name, tabId) => {
      const s = get()
      const tab = s.tabs.find((t) => t.id === (tabId ?? s.activeTabId))
      if (!tab || (tab.draft.kind !== 'mqtt' && tab.draft.kind !== 'socketio'))
        return {
          code: 'invalid_request',
          message: 'Saved publishes and emits belong to an MQTT or Socket.IO tab',
        }
      const r =
        tab.draft.kind === 'mqtt'
          ? withPublishSaved(tab.extras, name, s.mqttPublishDraft)
          : withEmitSaved(tab.extras, name, s.socketIoEmitDraft)
      if (!r.ok) return r.error
      set({ tabs: s.tabs.map((t) => (t.id === tab.id ? { ...t, extras: r.value } : t)) })
      return null
    },

    pickSavedItem: (index, tabId) => {
      const s = get()
      const tab = s.tabs.find((t) => t.id === (tabId ?? s.activeTabId))
      if (tab?.draft.kind === 'mqtt') {
        const p = savedPublishes(tab.extras)[index]
        if (p) set({ mqttPublishDraft: { topic: p.topic, payload: p.payload, qos: p.qos, retain: p.retain } })
      } else if (tab?.draft.kind === 'socketio') {
        const e = savedEmits(tab.extras)[index]
        if (e) set({ socketIoEmitDraft: { event: e.event, args: e.args, ack: e.ack } })
      }
    },

    removeSavedItem: (index, tabId) =>
      onTabBlock(set, tabId, (extras, block) => withSavedRemoved(extras, block, index)),
    editSavedItem: (index, patch) =>
      onTabBlock(set, undefined, (extras, block) => withSavedEdited(extras, block, index, patch)),
    moveSavedItem: (from, to) =>
      onTabBlock(set, undefined, (extras, block) => withSavedMoved(extras, block, from, to)),
    updateSavedItem: (index, tabId) => {
      const { mqttPublishDraft: p, socketIoEmitDraft: e } = get()
      const tab = tabId === undefined ? selectActiveTab(get()) : get().tabs.find((t) => t.id === tabId)
      const item =
        tab?.draft.kind === 'mqtt'
          ? { ...p, topic: p.topic.trim(), name: '' }
          : { ...e, event: e.event.trim(), name: '' }
      const problem = savedItemProblem(item)
      if (problem) return { code: 'invalid_request', message: problem }
      const { name: _keep, ...patch } = item
      onTabBlock(set, tabId, (extras, block) => withSavedEdited(extras, block, index, patch))
      return null
    },
    setAckAnswers: (acks) =>
      onTabBlock(set, undefined, (extras, block) => (block === 'socketio' ? withAcks(extras, acks) : extras)),

    openMessaging: async () => {
      const c = selectMessagingCompose(get())
      const draft = selectActiveDraft(get())
      const url = checkMessagingUrl(draft.kind === 'mqtt' ? 'mqtt' : 'socketio', draft.url)
      if (!url.ok) return url
      // `{{variables}}` resolve in the tab's collection and environment, as a send's do.
      const { context, auth } = get().sendScope()
      // The request's own auth goes too: an OAuth 2.0 one (its own or its folder's) gives the session its token.
      const scope = { ...(context ? { context } : {}), requestAuth: auth }
      const tab = selectActiveTab(get())
      const trust = { insecure: draft.options.insecure, ...activeCaFile(get()) }
      if (draft.kind === 'mqtt') {
        const mq = tab?.extras.other.mqtt
        const subs = parseSubscriptions(c.mqttSubs)
        if (!subs.ok) return subs
        return client.invoke('mqtt.open', {
          ...scope,
          url: draft.url,
          subscriptions: subs.value,
          options: {
            // The block's options the tab does not show (keep-alive, a will, timeouts) go too, as in a run.
            ...mq?.options,
            ...sessionTrust(mq?.options, trust),
            protocolVersion: c.mqttVersion,
            reconnect: c.reconnect,
            ...(c.mqttClientId.trim() ? { clientId: c.mqttClientId.trim() } : {}),
            ...(c.mqttUsername ? { username: c.mqttUsername } : {}),
            ...(c.mqttPassword ? { password: c.mqttPassword } : {}),
          },
        })
      }
      const listen = c.ioListen
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
      const io = tab?.extras.other.socketio
      const acks = savedAcks(tab?.extras)
      return client.invoke('socketio.open', {
        ...scope,
        url: draft.url,
        namespace: c.ioNamespace.trim() || '/',
        ...(io?.path !== undefined ? { path: io.path } : {}),
        ...(c.ioAuth.trim() ? { auth: c.ioAuth } : {}),
        headers: draft.headers.filter((h) => h.name.trim() !== ''),
        // The URL's query (the Params tab) goes with the handshake: the engine reads it from the URL.
        query: [],
        listen,
        ...(acks.length ? { acks: [...acks] } : {}),
        options: {
          ...io?.options,
          ...sessionTrust(io?.options, trust),
          transports: c.ioWebsocketOnly ? 'websocket' : 'polling',
          reconnect: c.reconnect,
          // The request file's default headers left out (its User-Agent), as its send leaves them out.
          ...(tab?.baseOptions.omitDefaultHeaders?.length
            ? { omitDefaultHeaders: tab.baseOptions.omitDefaultHeaders }
            : {}),
        },
      })
    },

    publishMqtt: async (sid) => {
      const d = get().mqttPublishDraft
      if (!d.topic.trim()) return { code: 'invalid_request', message: 'Enter the topic to publish to' }
      const r = await client.invoke('mqtt.publish', {
        sid,
        topic: d.topic.trim(),
        payload: d.payload,
        qos: d.qos,
        retain: d.retain,
      })
      if (!r.ok) return r.error
      return r.value.waiting ? { note: WAITING_NOTE } : null
    },

    emitSocketIo: async (sid) => {
      const d = get().socketIoEmitDraft
      if (!d.event.trim()) return { code: 'invalid_request', message: 'Enter the event to emit' }
      // The engine reads the arguments as JSON once their {{variables}} resolved (`[{{n}}]`), as a run does.
      const r = await client.invoke('socketio.emit', {
        sid,
        event: d.event.trim(),
        args: [],
        argsText: d.args,
        ack: d.ack,
      })
      return r.ok ? null : r.error
    },
  })
}

type SetState = (f: (s: AppState) => Partial<AppState>) => void

/**
 * Tab `tabId`'s extras (by default the active tab's) changed by `f`, when it is an MQTT or Socket.IO tab (its
 * block named).
 */
function onTabBlock(
  set: SetState,
  tabId: string | undefined,
  f: (extras: TabExtras, block: 'mqtt' | 'socketio') => TabExtras,
): void {
  set((s) => ({
    tabs: s.tabs.map((t) =>
      t.id === (tabId ?? s.activeTabId) && (t.draft.kind === 'mqtt' || t.draft.kind === 'socketio')
        ? { ...t, extras: f(t.extras, t.draft.kind) }
        : t,
    ),
  }))
}

/** A QoS 1/2 publish past the broker's Receive Maximum waits in the engine, in order (mqtt-send-quota.ts). */
export const WAITING_NOTE =
  'Waiting: the broker takes no more publishes in flight just now (its Receive Maximum); this one goes, in order, as an earlier one is acknowledged'
