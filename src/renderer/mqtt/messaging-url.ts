import { ok, type Result } from '../../shared/result'
import { checkUrlScheme } from '../../shared/url-schemes'

/**
 * A messaging tab's URL checked at Send with the schemes the mode's engine session takes (the lists and words of
 * shared/url-schemes.ts, which the engine refuses by once `{{variables}}` are filled in). A tab switched from MQTT
 * to Socket.IO keeps its `mqtt://` URL: this says so under the URL, before the open goes to the engine. A URL
 * starting with `{{variable}}` or without a scheme is left to the engine.
 */
export function checkMessagingUrl(mode: 'mqtt' | 'socketio', url: string): Result<string> {
  const checked = checkUrlScheme(mode, url)
  return checked.ok ? ok(url) : checked
}
