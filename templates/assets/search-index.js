/* The site's search index, read in the browser. The build writes it (sitegen/search.py); its
   format and how a query is answered are described in docs/search.md.
   SiteSearch.open(indexUrl, rootUrl, ranking) gives an index with search(query, {filters}),
   filters() and preload(query); each result's data() loads what the result shows. */
(function () {
  "use strict";

  var KEY_LENGTH = 3;  // a bucket holds the words starting with the same three letters
  var EXCERPT_WORDS = 26;
  var NAME_LENGTH = 16;

  // --- words: as sitegen/searchpage.py folds and cuts them ---------------------------------------
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase();
  }

  function words(text) {
    return fold(text).match(/[\p{L}\p{N}]+/gu) || [];
  }

  function fileKey(key) {
    if (/^[a-z0-9]+$/.test(key)) return key;
    return "_" + Array.prototype.map.call(new TextEncoder().encode(key), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  /* An object with no inherited keys: words and filter values such as "constructor" are data. */
  function dict() {
    return Object.create(null);
  }

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  /* The first `count` letters of a word (code points: a letter outside the Basic Multilingual
     Plane is one letter, as in sitegen/search.py). */
  function head(word, count) {
    return Array.from(word).slice(0, count).join("");
  }

  /* A request's promise, kept for the page's visit unless it fails (then asked again next time). */
  function remembered(cache, key, make) {
    if (!cache[key]) {
      cache[key] = make().catch(function (error) {
        delete cache[key];
        throw error;
      });
    }
    return cache[key];
  }

  function getJSON(url, fresh) {
    return fetch(url, fresh ? { cache: "no-cache" } : {}).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  /* The integers a base64 string holds, each 16 bits, little-endian (sitegen/search.py). */
  function integers(text) {
    var bytes = atob(text), out = new Array(bytes.length >> 1);
    for (var i = 0, at = 0; i < out.length; i++, at += 2) out[i] = bytes.charCodeAt(at) | bytes.charCodeAt(at + 1) << 8;
    return out;
  }

  /* The same for 32-bit integers. */
  function integers32(text) {
    var bytes = atob(text), out = new Array(bytes.length >> 2);
    for (var i = 0, at = 0; i < out.length; i++, at += 4) {
      out[i] = (bytes.charCodeAt(at) | bytes.charCodeAt(at + 1) << 8 | bytes.charCodeAt(at + 2) << 16) +
        bytes.charCodeAt(at + 3) * 16777216;
    }
    return out;
  }

  /* A word's positions in each of its pages: [counts, positions one after another]. */
  function unpack(packed) {
    var all = integers(packed[1]), out = [], at = 0;
    integers(packed[0]).forEach(function (count) {
      out.push(all.slice(at, at + count));
      at += count;
    });
    return out;
  }

  /* The position of `page` in the sorted list `pages`, or -1. */
  function find(pages, page) {
    var low = 0, high = pages.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (pages[middle] === page) return middle;
      if (pages[middle] < page) low = middle + 1; else high = middle - 1;
    }
    return -1;
  }

  /* A query: its words (the last one, maybe unfinished, also matches the words it starts) and
     its quoted phrases. Unbalanced quotes are ignored. */
  function parse(query) {
    var text = query.normalize("NFC");
    if ((text.match(/"/g) || []).length % 2) text = text.replace(/"/g, " ");
    var phrases = [];
    text.replace(/"([^"]*)"/g, function (all, inside) {
      var list = words(inside);
      if (list.length > 1) phrases.push(list);
      return " ";
    });
    var all = words(text), seen = dict(), terms = [];
    var typing = !/"\s*$/.test(text);  // the last word may be unfinished, unless a phrase closed it
    all.forEach(function (word, i) {
      var prefix = typing && i === all.length - 1 && Array.from(word).length > 1;
      var id = word + (prefix ? "*" : "");
      if (seen[id]) return;
      seen[id] = true;
      terms.push({ word: word, prefix: prefix });
    });
    return { terms: terms, phrases: phrases };
  }

  // --- a shard -----------------------------------------------------------------------------------
  function Shard(base, manifest) {
    var self = this;
    this.base = base;
    var pages = manifest.pages;
    this.size = pages.count;
    this.names = pages.fragments;  // 16 hex digits a page: its fragment's name
    this.lengths = integers(pages.words);
    this.dates = integers32(pages.dates);  // yyyymmdd, 0 when none
    this.buckets = manifest.buckets;
    this.keys = Object.keys(manifest.buckets);
    this.sets = dict();  // filter -> value -> set of pages
    this.values = [];  // page -> [[filter, value], ...]
    for (var page = 0; page < this.size; page++) this.values.push([]);
    Object.keys(manifest.filters).forEach(function (key) {
      var sets = self.sets[key] = dict();
      Object.keys(manifest.filters[key]).forEach(function (value) {
        var pages = integers(manifest.filters[key][value]);
        sets[value] = new Set(pages);
        pages.forEach(function (page) { self.values[page].push([key, value]); });
      });
    });
    this.loaded = dict();
    this.located = dict();
    this.fragments = dict();
  }

  /* One of a bucket's two files (folder "b" or "p"), each word's value decoded by `decode`;
     fetched once for the page's visit. */
  Shard.prototype.bucketFile = function (cache, folder, key, decode) {
    if (!has(this.buckets, key)) return Promise.resolve(dict());
    var url = new URL(folder + "/" + fileKey(key) + "." + this.buckets[key] + ".json", this.base).href;
    return remembered(cache, key, function () {
      return getJSON(url).then(function (raw) {
        var out = dict();
        Object.keys(raw).forEach(function (word) { out[word] = decode(raw[word]); });
        return out;
      });
    });
  };

  /* A bucket's words: word -> {pages, weights}. */
  Shard.prototype.bucket = function (key) {
    return this.bucketFile(this.loaded, "b", key, function (value) {
      return { pages: integers(value[0]), weights: integers(value[1]) };
    });
  };

  /* A bucket's positions: word -> one list of positions per page of the word. */
  Shard.prototype.positions = function (key) {
    return this.bucketFile(this.located, "p", key, unpack);
  };

  Shard.prototype.keysFor = function (term) {
    if (!term.prefix || Array.from(term.word).length >= KEY_LENGTH) return [head(term.word, KEY_LENGTH)];
    return this.keys.filter(function (key) { return key.indexOf(term.word) === 0; });
  };

  /* The pages holding a term: page -> weight (a word matched by its start counts `partial`). */
  Shard.prototype.matches = function (term, partial) {
    return Promise.all(this.keysFor(term).map(this.bucket, this)).then(function (buckets) {
      var found = new Map();
      buckets.forEach(function (bucket) {
        var list = term.prefix ? Object.keys(bucket).filter(function (w) { return w.indexOf(term.word) === 0; })
          : (bucket[term.word] ? [term.word] : []);
        list.forEach(function (word) {
          var entry = bucket[word], factor = word === term.word ? 1 : partial;
          for (var i = 0; i < entry.pages.length; i++) {
            var page = entry.pages[i];
            found.set(page, (found.get(page) || 0) + entry.weights[i] * factor);
          }
        });
      });
      return found;
    });
  };

  /* The pages of `pages` where the phrase's words stand one after another. */
  Shard.prototype.withPhrase = function (pages, phrase) {
    var keys = phrase.map(function (word) { return head(word, KEY_LENGTH); });
    return Promise.all([Promise.all(keys.map(this.bucket, this)), Promise.all(keys.map(this.positions, this))])
      .then(function (loaded) {
        var buckets = loaded[0], positions = loaded[1];
        return pages.filter(function (page) {
          var lists = [];
          for (var i = 0; i < phrase.length; i++) {
            var entry = buckets[i][phrase[i]];
            var at = entry ? find(entry.pages, page) : -1;
            if (at < 0) return false;
            lists.push(i === 0 ? positions[i][phrase[i]][at] : new Set(positions[i][phrase[i]][at]));
          }
          return lists[0].some(function (start) {
            for (var j = 1; j < lists.length; j++) if (!lists[j].has(start + j)) return false;
            return true;
          });
        });
      });
  };

  Shard.prototype.passes = function (page, filters) {
    var sets = this.sets;
    return Object.keys(filters).every(function (key) {
      var set = sets[key] && sets[key][filters[key]];
      return !!set && set.has(page);
    });
  };

  Shard.prototype.count = function (pages, counts) {
    var values = this.values;
    pages.forEach(function (page) {
      values[page].forEach(function (pair) {
        var into = counts[pair[0]] || (counts[pair[0]] = dict());
        into[pair[1]] = (into[pair[1]] || 0) + 1;
      });
    });
    return counts;
  };

  Shard.prototype.name = function (page) {
    return this.names.substr(page * NAME_LENGTH, NAME_LENGTH);
  };

  Shard.prototype.all = function () {
    var out = [];
    for (var page = 0; page < this.size; page++) out.push(page);
    return out;
  };

  Shard.prototype.fragment = function (page) {
    var name = this.name(page);
    var url = new URL("f/" + name + ".json", this.base).href;
    return remembered(this.fragments, name, function () { return getJSON(url); });
  };

  // --- excerpts --------------------------------------------------------------------------------
  function matchesTerm(piece, terms) {
    return terms.some(function (term) {
      return piece === term.word || (term.prefix && piece.indexOf(term.word) === 0);
    });
  }

  /* EXCERPT_WORDS words of the text around the most query words (the start when none is there),
     after the heading's `lead` words (shown apart) when the rest of the text holds a query word. */
  function excerpt(content, terms, lead) {
    var list = content.split(" ");
    if (lead && list.length > lead + 1) {
      var rest = list.slice(lead).join(" ");
      if (words(rest).some(function (piece) { return matchesTerm(piece, terms); })) return excerpt(rest, terms, 0);
    }
    if (list.length <= EXCERPT_WORDS) return content;
    var hits = list.map(function (word) {
      return words(word).some(function (piece) { return matchesTerm(piece, terms); }) ? 1 : 0;
    });
    var best = 0, bestCount = 0, count = 0;
    for (var i = 0; i < list.length; i++) {
      count += hits[i];
      if (i >= EXCERPT_WORDS) count -= hits[i - EXCERPT_WORDS];
      if (count > bestCount) { bestCount = count; best = Math.max(0, i - EXCERPT_WORDS + 1); }
    }
    if (bestCount) {
      while (!hits[best]) best++;
      best = Math.max(0, Math.min(best - 3, list.length - EXCERPT_WORDS));  // a few words before the first match
    }
    return list.slice(best, best + EXCERPT_WORDS).join(" ");
  }

  // --- the index -------------------------------------------------------------------------------
  function Index(shards, root, ranking) {
    var self = this;
    this.shards = shards;
    this.root = root;
    this.k = ranking.saturation || 1.2;
    this.b = ranking.pageLength === undefined ? 0.3 : ranking.pageLength;
    this.partial = ranking.prefix === undefined ? 0.5 : ranking.prefix;
    this.total = 0;
    var length = 0;
    shards.forEach(function (shard) {
      self.total += shard.size;
      shard.lengths.forEach(function (words) { length += words; });
    });
    this.average = this.total ? Math.max(1, length / this.total) : 1;
  }

  Index.prototype.result = function (shard, page, score, terms) {
    var root = this.root;
    return {
      id: shard.name(page),  // a digest of what the page shows: the same whichever shard holds it
      score: score,
      date: shard.dates[page],
      data: function () {
        return shard.fragment(page).then(function (f) {
          return { url: new URL(f.url.slice(1), root).pathname, meta: f.meta, filters: f.filters,
                   content: f.content, anchors: f.anchors, excerpt: excerpt(f.content, terms, f.lead || 0) };
        });
      }
    };
  };

  function byScore(a, b) {
    return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  function newestFirst(a, b) {
    return a.date !== b.date ? (a.date < b.date ? 1 : -1) : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  /* Every page the filters let through, newest first. */
  Index.prototype.browse = function (filters) {
    var self = this, results = [], counts = dict();
    this.shards.forEach(function (shard) {
      var kept = shard.all().filter(function (page) { return shard.passes(page, filters); });
      shard.count(kept, counts);
      kept.forEach(function (page) { results.push(self.result(shard, page, 0, [])); });
    });
    results.sort(newestFirst);
    return { results: results, filters: counts, unfilteredResultCount: this.total, unknown: [] };
  };

  Index.prototype.filters = function () {
    var counts = dict();
    this.shards.forEach(function (shard) {
      shard.count(shard.all(), counts);
    });
    return Promise.resolve(counts);
  };

  Index.prototype.preload = function (query) {
    var terms = parse(query).terms;
    this.shards.forEach(function (shard) {
      terms.forEach(function (term) { shard.keysFor(term).forEach(function (key) { shard.bucket(key).catch(function () {}); }); });
    });
    return Promise.resolve();
  };

  /* The pages holding every known word of the query (a word found nowhere is left out, and
     named in `unknown`) and every quoted phrase, best first; with the filters applied. */
  Index.prototype.search = function (query, options) {
    var self = this, filters = (options && options.filters) || {};
    if (query === null || !query.trim()) return Promise.resolve(this.browse(filters));
    var parsed = parse(query);
    var nothing = { results: [], filters: dict(), unfilteredResultCount: 0, unknown: [] };
    if (!parsed.terms.length) return Promise.resolve(nothing);
    return Promise.all(this.shards.map(function (shard) {
      return Promise.all(parsed.terms.map(function (term) { return shard.matches(term, self.partial); }));
    })).then(function (found) {
      var terms = parsed.terms, frequency = terms.map(function (_, i) {
        return found.reduce(function (sum, lists) { return sum + lists[i].size; }, 0);
      });
      var used = terms.map(function (_, i) { return i; }).filter(function (i) { return frequency[i] > 0; });
      nothing.unknown = terms.filter(function (_, i) { return !frequency[i]; }).map(function (t) { return t.word; });
      if (!used.length) return nothing;
      var idf = frequency.map(function (n) { return Math.log(1 + (self.total - n + 0.5) / (n + 0.5)); });
      return Promise.all(self.shards.map(function (shard, s) {
        var lists = used.map(function (i) { return found[s][i]; });
        var smallest = lists.reduce(function (a, b) { return a.size <= b.size ? a : b; });
        var pages = [];
        smallest.forEach(function (_, page) {
          if (lists.every(function (list) { return list.has(page); })) pages.push(page);
        });
        return parsed.phrases.reduce(function (promise, phrase) {
          return promise.then(function (kept) { return kept.length ? shard.withPhrase(kept, phrase) : kept; });
        }, Promise.resolve(pages));
      })).then(function (hits) {
        var results = [], counts = dict(), unfiltered = 0;
        self.shards.forEach(function (shard, s) {
          unfiltered += hits[s].length;
          var kept = hits[s].filter(function (page) { return shard.passes(page, filters); });
          shard.count(kept, counts);
          kept.forEach(function (page) {
            var length = shard.lengths[page], score = 0;
            used.forEach(function (i) {
              var weight = found[s][i].get(page) / 2;  // weights are kept doubled (sitegen/searchpage.py)
              var norm = self.k * (1 - self.b + self.b * length / self.average);
              score += idf[i] * weight * (self.k + 1) / (weight + norm);
            });
            results.push(self.result(shard, page, score, terms));
          });
        });
        results.sort(byScore);
        return { results: results, filters: counts, unfilteredResultCount: unfiltered, unknown: nothing.unknown };
      });
    });
  };

  window.SiteSearch = {
    words: words,
    open: function (indexUrl, rootUrl, ranking) {
      var base = new URL(indexUrl, location.href), root = new URL(rootUrl, location.href);
      return getJSON(new URL("shards.json", base).href, true).then(function (folders) {
        return Promise.all([""].concat(folders).map(function (folder) {
          var shardBase = new URL(folder, base);
          return getJSON(new URL("index.json", shardBase).href, true).then(function (manifest) {
            return new Shard(shardBase, manifest);
          });
        }));
      }).then(function (shards) { return new Index(shards, root, ranking || {}); });
    }
  };
})();
