import { useAppStore } from '../store/store-context'
import { selectActiveTab } from '../tabs/active-draft'
import { useActiveDraft } from '../tabs/use-active-draft'
import { inheritedAuthOf } from '../composer/inherited-auth'
import { messagingAuthWords, type AuthStanding } from './messaging-auth-note'

/**
 * What the request's collection auth (its file's `auth:`, or, when it inherits, its nearest folder's or the
 * collection's, looked up as the engine does) does for an MQTT or Socket.IO request, said where the person sets
 * the protocol's own credentials, so a person coming from an HTTP client's Auth tab is not left thinking a
 * Basic auth was sent, or that a token in the query reaches an MQTT broker. A request outside any collection (or
 * not saved in one) inherits nothing, and its note says so.
 */
export function MessagingAuthNote({ mode }: { mode: 'mqtt' | 'socketio' }) {
  const own = useActiveDraft((d) => d.auth)
  // A tab's auth inherits only once it is a request file of a collection (the engine's rule: messaging-token.ts).
  const dir = useAppStore((s) => selectActiveTab(s)?.dir ?? null)
  const path = useAppStore((s) => selectActiveTab(s)?.path ?? '')
  const collection = useAppStore((s) => (dir ? s.collections.find((c) => c.dir === dir) : undefined))
  let standing: AuthStanding = { saved: false }
  if (dir !== null && path !== '') {
    const inherited = collection ? inheritedAuthOf(collection.root, collection.auth, path) : null
    standing = {
      saved: true,
      inherited: inherited && { auth: inherited.auth, folder: inherited.from?.name ?? null },
    }
  }
  const words = messagingAuthWords(mode, own, standing)
  if (!words) return null
  return (
    <p
      className={words.warn ? 'small auth-note messaging-auth-warning' : 'muted small auth-note'}
      role="note"
    >
      {words.text}
    </p>
  )
}
