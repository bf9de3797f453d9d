import { fail, ok, type Result } from '../../shared/result'

/**
 * The schemes each messaging mode's engine session accepts (the engine's sessions/url-schemes.ts refuses the
 * others in the same words once `{{variables}}` are filled in). A tab switched from MQTT to Socket.IO keeps its
 * `mqtt://` URL: this says so at Send, under the URL, before the open goes to the engine.
 */
const SCHEMES = {
  mqtt: { name: 'MQTT', schemes: ['mqtt', 'mqtts', 'ws', 'wss'], example: 'mqtt://localhost:1883' },
  socketio: { name: 'Socket.IO', schemes: ['http', 'https', 'ws', 'wss'], example: 'http://localhost:3000' },
} as const

/** A literal scheme the person typed; a URL starting with `{{variable}}` or without `://` is left to the engine. */
const TYPED_SCHEME = /^\s*([a-zA-Z][a-zA-Z\d+.-]*):\/\//

/** The URL unchanged, or a clear refusal when its typed scheme is not one the mode's session takes. */
export function checkMessagingUrl(mode: 'mqtt' | 'socketio', url: string): Result<string> {
  const typed = TYPED_SCHEME.exec(url)?.[1]?.toLowerCase()
  const { name, schemes, example } = SCHEMES[mode]
  if (typed === undefined || (schemes as readonly string[]).includes(typed)) return ok(url)
  const list = schemes.map((s) => `${s}://`)
  return fail(
    'invalid_url',
    `${name} takes ${list.slice(0, -1).join(', ')} or ${list.at(-1)} URLs, not ${typed}:// (e.g. ${example})`,
  )
}
