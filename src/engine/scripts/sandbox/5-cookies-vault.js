/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 5 (cookies and vault): pm.cookies and its jar, which reach the engine's cookie
// jar through the host, and pm.vault, which is not offered.

// pm.cookies: the jar's cookies for the request's URL (a response's own Set-Cookie included), as a list.
function CookieList(phase) {
  var items = (phase.state.cookies || []).map(function (c) {
    return {
      key: c.name,
      value: c.value,
      name: c.name,
      domain: c.domain,
      path: c.path,
      expires: c.expires,
      httpOnly: c.httpOnly,
      secure: c.secure,
    }
  })
  PropertyList.call(this, items, null, false)
  this._p = phase
}
CookieList.prototype = Object.create(PropertyList.prototype)
CookieList.prototype.constructor = CookieList
CookieList.prototype.jar = function () {
  return new ScriptCookieJar(this._p)
}

// pm.cookies.jar(): the engine's cookie jar (the one later requests of the run, or the app, send cookies from);
// each operation answers its callback (or the promise it returns) once the engine has done it.
var MAX_COOKIE_OPS = 100
function ScriptCookieJar(phase) {
  this._p = phase
}
function cookieAsk(phase, op, cb, shape) {
  if (phase.cookieOps >= MAX_COOKIE_OPS)
    throw new RangeError(
      'pm.cookies.jar(): more than ' + MAX_COOKIE_OPS + ' cookie operations in one script phase',
    )
  phase.cookieOps++
  var id = phase.nextSend++
  var settle
  var promise = new Promise(function (resolve, reject) {
    settle = { resolve: resolve, reject: reject }
  })
  if (!phase.sends) phase.sends = new Map()
  phase.sends.set(id, { cb: typeof cb === 'function' ? cb : null, settle: settle, cookie: shape })
  host.send(phase.id, id, stringifyJSON({ cookie: op }))
  if (typeof cb === 'function') {
    promise.catch(function () {})
    return undefined
  }
  return promise
}
function urlText(url) {
  return url && typeof url.toString === 'function' ? url.toString() : String(url)
}
ScriptCookieJar.prototype.get = function (url, name, cb) {
  return cookieAsk(this._p, { op: 'get', url: urlText(url), name: String(name) }, cb, 'value')
}
ScriptCookieJar.prototype.getAll = function (url, options, cb) {
  if (typeof options === 'function') cb = options
  return cookieAsk(this._p, { op: 'getAll', url: urlText(url) }, cb, 'value')
}
ScriptCookieJar.prototype.set = function (url, name, value, cb) {
  var cookie
  if (name && typeof name === 'object') {
    cb = value
    cookie = {
      name: String(name.name !== undefined ? name.name : name.key),
      value: str(name.value),
    }
    ;['path', 'domain', 'expires'].forEach(function (k) {
      if (name[k] !== undefined && name[k] !== null) cookie[k] = String(name[k])
    })
    if (name.httpOnly === true) cookie.httpOnly = true
    if (name.secure === true) cookie.secure = true
  } else {
    if (typeof value === 'function') {
      cb = value
      value = ''
    }
    cookie = { name: String(name), value: str(value) }
  }
  return cookieAsk(this._p, { op: 'set', url: urlText(url), cookie: cookie }, cb, 'value')
}
ScriptCookieJar.prototype.unset = function (url, name, cb) {
  return cookieAsk(this._p, { op: 'unset', url: urlText(url), name: String(name) }, cb, 'none')
}
ScriptCookieJar.prototype.clear = function (url, cb) {
  return cookieAsk(this._p, { op: 'clear', url: urlText(url) }, cb, 'none')
}

// pm.vault: Postman's vault has no counterpart here; its calls stop the script saying what to use instead.
function noVault(what) {
  return function (key) {
    throw new Error(
      'pm.vault.' +
        what +
        ": Postman's vault is not available in Flightdeck; keep the secret as a secret variable of the collection or its environment (it stays out of the collection's files) and read it with pm.variables.get('" +
        String(key) +
        "')",
    )
  }
}
var VAULT = Object.freeze({ get: noVault('get'), set: noVault('set'), unset: noVault('unset') })
