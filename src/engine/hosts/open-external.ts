import { externalUrlProblem } from '../../shared/trace-context'
import { fail, ok, type Result } from '../../shared/result'

/**
 * `app.openExternal`: the one thing the app hands to the OS to open, an http(s) link a person clicked (a trace
 * in their tracing backend). Checked here, whatever the page sent: another scheme (file:, javascript:, a custom
 * protocol handler) or a link carrying credentials is refused and nothing opens.
 */
export async function openExternal(
  open: ((url: string) => Promise<void>) | undefined,
  url: string,
): Promise<Result<{ opened: true }>> {
  const problem = externalUrlProblem(url)
  if (problem !== null) return fail('invalid_request', `Not opened: ${problem}`)
  if (!open) return fail('unsupported', 'This host cannot open links in the system browser')
  try {
    await open(new URL(url).href)
  } catch (e) {
    return fail(
      'internal',
      'The system browser could not be opened',
      e instanceof Error ? e.message : String(e),
    )
  }
  return ok({ opened: true as const })
}
