/** One hex dump row: "00000010  48 65 6c 6c 6f ...  |Hello...|", 16 bytes wide, padded when short. */
export function hexRow(offset: number, bytes: Uint8Array): string {
  let hex = ''
  let ascii = ''
  for (let i = 0; i < 16; i++) {
    const b = bytes[i]
    hex += b === undefined ? '   ' : `${b.toString(16).padStart(2, '0')} `
    if (i === 7) hex += ' '
    if (b !== undefined) ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'
  }
  return `${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`
}
