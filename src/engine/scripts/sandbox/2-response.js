/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 2 (response): pm.response, and the responses pm.sendRequest answers with.
// The fields as properties, the methods on the prototype (a response costs one object and its header list); the
// body is parsed once, on the first json(); the cookies are read from its Set-Cookie headers on first use.
function ScriptResponse(r) {
  this.code = r.code
  this.status = r.status
  this.headers = new PropertyList(r.headers, null, true, 'header')
  this.responseTime = r.responseTime
  this.responseSize = r.responseSize
  this._r = r
}
ScriptResponse.prototype.text = function () {
  return this._r.body
}
ScriptResponse.prototype.json = function () {
  if (this._parsed === undefined) this._parsed = parseBodyJSON(this._r.body)
  return this._parsed
}
ScriptResponse.prototype.reason = function () {
  return this.status
}
// As postman-collection's Response#size: the body's bytes, the status line's and headers' as HTTP/1.1 writes them.
ScriptResponse.prototype.size = function () {
  var header = ('HTTP/X.X ' + this.code + ' ' + this.status + '\r\n\r\n').length
  this.headers.each(function (h) {
    header += (h.key + ': ' + h.value + '\r\n').length
  })
  return { body: this.responseSize, header: header, total: this.responseSize + header }
}
ScriptResponse.prototype.toJSON = function () {
  return {
    code: this.code,
    status: this.status,
    headers: this.headers.toJSON(),
    responseTime: this.responseTime,
    responseSize: this.responseSize,
  }
}
Object.defineProperty(ScriptResponse.prototype, 'to', {
  enumerable: true,
  get: function () {
    return new RespTo(this, false)
  },
})
// The cookies this response set (its Set-Cookie headers), by name: pm.response.cookies.get('session').
Object.defineProperty(ScriptResponse.prototype, 'cookies', {
  enumerable: true,
  get: function () {
    if (this._cookies === undefined)
      this._cookies = new PropertyList(setCookies(this._r.headers), null, false)
    return this._cookies
  },
})

function setCookies(headers) {
  var out = []
  for (var i = 0; i < headers.length; i++) {
    var h = headers[i]
    if (String(h.key).toLowerCase() !== 'set-cookie') continue
    var pair = String(h.value).split(';')[0] || ''
    var eq = pair.indexOf('=')
    if (eq <= 0) continue
    var name = pair.slice(0, eq).trim()
    out.push({ key: name, name: name, value: pair.slice(eq + 1).trim() })
  }
  return out
}

function makeResponse(r) {
  return new ScriptResponse(r)
}
