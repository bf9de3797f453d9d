import { describe, expect, it } from 'vitest'
import { formatBytes, formatMs } from '../../src/shared/format'

describe('formatMs', () => {
  it('prints sub-10 ms values with one decimal', () => {
    expect(formatMs(0)).toBe('0.0 ms')
    expect(formatMs(0.42)).toBe('0.4 ms')
    expect(formatMs(3.44)).toBe('3.4 ms')
    expect(formatMs(9.94)).toBe('9.9 ms')
  })
  it('rolls 9.96 ms over to whole milliseconds', () => {
    expect(formatMs(9.96)).toBe('10 ms')
  })
  it('prints whole milliseconds below a second', () => {
    expect(formatMs(10)).toBe('10 ms')
    expect(formatMs(245.4)).toBe('245 ms')
    expect(formatMs(999.4)).toBe('999 ms')
  })
  it('rolls 999.6 ms over to seconds instead of printing 1000 ms', () => {
    expect(formatMs(999.6)).toBe('1.00 s')
  })
  it('prints seconds with two then one decimals', () => {
    expect(formatMs(1234)).toBe('1.23 s')
    expect(formatMs(9999)).toBe('10.0 s')
    expect(formatMs(12_345)).toBe('12.3 s')
    expect(formatMs(59_990)).toBe('1 min 00 s')
  })
  it('prints minutes and hours', () => {
    expect(formatMs(125_000)).toBe('2 min 05 s')
    expect(formatMs(3_720_000)).toBe('1 h 02 min')
  })
  it('prints a dash for phases that did not happen', () => {
    expect(formatMs(-1)).toBe('—')
    expect(formatMs(Number.NaN)).toBe('—')
    expect(formatMs(Number.POSITIVE_INFINITY)).toBe('—')
  })
})

describe('formatBytes', () => {
  it('prints bytes below 1 KB', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1023)).toBe('1023 B')
  })
  it('prints KB with one decimal below 100 and whole above', () => {
    expect(formatBytes(1024)).toBe('1.0 KB')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(15_565)).toBe('15.2 KB')
    expect(formatBytes(155_648)).toBe('152 KB')
  })
  it('moves to the next unit instead of printing 1024 KB', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MB')
    expect(formatBytes(1024 * 1024)).toBe('1.0 MB')
    expect(formatBytes(2.5 * 1024 * 1024)).toBe('2.5 MB')
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GB')
  })
  it('prints a dash for nonsense', () => {
    expect(formatBytes(-1)).toBe('—')
    expect(formatBytes(Number.NaN)).toBe('—')
  })
})
