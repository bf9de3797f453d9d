/**
 * Pretty-printed JSON, one line at a time, straight from the body's bytes: the lines are those of
 * `JSON.stringify(value, null, 2)` (strings and numbers keep their source spelling), produced by a resumable
 * byte-level scanner so a 100 MB body never becomes one string or one object graph.
 *
 * Indexing scans the whole body once, in chunks, and keeps only: the line count, a checkpoint every
 * `CHECKPOINT_EVERY` lines (byte offset and the open containers), and for every line that opens a container
 * the line that closes it (for folding). Rendering lines [from, to) restarts the same scanner at the nearest
 * checkpoint and builds text only for those lines. Several top-level values (NDJSON) are listed one after
 * another.
 */

export const CHECKPOINT_EVERY = 64
/** Longer lines are cut here when rendered (a 10 MB string stays a 10 MB string in the raw view). */
export const MAX_LINE_CHARS = 10_000

const OBJ = 1
const ARR = 2

const Q = 0x22
const BS = 0x5c

export interface Checkpoint {
  line: number
  offset: number
  stack: Uint8Array
}

/** Growable Int32 storage: `closeOf[line]` is the closing line + 1 of a container opened on `line`, or 0. */
class IntList {
  data = new Int32Array(1024)
  set(i: number, v: number): void {
    if (i >= this.data.length) {
      let n = this.data.length
      while (n <= i) n *= 2
      const next = new Int32Array(n)
      next.set(this.data)
      this.data = next
    }
    this.data[i] = v
  }
  get(i: number): number {
    return i < this.data.length ? (this.data[i] ?? 0) : 0
  }
}

type Mode = 'ws' | 'str' | 'esc' | 'atom'

export interface LineSink {
  /** Called for every line in [from, to) once complete, in order. */
  line(n: number, text: string): void
}

/**
 * The scanner. In index mode (no sink) it only counts lines, records checkpoints and fold pairs. In render
 * mode it builds the text of lines in [from, to) and stops caring after `to`.
 */
export class JsonLineScanner {
  /** Lines started so far; the current line is `lines - 1`. */
  lines = 0
  stack: number[] = []
  /** Line where each open container started (index mode). */
  openedAt: number[] = []
  afterColon = false
  /** An open bracket whose emptiness is not known yet (0 when none). */
  pendingOpen = 0
  pendingLine = -1
  mode: Mode = 'ws'
  error: string | null = null
  errorOffset = -1
  /** Bytes of the atom under way, as text (atoms are short). */
  private atom = ''
  private atomStart = 0
  private strStart = 0
  readonly checkpoints: Checkpoint[] = []
  /** Told where every line starts (search maps byte offsets to lines with it). */
  onLineStart: ((line: number, offset: number) => void) | null = null
  readonly closeOf = new IntList()
  private text: string[] = []
  private textLen = 0
  private strPieces: Buffer[] = []
  private strBytes = 0

  constructor(
    private readonly render: { from: number; to: number; sink: LineSink } | null = null,
    start: Checkpoint | null = null,
  ) {
    if (start) {
      this.lines = start.line
      this.stack = Array.from(start.stack)
    }
  }

  /** Render mode: everything wanted has been produced. */
  get satisfied(): boolean {
    return this.render !== null && this.lines > this.render.to
  }

  private get rendering(): boolean {
    const r = this.render
    const cur = this.lines - 1
    return r !== null && cur >= r.from && cur < r.to
  }

  private fail(message: string, offset: number): void {
    if (this.error === null) {
      this.error = message
      this.errorOffset = offset
    }
  }

  /**
   * Start the next line at the token at `offset`. A checkpoint stores the containers open before that token,
   * so a scan restarted there reads the token in the same state; a closing bracket's line is indented one
   * level less than that.
   */
  private newLine(offset: number, closing = false): void {
    this.flushLine()
    const n = this.lines++
    this.onLineStart?.(n, offset)
    if (this.render === null && n % CHECKPOINT_EVERY === 0) {
      this.checkpoints.push({ line: n, offset, stack: Uint8Array.from(this.stack) })
    }
    if (this.rendering) this.append('  '.repeat(Math.max(0, this.stack.length - (closing ? 1 : 0))))
  }

