import {
  lstat as lstatWith,
  opendir as opendirWith,
  readdir as readdirWith,
  readFile as readFileWith,
  realpath as realpathWith,
  rm as rmWith,
  stat as statWith,
  type Dir,
  type Dirent,
  type Stats,
} from 'node:fs'

/**
 * Promise forms of the node:fs calls a collection's open and a run's start make, on node:fs's callbacks. Loading
 * node:fs/promises (with the readline and file-watcher modules it loads) cost every `flightdeck run` ~18M
 * instructions, 5 % of a one-request run, on a Node that compiles its own modules; node:fs is loaded anyway.
 * They fail as node:fs/promises does: the same errors (`code`, `path`, message), rejected.
 */

type Done<T> = (error: NodeJS.ErrnoException | null, value: T) => void

function settled<T>(call: (done: Done<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))))
}

export function stat(path: string): Promise<Stats> {
  return settled<Stats>((done) => statWith(path, done))
}

export function lstat(path: string): Promise<Stats> {
  return settled<Stats>((done) => lstatWith(path, done))
}

/** A folder's entries with their types (`readdir(path, { withFileTypes: true })`). */
export function readdirEntries(path: string): Promise<Dirent[]> {
  return settled<Dirent[]>((done) => readdirWith(path, { withFileTypes: true }, done))
}

export function readUtf8(path: string): Promise<string> {
  return settled<string>((done) => readFileWith(path, 'utf8', done))
}

/** The path with every link resolved, by the system's realpath(3), as node:fs/promises' `realpath` does. */
export function realpath(path: string): Promise<string> {
  return settled<string>((done) => realpathWith.native(path, done))
}

export function rm(path: string): Promise<void> {
  return settled<void>((done) => rmWith(path, (error) => done(error, undefined)))
}

export function opendir(path: string): Promise<Dir> {
  return settled<Dir>((done) => opendirWith(path, done))
}
