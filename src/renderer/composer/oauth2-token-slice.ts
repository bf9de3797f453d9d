import type { StateCreator } from 'zustand/vanilla'
import type { AuthSpec, RequestContext, Variable } from '../../shared/collection'
import type { CommandPayload, OAuth2TokenView } from '../../shared/contract'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { signInForGetToken } from './oauth2-sign-in'

/**
 * "Get token" under an OAuth 2.0 form: the engine fetches the token a send would carry (or has it cached) with
 * the collection and environment of whoever asked, and says what a person checks of it. The answer belongs to
 * its owner (a request tab, or a folder's or the collection's settings) and the auth it was asked for: another
 * owner, or the auth edited since, shows none.
 */
export interface OAuth2TokenState {
  /** Who asked: a request tab's id, or `folderTokenOwner(dir, path)` for a folder's or the collection's settings. */
  owner: string
  /**
   * The auth as it was asked for, and a folder's rows with it (`tokenAskKey`), to tell an answer for an edited
   * auth or variable from a current one.
   */
  authKey: string
  busy: boolean
  /** The browser host gave a sign-in link: the sign-in is awaited, and its token shows when it comes. */
  signingIn: boolean
  /** The person ended the sign-in wait (Cancel sign-in): said where the link or the token would show. */
  cancelled: boolean
  /**
   * The cancel is on its way to the engine: the words say cancelled at once, but Get token waits for the engine's
   * answer, so a new sign-in never begins while the old listener still holds its port (nor is ended by that cancel).
   */
  ending: boolean
  view: OAuth2TokenView | null
  error: AppError | null
  /** This machine's clock when the answer came. */
  answeredAt: number
}

export interface OAuth2TokenSlice {
  oauth2Token: OAuth2TokenState | null
  /** Get token for the active tab's auth, with its collection and environment. */
  getOAuth2Token(): Promise<void>
  /**
   * Get token for a folder's (path `''`: the collection's) auth and own variables as the settings show them,
   * saved or not, with the collection's chosen environment: the token the requests inheriting it send with (once
   * saved), from the same cache.
   */
  getFolderOAuth2Token(
    dir: string,
    path: string,
    auth: AuthSpec,
    variables: readonly Variable[],
  ): Promise<void>
  /**
   * End the sign-in the current Get token awaits (authorization code): the engine closes its loopback listener
   * at once, and the ask shows as cancelled; a later answer to it is not shown.
   */
  cancelOAuth2SignIn(): Promise<void>
}

/** The owner of a folder's or the collection's Get token (a tab id never holds a NUL). */
export function folderTokenOwner(dir: string, path: string): string {
  return `folder\u0000${dir}\u0000${path}`
}

type Ask = CommandPayload<'oauth2.token'>

/** What an answer is for: the auth, and a folder's variable rows when they were sent. */
export function tokenAskKey(auth: AuthSpec, variables?: readonly Variable[]): string {
  return JSON.stringify(variables === undefined ? auth : [auth, variables])
}

export function createOAuth2TokenSlice(client: ApiClient): StateCreator<AppState, [], [], OAuth2TokenSlice> {
  return (set, get) => {
    /** The last ask, to name its sign-in to the engine when it is cancelled. */
    let lastAsk: Ask | null = null

    /** Whether the slice still holds this owner's ask of this auth (a later ask, or an edit, has the say). */
    const current = (owner: string, authKey: string): boolean => {
      const now = get().oauth2Token
      return now?.owner === owner && now.authKey === authKey
    }

    const ask = async (owner: string, payload: Ask): Promise<void> => {
      const authKey = tokenAskKey(payload.auth, payload.variables)
      const base = { owner, authKey, view: null, error: null, answeredAt: 0, cancelled: false, ending: false }
      lastAsk = payload
      set({ oauth2Token: { ...base, busy: true, signingIn: false } })
      const res = await client.invoke('oauth2.token', payload)
      if (!current(owner, authKey) || get().oauth2Token?.busy !== true) return
      const signIn = res.ok ? null : signInForGetToken(res.error)
      if (signIn === null) {
        set({
          oauth2Token: res.ok
            ? { ...base, busy: false, signingIn: false, view: res.value, answeredAt: Date.now() }
            : { ...base, busy: false, signingIn: false, error: res.error, answeredAt: Date.now() },
        })
        return
      }
      // The browser host cannot open the sign-in page: the link is shown, and the same ask again waits (in the
      // background: the action is done) for the sign-in the engine is already listening for, so its token shows
      // by itself.
      set({ oauth2Token: { ...base, busy: false, signingIn: true, error: signIn, answeredAt: Date.now() } })
      void awaitSignIn(owner, payload)
    }

    const awaitSignIn = async (owner: string, payload: Ask): Promise<void> => {
      const authKey = tokenAskKey(payload.auth, payload.variables)
      const after = await client.invoke('oauth2.token', payload)
      if (!current(owner, authKey) || get().oauth2Token?.signingIn !== true) return
      const base = {
        owner,
        authKey,
        busy: false,
        signingIn: false,
        cancelled: false,
        ending: false,
        answeredAt: Date.now(),
      }
      set({
        oauth2Token: after.ok
          ? { ...base, view: after.value, error: null }
          : // A sign-in that ended (timed out, refused) is said; asked again, it gives a new link: never looped.
            { ...base, view: null, error: signInForGetToken(after.error) ?? after.error },
      })
    }

    return {
      oauth2Token: null,
      getOAuth2Token: () => ask(get().activeTabId, get().sendScope()),
      getFolderOAuth2Token: (dir, path, auth, variables) => {
        const env = get().envByDir[dir]
        const context: RequestContext = { dir, path, ...(env ? { env } : {}) }
        return ask(folderTokenOwner(dir, path), { auth, context, variables: [...variables] })
      },
      cancelOAuth2SignIn: async () => {
        const now = get().oauth2Token
        const payload = lastAsk
        if (now === null || payload === null || (!now.busy && !now.signingIn)) return
        // Said at once, and the ask's own answer (the wait ended as cancelled) is then not shown over it.
        const cancelled = { ...now, busy: false, signingIn: false, view: null, error: null, cancelled: true }
        const asked = { ...cancelled, ending: true, answeredAt: Date.now() }
        set({ oauth2Token: asked })
        const res = await client.invoke('oauth2.cancelSignIn', payload)
        // Only the state this cancel set is replaced: a new ask or an edit since has the say.
        if (get().oauth2Token !== asked) return
        set({
          oauth2Token: res.ok
            ? { ...asked, ending: false }
            : { ...cancelled, cancelled: false, ending: false, error: res.error, answeredAt: Date.now() },
        })
      },
    }
  }
}
