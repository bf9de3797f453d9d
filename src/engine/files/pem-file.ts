import { readRegularFile, readRegularFileSync, type RegularFileRead } from './read-regular-file'

/**
 * Certificate and key files a request names (a CA file, a client certificate or key). A request may come
 * from a shared collection, so the path may be anything: `/dev/zero` was read until the engine held gigabytes,
 * a named pipe waited for a writer for good. Only a regular file up to MAX_PEM_BYTES is read; anything else
 * throws an Error whose message says why, which each caller puts under its own 'Cannot read the CA file …'.
 */

/** Larger than any real certificate bundle (the system's whole CA list is about 200 KB). */
export const MAX_PEM_BYTES = 16 * 1024 * 1024

function bytesOf(path: string, read: RegularFileRead): Buffer {
  if (read.ok) return read.bytes
  throw new Error(
    read.why === 'not_a_file'
      ? `${path} is not a file (a pipe, a device or a folder)`
      : read.why === 'too_large'
        ? `${path} is larger than ${MAX_PEM_BYTES / 1024 / 1024} MB`
        : `${path} changed while it was read`,
  )
}

/** The block headers OpenSSL reads a trusted certificate from; a CA bundle holds one per certificate. */
const CERTIFICATE_BLOCK = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----/

/**
 * A CA file must hold a PEM certificate. Node takes any text as `ca` without a word (an empty file, a DER
 * `.crt`, a key, the wrong file) and then trusts nothing: since a CA file replaces the system's list, every
 * server was said to be 'not signed by a trusted authority' when the file was the fault.
 */
function certificates(path: string, text: string): string {
  if (CERTIFICATE_BLOCK.test(text)) return text
  throw new Error(
    `${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): a CA file is PEM text; a DER file converts with openssl x509 -inform der -in FILE -out FILE.pem`,
  )
}

/** A CA file's PEM text, read synchronously (a send's plan is made without waiting). */
export function readCaPemText(path: string): string {
  return certificates(path, bytesOf(path, readRegularFileSync(path, MAX_PEM_BYTES)).toString('utf8'))
}

/** A CA file's bytes; see `readCaPemText`. */
export async function readCaPemBytes(path: string): Promise<Buffer> {
  const bytes = bytesOf(path, await readRegularFile(path, MAX_PEM_BYTES))
  certificates(path, bytes.toString('latin1'))
  return bytes
}

/** A PEM file's bytes (a client certificate or key). */
export async function readPemBytes(path: string): Promise<Buffer> {
  return bytesOf(path, await readRegularFile(path, MAX_PEM_BYTES))
}
