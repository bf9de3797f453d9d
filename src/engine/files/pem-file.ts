import { X509Certificate } from 'node:crypto'
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

/** Each certificate block, whole (BEGIN to END) or, without its END line, to the end of the text. */
const CERTIFICATE_BLOCKS =
  /-----BEGIN ((?:TRUSTED |X509 )?CERTIFICATE)-----(?:[\s\S]*?-----END \1-----|[\s\S]*$)/g

/**
 * Certificates a CA file may hold: over three times a system's whole list (Mozilla's, which Debian's 144 and
 * Node's own follow, is about 150). A bundle of 10,944 (16 MB) held the engine's thread, and every other session
 * with it, for ~4.8 s at its first send (parsing here, then TLS setup); it is now refused in ~0.1 s, and a
 * bundle at the cap costs ~0.4 s parse + ~0.3 s TLS (measured at load 17 on 2 cores).
 */
export const MAX_CA_CERTIFICATES = 500

/** Each certificate block's BEGIN line, to count them before any is parsed. */
const CERTIFICATE_BEGINS = /-----BEGIN (?:TRUSTED |X509 )?CERTIFICATE-----/g

function refuseTooMany(path: string, text: string): void {
  const count = text.match(CERTIFICATE_BEGINS)?.length ?? 0
  if (count <= MAX_CA_CERTIFICATES) return
  throw new Error(
    `${path} holds ${count.toLocaleString('en-US')} certificates, more than the ${MAX_CA_CERTIFICATES.toLocaleString('en-US')} a CA file may hold (a system's whole list is about 150): keep the authorities your servers need`,
  )
}

/**
 * Texts whose every block parsed, each with the PEM handed to Node for it: a run sends many requests with one
 * CA file, and parsing takes ~0.5 ms a block (the system's list of 144, ~80 ms). Held up to 32 MB in all, then
 * let go.
 */
const checkedTexts = new Map<string, string>()
let checkedChars = 0
const MAX_CHECKED_CHARS = 32 * 1024 * 1024

/**
 * A CA file must hold PEM certificates, each one readable. Node takes any text as `ca` without a word (an empty
 * file, a DER `.crt`, a key, the wrong file, a block whose base64 is not a certificate) and then trusts nothing
 * from it: since a CA file replaces the system's list, every server was said to be 'not signed by a trusted
 * authority' when the file was the fault. What Node is given is each certificate as it was read here, one
 * after another on lines of their own: OpenSSL silently skipped a block that does not start a line or whose END
 * line goes on (`cat a.pem b.pem` when a.pem has no last newline, a bundle pasted indented from YAML, a comment
 * after END), so a file that passed this check still trusted nothing.
 */
function certificates(path: string, text: string): string {
  const known = checkedTexts.get(text)
  if (known !== undefined) return known
  if (!CERTIFICATE_BLOCK.test(text)) {
    throw new Error(
      `${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----"): a CA file is PEM text; a DER file converts with openssl x509 -inform der -in FILE -out FILE.pem`,
    )
  }
  refuseTooMany(path, text)
  let number = 0
  const read: string[] = []
  for (const block of text.matchAll(CERTIFICATE_BLOCKS)) {
    number++
    try {
      read.push(new X509Certificate(block[0]).toString())
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^error:[0-9A-F]+:/, '') : String(e)
      throw new Error(
        `${path}: certificate block ${number} (-----BEGIN ${block[1]}-----) is not a readable certificate (${why}); a CA file holds only whole PEM certificates`,
      )
    }
  }
  const pem = read.join('')
  if (checkedChars + text.length + pem.length > MAX_CHECKED_CHARS) {
    checkedTexts.clear()
    checkedChars = 0
  }
  checkedTexts.set(text, pem)
  checkedChars += text.length + pem.length
  return pem
}

/** A CA file's PEM text, read synchronously (a send's plan is made without waiting). */
export function readCaPemText(path: string): string {
  return certificates(path, bytesOf(path, readRegularFileSync(path, MAX_PEM_BYTES)).toString('utf8'))
}

/** A CA file's certificates as PEM bytes; see `readCaPemText`. */
export async function readCaPemBytes(path: string): Promise<Buffer> {
  const bytes = bytesOf(path, await readRegularFile(path, MAX_PEM_BYTES))
  return Buffer.from(certificates(path, bytes.toString('latin1')), 'latin1')
}

/** A PEM file's bytes (a client certificate or key). */
export async function readPemBytes(path: string): Promise<Buffer> {
  return bytesOf(path, await readRegularFile(path, MAX_PEM_BYTES))
}
