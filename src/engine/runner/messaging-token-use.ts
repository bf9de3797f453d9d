import type { AuthSpec } from '../../shared/collection'
import type { RunStep } from './run-step'

/**
 * Whether a run's MQTT or Socket.IO step may send the OAuth 2.0 token its auth gives, as its CONNECT is built
 * (mqtt/messaging-connect.ts): an MQTT step with a password of its own sends that, never the token, so the token
 * is not fetched (the token endpoint was asked for a credential used for nothing, and a sign-in waited for).
 * `step` carries its texts resolved (its password a variable's value). A Socket.IO step's token is left to the
 * auth runner, which fetches none for a request with its own Authorization header, as for HTTP.
 */
export async function messagingMaySendToken(step: RunStep, auth: AuthSpec): Promise<boolean> {
  if (auth.type !== 'oauth2') return false
  if (step.kind !== 'mqtt') return true
  const { mqttTakesToken } = await import('../mqtt/messaging-connect')
  return mqttTakesToken(step.mqtt?.options)
}
