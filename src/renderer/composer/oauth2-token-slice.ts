import type { StateCreator } from 'zustand/vanilla'
import type { OAuth2TokenView } from '../../shared/contract'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'

/**
 * "Get token" in the OAuth 2.0 form: the engine fetches the token a send would carry (or has it cached) with
 * the tab's collection and environment, and says what a person checks of it. The answer belongs to the tab and
 * the auth it was asked for: another tab, or the auth edited since, shows none.
 */
export interface OAuth2TokenState {
  tabId: string
  /** The auth as it was asked for (its JSON), to tell an answer for an edited auth from a current one. */
  authKey: string
  busy: boolean
  view: OAuth2TokenView | null
  error: AppError | null
  /** This machine's clock when the answer came (the expiry is said from then). */
  answeredAt: number
}

export interface OAuth2TokenSlice {
  oauth2Token: OAuth2TokenState | null
  getOAuth2Token(): Promise<void>
}

export function createOAuth2TokenSlice(client: ApiClient): StateCreator<AppState, [], [], OAuth2TokenSlice> {
  return (set, get) => ({
    oauth2Token: null,
    getOAuth2Token: async () => {
      const scope = get().sendScope()
      const asked = { tabId: get().activeTabId, authKey: JSON.stringify(scope.auth) }
      set({ oauth2Token: { ...asked, busy: true, view: null, error: null, answeredAt: 0 } })
      const res = await client.invoke('oauth2.token', scope)
      const now = get().oauth2Token
      // A later ask (another tab's, or this one again) has the say.
      if (now?.tabId !== asked.tabId || now.authKey !== asked.authKey || !now.busy) return
      set({
        oauth2Token: res.ok
          ? { ...asked, busy: false, view: res.value, error: null, answeredAt: Date.now() }
          : { ...asked, busy: false, view: null, error: res.error, answeredAt: Date.now() },
      })
    },
  })
}
