import { EngineError } from './errors'
import { fieldReader } from './http-headers'
import {
  INFORMATIONAL_EVERY_MS,
  MAX_INFORMATIONAL_HEADERS,
  MAX_INFORMATIONAL_VALUE,
  MAX_KEPT_INFORMATIONAL,
  type HeaderList,
  type HttpProtocol,
  type InformationalEvent,
} from '../../shared/timeline'

/**
 * The interim (1xx) responses of one exchange. undici hands every 1xx to the exchange's onHeaders, as it does
 * the final response; they are not the response. The first MAX_KEPT_INFORMATIONAL are reported one by one with
 * their headers (bounded); the rest only raise a count, reported at most every INFORMATIONAL_EVERY_MS and once
 * more before the exchange moves on. So a server that sends 103 Early Hints without end costs a few events a
 * second and no memory per response.
 *
 * undici refreshes its headers timeout on every 1xx, so such a server would also hold the exchange forever;
 * the tracker keeps the request's headers timeout, counted from when the request was sent, for the final
 * response. And past MAX_INFORMATIONAL_RESPONSES (far beyond any server that means to answer: Early Hints come
 * in ones and twos, a 102 Processing every few seconds) it stops waiting for one at once, saying how many came,
 * rather than spending the rest of the timeout reading a flood (a loopback server sends ~250,000 a second).
 */

/** Interim responses after which an exchange stops waiting for the final one. */
export const MAX_INFORMATIONAL_RESPONSES = 1_000_000

/** The exchange stopped at the limit: how many interim responses came, with no final one. */
export function informationalFlood(host: string, count: number): EngineError {
  return new EngineError(
    'protocol',
    `The server at ${host} sent ${count} informational (1xx) responses and no final one: stopped waiting there (a server that means to answer sends a few)`,
  )
}

export interface InformationalInit {
  sid: string
  now: () => number
  emit: (event: InformationalEvent) => void
  /** The request's headers timeout (0: none) and when the request was sent, on the same clock. */
  headersTimeoutMs: number
  sentAt: number
  /** The final response did not come within the headers timeout. */
  onTimeout: (count: number) => void
  /** The connection's protocol: a field's bytes are read as the final response's are (http-headers' fieldReader). */
  protocol?: HttpProtocol
  /**
   * Told once, when the `limit`th interim response came (MAX_INFORMATIONAL_RESPONSES unless set: tests set a few):
   * the exchange ends with informationalFlood's words. Without it, a flood runs until the headers timeout.
   */
  onLimit?: (count: number) => void
  limit?: number
}

export class InformationalResponses {
  count = 0
  private reported = 0
  private lastReport = 0
  private status = 0
  private statusText = ''
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private deadline: ReturnType<typeof setTimeout> | null = null
  /** The limit was reached: the exchange ends, nothing more is counted. */
  private cut = false

  constructor(private readonly init: InformationalInit) {}

  add(status: number, statusText: string, raw: readonly Buffer[]): void {
    // Past the limit, those undici had already parsed are not counted: the exchange is ending.
    if (this.cut) return
    const t = this.init.now()
    this.count++
    this.status = status
    this.statusText = statusText
    if (this.count === 1) this.armDeadline(t)
    this.report(t, status, statusText, raw)
    if (this.count === (this.init.limit ?? MAX_INFORMATIONAL_RESPONSES) && this.init.onLimit) {
      this.cut = true
      this.finish()
      this.init.onLimit(this.count)
    }
  }

  /** The first few one by one with their headers; then the count, at most every INFORMATIONAL_EVERY_MS. */
  private report(t: number, status: number, statusText: string, raw: readonly Buffer[]): void {
    if (this.count <= MAX_KEPT_INFORMATIONAL) {
      this.clearFlush()
      this.reported = this.count
      this.lastReport = t
      const { headers, note } = keptHeaders(raw, fieldReader(this.init.protocol))
      this.init.emit({
        type: 'informational',
        sid: this.init.sid,
        t,
        status,
        statusText,
        count: this.count,
        headers,
        ...(note ? { note } : {}),
      })
      return
    }
    if (t - this.lastReport >= INFORMATIONAL_EVERY_MS) {
      this.flush()
      return
    }
    if (!this.flushTimer) {
      // A burst that stops between reports still gets its last count out.
      this.flushTimer = setTimeout(
        () => {
          this.flushTimer = null
          this.flush()
        },
        INFORMATIONAL_EVERY_MS - (t - this.lastReport),
      )
      this.flushTimer.unref?.()
    }
  }

  /** Report a count not yet reported. Called before the final response's headers and at the end. */
  flush(): void {
    this.clearFlush()
    if (this.count <= this.reported) return
    const t = this.init.now()
    this.reported = this.count
    this.lastReport = t
    this.init.emit({
      type: 'informational',
      sid: this.init.sid,
      t,
      status: this.status,
      statusText: this.statusText,
      count: this.count,
    })
  }

  /** The final response came, or the exchange ended: report what is left, and stop every timer. */
  finish(): void {
    this.flush()
    if (this.deadline) clearTimeout(this.deadline)
    this.deadline = null
  }

  private clearFlush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
  }

  private armDeadline(t: number): void {
    const { headersTimeoutMs, sentAt } = this.init
    if (headersTimeoutMs <= 0) return
    const left = Math.max(0, headersTimeoutMs - (t - sentAt))
    this.deadline = setTimeout(() => {
      this.deadline = null
      this.init.onTimeout(this.count)
    }, left)
    this.deadline.unref?.()
  }
}

/**
 * At most MAX_INFORMATIONAL_HEADERS lines, values cut at MAX_INFORMATIONAL_VALUE characters; says what it cut. Each
 * field is read by `text`: UTF-8 when its bytes are, else Latin-1, as the final response's.
 */
function keptHeaders(
  raw: readonly Buffer[],
  text: (field: Buffer | string | undefined) => string,
): { headers: HeaderList; note: string } {
  const headers: HeaderList = []
  const lines = Math.floor(raw.length / 2)
  let clipped = 0
  for (let i = 0; i + 1 < raw.length && headers.length < MAX_INFORMATIONAL_HEADERS; i += 2) {
    const name = text(raw[i]).slice(0, MAX_INFORMATIONAL_VALUE)
    let value = text(raw[i + 1])
    if (value.length > MAX_INFORMATIONAL_VALUE) {
      value = `${value.slice(0, MAX_INFORMATIONAL_VALUE)}…`
      clipped++
    }
    headers.push([name, value])
  }
  const parts: string[] = []
  if (lines > headers.length)
    parts.push(
      `${lines - headers.length} more header lines left out (at most ${MAX_INFORMATIONAL_HEADERS} kept)`,
    )
  if (clipped > 0)
    parts.push(
      `${clipped} ${clipped === 1 ? 'value' : 'values'} cut at ${MAX_INFORMATIONAL_VALUE} characters`,
    )
  return { headers, note: parts.join('; ') }
}
