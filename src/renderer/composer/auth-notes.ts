import type { AuthSpec, RequestKind } from '../../shared/collection'

/**
 * What an auth does for the protocol it is set on, in words for the note beside the Auth tab's type picker: a
 * gRPC request's own auth (sent as metadata, or refused at Invoke: grpc-auth.ts), and a folder's or the
 * collection's auth for the gRPC, MQTT and Socket.IO requests inside it (messaging-token.ts). Each note names the
 * chosen kind and what that protocol does with it, so the person is not left to work out which clause of a general
 * list applies.
 */

const GRPC_SENDS = 'Basic, Bearer, an API key in a header, or OAuth 2.0 with its token in the header'

/** The note for a request's own auth on a tab of `kind`; null where the auth goes as an HTTP request's does. */
export function requestAuthNote(auth: AuthSpec, kind: RequestKind): string | null {
  if (kind !== 'grpc') return null
  switch (auth.type) {
    case 'inherit':
      return (
        'Invoke sends the folder\u2019s or collection\u2019s auth as metadata; their Digest, or an API key or ' +
        'OAuth 2.0 token in the query, is refused at Invoke, with nothing sent.'
      )
    case 'none':
      return null
    case 'basic':
      return 'Sent as metadata: authorization: Basic with the user name and password.'
    case 'bearer':
      return `Sent as metadata: authorization: ${auth.prefix?.trim() || 'Bearer'} with the token.`
    case 'apikey':
      return auth.in === 'query'
        ? 'A gRPC call has no query: an API key in the query is refused at Invoke, with nothing sent. Add it to ' +
            'the Header to send it as metadata.'
        : `Sent as metadata: ${auth.key.trim().toLowerCase() || 'the key'} with the value.`
    case 'digest':
      return (
        'A gRPC call cannot send Digest auth (its challenge is an HTTP exchange a call does not make): Invoke is ' +
        `refused, with nothing sent. Choose ${GRPC_SENDS}; Basic keeps this user name and password.`
      )
    case 'oauth2':
      return auth.tokenIn === 'query'
        ? 'A gRPC call has no query: an OAuth 2.0 token "As access_token in the query" is refused at Invoke, ' +
            'with nothing sent. Choose "In the Authorization header" below to send it as metadata.'
        : 'The token is fetched when you Invoke and sent as metadata: authorization: Bearer with the token.'
  }
}

/**
 * The notes for a folder's or the collection's auth, one a protocol whose requests inside treat it otherwise than
 * an HTTP request: what gRPC, MQTT and Socket.IO requests do with this kind.
 */
export function inheritedAuthNotes(auth: AuthSpec): string[] {
  switch (auth.type) {
    case 'inherit':
    case 'none':
      return []
    case 'basic':
    case 'bearer':
    case 'apikey':
    case 'digest': {
      const kind = { basic: 'Basic', bearer: 'Bearer token', apikey: 'API key', digest: 'Digest' }[auth.type]
      const notes = [
        `MQTT and Socket.IO requests inside do not send ${kind} auth (only an OAuth 2.0 token): they take a ` +
          'user name and password, or an auth payload, in their own Auth tab.',
      ]
      if (auth.type === 'digest')
        notes.push(
          'gRPC requests inside cannot send Digest auth: their calls are refused until their own Auth is set ' +
            `(${GRPC_SENDS}, or None).`,
        )
      if (auth.type === 'apikey' && auth.in === 'query')
        notes.push(
          'gRPC requests inside cannot send an API key in the query (a call has no query): their calls are ' +
            'refused until it is added to the Header or their own Auth is set.',
        )
      return notes
    }
    case 'oauth2':
      return auth.tokenIn === 'query'
        ? [
            'gRPC requests inside cannot send OAuth 2.0 auth with its token in the query (a call has no query): ' +
              'their calls are refused until the token goes "In the Authorization header" or their own Auth is set.',
            'MQTT requests inside are refused too (a CONNECT has no query) unless they give a password of their ' +
              'own; Socket.IO requests send the token as the handshake\u2019s access_token query parameter.',
          ]
        : [
            'gRPC requests inside send the token as authorization: Bearer metadata; MQTT requests as CONNECT\u2019s ' +
              'password while theirs is empty; Socket.IO requests as Authorization: Bearer and the auth ' +
              'payload\u2019s token.',
          ]
  }
}
