import { stat } from 'node:fs/promises'
import { dirname, isAbsolute, join, relative, resolve } from 'node:path'
import protobuf from 'protobufjs'
import { fail, ok, type Result } from '../../shared/result'
import { readRegularFile } from '../files/read-regular-file'
import { countProtoSource } from './grpc-proto-count'
import { descriptorFilesOf } from './grpc-proto-descriptors'
import { SchemaBudget, SchemaLimitError } from './grpc-schema-budget'

/**
 * `.proto` files read, counted and parsed as protoc reads them, in a pool worker (protobufjs parses a file in one
 * synchronous step: seconds for a large one): each `import` is looked up in the import paths in order (then
 * beside the first file, as grpcurl does without -import-path); Google's well-known types come built in when no
 * path has them. Every file read is first passed to `confine` (a collection's files may not leave its folder;
 * the engine's thread answers). A file that does not parse is an error naming the file and the line. The
 * result is the schema as FileDescriptorProto bytes, built into a Root on the engine's thread in steps.
 */

/** Files one schema may load (imports included), and their bytes in all: past either the load stops, loudly. */
export const MAX_PROTO_FILES = 1000
export const MAX_PROTO_BYTES = 64 * 1024 * 1024

export interface ProtoParseInput {
  files: string[]
  importPaths: string[]
  /** Relative paths resolve against this folder (the collection folder, the CLI's working directory). */
  base: string
}

/** Checks a path before it is read: the path to open, or why not. */
export type Confine = (abs: string, what: string) => Promise<Result<string>>

type RootWithCommon = typeof protobuf & {
  common: { get(name: string): { nested?: protobuf.INamespace['nested'] } | null }
}
/** protobufjs notes the file being parsed on each declaration (and in its errors) from this. */
type ParseWithFilename = typeof protobuf.parse & { filename: string | null }

export async function parseProtoFiles(
  o: ProtoParseInput,
  confine: Confine | null,
): Promise<Result<Uint8Array[]>> {
  if (o.files.length === 0) return fail('invalid_request', 'No .proto file was given')
  const root = new protobuf.Root()
  const importDirs = o.importPaths.map((p) => (isAbsolute(p) ? p : resolve(o.base, p)))
  const first = o.files[0] as string
  const fallbackDir = dirname(isAbsolute(first) ? first : resolve(o.base, first))
  const seen = new Set<string>()
  const budget = new SchemaBudget()
  let bytes = 0
  // Depth-first over imports with an explicit stack: bounded by MAX_PROTO_FILES, never recursion.
  // A relative file name is looked up in the import paths first, as protoc and grpcurl do, then in `base`.
  const stack: { abs: string; shown: string }[] = []
  for (const f of o.files) {
    const abs = isAbsolute(f) ? f : ((await findImport(f, importDirs, null)) ?? resolve(o.base, f))
    stack.push({ abs, shown: f })
  }
  stack.reverse()
  while (stack.length > 0) {
    const next = stack.pop() as { abs: string; shown: string }
    if (seen.has(next.abs)) continue
    if (seen.size >= MAX_PROTO_FILES) {
      return fail(
        'too_large',
        `The schema imports more than ${MAX_PROTO_FILES} .proto files; loading stopped at ${next.shown}`,
      )
    }
    seen.add(next.abs)
    const path = confine ? await confine(next.abs, 'The proto file') : ok(next.abs)
    if (!path.ok) return path
    let source: string
    try {
      // Only what is left of the budget is read: a file past it is refused by its size, not read first.
      const read = await readRegularFile(path.value, MAX_PROTO_BYTES - bytes)
      if (!read.ok && read.why === 'too_large')
        return fail(
          'too_large',
          `The .proto files come to more than ${MAX_PROTO_BYTES / 1024 / 1024} MB; loading stopped at ${next.shown}`,
        )
      if (!read.ok)
        return fail(
          'file',
          read.why === 'not_a_file'
            ? `The proto file ${next.shown} is not a file (a pipe, a device or a folder)`
            : `The proto file ${next.shown} changed while it was read; try again`,
        )
      source = read.bytes.toString('utf8')
    } catch (e) {
      return fail('file', `Cannot read the proto file ${next.shown}`, (e as Error).message)
    }
    bytes += Buffer.byteLength(source)
    try {
      // Counted before protobufjs parses (and so builds) the file: the same limits as reflected descriptors.
      countProtoSource(source, budget)
    } catch (e) {
      if (!(e instanceof SchemaLimitError)) throw e
      return fail('too_large', `Loading the .proto files stopped at ${next.shown}: ${e.message}`)
    }
    let parsed: protobuf.IParserResult
    try {
      // Each declaration remembers its file (by a key that reads plainly in protobufjs' "(key, line n)"), so
      // the descriptors keep each file's own syntax.
      ;(protobuf.parse as ParseWithFilename).filename = `file${seen.size}`
      parsed = protobuf.parse(source, root, { keepCase: true, alternateCommentMode: true })
    } catch (e) {
      return fail('parse', parseErrorText((e as Error).message, next.shown))
    } finally {
      ;(protobuf.parse as ParseWithFilename).filename = null
    }
    const imports = [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]
    for (const name of imports.reverse()) {
      const found = await findImport(name, importDirs, fallbackDir)
      if (found) {
        stack.push({ abs: found, shown: shownPath(found, o.base) })
        continue
      }
      const builtIn = (protobuf as RootWithCommon).common.get(name)
      if (builtIn?.nested) {
        if (!seen.has(`builtin:${name}`)) root.addJSON(builtIn.nested)
        seen.add(`builtin:${name}`)
        continue
      }
      const where = importDirs.length > 0 ? importDirs.join(', ') : fallbackDir
      return fail('parse', `${next.shown}: import "${name}" was not found (looked in ${where})`)
    }
  }
  try {
    root.resolveAll()
  } catch (e) {
    return fail('parse', `The .proto files do not resolve: ${(e as Error).message}`)
  }
  return ok(descriptorFilesOf(root))
}

async function findImport(name: string, dirs: string[], fallback: string | null): Promise<string | null> {
  for (const dir of dirs.length > 0 || fallback === null ? dirs : [fallback]) {
    const candidate = join(dir, name)
    try {
      if ((await stat(candidate)).isFile()) return candidate
    } catch {
      // Not in this folder: try the next.
    }
  }
  return null
}

function shownPath(abs: string, base: string): string {
  const rel = relative(base, abs)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs
}

/**
 * protobufjs' "illegal token 'b' (a.proto, line 3)" as "a.proto, line 3: illegal token 'b'". The message quotes
 * the file's text (a string of any length), so the spaces before the parenthesis are trimmed after the match: a
 * leading `\s*` in the pattern rescanned a run of spaces from each of its positions (100 KB of them: 28 s).
 */
function parseErrorText(message: string, file: string): string {
  const m = /\((?:[^()]*, )?line (\d+)\)\s*$/.exec(message)
  if (!m) return `${file}: ${message}`
  return `${file}, line ${m[1]}: ${message.slice(0, m.index).trimEnd()}`
}
