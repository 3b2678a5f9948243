// Target dashboard: filter and sort the table already in the page (progressive enhancement).
(function () {
  "use strict";
  var form = document.getElementById("target-filters");
  var table = document.getElementById("target-table");
  if (!form || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = form.querySelector(".filter-count");
  var fields = {doc: "f-doc", issuer: "f-issuer", group: "f-group", years: "f-year", status: "f-status"};
  Object.keys(fields).forEach(function (key) { if (!document.getElementById(fields[key])) delete fields[key]; });
  var statusOrder = {"met": 0, "in-progress": 1, "not-met": 2, "no-data": 3};
  form.hidden = false;

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  }
  rows.forEach(function (row) { row.dataset.text = fold(row.textContent); });

  function apply() {
    var shown = 0;
    var words = fold(document.getElementById("f-text").value).split(/\s+/).filter(Boolean);
    rows.forEach(function (row) {
      var ok = Object.keys(fields).every(function (key) {
        var value = document.getElementById(fields[key]).value;
        if (!value) return true;
        return key === "years" ? row.dataset.years.split(" ").indexOf(value) >= 0 : row.dataset[key] === value;
      }) && words.every(function (w) { return row.dataset.text.indexOf(w) >= 0; });
      row.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = "Đang hiện " + shown + "/" + rows.length + " chỉ tiêu";
    var params = new URLSearchParams();
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name && el.value) params.set(el.name, el.value); });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  var params = new URLSearchParams(location.search);
  Array.prototype.forEach.call(form.elements, function (el) { if (el.name && params.has(el.name)) el.value = params.get(el.name); });
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });

  function cellKey(row, index, kind) {
    var cell = row.cells[index];
    if (kind === "number") {
      var v = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
      return v === "" ? -Infinity : parseFloat(v);
    }
    if (kind === "status") return statusOrder[row.dataset.status];
    return cell.textContent.trim();
  }
  var collator = new Intl.Collator("vi");
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    var kind = th.dataset.sort;
    if (!kind) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    th.setAttribute("aria-sort", "none");
    button.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { if (c.dataset.sort) c.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = cellKey(a, index, kind), y = cellKey(b, index, kind);
        var r = kind === "text" ? collator.compare(x, y) : (x < y ? -1 : x > y ? 1 : 0);
        return ascending ? r : -r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
  apply();
})();
