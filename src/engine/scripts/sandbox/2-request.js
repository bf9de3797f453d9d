/* eslint-disable no-undef, @typescript-eslint/no-unused-vars -- fragments of one script, joined inside one function by scripts/sandbox-bundle.mjs: names cross these files */
// The script sandbox's prelude, part 2: pm.request and pm.response as objects: header and query lists, the URL, the body.
// A list of { key, value } as postman-collection's PropertyList (headers, query parameters, form fields).
// `format`: how the list reads as text (toString): 'header' lines, 'query' a query string, else `key: value` lines.
function PropertyList(items, onChange, caseless, format) {
  this._items = items
  this._onChange = onChange || function () {}
  this._caseless = caseless
  this._format = format
}
PropertyList.prototype._same = function (a, b) {
  return this._caseless ? String(a).toLowerCase() === String(b).toLowerCase() : a === b
}
// As postman-collection's: a disabled entry is in the list (all, each, count, toObject see it) and get() finds
// it too (an enabled one of the same key first); only what goes out (toString, a query string) leaves it out.
PropertyList.prototype._find = function (key) {
  var off
  for (var i = 0; i < this._items.length; i++) {
    var it = this._items[i]
    if (!this._same(it.key, key)) continue
    if (!it.disabled) return it
    off = off || it
  }
  return off
}
PropertyList.prototype.get = function (key) {
  var it = this._find(key)
  return it ? it.value : undefined
}
PropertyList.prototype.one = function (key) {
  return this._find(key)
}
PropertyList.prototype.has = function (key, value) {
  var it = this._find(key)
  return it !== undefined && (arguments.length < 2 || it.value === value)
}
PropertyList.prototype.add = function (item) {
  if (typeof item === 'string') {
    var at = item.indexOf(':')
    item = { key: item.slice(0, at).trim(), value: item.slice(at + 1).trim() }
  }
  this._items.push(kv(item))
  this._onChange()
}
PropertyList.prototype.upsert = function (item) {
  var it = this._find(item.key)
  if (it) {
    it.value = str(item.value)
    this._onChange()
  } else this.add(item)
}
PropertyList.prototype.remove = function (predicate) {
  var before = this._items.length
  this._items.splice(
    0,
    this._items.length,
    ...this._items.filter((it) => {
      if (typeof predicate === 'function') return !predicate(it)
      return !this._same(it.key, typeof predicate === 'object' && predicate ? predicate.key : predicate)
    }),
  )
  if (this._items.length !== before) this._onChange()
}
PropertyList.prototype.clear = function () {
  this._items.splice(0, this._items.length)
  this._onChange()
}
PropertyList.prototype.all = function () {
  return this._items.slice()
}
PropertyList.prototype._enabled = function () {
  return this._items.filter(function (it) {
    return !it.disabled
  })
}
PropertyList.prototype.each = function (fn) {
  this.all().forEach(fn)
}
PropertyList.prototype.map = function (fn) {
  return this.all().map(fn)
}
PropertyList.prototype.filter = function (fn) {
  return this.all().filter(fn)
}
PropertyList.prototype.find = function (fn) {
  return this.all().find(fn)
}
PropertyList.prototype.count = function () {
  return this.all().length
}
// A header list's keys in lower case, as postman-collection's case-insensitive lists give them.
PropertyList.prototype.toObject = function () {
  var out = {}
  var lower = this._caseless
  this.each(function (it) {
    out[lower ? String(it.key).toLowerCase() : it.key] = it.value
  })
  return out
}
PropertyList.prototype.toJSON = function () {
  return this.all()
}
PropertyList.prototype.toString = function () {
  if (this._format === 'query') return unparseQuery(this._items)
  var end = this._format === 'header' ? '\r\n' : ''
  return this._enabled()
    .map(function (it) {
      return it.key + ': ' + it.value + end
    })
    .join(end ? '' : '\n')
}

function splitUrl(href) {
  var hash = href.indexOf('#')
  var frag = hash >= 0 ? href.slice(hash) : ''
  var rest = hash >= 0 ? href.slice(0, hash) : href
  var q = rest.indexOf('?')
  var base = q >= 0 ? rest.slice(0, q) : rest
  var query = []
  if (q >= 0 && rest.length > q + 1) {
    rest
      .slice(q + 1)
      .split('&')
      .forEach(function (pair) {
        var eq = pair.indexOf('=')
        query.push(eq >= 0 ? { key: pair.slice(0, eq), value: pair.slice(eq + 1) } : { key: pair, value: '' })
      })
  }
  return { base: base, query: query, frag: frag }
}

