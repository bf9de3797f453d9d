import type { WaitForWebhookSpec } from '../../shared/run-spec'
import type { WebhookExpectation, WebhookInbox } from '../webhooks/webhook-inbox'
import { cutAside } from '../webhooks/webhook-timeline'
import { MAX_SCAN, runExtractions, runWebhookAssertions, type MissingValue } from './checks'
import { NOTHING, type WebhookOutcome } from './run-step'

/** Wait (from the response on) for the step's webhook call, then check it and take values from it. */
export async function waitForCall(
  inbox: WebhookInbox,
  expectation: WebhookExpectation,
  wait: WaitForWebhookSpec,
  respondedAt: number,
  signal: AbortSignal | undefined,
): Promise<{
  outcome: WebhookOutcome
  values: ReadonlyMap<string, string>
  missing: MissingValue[]
  passed: boolean
}> {
  const got = await expectation.next(wait.timeoutMs, signal)
  if (!got) {
    // Not an error (the request got its response): a check that failed, as a wrong status is.
    const missed =
      signal?.aborted === true
        ? 'Cancelled while waiting for a webhook call'
        : `No webhook call within ${wait.timeoutMs} ms${expectation.cut ? ` (${cutAside(expectation.cut)})` : ''}${unknownAside(expectation.unknown)}`
    return {
      outcome: { timeoutMs: wait.timeoutMs, missed, assertions: [] },
      values: NOTHING,
      missing: [],
      passed: false,
    }
  }
  const { call } = got
  const checks = wait.assertions ?? []
  const extract = wait.extract ?? []
  const withBody =
    call.body.size > 0 &&
    (checks.some((a) => a.kind === 'json' || a.kind === 'body-contains') ||
      extract.some((x) => x.from !== 'header'))
  const read = withBody
    ? await inbox.bodies.read(call.body.id, 0, Math.min(call.body.size, MAX_SCAN), 'utf8')
    : null
  const view = {
    method: call.method,
    path: call.path,
    headers: call.headers,
    body: read?.ok ? read.value.data : '',
  }
  const assertions = runWebhookAssertions(checks, view)
  const { values, missing } = runExtractions(extract, view)
  return {
    outcome: {
      timeoutMs: wait.timeoutMs,
      call: {
        id: call.id,
        method: call.method,
        path: call.path,
        waitedMs: Math.max(0, Math.round((got.at - respondedAt) * 1000) / 1000),
      },
      assertions,
    },
    values,
    missing,
    passed: assertions.every((a) => a.passed) && missing.length === 0,
  }
}

/** Calls to URLs the inbox did not give out during the wait: most often a service still calling an old (stale) URL. */
function unknownAside(unknown: WebhookExpectation['unknown']): string {
  if (!unknown) return ''
  const calls = unknown.count === 1 ? '1 call' : `${unknown.count.toLocaleString('en-US')} calls`
  return `; ${calls} reached URLs this inbox did not give out (the first: ${unknown.firstPath}): a stale URL?`
}
