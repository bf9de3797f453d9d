import { z } from 'zod'
import { lazySchema } from './lazy-schema'

/**
 * Auth as a request, a folder or a collection saves it. Its own module because collection.ts imports the
 * messaging payloads (mqtt.ts, socketio.ts) for its saved blocks, and their open payloads carry a request's auth.
 */

const text = lazySchema(() => z.string().max(64 * 1024))

/** Auth, on a request, a folder or the collection. `inherit` takes the nearest folder's, then the collection's. */
export const authSchema = lazySchema(() =>
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('inherit') }),
    z.object({ type: z.literal('none') }),
    z.object({ type: z.literal('basic'), username: text, password: text }),
    z.object({
      type: z.literal('bearer'),
      token: text,
      /** The word before the token (`Token abc`, Insomnia's and Yaak's bearer prefix); left out or empty, `Bearer`. */
      prefix: text.optional(),
    }),
    z.object({ type: z.literal('apikey'), key: text, value: text, in: z.enum(['header', 'query']) }),
    z.object({ type: z.literal('digest'), username: text, password: text }),
    z.object({
      type: z.literal('oauth2'),
      /** RFC 6749's grants; a refresh token the server gives is used when the access token expires. */
      grant: z.enum(['client_credentials', 'authorization_code', 'password']),
      tokenUrl: text,
      clientId: text,
      clientSecret: text,
      scope: text,
      /** How the client authenticates to the token endpoint: HTTP Basic (RFC 6749 §2.3.1 default) or form fields. */
      clientAuth: z.enum(['basic', 'body']),
      /** Authorization code: where the person signs in. */
      authUrl: text.optional(),
      /** Authorization code: a loopback http URI (RFC 8252); left out or empty, http://127.0.0.1:<free port>/callback. */
      redirectUri: text.optional(),
      /** Authorization code: the PKCE challenge method (RFC 7636); left out, S256. */
      pkce: z.enum(['S256', 'plain', 'off']).optional(),
      /** Password grant: the resource owner's credentials. */
      username: text.optional(),
      password: text.optional(),
      /**
       * Where the access token goes: the Authorization header (left out), or an `access_token` query parameter
       * (RFC 6750 §2.3; Postman's and Hoppscotch's "add token to query"), for an API that reads it only there.
       */
      tokenIn: z.enum(['header', 'query']).optional(),
    }),
  ]),
)
export type AuthSpec = z.infer<typeof authSchema>
export type AuthType = AuthSpec['type']
