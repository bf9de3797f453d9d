/**
 * Times and dates as the app writes them, in local time, without ICU: `toLocaleTimeString` and friends load
 * ICU's formatting data in the task of their first call (~15-20 ms of CPU), and the last session's date is drawn
 * at start. One form everywhere: a 24-hour clock ("14:03", with seconds where a retry a few seconds on must
 * read apart), a date as "today at 14:03" or "2026-12-06 14:03".
 */

const two = (n: number): string => (n < 10 ? `0${n}` : String(n))

/** "14:03", or "14:03:07" with `seconds`. */
export function clockTime(at: number, { seconds = false }: { seconds?: boolean } = {}): string {
  const d = new Date(at)
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}`
  return seconds ? `${hm}:${two(d.getSeconds())}` : hm
}

/** "today at 14:03" when `at` is on `now`'s day, else "2026-12-06 14:03". */
export function dateTime(at: number, now: number = Date.now()): string {
  const d = new Date(at)
  const today = new Date(now)
  const sameDay =
    d.getFullYear() === today.getFullYear() &&
    d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate()
  if (sameDay) return `today at ${clockTime(at)}`
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${clockTime(at)}`
}
