import type { StateCreator } from 'zustand/vanilla'
import type { AuthSpec, RequestContext } from '../../shared/collection'
import type { RequestSpec } from '../../shared/request'
import type { AppError } from '../../shared/result'
import type { ApiClient } from '../client/api-client'
import type { AppState } from '../store/app-state'
import { selectActiveDraft } from '../tabs/active-draft'
import { followOptions, longPollOptions, type AfterResponseDraft } from './after-response'
import { traceFlag } from '../store/composer-slice'

/**
 * The webhook inbox control, and sending with the composer's "After response" choice. The choice itself is
 * the active tab's (its draft's `after`): each tab has its own, saved with its request.
 */

export interface WebhookInboxState {
  running: boolean
  url: string | null
  calls: number
  /** The port the person asked for (0: any free port). */
  port: number
  host: '127.0.0.1' | '::1'
  busy: boolean
  error: AppError | null
}

export interface AsyncSlice {
  /** Edit the active tab's After response choice (an entry kept from the file as it was is then rewritten). */
  setAfterResponse(patch: Partial<Omit<AfterResponseDraft, 'raw'>>): void
  webhook: WebhookInboxState
  setWebhookPort(port: number): void
  setWebhookHost(host: WebhookInboxState['host']): void
  refreshWebhook(): Promise<void>
  startWebhook(): Promise<void>
  stopWebhook(): Promise<void>
  /**
   * Send with the after-response choice (follow a job, long poll). Returns the first sid, or null after
   * putting the refusal in `sendError`.
   */
  sendFollowing(
    request: RequestSpec,
    scope: { auth: AuthSpec; context?: RequestContext },
  ): Promise<string | null>
}

export function createAsyncSlice(client: ApiClient): StateCreator<AppState, [], [], AsyncSlice> {
  return (set, get) => {
    const patchHook = (p: Partial<WebhookInboxState>): void =>
      set((s) => ({ webhook: { ...s.webhook, ...p } }))
    return {
      setAfterResponse: (p) =>
        get().editDraft((d) => {
          const { raw: _raw, ...after } = d.after
          return { after: { ...after, ...p } }
        }),
      webhook: {
        running: false,
        url: null,
        calls: 0,
        port: 0,
        host: '127.0.0.1',
        busy: false,
        error: null,
      },
      setWebhookPort: (port) => patchHook({ port }),
      setWebhookHost: (host) => patchHook({ host }),
      refreshWebhook: async () => {
        const r = await client.invoke('webhook.status', {})
        if (r.ok) patchHook({ running: r.value.running, url: r.value.url ?? null, calls: r.value.calls })
      },
      startWebhook: async () => {
        const { port, host } = get().webhook
        patchHook({ busy: true, error: null })
        const r = await client.invoke('webhook.start', { port, host })
        if (!r.ok) {
          patchHook({ busy: false, error: r.error })
          return
        }
        patchHook({ busy: false, running: true, url: r.value.url })
      },
      stopWebhook: async () => {
        patchHook({ busy: true, error: null })
        const r = await client.invoke('webhook.stop', {})
        patchHook(r.ok ? { busy: false, running: false, url: null } : { busy: false, error: r.error })
      },
      sendFollowing: async (request, scope) => {
        const after = selectActiveDraft(get()).after
        const fail = (message: string): null => {
          set({ sendError: { code: 'invalid_request', message } })
          return null
        }
        if (after.mode === 'follow') {
          const follow = followOptions(after)
          if (!follow.ok) return fail(follow.message)
          const r = await client.invoke('job.follow', {
            request,
            ...scope,
            ...traceFlag(get()),
            follow: follow.value,
          })
          if (!r.ok) {
            set({ sendError: r.error })
            return null
          }
          return r.value.sid
        }
        const poll = longPollOptions(after)
        if (!poll.ok) return fail(poll.message)
        const r = await client.invoke('request.longPoll', {
          request,
          ...scope,
          ...traceFlag(get()),
          poll: poll.value,
        })
        if (!r.ok) {
          set({ sendError: r.error })
          return null
        }
        return r.value.sid
      },
    }
  }
}
