import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { RequestBody } from '../shared/request'
import { STDIN_NAME, STDIN_PATH, type PipeName } from './stdin-body'

/**
 * A pipe a one-off body names, read once before the send: `-d @-` (stdin), `-d @fifo`, or a form part's
 * `-F name=@-` / `-F name=@fifo`, as curl reads them. A saved request's files never come here: a shared
 * collection does not get to read a named pipe on the machine that runs it (the engine refuses it, not a file).
 */
export interface BodyPipe {
  /** `-`, or the FIFO's path as typed. */
  path: string
  /** The form part's index in the body's parts; null for `-d`. */
  part: number | null
  /** How the refusals name it (`stdin (-d @-)`, `in.fifo (-F file=@)`). */
  name: PipeName
  /** The copy's file name: a FIFO's own name, so it is typed and named as that file would be. */
  copyName: string
  /** The file name a form part is sent with when `;filename=` gives none: curl's (`-` for stdin). */
  fileName: string
  /** Where a `{{variable}}` in it is, in words, and what the refusal calls it. */
  where: string
  shownAs: string
}

/** The pipes `body` names, in order, or the refusal for a body that names stdin twice (it is read once). */
export async function bodyPipes(body: RequestBody): Promise<BodyPipe[] | string> {
  if (body.kind === 'file') {
    if (body.path === STDIN_PATH)
      return [{ ...fromStdin(null), name: STDIN_NAME, where: '-d @-', shownAs: 'stdin' }]
    if (!(await isFifo(body.path))) return []
    return [
      {
        ...fromFifo(body.path, null),
        name: { shown: `${body.path} (-d @)`, what: 'a pipe', piece: 'a body', asFile: '-d @file' },
        where: 'the body, -d @file',
      },
    ]
  }
  if (body.kind !== 'multipart') return []
  const pipes: BodyPipe[] = []
  let stdinPart: string | null = null
  for (const [index, part] of body.parts.entries()) {
    if (part.kind !== 'file' || !part.enabled) continue
    const typed = `-F ${part.name}=@`
    const name = { what: 'a pipe', piece: 'a form part', asFile: `-F ${part.name}=@file` }
    if (part.path === STDIN_PATH) {
      if (stdinPart !== null)
        return `stdin is read once, and both ${stdinPart}- and ${typed}- name it; save it to a file and send that with ${typed}file`
      stdinPart = typed
      pipes.push({
        ...fromStdin(index),
        name: { ...name, shown: `stdin (${typed}-)`, what: 'stdin' },
        where: `the form part ${part.name}, ${typed}-`,
        shownAs: 'stdin',
      })
    } else if (await isFifo(part.path)) {
      pipes.push({
        ...fromFifo(part.path, index),
        name: { ...name, shown: `${part.path} (${typed})` },
        where: `the form part ${part.name}, ${typed}file`,
      })
    }
  }
  return pipes
}

function fromStdin(part: number | null): Pick<BodyPipe, 'path' | 'part' | 'copyName' | 'fileName'> {
  return { path: STDIN_PATH, part, copyName: 'stdin', fileName: '-' }
}

function fromFifo(
  path: string,
  part: number | null,
): Pick<BodyPipe, 'path' | 'part' | 'copyName' | 'fileName' | 'shownAs'> {
  return { path, part, copyName: basename(path), fileName: basename(path), shownAs: path }
}

async function isFifo(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFIFO()
  } catch {
    // Not there or not readable: the send says why, as for any body file.
    return false
  }
}
