import type { SavedMqtt } from '../../shared/mqtt'
import type { SavedSocketIo } from '../../shared/socketio'
import type { RequestKind } from '../../shared/collection'
import type { TabExtras } from '../tabs/draft-convert'
import { selectActiveTab } from '../tabs/active-draft'
import type { RequestTab } from '../tabs/request-tab'
import type { MessagingCompose } from './messaging-slice'
import { parseSubscriptions } from './messaging-slice'

/**
 * The MQTT and Socket.IO connection fields belong to a tab: a tab opened from a file shows its `mqtt:` /
 * `socketio:` block (subscriptions, version, client id, user; namespace, listened events, auth, transports),
 * an edit goes back into that block (so Save writes it and the tab shows as edited), and another tab keeps
 * its own. The password is kept for the tab only, never written to the file.
 */

export const DEFAULT_COMPOSE: MessagingCompose = Object.freeze({
  mqttSubs: '',
  mqttVersion: 5,
  mqttClientId: '',
  mqttUsername: '',
  mqttPassword: '',
  ioNamespace: '/',
  ioListen: '',
  ioAuth: '',
  ioWebsocketOnly: false,
  reconnect: false,
})

/** The fields a tab's saved blocks give, before any edit in the tab. */
export function composeFromSaved(extras: TabExtras): MessagingCompose {
  const mq = extras.other.mqtt
  const io = extras.other.socketio
  const c: MessagingCompose = { ...DEFAULT_COMPOSE }
  if (mq) {
    c.mqttSubs = mq.subscriptions.map((s) => (s.qos ? `${s.topic}@${s.qos}` : s.topic)).join(', ')
    if (mq.options?.protocolVersion === 4) c.mqttVersion = 4
    c.mqttClientId = mq.options?.clientId ?? ''
    c.mqttUsername = mq.options?.username ?? ''
    c.reconnect = mq.options?.reconnect ?? false
  }
  if (io) {
    c.ioNamespace = io.namespace ?? '/'
    c.ioListen = io.listen.join(', ')
    c.ioAuth = io.auth ?? ''
    c.ioWebsocketOnly = io.options?.transports === 'websocket'
    c.reconnect = io.options?.reconnect ?? c.reconnect
  }
  return c
}

// Derived fields are cached per tab's extras, so a selector returns the same object until they change.
const derived = new WeakMap<TabExtras, MessagingCompose>()

interface ComposeView {
  tabs: readonly RequestTab[]
  activeTabId: string
  messagingByTab: Readonly<Record<string, MessagingCompose>>
}

/** The active tab's connection fields: as edited in the tab, else as its file has them. */
export function selectMessagingCompose(s: ComposeView): MessagingCompose {
  const tab = selectActiveTab(s)
  if (!tab) return DEFAULT_COMPOSE
  const own = s.messagingByTab[tab.id]
  if (own) return own
  let c = derived.get(tab.extras)
  if (!c) {
    c = composeFromSaved(tab.extras)
    derived.set(tab.extras, c)
  }
  return c
}

/** The tab's extras with its `mqtt:` or `socketio:` block holding the fields (the password left out). */
export function withComposeSaved(extras: TabExtras, kind: RequestKind, c: MessagingCompose): TabExtras {
  if (kind === 'mqtt') {
    const had = extras.other.mqtt
    const subs = parseSubscriptions(c.mqttSubs)
    const options: NonNullable<SavedMqtt['options']> = { ...had?.options }
    setOrDrop(options, 'protocolVersion', c.mqttVersion === 4 ? 4 : undefined)
    setOrDrop(options, 'clientId', c.mqttClientId.trim() || undefined)
    setOrDrop(options, 'username', c.mqttUsername || undefined)
    setOrDrop(options, 'reconnect', c.reconnect || undefined)
    const mqtt: SavedMqtt = {
      // A list that does not parse yet keeps the saved one until it does (the bar says what is wrong on Send).
      subscriptions: subs.ok ? subs.value : (had?.subscriptions ?? []),
      publishes: had?.publishes ?? [],
      ...(Object.keys(options).length ? { options } : {}),
    }
    return { ...extras, other: { ...extras.other, mqtt } }
  }
  if (kind === 'socketio') {
    const had = extras.other.socketio
    const options: NonNullable<SavedSocketIo['options']> = { ...had?.options }
    setOrDrop(options, 'transports', c.ioWebsocketOnly ? 'websocket' : undefined)
    setOrDrop(options, 'reconnect', c.reconnect || undefined)
    const ns = c.ioNamespace.trim()
    const socketio: SavedSocketIo = {
      ...(had?.path !== undefined ? { path: had.path } : {}),
      ...(ns && ns !== '/' ? { namespace: ns } : {}),
      ...(c.ioAuth.trim() ? { auth: c.ioAuth } : {}),
      listen: c.ioListen
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      emits: had?.emits ?? [],
      ...(Object.keys(options).length ? { options } : {}),
    }
    return { ...extras, other: { ...extras.other, socketio } }
  }
  return extras
}

function setOrDrop<T extends object, K extends keyof T>(o: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete o[key]
  else o[key] = value
}

type Trust = { insecure?: boolean | undefined; caFile?: string | undefined }

/**
 * What a session opened from the tab trusts: the request's own Insecure and CA file (its `options:`), else its
 * saved block's (`mqtt.options` / `socketio.options`), as `flightdeck run` decides (runner/step-run.ts). The
 * engine confines the CA file to the request's collection either way.
 */
export function sessionTrust(
  block: Trust | undefined,
  request: Trust,
): { insecure?: boolean; caFile?: string } {
  const insecure = request.insecure ?? block?.insecure
  const caFile = request.caFile || block?.caFile
  return { ...(insecure !== undefined ? { insecure } : {}), ...(caFile ? { caFile } : {}) }
}
