import { groupDigits } from '../../shared/group-digits'
import { useAppStore } from '../store/store-context'
import type { FailureKinds } from './run-failure-kinds'

/** "1 request was" / "2,000 requests were" */
function requestsWere(n: number): string {
  return n === 1 ? '1 request was' : `${groupDigits(n)} requests were`
}

/** One line each for the kinds of failure a finished run had: what was not sent, not answered, or a script's. */
export function failureLines(f: FailureKinds): string[] {
  const lines: string[] = []
  const requests = (n: number): string => `${groupDigits(n)} request${n === 1 ? '' : 's'}`
  if (f.unanswered > 0) lines.push(`${requests(f.unanswered)} got no response (network errors).`)
  if (f.auth > 0)
    lines.push(
      `${requestsWere(f.auth)} not sent: ${f.auth === 1 ? 'its' : 'their'} auth failed (auth errors).`,
    )
  if (f.notSent > 0) {
    lines.push(
      `${requestsWere(f.notSent)} not sent: ${f.notSent === 1 ? 'it' : 'they'} could not be made (request errors).`,
    )
  }
  if (f.afterResponse > 0) lines.push(`${requests(f.afterResponse)} got a response, then ended in an error.`)
  if (f.scripts > 0) {
    const whose = f.scripts === 1 ? "1 request's script" : `${groupDigits(f.scripts)} requests' scripts`
    lines.push(`${whose} stopped on an error (script errors).`)
  }
  return lines
}

/** Under a finished run's figures: its failed requests told apart by kind (each request's row has its message). */
export function RunFailureNotes() {
  const failures = useAppStore((s) => s.run?.failures)
  if (!failures) return null
  return (
    <>
      {failureLines(failures).map((line) => (
        <p key={line} className="muted small" data-testid="run-failure-kind">
          {line}
        </p>
      ))}
    </>
  )
}
