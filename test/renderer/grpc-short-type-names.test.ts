import { describe, expect, it } from 'vitest'
import { shortTypeNames } from '../../src/renderer/grpc/short-type-names'

/**
 * The gRPC bar names a method's types by what tells them apart: at 1024 px both full names were cut to
 * "flightdeck…", the package they share.
 */
describe('shortTypeNames', () => {
  it('shows the last segment of each name', () => {
    expect(shortTypeNames('flightdeck.test.SayRequest', 'flightdeck.test.SayReply')).toEqual([
      'SayRequest',
      'SayReply',
    ])
    expect(shortTypeNames('google.protobuf.Empty', 'google.protobuf.Empty')).toEqual(['Empty', 'Empty'])
    expect(shortTypeNames('Bare', 'pkg.Reply')).toEqual(['Bare', 'Reply'])
  })

  it('keeps as many segments as tell two different types with one last segment apart', () => {
    expect(shortTypeNames('shop.v1.Order', 'shop.v2.Order')).toEqual(['v1.Order', 'v2.Order'])
    expect(shortTypeNames('a.v1.Msg', 'b.v1.Msg')).toEqual(['a.v1.Msg', 'b.v1.Msg'])
    expect(shortTypeNames('v1.Msg', 'x.v1.Msg')).toEqual(['v1.Msg', 'x.v1.Msg'])
  })
})