  private append(s: string): void {
    if (this.textLen >= MAX_LINE_CHARS) return
    this.text.push(s)
    this.textLen += s.length
  }

  private flushLine(): void {
    const r = this.render
    const cur = this.lines - 1
    if (r !== null && cur >= r.from && cur < r.to) {
      let t = this.text.join('')
      if (t.length > MAX_LINE_CHARS) t = `${t.slice(0, MAX_LINE_CHARS)}…`
      r.sink.line(cur, t)
    }
    if (this.text.length > 0) {
      this.text = []
      this.textLen = 0
    }
  }

  /** Keep a piece of a string being rendered, up to what a line can show. */
  private keep(piece: Buffer): void {
    if (this.strBytes > MAX_LINE_CHARS * 4) return
    this.strPieces.push(piece)
    this.strBytes += piece.length
  }

  /** End of input: close the last line. */
  finish(endOffset: number): void {
    if (this.mode === 'atom') this.endAtom(endOffset)
    if (this.mode === 'str' || this.mode === 'esc') this.fail('unterminated string', endOffset)
    if (this.pendingOpen !== 0 || this.stack.length > 0) this.fail('unexpected end of JSON', endOffset)
    this.flushLine()
  }

  /** A value (or key) begins at `offset`: resolve a pending open bracket, then place it. */
  private beginValue(offset: number, isClose: boolean, closeByte: number): boolean {
    if (this.pendingOpen !== 0) {
      const open = this.pendingOpen
      this.pendingOpen = 0
      if (isClose && ((open === 0x7b && closeByte === 0x7d) || (open === 0x5b && closeByte === 0x5d))) {
        if (this.rendering) this.append(open === 0x7b ? '}' : ']')
        return false // the empty container closed on its own line
      }
      this.stack.push(open === 0x7b ? OBJ : ARR)
      this.openedAt.push(this.pendingLine)
    }
    return true
  }

