/**
 * A topic filter matched against the names in a stream log's records (an MQTT message's topic) as bytes, with
 * no string made per entry: the same rules as src/shared/mqtt-topic-filter.ts (`+` one level, `#` the rest,
 * `$` topics only for a filter that starts with a plain level).
 */

const SLASH = 0x2f
const DOLLAR = 0x24

/** A level of the filter: `+`, `#`, or the bytes it must equal. */
type Level = 'plus' | 'hash' | Buffer

export class TopicMatcher {
  private readonly levels: Level[]
  /** The first level is a wildcard: `$` topics do not match. */
  private readonly wildFirst: boolean

  constructor(filter: string) {
    this.levels = filter.split('/').map((l) => (l === '+' ? 'plus' : l === '#' ? 'hash' : Buffer.from(l)))
    this.wildFirst = typeof this.levels[0] === 'string'
  }

  /** Does the name in `buf[start, end)` match? */
  matches(buf: Buffer, start: number, end: number): boolean {
    if (this.wildFirst && end > start && buf[start] === DOLLAR) return false
    let pos = start
    const levels = this.levels
    for (let l = 0; l < levels.length; l++) {
      const level = levels[l] as Level
      if (level === 'hash') return true
      // Past the topic's last level (`pos` is end + 1 once the last level is consumed).
      if (pos > end) return false
      let stop = pos
      while (stop < end && buf[stop] !== SLASH) stop++
      if (level !== 'plus') {
        if (stop - pos !== level.length) return false
        for (let k = 0; k < level.length; k++) if (buf[pos + k] !== level[k]) return false
      }
      pos = stop + 1
    }
    return pos === end + 1
  }
}
