import type { AuthSpec, AuthType } from '../../shared/collection'

/**
 * The words of the messaging Auth tab's note (MessagingAuthNote.tsx): what the request's auth, or the auth it
 * inherits, does for an MQTT or Socket.IO open (messaging-token.ts). Only OAuth 2.0 is sent: MQTT as CONNECT's
 * password while the request's own is empty, Socket.IO as Authorization: Bearer and the auth payload's token; a
 * token "As access_token in the query" makes MQTT refuse the open (a CONNECT has no query) and goes as Socket.IO's
 * handshake query parameter. `warn`: what the person expects is not what will happen.
 */

export interface MessagingAuthWords {
  text: string
  warn: boolean
}

/** Where the request stands: its own auth, and what it inherits when it is a saved request of a collection. */
export type AuthStanding =
  | { saved: false }
  /** `inherited` is null when the collection is not loaded (its folders' auth is not known here). */
  | { saved: true; inherited: { auth: AuthSpec; folder: string | null } | null }

const NOT_SENT: Partial<Record<AuthType, string>> = {
  basic: 'Basic',
  bearer: 'Bearer token',
  apikey: 'API key',
  digest: 'Digest',
}

const QUERY = '"As access_token in the query"'
const HEADER = '"In the Authorization header"'

export function messagingAuthWords(
  mode: 'mqtt' | 'socketio',
  own: AuthSpec,
  standing: AuthStanding,
): MessagingAuthWords | null {
  const protocol = mode === 'mqtt' ? 'MQTT' : 'Socket.IO'
  const here = mode === 'mqtt' ? 'the user name and password above' : 'the auth payload above or Headers'
  const token =
    mode === 'mqtt'
      ? 'is sent as the password while Password is empty'
      : 'is sent as Authorization: Bearer and as the payload\u2019s token'
  const queryToken =
    mode === 'mqtt'
      ? `goes ${QUERY}, and an MQTT CONNECT has no query: the open is refused unless Password is set`
      : "is sent as the handshake's access_token query parameter"
  const notSent = NOT_SENT[own.type]
  if (notSent)
    return {
      text: `This request${standing.saved ? "'s file" : ''} sets ${notSent} auth, which ${protocol} does not send: put credentials in ${here}.`,
      warn: true,
    }
  if (own.type === 'oauth2') {
    if (own.tokenIn !== 'query') return { text: `This request's OAuth 2.0 token ${token}.`, warn: false }
    return mode === 'mqtt'
      ? {
          text: `This request's OAuth 2.0 token ${queryToken}. Choose ${HEADER} to send the token as the password.`,
          warn: true,
        }
      : { text: `This request's OAuth 2.0 token ${queryToken}.`, warn: false }
  }
  if (own.type === 'none') return null
  if (!standing.saved)
    return {
      text: `This request is in no collection, so it inherits no auth: put credentials in ${here}.`,
      warn: false,
    }
  if (standing.inherited === null)
    return {
      text: `A folder's or the collection's OAuth 2.0 token ${token}; their Basic, Bearer, API key and Digest auth are not sent: put credentials in ${here}.`,
      warn: false,
    }
  const { auth, folder } = standing.inherited
  const source = folder === null ? 'the collection' : `its folder \u201c${folder}\u201d`
  const inherited = NOT_SENT[auth.type]
  if (inherited)
    return {
      text: `This request inherits ${inherited} auth from ${source}, which ${protocol} does not send: put credentials in ${here}.`,
      warn: true,
    }
  if (auth.type !== 'oauth2')
    return {
      text: `This request inherits no auth (its folders and the collection set none): put credentials in ${here}.`,
      warn: false,
    }
  if (auth.tokenIn !== 'query')
    return { text: `This request inherits OAuth 2.0 from ${source}: its token ${token}.`, warn: false }
  return mode === 'mqtt'
    ? {
        text: `This request inherits OAuth 2.0 from ${source}, whose token ${queryToken}. Choose ${HEADER} in ${source}'s Auth to send the token as the password.`,
        warn: true,
      }
    : { text: `This request inherits OAuth 2.0 from ${source}: its token ${queryToken}.`, warn: false }
}
