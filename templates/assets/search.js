/* Site search on /tim-kiem/: the site's own index (assets/search-index.js) and the page around it.
   The page works as a plain GET form without JavaScript; this script adds results as you type,
   filters, the URL as shareable state (back button included) and keyboard navigation.
   How Vietnamese is handled (folding, numbers, phrases) is described in docs/search.md. */
(function () {
  "use strict";

  var form = document.getElementById("search-form");
  if (!form || !("fetch" in window) || !window.SiteSearch) return;

  var input = document.getElementById("q");
  var statusLine = document.getElementById("search-status");
  var note = document.getElementById("search-note");
  var list = document.getElementById("search-results");
  var more = document.getElementById("search-more");
  var empty = document.getElementById("search-empty");
  var suggestion = document.getElementById("search-suggestion");
  var failure = document.getElementById("search-error");
  var filterBox = document.getElementById("search-filters");
  var clearFilters = document.getElementById("search-clear-filters");
  var filterCount = document.getElementById("search-filter-count");
  var headerInput = document.getElementById("q-header");
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));

  var ROOT = new URL(form.getAttribute("data-root"), location.href);
  var INDEX = form.getAttribute("data-index");
  var RANKING = JSON.parse(form.getAttribute("data-ranking") || "{}");
  var STATUS_CLASSES = JSON.parse(form.getAttribute("data-status-classes") || "{}");
  var TARGET_SECTION = form.getAttribute("data-target-section");
  var TARGET_ANCHOR = "ct-";  // the id prefix of a target row's heading (templates/macros.html)
  var STATUS_LABELS = Object.keys(STATUS_CLASSES).sort(function (a, b) { return b.length - a.length; });
  var MAX_TARGETS_SHOWN = 3;  // under a document; the rest are on its page
  var PAGE_SIZE = 10;
  var DEBOUNCE_MS = 150;
  var MAX_VARIANTS = 16;
  var MAX_WORDS_CHECKED = 6;
  var BASE_TITLE = document.title;
  var numberFormat = new Intl.NumberFormat("vi-VN");

  var loading = null;
  var sequence = 0;
  var timer = 0;
  var current = { hits: [], shown: 0, items: 0, terms: [], targetMode: false, targetStatus: "" };

  selects.forEach(function (select) {
    Array.prototype.forEach.call(select.options, function (option) {
      option.setAttribute("data-label", option.textContent);
    });
  });
  if (filterBox) {
    filterBox.hidden = false;
    filterBox.open = window.matchMedia("(min-width: 64rem)").matches;
  }

  function load() {
    if (!loading) {
      loading = window.SiteSearch.open(INDEX, ROOT.href, RANKING).catch(function (error) {
        loading = null;  // try again on the next search
        throw error;
      });
    }
    return loading;
  }

  // --- Vietnamese text -------------------------------------------------------------------------
  function normalise(text) {
    return (text || "").normalize("NFC").replace(/\s+/g, " ").trim();
  }

  /* A text's words folded and cut as the index has them ("Đảng" -> "dang"). */
  var pieces = window.SiteSearch.words;

  // --- state in the URL ------------------------------------------------------------------------
  function readState(search) {
    var params = new URLSearchParams(search);
    var state = { q: normalise(params.get("q")), filters: {} };
    selects.forEach(function (select) {
      var value = normalise(params.get(select.name));
      if (value) state.filters[select.getAttribute("data-filter")] = value;
    });
    return state;
  }

  function formState() {
    var state = { q: normalise(input.value), filters: {} };
    selects.forEach(function (select) {
      if (select.value) state.filters[select.getAttribute("data-filter")] = select.value;
    });
    return state;
  }

  function showState(state) {
    input.value = state.q;
    if (headerInput) headerInput.value = state.q;
    selects.forEach(function (select) {
      var wanted = state.filters[select.getAttribute("data-filter")] || "";
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === wanted; });
      select.value = known ? wanted : "";
    });
  }

  function stateQuery(state) {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    selects.forEach(function (select) {
      var value = state.filters[select.getAttribute("data-filter")];
      if (value) params.set(select.name, value);
    });
    var text = params.toString();
    return text ? "?" + text : location.pathname;
  }

  /* Typing replaces the current history entry; the first keystroke after a settled search, a
     filter change or a submit adds one, so Back returns to the previous search, not a keystroke. */
  function remember(state, typing) {
    var url = stateQuery(state);
    var entry = { search: true, typing: typing };
    var previous = history.state;
    if (url === location.search || (url === location.pathname && !location.search)) {
      history.replaceState(entry, "", url);
    } else if (typing && previous && previous.typing) {
      history.replaceState(entry, "", url);
    } else {
      history.pushState(entry, "", url);
    }
  }

  function hasFilters(state) {
    return Object.keys(state.filters).length > 0;
  }

  // --- searching -------------------------------------------------------------------------------
  /* With no words, the pages the filters let through, newest first. */
  function searchAll(index, state) {
    return index.search(state.q || null, { filters: state.filters });
  }

  /* A quoted phrase that matches nothing (its words are in the pages, not one after another) is
     searched again without quotes, and the page says so. */
  function searchLoosely(index, state) {
    return searchAll(index, state).then(function (search) {
      if (search.results.length || state.q.indexOf('"') < 0) return search;
      var loose = { q: normalise(state.q.replace(/"/g, " ")), filters: state.filters };
      if (!loose.q) return search;
      return searchAll(index, loose).then(function (again) {
        if (!again.results.length) return search;
        again.loose = true;
        return again;
      });
    });
  }

  /* The index leaves out a query word found nowhere and answers for the others; say which. */
  function noteUnknownWords(search, state) {
    if (!search.unknown || !search.unknown.length) return;
    var words = normalise(state.q.replace(/"/g, " ")).split(" ").filter(Boolean);
    if (words.length < 2) return;
    var unknown = words.filter(function (word) {
      var parts = pieces(word);
      return parts.length && parts.every(function (part) { return search.unknown.indexOf(part) >= 0; });
    });
    if (!unknown.length) return;
    showNote("Không có văn bản nào chứa " + (unknown.length > 1 ? "các từ " : "từ ") +
             unknown.map(function (w) { return "«" + w + "»"; }).join(", ") +
             "; kết quả dưới đây khớp với các từ còn lại.");
  }

  function showNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function run(state) {
    var token = ++sequence;
    failure.hidden = true;
    showNote("");
    document.title = state.q ? "«" + state.q + "» — " + BASE_TITLE : BASE_TITLE;
    var active = Object.keys(state.filters).length;
    if (clearFilters) clearFilters.hidden = !active;
    if (filterCount) filterCount.textContent = active ? "(" + active + " đang chọn)" : "";
    if (filterBox && active) filterBox.open = true;
    if (!state.q && !hasFilters(state)) {
      clearResults();
      statusLine.textContent = "";
      load().then(function (index) { return index.filters(); }).then(updateCounts).catch(function () {});
      return Promise.resolve();
    }
    statusLine.textContent = "Đang tìm…";
    list.setAttribute("aria-busy", "true");
    return load().then(function (index) {
      return searchLoosely(index, state).then(function (search) {
        if (token !== sequence) return null;
        showNote(search.loose ? "Không có cụm từ «" + state.q.replace(/"/g, "").trim() +
                 "» đúng như đã gõ; dưới đây là kết quả có đủ các từ." : "");
        var unknown = search.unknown || [];  // left out of the search: they mark nothing and pick no row
        current = { hits: search.results, shown: 0, items: 0, state: state,
                    terms: pieces(state.q.replace(/"/g, " ")).filter(function (t) { return unknown.indexOf(t) < 0; }),
                    targetMode: state.filters.section === TARGET_SECTION, targetStatus: state.filters.target_status || "" };
        updateCounts(search.filters);
        clearResults();
        if (!search.results.length) return showEmpty(index, state, search);
        statusLine.textContent = describe(search.results.length, state);
        return showMore().then(function (firstItem) {
          if (token === sequence && current.targetMode && !current.items) return showEmpty(index, state, search, true);
          if (!search.loose) noteUnknownWords(search, state);
          return firstItem;
        });
      });
    }).catch(function (error) {
      loading = null;  // opened again by the next search: the index may have been published anew
      if (token !== sequence) return;
      clearResults();
      statusLine.textContent = "";
      failure.hidden = false;
      if (window.console) console.error(error);
    }).then(function () {
      if (token === sequence) list.removeAttribute("aria-busy");
    });
  }

  /* With the section "Chỉ tiêu" the hits are documents holding targets; their matching rows are listed. */
  function describe(count, state) {
    var text = "Có " + numberFormat.format(count) + " kết quả";
    if (state.filters.section === TARGET_SECTION) {
      text = "Chỉ tiêu" + (state.q ? " khớp với «" + state.q + "»" : "") + " trong " + numberFormat.format(count) + " văn bản";
      return text + (hasFilters(state) ? " (đã lọc)." : ".");
    }
    if (state.q) text += " cho «" + state.q + "»";
    if (hasFilters(state)) text += " (đã lọc)";
    return text + ".";
  }

  function clearResults() {
    list.textContent = "";
    more.hidden = true;
    empty.hidden = true;
    suggestion.hidden = true;
    suggestion.textContent = "";
  }

  function updateCounts(counts) {
    if (!counts) return;
    selects.forEach(function (select) {
      var values = counts[select.getAttribute("data-filter")] || Object.create(null);
      var documents = select.hasAttribute("data-counts-documents");
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var n = numberFormat.format(values[option.value] || 0);
        var suffix = documents || option.hasAttribute("data-counts-documents") ? " văn bản" : "";
        option.textContent = option.getAttribute("data-label") + " (" + n + suffix + ")";
      });
    });
  }

  /* The next PAGE_SIZE documents; in the target section, their matching rows (documents whose
     rows do not match are passed over, and the next ones loaded, until something is shown). */
  function showMore() {
    var batch = current.hits.slice(current.shown, current.shown + PAGE_SIZE);
    var token = sequence;
    return Promise.all(batch.map(function (hit) { return hit.data(); })).then(function (pages) {
      if (token !== sequence) return null;
      var items = [];
      pages.forEach(function (page) {
        items = items.concat(current.targetMode ? targetItems(page) : [renderResult(page)]);
      });
      items.forEach(function (item) { list.appendChild(item); });
      current.shown += batch.length;
      current.items += items.length;
      more.hidden = current.shown >= current.hits.length;
      if (!items.length && !more.hidden) return showMore();
      return items[0] || null;
    });
  }

  // --- rendering -------------------------------------------------------------------------------
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function first(values) {
    return values && values.length ? values[0] : "";
  }

  // --- targets: rows of their document's page ------------------------------------------------
  /* The index records every element with an id as an anchor (its text and word position). A target
     row's heading has the id "ct-…"; the row's searchable words (name, goal, status: the other
     cells are left out of the index) run from there to the next anchor. */
  function targetRows(page) {
    var words = (page.content || "").split(/[\r\n\s]+/g);
    var anchors = (page.anchors || []).slice().sort(function (a, b) { return a.location - b.location; });
    var rows = [];
    anchors.forEach(function (anchor, i) {
      if (anchor.id.indexOf(TARGET_ANCHOR) !== 0 || !anchor.text) return;
      var end = i + 1 < anchors.length ? anchors[i + 1].location : words.length;
      var title = normalise(anchor.text);
      var rest = words.slice(anchor.location + title.split(" ").length, end).join(" ").replace(/[\s.]+$/, "");
      var status = rowStatus(rest);
      var goal = rest.slice(0, rest.length - status.length).replace(/[\s.]+$/, "").trim();
      rows.push({ id: anchor.id, title: title, goal: goal, status: status });
    });
    return rows;
  }

  function rowStatus(text) {
    var trimmed = text.replace(/[\s.]+$/, "");
    for (var i = 0; i < STATUS_LABELS.length; i++) {
      var label = STATUS_LABELS[i];
      if (trimmed.slice(-label.length) === label) return label;
    }
    return "";
  }

  /* A row matches when each query word is one of its words (the last one may be the start of one),
     compared unaccented: "ket nap dang vien" matches «Kết nạp đảng viên mới». */
  function rowMatches(row, terms) {
    var parts = pieces(row.title + " " + row.goal);
    return terms.every(function (term, i) {
      return parts.some(function (part) { return termMatches(part, terms, i); });
    });
  }

  /* The rows to show for a document: those matching the query and the status filter; with no
     query, the rows of the chosen status (or none under a document, all in the target section). */
  function matchingRows(page) {
    if (!current.terms.length && !current.targetStatus && !current.targetMode) return [];
    return targetRows(page).filter(function (row) {
      return (!current.targetStatus || row.status === current.targetStatus) && rowMatches(row, current.terms);
    });
  }

  function rowUrl(page, row) {
    return page.url + "#" + row.id;
  }

  function statusBadge(label) {
    var code = STATUS_CLASSES[label];
    return element("span", code ? "status status-" + code : "result-status", label);
  }

  function goalLine(row) {
    var line = element("p", "result-excerpt");
    line.appendChild(document.createTextNode("Mục tiêu: "));
    line.appendChild(highlightText(row.goal, current.terms));
    return line;
  }

  /* In the target section each matching row is a result of its own, with its document's facts. */
  function targetItems(page) {
    var meta = page.meta || {};
    var filters = page.filters || {};
    return matchingRows(page).map(function (row) {
      var item = element("li", "result result-target");
      var kind = element("p", "result-kind");
      kind.appendChild(element("span", "result-type", TARGET_SECTION));
      var number = [first(filters.kind), meta.number].filter(Boolean).join(" ");
      if (number) kind.appendChild(element("span", "result-number", number));
      item.appendChild(kind);
      var title = element("h2", "result-title");
      var link = element("a", "result-link");
      link.appendChild(highlightText(row.title, current.terms));
      link.href = rowUrl(page, row);
      title.appendChild(link);
      item.appendChild(title);
      var facts = element("p", "result-meta");
      [meta.date, first(filters.issuer)].forEach(function (value) {
        if (value) facts.appendChild(element("span", "", value));
      });
      if (row.status) facts.appendChild(statusBadge(row.status));
      item.appendChild(facts);
      if (row.goal) item.appendChild(goalLine(row));
      return item;
    });
  }

  /* Under a document: its first matching rows, each a link to the row, and how many more. */
  function targetList(page) {
    var rows = matchingRows(page);
    if (!rows.length) return null;
    var box = element("div", "result-targets");
    box.appendChild(element("p", "result-targets-title", "Chỉ tiêu khớp (" + numberFormat.format(rows.length) + ")"));
    var ul = element("ul", "");
    rows.slice(0, MAX_TARGETS_SHOWN).forEach(function (row) {
      var li = element("li", "result-sub");
      var link = element("a", "result-link result-sublink");
      link.appendChild(highlightText(row.title, current.terms));
      link.href = rowUrl(page, row);
      li.appendChild(link);
      if (row.status) { li.appendChild(document.createTextNode(" ")); li.appendChild(statusBadge(row.status)); }
      ul.appendChild(li);
    });
    box.appendChild(ul);
    if (rows.length > MAX_TARGETS_SHOWN) {
      var rest = element("a", "result-more-targets", "… và " + numberFormat.format(rows.length - MAX_TARGETS_SHOWN) +
                         " chỉ tiêu khác trong văn bản");
      rest.href = page.url + "#s-chi-tieu";
      box.appendChild(rest);
    }
    return box;
  }

  /* Title, number and date are metadata; kind, issuer and status are filters (see sitegen/searchfields.py). */
  function renderResult(page) {
    var meta = page.meta || {};
    var filters = page.filters || {};
    var section = first(filters.section);
    var item = element("li", "result");
    var kind = element("p", "result-kind");
    kind.appendChild(element("span", "result-type", first(filters.kind) || section));
    if (meta.number) kind.appendChild(element("span", "result-number", meta.number));
    item.appendChild(kind);
    var title = element("h2", "result-title");
    var link = element("a", "result-link", meta.title || page.url);
    link.href = page.url;
    title.appendChild(link);
    item.appendChild(title);
    var facts = element("p", "result-meta");
    [meta.date, first(filters.issuer)].forEach(function (value) {
      if (value) facts.appendChild(element("span", "", value));
    });
    var status = first(filters.status);
    if (status) facts.appendChild(element("span", "result-status", status));
    item.appendChild(facts);
    if (page.excerpt) {
      var excerpt = element("p", "result-excerpt");
      excerpt.appendChild(highlightText(page.excerpt, current.terms));
      item.appendChild(excerpt);
    }
    var targets = targetList(page);
    if (targets) item.appendChild(targets);
    return item;
  }

  /* A word is marked when one of its pieces is a query word, or starts with the last query word
     (the one being typed), compared unaccented: "dang" marks Đảng, "58" marks 58-NQ/TW. */
  function matches(word, terms) {
    return pieces(word).some(function (part) {
      return terms.some(function (_, i) { return termMatches(part, terms, i); });
    });
  }

  /* An unaccented piece of text matches query word i when equal to it, or, for the last query
     word (the one being typed), when it starts with it. */
  function termMatches(part, terms, i) {
    var term = terms[i];
    return part === term || (i === terms.length - 1 && term.length > 1 && part.indexOf(term) === 0);
  }

  function highlightText(text, terms) {
    var fragment = document.createDocumentFragment();
    text.split(/(\s+)/).forEach(function (word) {
      if (!word) return;
      if (/\S/.test(word) && matches(word, terms)) fragment.appendChild(element("mark", "", word));
      else fragment.appendChild(document.createTextNode(word));
    });
    return fragment;
  }

  /* Nothing found: say so, and offer what would find something (fewer filters, fewer words). */
  function showEmpty(index, state, search, noRows) {
    statusLine.textContent = (noRows ? "Không tìm thấy chỉ tiêu nào" : "Không tìm thấy kết quả nào") +
      (state.q ? " cho «" + state.q + "»" : "") + (hasFilters(state) ? " với bộ lọc đã chọn" : "") + ".";
    empty.hidden = false;
    var token = sequence;
    if (hasFilters(state) && search.unfilteredResultCount > 0) {
      offer("Bỏ bộ lọc để xem " + numberFormat.format(search.unfilteredResultCount) + " kết quả",
            { q: state.q, filters: {} });
      return Promise.resolve();
    }
    var words = state.q.replace(/"/g, " ").split(" ").filter(Boolean);
    if (words.length < 2) return Promise.resolve();
    var shorter = words.map(function (_, i) { return words.filter(function (__, j) { return j !== i; }).join(" "); });
    return Promise.all(shorter.map(function (q) { return searchAll(index, { q: q, filters: state.filters }); }))
      .then(function (all) {
        if (token !== sequence) return;
        var best = -1;
        all.forEach(function (s, i) { if (s.results.length && (best < 0 || s.results.length > all[best].results.length)) best = i; });
        if (best >= 0) {
          offer("Thử tìm «" + shorter[best] + "» (" + numberFormat.format(all[best].results.length) + " kết quả)",
                { q: shorter[best], filters: state.filters });
        }
      });
  }

  function offer(text, state) {
    var link = element("a", "", text);
    link.href = stateQuery(state);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      showState(state);
      remember(state, false);
      run(state);
      input.focus();
    });
    suggestion.textContent = "";
    suggestion.appendChild(link);
    suggestion.hidden = false;
  }

  // --- events ----------------------------------------------------------------------------------
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var state = formState();
    if (state.q) load().then(function (index) { index.preload(state.q, { filters: state.filters }); }).catch(function () {});
    timer = setTimeout(function () {
      remember(state, true);
      run(state);
    }, DEBOUNCE_MS);
  });

  input.addEventListener("focus", function () { load().catch(function () {}); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var state = formState();
    showState(state);
    remember(state, false);
    run(state).then(function () {
      var link = list.querySelector(".result-link");
      if (link && window.matchMedia("(max-width: 40rem)").matches) input.blur();
    });
  });

  selects.forEach(function (select) {
    select.addEventListener("change", function () {
      clearTimeout(timer);
      var state = formState();
      remember(state, false);
      run(state);
    });
  });

  if (clearFilters) {
    clearFilters.addEventListener("click", function () {
      var state = { q: normalise(input.value), filters: {} };
      showState(state);
      remember(state, false);
      run(state);
      input.focus();
    });
  }

  more.addEventListener("click", function () {
    var before = current.shown;
    showMore().then(function () {
      var links = list.querySelectorAll(".result-link");
      if (links[before]) links[before].focus();
    });
  });

  empty.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='?']");
    if (!link) return;
    event.preventDefault();
    var state = readState(link.getAttribute("href"));
    showState(state);
    remember(state, false);
    run(state);
  });

  /* Keyboard: ↓ from the box goes to the first result, ↓ ↑ move between results, Esc returns. */
  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".result-link"));
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      var all = links();
      if (all.length) { event.preventDefault(); all[0].focus(); }
    } else if (event.key === "Escape" && input.value) {
      event.preventDefault();
      input.value = "";
      input.dispatchEvent(new Event("input"));
    }
  });

  list.addEventListener("keydown", function (event) {
    var all = links();
    var index = all.indexOf(document.activeElement);
    if (index < 0) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (index + 1 < all.length) all[index + 1].focus();
      else if (!more.hidden) more.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (index > 0) all[index - 1].focus();
      else input.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      input.focus();
    }
  });

  window.addEventListener("popstate", function () {
    var state = readState(location.search);
    showState(state);
    run(state);
  });

  // --- start -----------------------------------------------------------------------------------
  var initial = readState(location.search);
  showState(initial);
  history.replaceState({ search: true, typing: false }, "", location.href);
  run(initial);
  if (!initial.q && !hasFilters(initial)) input.focus();
})();
