/** 14:03:27.512 in local time: when a request was queued, to the millisecond. */
export function formatWallTime(epochMs: number): string {
  const d = new Date(Math.floor(epochMs))
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
}
