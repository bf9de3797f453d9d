/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 2 (JSON): a response body parsed at any depth.
// QuickJS's JSON.parse recurses once per nesting level and stops at the sandbox's stack (a few thousand levels,
// fewer inside a deep script); newman's (V8's) parses any depth. A body the native parser gives up on for its
// stack is parsed again here, its arrays and objects kept on a list instead of the stack; each string, number
// and literal still goes through the native parser, so what is valid JSON and what each value reads as stay
// JSON.parse's. Memory: the parsed value and one entry per open level, both bounded by the body's length.

function isStackOverflow(e) {
  return e !== null && typeof e === 'object' && /stack overflow/i.test(String(e.message))
}

/** JSON.parse of a body, at any depth. */
function parseBodyJSON(text) {
  try {
    return parseJSON(text)
  } catch (e) {
    if (!isStackOverflow(e)) throw e
    return parseDeepJSON(String(text))
  }
}

// eslint-disable-next-line no-control-regex -- JSON's strings may not hold raw control characters: those go to JSON.parse
var PLAIN_STRING = /^[^\\\u0000-\u001f]*$/

/** Digits, sign, point and exponent: a number token's characters (the native parser then checks its form). */
function isNumberChar(c) {
  return (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46 || c === 101 || c === 69
}

function parseDeepJSON(text) {
  var i = 0
  var n = text.length
  // Open arrays and objects, innermost last, side by side (no object per level): the container, whether it is an
  // array, the member being read.
  var open = []
  var isArr = []
  var keys = []
  function fail(what) {
    var said = i >= n ? 'unexpected end' : what
    throw new SyntaxError('JSON: ' + said + ' at position ' + i + ', ' + open.length + ' levels deep')
  }
  function space() {
    for (; i < n; i++) {
      var c = text.charCodeAt(i)
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return
    }
  }
  // A string token's end: the first quote not escaped (an odd run of backslashes before it escapes it).
  function stringEnd(from) {
    var at = from + 1
    for (;;) {
      var q = text.indexOf('"', at)
      if (q < 0) {
        i = n
        fail('unterminated string')
      }
      var back = 0
      while (text.charCodeAt(q - 1 - back) === 92) back++
      if (back % 2 === 0) return q + 1
      at = q + 1
    }
  }
  function token(end) {
    var v = parseJSON(text.slice(i, end))
    i = end
    return v
  }
  // Most strings (member names above all) have no escape or control character: their text is their value. A deep
  // body repeats its member names level after level: the last plain one is matched as it stands.
  var lastRaw = ''
  var lastValue = ''
  function string() {
    if (lastRaw !== '' && text.startsWith(lastRaw, i)) {
      i += lastRaw.length
      return lastValue
    }
    var end = stringEnd(i)
    var inner = text.slice(i + 1, end - 1)
    if (!PLAIN_STRING.test(inner)) return token(end)
    lastRaw = text.slice(i, end)
    lastValue = inner
    i = end
    return inner
  }
  function key() {
    space()
    if (text.charCodeAt(i) !== 34) fail('expected a member name')
    var k = string()
    space()
    if (text.charCodeAt(i) !== 58) fail("expected ':'")
    i++
    return k
  }
  function put(at, v) {
    var c = open[at]
    if (isArr[at]) c.push(v)
    // As JSON.parse: a member named __proto__ is an own property, not the object's prototype.
    else if (keys[at] === '__proto__')
      Object.defineProperty(c, '__proto__', {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      })
    else c[keys[at]] = v
  }
  for (;;) {
    space()
    var v
    var c = text.charCodeAt(i)
    if (c === 123 || c === 91) {
      i++
      space()
      var arr = c === 91
      var made = arr ? [] : {}
      if (text.charCodeAt(i) === (arr ? 93 : 125)) {
        i++
        v = made
      } else {
        open.push(made)
        isArr.push(arr)
        keys.push(arr ? '' : key())
        continue
      }
    } else if (c === 34) v = string()
    else if (c === 45 || (c >= 48 && c <= 57)) {
      var end = i + 1
      while (end < n && isNumberChar(text.charCodeAt(end))) end++
      v = token(end)
    } else if (text.startsWith('true', i)) v = token(i + 4)
    else if (text.startsWith('false', i)) v = token(i + 5)
    else if (text.startsWith('null', i)) v = token(i + 4)
    else fail(i < n ? 'unexpected character' : 'unexpected end')
    // A value read: into the container it is in, closing each container that ends after it.
    for (;;) {
      if (open.length === 0) {
        space()
        if (i < n) fail('unexpected text after the value')
        return v
      }
      var at = open.length - 1
      put(at, v)
      space()
      var next = text.charCodeAt(i)
      if (next === 44) {
        i++
        if (!isArr[at]) keys[at] = key()
        break
      }
      if (next !== (isArr[at] ? 93 : 125)) fail(isArr[at] ? "expected ',' or ']'" : "expected ',' or '}'")
      i++
      v = open.pop()
      isArr.pop()
      keys.pop()
    }
  }
}
