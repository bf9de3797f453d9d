import { fail, ok, type Result } from '../../shared/result'
import type { RunWebhookInbox } from '../../shared/run-schemas'
import type { WebhookInbox } from '../webhooks/webhook-inbox'

/**
 * The inbox a run that uses `{{$webhook}}` hands its steps: the listening one, or one started on 127.0.0.1 (at
 * `port`, or a free one) when it is not; it stays up after the run.
 */
export async function ensureRunInbox(
  inbox: WebhookInbox | undefined,
  port: number | undefined,
): Promise<Result<RunWebhookInbox>> {
  if (!inbox) return fail('unsupported', 'This run uses {{$webhook}}, but this host has no webhook inbox')
  const running = inbox.baseUrl
  if (running) return ok({ url: running, startedForRun: false })
  try {
    return ok({ url: await inbox.start(port ?? 0, '127.0.0.1'), startedForRun: true })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const where = `127.0.0.1:${port ?? 0}`
    if (code === 'EADDRINUSE')
      return fail('invalid_request', `The webhook inbox cannot listen on ${where}: the port is in use`)
    return fail('network', `The webhook inbox could not listen on ${where}`, String(e))
  }
}
