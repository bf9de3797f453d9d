import { groupDigits } from './group-digits'
/**
 * MQTT topic filters (MQTT 5 §4.7, the same in 3.1.1): levels split by `/`; `+` stands for exactly one level,
 * `#` (the last level) for any number of levels, none included (`a/#` matches `a`); a topic that starts with
 * `$` (`$SYS/…`) is matched only by a filter whose first level is not a wildcard. Case and bytes count: no
 * folding. Pure: the renderer checks what is typed, the engine matches its log with the same rules on bytes.
 */

/** Longest topic filter taken (MQTT's own limit on a topic is 65,535 bytes). */
export const MAX_TOPIC_FILTER = 65_535

/** Why `filter` is not a topic filter, in words, or null when it is one. */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'A topic filter is at least one character'
  if (filter.length > MAX_TOPIC_FILTER)
    return `A topic filter is at most ${groupDigits(MAX_TOPIC_FILTER)} characters`
  if (filter.includes('\u0000')) return 'A topic filter may not hold the null character'
  const levels = filter.split('/')
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as string
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1))
      return `"#" stands alone as the last level of a topic filter (a/#), not in "${clip(filter)}"`
    if (level.includes('+') && level !== '+')
      return `"+" stands alone for a whole level of a topic filter (a/+/c), not in "${clip(filter)}"`
  }
  return null
}

/** Does `topic` match the (valid) topic filter `filter`? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/')
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false
  const t = topic.split('/')
  for (let i = 0; i < f.length; i++) {
    const level = f[i]
    if (level === '#') return true
    if (i >= t.length) return false
    if (level !== '+' && level !== t[i]) return false
  }
  return f.length === t.length
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s
}
