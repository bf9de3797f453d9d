import { BLOCK_LINES, type JsonBlocks } from './json-blocks'
import { JsonLineScanner, type ScanRange, type ScanStart } from './json-lines'

/**
 * Reading the pretty view back from its block index (json-blocks.ts): a window of lines, the closing line of
 * each container a window opens (fold pairs), and the line of a byte offset (search). Each restarts the
 * scanner at a block's start and reads the body from there, so what it costs depends on the window and the
 * few blocks it touches, never on how deep the body is nested.
 */

export interface BodyReader {
  readonly size: number
  read(offset: number, length: number): Promise<Buffer>
}

const RENDER_CHUNK = 256 * 1024
/** A fold's close is in the first block that drops to its depth, or (when it opened late in it) the one after. */
const MAX_CLOSE_PROBES = 3

function startOf(blocks: JsonBlocks, b: number): { start: ScanStart; offset: number } {
  const s = blocks.startOf(b)
  return {
    start: { line: s.line, depth: s.depth, kinds: (lo, hi) => blocks.kinds(b, lo, hi) },
    offset: s.offset,
  }
}

/** Feed the scanner from `from` until it has its lines, fails, or reaches `until`; returns where it stopped. */
async function feed(
  scanner: JsonLineScanner,
  body: BodyReader,
  from: number,
  until: number,
): Promise<number> {
  const end = Math.min(body.size, until)
  let pos = from
  while (!scanner.satisfied && scanner.error === null && pos < end) {
    const buf = await body.read(pos, Math.min(RENDER_CHUNK, end - pos))
    if (buf.length === 0) break
    scanner.scan(buf, pos)
    pos += buf.length
  }
  return pos
}

/** A scanner over `range`, restarted at the block holding `range.from`, and where to start reading. */
function restart(
  blocks: JsonBlocks,
  block: number,
  range: ScanRange,
): { scanner: JsonLineScanner; offset: number } {
  const { start, offset } = startOf(blocks, block)
  return { scanner: new JsonLineScanner(range, start), offset }
}

/**
 * Lines [from, to) of the pretty view, and for each the line closing the container it opens (or -1). The
 * index may still be growing: a close beyond what it has seen is -1 for now.
 */
export async function renderJson(
  blocks: JsonBlocks,
  body: BodyReader,
  from: number,
  to: number,
): Promise<{ lines: string[]; closes: number[] }> {
  const lines: string[] = []
  const closes: number[] = []
  const { scanner, offset } = restart(blocks, Math.floor(from / BLOCK_LINES), {
    from,
    to,
    sink: { line: (_n, text) => lines.push(text) },
  })
  // Containers the window opens, and those still open by level, to pair the ones that close in the window.
  const opened: { line: number; level: number }[] = []
  const openAt = new Map<number, number>()
  scanner.onOpen = (line, level) => {
    if (line < from || line >= to) return
    openAt.set(level, opened.length)
    opened.push({ line, level })
  }
  const closeOf = new Map<number, number>()
  scanner.onClose = (line, depth) => {
    const i = openAt.get(depth)
    if (i === undefined) return
    openAt.delete(depth)
    const o = opened[i]
    if (o) closeOf.set(o.line, line)
  }
  const pos = await feed(scanner, body, offset, Infinity)
  if (!scanner.satisfied) scanner.finish(pos)
  const far = opened.filter((o) => !closeOf.has(o.line))
  const found = await findCloses(blocks, body, far)
  far.forEach((o, i) => closeOf.set(o.line, found[i] ?? -1))
  for (let l = from; l < from + lines.length; l++) closes.push(closeOf.get(l) ?? -1)
  return { lines, closes }
}

/** The closing line of each container (opened on `line`, open at `level`), or -1 where not indexed yet. */
async function findCloses(
  blocks: JsonBlocks,
  body: BodyReader,
  open: { line: number; level: number }[],
): Promise<number[]> {
  // Block → the closes in it (line, depth left open), each block scanned once for the whole window.
  const scanned = new Map<number, { line: number; depth: number }[]>()
  const out: number[] = []
  for (const o of open) {
    let k = Math.floor(o.line / BLOCK_LINES)
    let close = -1
    for (let probe = 0; probe < MAX_CLOSE_PROBES && close === -1; probe++) {
      k = blocks.firstDropTo(k, o.level)
      if (k < 0) break
      let list = scanned.get(k)
      if (!list) {
        list = await closesIn(blocks, body, k)
        scanned.set(k, list)
      }
      // The first close after the opening line that leaves `level` open (or fewer) is this container's.
      const hit = list.find((c) => c.line > o.line && c.depth <= o.level)
      if (hit) {
        if (hit.depth === o.level) close = hit.line
        break
      }
      k++
    }
    out.push(close)
  }
  return out
}

async function closesIn(
  blocks: JsonBlocks,
  body: BodyReader,
  b: number,
): Promise<{ line: number; depth: number }[]> {
  const first = b * BLOCK_LINES
  const { scanner, offset } = restart(blocks, b, { from: first, to: first + BLOCK_LINES, sink: null })
  const list: { line: number; depth: number }[] = []
  scanner.onClose = (line, depth) => list.push({ line, depth })
  await feed(scanner, body, offset, blocks.offsetOf(b + 1))
  return list
}

/** The pretty line holding each byte offset (offsets ascending). */
export async function jsonLinesAt(
  blocks: JsonBlocks,
  body: BodyReader,
  offsets: number[],
): Promise<number[]> {
  const out: number[] = []
  let cached: { block: number; starts: number[] } | null = null
  for (const offset of offsets) {
    const b = blocks.blockAtOffset(offset)
    if (!cached || cached.block !== b) {
      const first = b * BLOCK_LINES
      const { scanner, offset: at } = restart(blocks, b, { from: first, to: first + BLOCK_LINES, sink: null })
      const starts: number[] = []
      scanner.onLineStart = (line, lineOffset) => {
        starts[line - first] = lineOffset
      }
      await feed(scanner, body, at, blocks.offsetOf(b + 1))
      cached = { block: b, starts }
    }
    let line = b * BLOCK_LINES
    cached.starts.forEach((s, i) => {
      if (s <= offset) line = b * BLOCK_LINES + i
    })
    out.push(line)
  }
  return out
}
