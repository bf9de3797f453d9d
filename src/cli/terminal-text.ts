/**
 * Text the CLI prints, made safe for a terminal. What `flightdeck` prints carries text others chose: a
 * server's SSE event names and data, WebSocket messages and close reasons, HTTP/2 header values, gRPC status
 * messages (percent-decoded), MQTT topics, request names from a shared collection. A terminal obeys control
 * characters wherever they come from: ESC starts sequences that clear the screen, retitle the window, write
 * the clipboard (OSC 52) or make a link whose target differs from its text (OSC 8); CR moves back and lets the
 * rest of a line overwrite what was printed before it. So every control character but tab and newline is
 * shown as an escape a person can read (`\x1b`, `\r`, `\u009b`), and nothing a server sends drives the
 * terminal. Unicode's bidirectional controls (RLO U+202E and its kin) are shown the same way: a terminal that
 * lays out right-to-left text (GNOME's VTE, Konsole, mlterm) draws `abc<RLO>gpj.exe` as `abcexe.jpg`, so a
 * header value or event name could show other text than it holds ("Trojan Source"). So is every other Unicode
 * format character (category Cf), which a terminal draws as nothing: a zero-width space or word joiner makes
 * `acct<U+200B>42` look like `acct42`, and the tag characters (U+E0020–U+E007F) carry whole sentences no one
 * sees ("ASCII smuggling"). A zero-width joiner between two emoji (`👩‍💻`) is left as it is: that is how the
 * emoji is written, and it hides nothing. `--json` output is unchanged in meaning: JSON strings already escape
 * C0 characters, and an escaped C1 or format character (`\u009b`, `\u202e`, `\udb40\udc41`) is the same JSON
 * string.
 */

/**
 * C0 controls but tab and newline, DEL, the C1 controls (U+0080–U+009F: U+009B is a one-character CSI), and
 * Unicode's format characters (Cf: the bidirectional ones, zero-width spaces and joiners, the byte order mark,
 * the soft hyphen, the tag characters), but a zero-width joiner inside an emoji sequence.
 */
const CONTROL =
  // eslint-disable-next-line no-control-regex -- these are exactly the characters being shown as escapes
  /[\x00-\x08\x0b-\x1f\x7f-\x9f]|(?!(?<=\p{Extended_Pictographic}(?:\u{fe0f}|[\u{1f3fb}-\u{1f3ff}])?)\u200d(?=\p{Extended_Pictographic}))\p{Cf}/gu

const NAMED: Readonly<Record<string, string>> = { '\r': '\\r', '\x0b': '\\v', '\f': '\\f', '\b': '\\b' }

function escapeOne(c: string): string {
  const named = NAMED[c]
  if (named !== undefined) return named
  const code = c.charCodeAt(0)
  if (code < 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`
  // DEL, C1 and format characters reach here inside --json strings too (JSON.stringify leaves them raw): \u is
  // valid JSON, \x is not; a tag character is two UTF-16 units, each written as one.
  let out = ''
  for (let i = 0; i < c.length; i++) out += `\\u${c.charCodeAt(i).toString(16).padStart(4, '0')}`
  return out
}

/** `text` with every control character but tab and newline written as a visible escape. */
export function terminalText(text: string): string {
  // Most output has none: one scan, no copy.
  CONTROL.lastIndex = 0
  if (!CONTROL.test(text)) return text
  CONTROL.lastIndex = 0
  return text.replace(CONTROL, escapeOne)
}
