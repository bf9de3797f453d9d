import { describe, expect, it } from 'vitest'
import { fileTypeOrDefault, guessFileType } from '../../src/shared/file-type'

describe('the type a file name says', () => {
  it('reads the last segment’s extension, any case, POSIX or Windows path', () => {
    expect(guessFileType('/home/ana/receipts/may.CSV')).toBe('text/csv')
    expect(guessFileType('C:\\Users\\ana\\scan.png')).toBe('image/png')
    expect(guessFileType('archive.tar.gz')).toBe('application/gzip')
  })

  it('none for no extension, a dotfile, a dot in a folder name, or a name the table does not know', () => {
    expect(guessFileType('README')).toBeNull()
    expect(guessFileType('/home/ana/.bashrc')).toBeNull()
    expect(guessFileType('/srv/conf.d/site')).toBeNull()
    expect(guessFileType('dump.unknownext')).toBeNull()
    // The table's own object keys are not extensions.
    expect(guessFileType('x.constructor')).toBeNull()
    expect(guessFileType('x.__proto__')).toBeNull()
    expect(fileTypeOrDefault('dump.unknownext')).toBe('application/octet-stream')
  })
})
