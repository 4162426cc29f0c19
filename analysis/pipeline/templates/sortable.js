// Sort and filter the tables marked data-sortable. The table is complete without this script:
// it only adds a button to each column heading (sort; again: reverse) and a filter box above.
(function () {
  document.querySelectorAll("table[data-sortable]").forEach(function (table, t) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var box = document.createElement("p");
    box.className = "table-filter no-print";
    var id = "table-filter-" + t;
    box.innerHTML = '<label for="' + id + '">Show only rows containing </label>' +
      '<input type="search" id="' + id + '"> <span role="status"></span>';
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(box, wrap);
    var input = box.querySelector("input"), status = box.querySelector("span");
    input.addEventListener("input", function () {
      var words = input.value.trim().toLowerCase(), shown = 0;
      rows.forEach(function (row) {
        var hit = !words || row.textContent.toLowerCase().indexOf(words) >= 0;
        row.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      status.textContent = words ? shown + " of " + rows.length + " rows" : "";
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      if (th.tagName !== "TH") { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var up = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) {
          c.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", up ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = a.cells[col].getAttribute("data-value"), y = b.cells[col].getAttribute("data-value");
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return up ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
})();
