import { defaultDynamicValues, type DynamicValues } from '../../shared/template'
import type { WebhookInbox } from './webhook-inbox'

/**
 * `{{$webhook}}` for one send: the first use mints a correlation token (every further use in the same send
 * gets the same URL), and `bind` links that token to the send's first session once its sid is known, so the
 * call that comes back is drawn as caused by that request. No inbox running: the value is unknown.
 */
export interface WebhookValues {
  dyn: DynamicValues
  /** Link the token (if one was minted) to the session that carried it. */
  bind(sids: readonly string[]): void
  /** The token minted for this send, if the request used {{$webhook}}. */
  readonly token: string | undefined
}

export function webhookValues(
  inbox: WebhookInbox,
  base: DynamicValues = defaultDynamicValues,
): WebhookValues {
  let minted: { token: string; url: string } | undefined
  return {
    dyn: {
      ...base,
      webhook: () => {
        if (!inbox.baseUrl) return undefined
        minted ??= inbox.mint('')
        return minted.url
      },
    },
    bind: (sids) => {
      const first = sids[0]
      if (minted && first !== undefined) inbox.bind(minted.token, first)
    },
    get token() {
      return minted?.token
    },
  }
}
