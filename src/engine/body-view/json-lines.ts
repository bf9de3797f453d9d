import { ARR, BLOCK_LINES, JsonBlocks, OBJ } from './json-blocks'
import { LevelStack, type KindLoader } from './level-stack'

/**
 * Pretty-printed JSON, one line at a time, straight from the body's bytes: the lines are those of
 * `JSON.stringify(value, null, 2)` (strings and numbers keep their source spelling), produced by a resumable
 * byte-level scanner so a 100 MB body never becomes one string or one object graph.
 *
 * Indexing scans the whole body once, in chunks, and keeps only the line count and, per block of
 * `BLOCK_LINES` lines, where it starts and how the open containers changed (json-blocks.ts): memory linear in
 * the body whatever its depth. Rendering lines [from, to) restarts the same scanner at the block holding
 * `from` and builds text only for those lines. Several top-level values (NDJSON) are listed one after another.
 *
 * Indentation is two spaces a level up to `MAX_INDENT_LEVELS`; deeper lines are drawn at that level (the view
 * says so): a body nested a million deep would otherwise be about 10^12 spaces of indentation.
 */

/** Longer lines are cut here when rendered (a 10 MB string stays a 10 MB string in the raw view). */
export const MAX_LINE_CHARS = 10_000
/** Lines nested deeper than this are indented as if at this depth. */
export const MAX_INDENT_LEVELS = 64

const Q = 0x22
const BS = 0x5c

/** Where a scan starts: a block's first line, with `depth` containers open there. */
export interface ScanStart {
  line: number
  depth: number
  kinds: KindLoader
}

type Mode = 'ws' | 'str' | 'esc' | 'atom'

export interface LineSink {
  /** Called for every line in [from, to) once complete, in order. */
  line(n: number, text: string): void
}

/** A scan over lines [from, to): `sink` gets their text (without one, only the hooks run). */
export interface ScanRange {
  from: number
  to: number
  sink: LineSink | null
}

/**
 * The scanner. In index mode (no range) it counts lines and fills `blocks`. In render mode it builds the text
 * of lines in [from, to) and stops once past `to`.
 */
export class JsonLineScanner {
  /** Lines started so far; the current line is `lines - 1`. */
  lines = 0
  private readonly stack: LevelStack
  /** Index mode: the block index being built. */
  readonly blocks: JsonBlocks | null
  /** Deepest indentation level of any line seen. */
  deepest = 0
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
  /** Told where every line starts (search maps byte offsets to lines with it). */
  onLineStart: ((line: number, offset: number) => void) | null = null
  /** Told when the container opened on `line` gets its first member: it is open at `level` (0 = outermost). */
  onOpen: ((line: number, level: number) => void) | null = null
  /** Told when a container closes on `line`, leaving `depth` levels open. */
  onClose: ((line: number, depth: number) => void) | null = null
  private text: string[] = []
  private textLen = 0
  private strPieces: Buffer[] = []
  private strBytes = 0

  constructor(
    private readonly render: ScanRange | null = null,
    start: ScanStart | null = null,
  ) {
    this.stack = new LevelStack(start?.kinds ?? null)
    this.blocks = render === null ? new JsonBlocks() : null
    if (start) {
      this.lines = start.line
      this.stack.reset(start.depth)
    }
  }

  /** Render mode: everything wanted has been produced. */
  get satisfied(): boolean {
    return this.render !== null && this.lines > this.render.to
  }

  private get rendering(): boolean {
    const r = this.render
    const cur = this.lines - 1
    return r !== null && r.sink !== null && cur >= r.from && cur < r.to
  }

  private readonly kindAt = (level: number): number => this.stack.kind(level)

  private fail(message: string, offset: number): void {
    if (this.error === null) {
      this.error = message
      this.errorOffset = offset
    }
  }

  /**
   * Start the next line at the token at `offset`. A block starting here records the containers open before
   * that token, so a scan restarted there reads the token in the same state; a closing bracket's line is
   * indented one level less than that.
   */
  private newLine(offset: number, closing = false): void {
    this.flushLine()
    const n = this.lines++
    this.onLineStart?.(n, offset)
    if (this.blocks !== null && n % BLOCK_LINES === 0)
      this.blocks.start(offset, this.stack.length, this.kindAt)
    const level = Math.max(0, this.stack.length - (closing ? 1 : 0))
    if (level > this.deepest) this.deepest = level
    if (this.rendering) this.append('  '.repeat(Math.min(level, MAX_INDENT_LEVELS)))
  }

  private append(s: string): void {
    if (this.textLen >= MAX_LINE_CHARS) return
    this.text.push(s)
    this.textLen += s.length
  }

  private flushLine(): void {
    const r = this.render
    const cur = this.lines - 1
    if (r !== null && r.sink !== null && cur >= r.from && cur < r.to) {
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
    this.blocks?.end(this.stack.length, this.kindAt)
    // The index outlives its scan; the stack (a byte per level of the deepest point) is not needed any more.
    this.stack.release()
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
      this.onOpen?.(this.pendingLine, this.stack.length - 1)
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
          // Only a rendered string kept pieces; a new array per string would be garbage per key while indexing.
          if (this.strBytes > 0) {
            this.strPieces = []
            this.strBytes = 0
          }
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
    const top = this.stack.top()
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
      if (this.stack.top() !== want) return this.fail(`unexpected '${String.fromCharCode(c)}'`, at)
      this.newLine(at, true)
      this.stack.pop()
      this.blocks?.popped(this.stack.length)
      this.onClose?.(this.lines - 1, this.stack.length)
      if (this.rendering) this.append(c === 0x7d ? '}' : ']')
      this.afterValue()
      return
    }
    this.beginValue(at, false, 0)
    const ctx = this.stack.top()
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