// pm.request.url: the URL as text (templates unresolved in a pre-request script, as Postman shows it).
function Url(holder) {
  var parts = splitUrl(holder.url)
  this._holder = holder
  this._base = parts.base
  this._frag = parts.frag
  this.query = new PropertyList(parts.query, () => this._write(), false, 'query')
  // Path variables (`:id`): Flightdeck's URLs have none, so the list is empty, as newman's is for such URLs.
  this.variables = new PropertyList([], null, false)
}
Url.prototype._write = function () {
  var qs = this.getQueryString()
  this._holder.url = this._base + (qs ? '?' + qs : '') + this._frag
  this._holder.changed = true
}
Url.prototype.toString = function () {
  return this._holder.url
}
Url.prototype.toJSON = function () {
  return this._holder.url
}
Url.prototype.update = function (href) {
  var parts = splitUrl(String(href))
  this._base = parts.base
  this._frag = parts.frag
  this.query._items.splice(0, this.query._items.length, ...parts.query)
  this._write()
}
Url.prototype.getQueryString = function () {
  return this.query
    ._enabled()
    .map(function (it) {
      return it.value === '' || it.value === undefined ? it.key : it.key + '=' + it.value
    })
    .join('&')
}
Url.prototype._hostPart = function () {
  var m = /^([a-z][a-z0-9+.-]*:\/\/)?([^/]*)(\/.*)?$/i.exec(this._base)
  return m ? { proto: (m[1] || '').replace('://', ''), host: m[2] || '', path: m[3] || '/' } : null
}
Url.prototype.getHost = function () {
  var p = this._hostPart()
  return p ? p.host.replace(/:\d+$/, '') : ''
}
Url.prototype.getRemote = function () {
  var p = this._hostPart()
  return p ? p.host : ''
}
Url.prototype.getPath = function () {
  var p = this._hostPart()
  return p ? p.path : '/'
}
Url.prototype.getPathWithQuery = function () {
  var qs = this.getQueryString()
  return this.getPath() + (qs ? '?' + qs : '')
}
Object.defineProperty(Url.prototype, 'protocol', {
  get: function () {
    var p = this._hostPart()
    return p && p.proto ? p.proto : undefined
  },
})
Object.defineProperty(Url.prototype, 'path', {
  get: function () {
    return this.getPath().split('/').filter(Boolean)
  },
})
Object.defineProperty(Url.prototype, 'port', {
  get: function () {
    var m = /:(\d+)$/.exec(this.getRemote())
    return m ? m[1] : undefined
  },
})
Object.defineProperty(Url.prototype, 'hash', {
  get: function () {
    return this._frag ? this._frag.slice(1) : undefined
  },
})
Object.defineProperty(Url.prototype, 'host', {
  get: function () {
    return this.getHost().split('.')
  },
})

// A form's fields as text, as postman-collection writes them (QueryParam.unparse): enabled fields only, values as
// they are but for the characters that would split them (&, #; and = in a key), which are percent-encoded.
function unparseQuery(fields) {
  var out = []
  for (var i = 0; i < fields.length; i++) {
    var f = fields[i]
    if (f.disabled === true) continue
    out.push(reserved(str(f.key), true) + '=' + reserved(str(f.value), false))
  }
  return out.join('&')
}

function reserved(text, equalsToo) {
  // {{templates}} stay whole, as postman-collection keeps them.
  return text
    .split(/({{[^{}]*}})/)
    .map(function (part, i) {
      if (i % 2 === 1) return part
      var done = part.replace(/&/g, '%26').replace(/#/g, '%23')
      return equalsToo ? done.replace(/=/g, '%3D') : done
    })
    .join('')
}

function makeBody(holder) {
  var b = holder.body
  var body = {
    mode: b.mode,
    toString: function () {
      if (holder.body.mode === 'raw') return holder.body.raw
      if (holder.body.mode === 'urlencoded') return unparseQuery(holder.body.urlencoded)
      return ''
    },
    update: function (next) {
      if (typeof next === 'string') {
        holder.body = { mode: 'raw', raw: next, language: holder.body.language || 'text' }
      } else if (next && next.mode === 'raw') {
        holder.body = { mode: 'raw', raw: str(next.raw), language: holder.body.language || 'text' }
      } else if (next && next.mode === 'urlencoded') {
        holder.body = { mode: 'urlencoded', urlencoded: (next.urlencoded || []).map(kv) }
      } else throw new Error('pm.request.body.update: only raw and urlencoded bodies can be set')
      holder.changed = true
      body.mode = holder.body.mode
    },
    isEmpty: function () {
      return body.toString() === ''
    },
  }
  Object.defineProperty(body, 'raw', {
    enumerable: true,
    get: function () {
      return holder.body.mode === 'raw' ? holder.body.raw : undefined
    },
    set: function (v) {
      body.update(str(v))
    },
  })
  // The fields' list is made on the first use of it: a big form's fields are fetched only then (2-bodies.js).
  if (b.mode === 'urlencoded') {
    var fields
    Object.defineProperty(body, 'urlencoded', {
      configurable: true,
      enumerable: true,
      get: function () {
        if (!fields)
          fields = new PropertyList(
            b.urlencoded,
            function () {
              holder.changed = true
            },
            false,
            'query',
          )
        return fields
      },
      set: function (v) {
        fields = v
      },
    })
  }
  // A JSON body says so as a Postman body does (its options), when it is read as JSON.
  Object.defineProperty(body, 'options', {
    enumerable: true,
    get: function () {
      return holder.body.mode === 'raw' && holder.body.language === 'json'
        ? { raw: { language: 'json' } }
        : undefined
    },
  })
  return body
}

// An entry as postman-collection writes it: `disabled` only when it is.
function kv(it) {
  var out = { key: String(it.key), value: str(it.value) }
  if (it.disabled === true) out.disabled = true
  return out
}

function makeRequest(holder, mutable) {
  var onChange = function () {
    if (!mutable) return
    holder.changed = true
  }
  var req = {
    url: new Url(holder),
    headers: new PropertyList(holder.headers, onChange, true, 'header'),
    body: makeBody(holder),
    addHeader: function (h) {
      req.headers.add(h)
    },
    removeHeader: function (k) {
      req.headers.remove(k)
    },
    toJSON: function () {
      return { method: holder.method, url: holder.url, header: holder.headers, body: unreadBody(holder.body) }
    },
  }
  Object.defineProperty(req, 'method', {
    enumerable: true,
    get: function () {
      return holder.method
    },
    set: function (v) {
      holder.method = String(v).toUpperCase()
      onChange()
    },
  })
  Object.defineProperty(req, 'auth', {
    enumerable: true,
    get: function () {
      return holder.auth
    },
    set: function (v) {
      holder.auth = v
      onChange()
    },
  })
  return req
}
