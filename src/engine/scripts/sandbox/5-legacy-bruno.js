/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 5 (other APIs): Postman's legacy globals (postman.*, request, responseBody's
// kin) and Bruno's bru, req and res, each built by part() (5-api.js) the first time a script names it.

function makePostman(phase) {
  var env = part(phase, 'environment')
  var globals = part(phase, 'globals')
  return {
    setNextRequest: part(phase, 'setNext'),
    setEnvironmentVariable: function (k, v) {
      env.set(k, v)
    },
    getEnvironmentVariable: function (k) {
      return env.get(k)
    },
    clearEnvironmentVariable: function (k) {
      env.unset(k)
    },
    setGlobalVariable: function (k, v) {
      globals.set(k, v)
    },
    getGlobalVariable: function (k) {
      return globals.get(k)
    },
    clearGlobalVariable: function (k) {
      globals.unset(k)
    },
    getResponseHeader: function (k) {
      var response = part(phase, 'response')
      return response ? response.headers.get(k) : undefined
    },
  }
}

function makeBru(phase) {
  var env = part(phase, 'environment')
  return {
    setVar: function (k, v) {
      part(phase, 'local').set(k, v)
    },
    getVar: function (k) {
      return phase.scopes.local[k]
    },
    setEnvVar: function (k, v) {
      env.set(k, v)
    },
    getEnvVar: function (k) {
      return env.get(k)
    },
    getCollectionVar: function (k) {
      return phase.scopes.collection[k]
    },
    getProcessEnv: function () {
      return undefined
    },
    interpolate: function (t) {
      return replaceIn(phase, t)
    },
    setNextRequest: part(phase, 'setNext'),
    sendRequest: part(phase, 'sendRequest'),
  }
}

function makeReq(phase) {
  var requestOf = function () {
    return part(phase, 'request')
  }
  return {
    getUrl: function () {
      return phase.holder.url
    },
    setUrl: function (u) {
      requestOf().url.update(u)
    },
    getMethod: function () {
      return phase.holder.method
    },
    setMethod: function (m) {
      requestOf().method = m
    },
    getHeader: function (k) {
      return requestOf().headers.get(k)
    },
    getHeaders: function () {
      return legacyHeaders(requestOf().headers, false)
    },
    setHeader: function (k, v) {
      requestOf().headers.upsert({ key: k, value: v })
    },
    deleteHeader: function (k) {
      requestOf().headers.remove(k)
    },
    getBody: function () {
      var t = requestOf().body.toString()
      try {
        return phase.holder.body.language === 'json' ? parseJSON(t) : t
      } catch {
        return t
      }
    },
    setBody: function (b) {
      requestOf().body.update(typeof b === 'string' ? b : stringifyJSON(b))
    },
    getName: function () {
      return phase.state.info.requestName
    },
  }
}

function makeRes(phase) {
  var response = part(phase, 'response')
  if (!response) return undefined
  var bodyOf = function () {
    try {
      return response.json()
    } catch {
      return response.text()
    }
  }
  var res = {
    status: response.code,
    statusText: response.status,
    headers: legacyHeaders(response.headers, false),
    responseTime: response.responseTime,
    getStatus: function () {
      return response.code
    },
    getStatusText: function () {
      return response.status
    },
    getHeader: function (k) {
      return response.headers.get(k)
    },
    getHeaders: function () {
      return legacyHeaders(response.headers, false)
    },
    getBody: bodyOf,
    getResponseTime: function () {
      return response.responseTime
    },
  }
  Object.defineProperty(res, 'body', { enumerable: true, get: bodyOf })
  return res
}

/** The legacy globals' headers as newman gives them: enabled ones, by name (`lower`: in lower case). */
function legacyHeaders(list, lower) {
  var out = {}
  list._enabled().forEach(function (h) {
    out[lower ? String(h.key).toLowerCase() : h.key] = h.value
  })
  return out
}

/** The legacy `request`; its `data` read on first use (a big body is fetched only then, see 2-bodies.js). */
function legacyRequest(phase) {
  var out = {
    url: phase.holder.url,
    method: phase.holder.method,
    headers: legacyHeaders(part(phase, 'request').headers, true),
  }
  var data
  var read = false
  Object.defineProperty(out, 'data', {
    configurable: true,
    enumerable: true,
    get: function () {
      if (!read) data = legacyData(phase.holder.body)
      read = true
      return data
    },
    set: function (v) {
      data = v
      read = true
    },
  })
  out.name = phase.state.info.requestName
  return out
}

/** The legacy `request.data`: a form's fields by name, a raw body's text, {} for none (as newman's). */
function legacyData(body) {
  if (body.mode === 'raw') return body.raw
  var out = {}
  if (body.mode === 'urlencoded')
    body.urlencoded.forEach(function (f) {
      if (f.disabled !== true) out[f.key] = f.value
    })
  return out
}