  /** Scan `buf`, whose first byte is at absolute `base`. Stops early once a render has what it wants. */
  scan(buf: Buffer, base: number): void {
    const n = buf.length
    let i = 0
    while (i < n) {
      if (this.satisfied || this.error !== null) return
      switch (this.mode) {
        case 'str': {
          // Jump to the next quote, then look for a backslash only before it (searching the whole buffer for a
          // backslash per string would make a body without any quadratic).
          const q = buf.indexOf(Q, i)
          const end = q === -1 ? n : q
          let b = -1
          for (let k = i; k < end; k++) {
            if (buf[k] === BS) {
              b = k
              break
            }
          }
          const stop = b !== -1 ? b : q
          if (stop === -1) {
            if (this.rendering) this.keep(buf.subarray(i))
            i = n
            break
          }
          if (stop === b) {
            if (this.rendering) this.keep(buf.subarray(i, stop + 1))
            this.mode = 'esc'
            i = stop + 1
            break
          }
          if (this.rendering) {
            this.keep(buf.subarray(i, stop + 1))
            this.append(Buffer.concat(this.strPieces).toString('utf8'))
          }
          this.strPieces = []
          this.strBytes = 0
          this.mode = 'ws'
          i = stop + 1
          this.afterValue()
          break
        }
        case 'esc':
          if (this.rendering) this.keep(buf.subarray(i, i + 1))
          this.mode = 'str'
          i++
          break
        case 'atom': {
          let k = i
          let bad = false
          while (k < n) {
            const c = buf[k] ?? 0
            if (c === 0x2c || c === 0x7d || c === 0x5d || c === 0x3a || c <= 0x20) break
            // Numbers: digits, sign, point, exponent; literals: lower-case letters.
            if (!(
              (c >= 0x30 && c <= 0x39) ||
              c === 0x2e ||
              c === 0x2b ||
              c === 0x2d ||
              (c >= 0x61 && c <= 0x7a) ||
              c === 0x45
            ))
              bad = true
            k++
          }
          this.atomLen += k - i
          if (bad) this.atomBad = true
          // Literals keep their letters (to tell `null` from `nope`); numbers only when shown.
          if ((this.rendering || this.atomFirst >= 0x61) && this.atom.length < 64)
            this.atom += buf.toString('latin1', i, Math.min(k, i + 64))
          i = k
          if (k < n) this.endAtom(base + k) // the delimiter is read again in ws mode
          break
        }
        case 'ws': {
          let c = buf[i] ?? 0
          while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
            if (++i >= n) break
            c = buf[i] ?? 0
          }
          if (i >= n) break
          this.token(c, base + i)
          i++
          if ((this.mode as Mode) === 'atom') {
            // The atom's first byte was consumed with the token; its text starts with it.
            this.atomFirst = c
            this.atomLen = 1
            this.atomBad = false
            this.atom = this.rendering || c >= 0x61 ? String.fromCharCode(c) : ''
          }
          break
        }
      }
    }
  }

  private token(c: number, at: number): void {
    const top = this.stack[this.stack.length - 1] ?? 0
    if (c === 0x2c) {
      // ','
      if (this.pendingOpen !== 0 || top === 0) return this.fail("unexpected ','", at)
      if (this.rendering) this.append(',')
      return
    }
    if (c === 0x3a) {
      // ':'
      if (top !== OBJ || this.afterColon) return this.fail("unexpected ':'", at)
      if (this.rendering) this.append(': ')
      this.afterColon = true
      return
    }
    if (c === 0x7d || c === 0x5d) {
      if (!this.beginValue(at, true, c)) return this.afterValue()
      const want = c === 0x7d ? OBJ : ARR
      if (this.stack[this.stack.length - 1] !== want)
        return this.fail(`unexpected '${String.fromCharCode(c)}'`, at)
      this.newLine(at, true)
      this.stack.pop()
      const opened = this.openedAt.pop() ?? -1
      if (this.render === null && opened >= 0) this.closeOf.set(opened, this.lines)
      if (this.rendering) this.append(c === 0x7d ? '}' : ']')
      this.afterValue()
      return
    }
    this.beginValue(at, false, 0)
    const ctx = this.stack[this.stack.length - 1] ?? 0
    const inline = ctx === OBJ && this.afterColon
    if (ctx === OBJ && !this.afterColon && c !== Q) return this.fail('expected a key', at)
    if (!inline) this.newLine(at)
    if (c === 0x7b || c === 0x5b) {
      if (this.rendering) this.append(c === 0x7b ? '{' : '[')
      this.pendingOpen = c
      this.pendingLine = this.lines - 1
      this.afterColon = false
      return
    }
    if (c === Q) {
      this.mode = 'str'
      this.strStart = at
      if (this.rendering) {
        this.strPieces = [Buffer.from('"')]
        this.strBytes = 1
      }
      if (ctx === OBJ && !this.afterColon) {
        // A key: the value follows the colon on the same line.
        this.keyPending = true
      }
      return
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e) {
      this.mode = 'atom'
      this.atomStart = at
      return
    }
    this.fail(`unexpected '${String.fromCharCode(c)}'`, at)
  }

  private keyPending = false

  private atomFirst = 0
  private atomLen = 0
  private atomBad = false

  /**
   * An atom ended. Literals are checked by first letter and length, numbers by their characters: enough to
   * tell JSON from text that merely starts like it, without building a string per number while indexing.
   */
  private endAtom(at: number): void {
    this.mode = 'ws'
    const f = this.atomFirst
    const literal = f === 0x74 || f === 0x66 || f === 0x6e
    const ok = literal
      ? this.atomLen === (f === 0x66 ? 5 : 4) && !this.atomBad
      : !this.atomBad && this.atomLen > 0
    if (!ok) {
      this.fail(`invalid value at byte ${this.atomStart}`, this.atomStart)
      return
    }
    void at
    if (literal && this.atom !== 'true' && this.atom !== 'false' && this.atom !== 'null') {
      this.fail(`invalid value '${this.atom}'`, this.atomStart)
      return
    }
    if (this.rendering) this.append(this.atom)
    this.afterValue()
  }

  private afterValue(): void {
    if (this.keyPending) {
      // The string just closed was a key, not a value.
      this.keyPending = false
      return
    }
    this.afterColon = false
  }

  /** For tests and stats. */
  get stringStart(): number {
    return this.strStart
  }
}
