/**
 * A whole count with its thousands grouped by commas ("12,345"), as toLocaleString('en-US') writes it, without
 * ICU: the page's first number formatted through ICU loads its formatting data in that task (~15-20 ms of CPU,
 * measured in the body viewer's first draw while a burst was running). Anything but a safe integer is left to
 * toLocaleString.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US')
  const digits = String(Math.abs(n))
  let out = digits.slice(0, digits.length % 3 || 3)
  for (let at = out.length; at < digits.length; at += 3) out += `,${digits.slice(at, at + 3)}`
  return n < 0 || Object.is(n, -0) ? `-${out}` : out
}
