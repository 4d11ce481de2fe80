/* SQL console: completion from the live database, as CodeMirror's hint "pgadmin" (used by sql.js).
 *
 * The names come from one JSON document (/sql/completions: schemas, tables and views with their columns,
 * functions, PostgreSQL's keywords), fetched once and asked again after a run ("changed?": the server answers
 * 304 while the names are the same). Offered, best first: columns of the tables the statement names (and of an
 * alias after "alias."), tables and views, functions, schemas, keywords. Names that need quoting are quoted. */
(function () {
  "use strict";
  var CM = window.CodeMirror;
  if (!CM) { return; }

  var names = null;   /* the indexed document */
  var loading = null; /* the fetch in flight */
  var IDENT = /^[a-z_][a-z0-9_$]*$/;

  function index(doc) {
    var byKey = {}, bySchema = {}, inPath = {};
    doc.search_path.forEach(function (s) { inPath[s] = true; });
    var keywords = {};
    doc.keywords.forEach(function (k) { keywords[k] = true; });
    var relations = doc.relations.map(function (r) {
      var rel = { schema: r[0], name: r[1], kind: r[2], columns: r[3] };
      byKey[(r[0] + "." + r[1]).toLowerCase()] = rel;
      if (inPath[r[0]] && !byKey[r[1].toLowerCase()]) { byKey[r[1].toLowerCase()] = rel; }
      (bySchema[r[0]] = bySchema[r[0]] || []).push(rel);
      return rel;
    });
    return { doc: doc, relations: relations, byKey: byKey, bySchema: bySchema, inPath: inPath, keywords: keywords };
  }

  function load(url) {
    if (names && !hint.stale) { return Promise.resolve(names); }
    if (!loading) {
      loading = window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (doc) { names = index(doc); hint.stale = false; return names; })
        .catch(function () { return names; })
        .then(function (n) { loading = null; return n; });
    }
    return loading;
  }

  function quote(name, n) {
    return IDENT.test(name) && !n.keywords[name] ? name : '"' + name.replace(/"/g, '""') + '"';
  }
  function unquote(part) {
    return part.charAt(0) === '"' ? part.slice(1).replace(/"$/, "").replace(/""/g, '"') : part.toLowerCase();
  }
  function relName(rel, n) {
    return (n.inPath[rel.schema] ? "" : quote(rel.schema, n) + ".") + quote(rel.name, n);
  }

  /* The statement around the cursor: the text between the semicolons before and after it (good enough here). */
  function statementText(cm) {
    var text = cm.getValue(), at = cm.indexFromPos(cm.getCursor());
    var start = text.lastIndexOf(";", at - 1) + 1, end = text.indexOf(";", at);
    return text.slice(start, end < 0 ? text.length : end);
  }

  /* Relations named in the statement, and the aliases given to them ("from clients c", "join x as y"). */
  var REF = /("(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\s*\.\s*("(?:[^"]|"")+"|[A-Za-z_][\w$]*))?(?:\s+(?:as\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*))?/gi;
  function namedRelations(stmt, n) {
    var found = [], aliases = {}, m;
    REF.lastIndex = 0;
    while ((m = REF.exec(stmt)) !== null) {
      var key = m[2] ? unquote(m[1]) + "." + unquote(m[2]) : unquote(m[1]);
      var rel = n.byKey[key];
      if (!rel) {
        REF.lastIndex = m.index + m[1].length; /* the next word may start a reference itself */
        continue;
      }
      if (found.indexOf(rel) < 0) { found.push(rel); }
      var alias = m[3] && unquote(m[3]);
      if (alias && !n.keywords[alias] && !n.byKey[alias]) { aliases[alias] = rel; }
      else if (m[3]) { REF.lastIndex = m.index + m[0].length - m[3].length; }
    }
    return { relations: found, aliases: aliases };
  }

  function item(text, label, kind, rank) {
    return { text: text, display: label || text, kind: kind, rank: rank, render: render };
  }
  function render(el, self, data) {
    var name = document.createElement("span");
    name.className = "hint-name";
    name.textContent = data.display;
    var kind = document.createElement("span");
    kind.className = "hint-kind";
    kind.textContent = data.kind;
    el.appendChild(name);
    el.appendChild(kind);
  }

  function candidates(cm, n, qualifier, prefix, typedUpper) {
    var out = [], named = namedRelations(statementText(cm), n);
    function columnsOf(rel, rank) {
      rel.columns.forEach(function (c) { out.push(item(quote(c[0], n), c[0], c[1], rank)); });
    }
    if (qualifier !== null) {
      var rel = named.aliases[qualifier] || n.byKey[qualifier];
      if (rel) { columnsOf(rel, 0); }
      (n.bySchema[qualifier] || []).forEach(function (r) { out.push(item(quote(r.name, n), r.name, r.kind, 1)); });
      n.doc.functions.forEach(function (f) {
        if (f[0] === qualifier) { out.push(item(quote(f[1], n), f[1] + "()", "function", 2)); }
      });
      return out;
    }
    named.relations.forEach(function (r) { columnsOf(r, 0); });
    n.relations.forEach(function (r) { out.push(item(relName(r, n), relName(r, n), r.kind, 1)); });
    n.doc.functions.forEach(function (f) {
      if (n.inPath[f[0]] || f[0] === "pg_catalog") { out.push(item(quote(f[1], n), f[1] + "()", "function", 2)); }
    });
    n.doc.schemas.forEach(function (s) { out.push(item(quote(s, n), s, "schema", 3)); });
    if (prefix) {
      n.doc.keywords.forEach(function (k) { out.push(item(typedUpper ? k.toUpperCase() : k, null, "keyword", 4)); });
    }
    return out;
  }

  /* options.auto: asked by typing, not by Ctrl+Space. Then a word that is complete as typed (a keyword, a
   * column) gets no list, so Enter after "first" starts a new line instead of picking "first_value". */
  function hint(cm, callback, options) {
    var url = cm.getTextArea().getAttribute("data-completions-url");
    load(url).then(function (n) {
      if (!n) { return callback(null); }
      var cur = cm.getCursor();
      var before = cm.getLine(cur.line).slice(0, cur.ch);
      var word = /(?:(?:"(?:[^"]|"")*"|[\w$]+)\s*\.\s*)*"?[\w$]*$/.exec(before)[0];
      var dot = word.lastIndexOf(".");
      var typed = word.slice(dot + 1).replace(/^\s+/, "");
      var qualifier = dot < 0 ? null : unquote(word.slice(0, dot).replace(/\s+/g, "").split(".").pop());
      var prefix = typed.replace(/^"/, "").toLowerCase();
      var seen = {}, exact = false;
      var list = candidates(cm, n, qualifier, prefix, /[A-Z]/.test(typed) && typed === typed.toUpperCase())
        .filter(function (c) {
          var label = c.display.toLowerCase();
          exact = exact || label === prefix;
          if (label.indexOf(prefix) !== 0 || label === prefix || seen[c.text]) { return false; }
          seen[c.text] = true;
          return true;
        });
      if (exact && options && options.auto) { return callback(null); }
      list.sort(function (a, b) { return a.rank - b.rank || (a.display < b.display ? -1 : a.display > b.display ? 1 : 0); });
      if (!list.length) { return callback(null); }
      callback({ list: list.slice(0, 200), from: CM.Pos(cur.line, cur.ch - typed.length), to: cur });
    });
  }
  hint.async = true;
  hint.stale = false;
  CM.registerHelper("hint", "pgadmin", hint);
})();
