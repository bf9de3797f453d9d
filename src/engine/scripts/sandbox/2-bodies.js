/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 2 (bodies): a big body is fetched from the host on a script's first read of it
// (script-bodies.ts keeps it there, the state carries its size as `lazy`). A body a script never reads never enters
// this heap; one too big for the heap is refused in words that name the body and the limit, before it is copied.

/** A body's share of the heap a script may fill with it: the rest is for what the script makes of it. */
var BODY_SHARE = 4

function megabytes(bytes) {
  return (bytes / 1048576).toFixed(1) + ' MB'
}

function bodyTooBig(which, bytes, limits, readLimit) {
  var fits = Math.floor((limits.memoryMb * 1048576) / BODY_SHARE)
  var read = readLimit !== undefined && readLimit < fits
  return new RangeError(
    'the ' +
      which +
      ' body (' +
      megabytes(bytes) +
      ") does not fit in the script's " +
      limits.memoryMb +
      ' MB memory: a script reads a ' +
      which +
      ' body of up to ' +
      megabytes(read ? readLimit : fits) +
      (read ? '' : ', a quarter of its memory') +
      ' (a fixed limit); the ' +
      which +
      (which === 'request' ? ' went out whole' : ' came in whole') +
      ', and the timeline has its body',
  )
}

/** A body that fits the limit, but not in what the script's own values left of the memory. */
function bodyNoRoom(which, bytes, limits) {
  return new RangeError(
    'the ' +
      which +
      ' body (' +
      megabytes(bytes) +
      ") was not read: the script's own values fill its " +
      limits.memoryMb +
      ' MB memory',
  )
}

/**
 * The body text of a lazy holder (`holder[key]` on first read), fetched once and kept as a plain property; `decode`
 * makes it the value the holder keeps (a form's fields come as JSON).
 */
function lazyBody(phase, which, holder, key, bytes, decode) {
  var fits = (phase.limits.memoryMb * 1048576) / BODY_SHARE
  Object.defineProperty(holder, key, {
    configurable: true,
    enumerable: false,
    get: function () {
      if (bytes > fits) throw bodyTooBig(which, bytes, phase.limits)
      var text = host.body(phase.id, which)
      if (text === null) throw bodyNoRoom(which, bytes, phase.limits)
      if (typeof text !== 'string') throw new Error('the ' + which + ' body is gone (its phase ended)')
      var value = decode ? decode(text) : text
      Object.defineProperty(holder, key, {
        configurable: true,
        enumerable: true,
        writable: true,
        value: value,
      })
      delete holder.lazy
      return value
    },
    set: function (v) {
      Object.defineProperty(holder, key, { configurable: true, enumerable: true, writable: true, value: v })
      delete holder.lazy
    },
  })
}

/** A body as console.log and JSON.stringify show it while no script read it: its size, in words. */
function unreadBody(body) {
  if (typeof body.lazy !== 'number') return body
  var words = '<body of ' + megabytes(body.lazy) + ', not read by the script>'
  var out = { mode: body.mode }
  if (body.mode === 'urlencoded') out.urlencoded = words
  else {
    out.raw = words
    if (body.language !== undefined) out.language = body.language
    if (body.contentType !== undefined) out.contentType = body.contentType
  }
  return out
}

/** A response whose body the host did not read (over its read limit): reading it says why. */
function cutBody(phase, response) {
  Object.defineProperty(response, 'body', {
    configurable: true,
    enumerable: false,
    get: function () {
      throw bodyTooBig('response', response.responseSize, phase.limits, response.bodyLimit)
    },
  })
}

/** A pm.sendRequest's response: one whose body was over the read limit says so when read. */
function sentResponse(phase, r) {
  if (r.bodyCut === true) cutBody(phase, r)
  return makeResponse(r)
}
