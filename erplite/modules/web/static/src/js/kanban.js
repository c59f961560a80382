/* Kanban: a column's title folds and unfolds it; drag a card to another column (or choose the
   column in the card's "Move to" menu, from the keyboard) to write the column's value into the
   card's group field (POST .../kanban/move, as the user). A refusal is shown and the card
   stays; a move updates both columns' counts and sums. */
(function () {
  "use strict";
  var board = document.querySelector(".o-kanban");
  if (!board) return;
  board.addEventListener("click", function (event) {
    var toggle = event.target.closest(".o-kanban-fold");
    if (!toggle) return;
    var column = toggle.closest(".o-kanban-column");
    var folded = column.classList.toggle("o-folded");
    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
  });
  if (!board.dataset.field) return;
  var token = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var message = document.getElementById("o-kanban-message");
  var dragged = null;

  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".o-kanban-card");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.id);
  });
  board.addEventListener("dragover", function (event) {
    if (event.target.closest(".o-kanban-column")) event.preventDefault();
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".o-kanban-column");
    if (!column || !dragged) return;
    event.preventDefault();
    var card = dragged;
    dragged = null;
    move(card, column);
  });
  // The keyboard's way: a card's "Move to" menu (a plain form post without this script).
  board.addEventListener("submit", function (event) {
    var form = event.target.closest(".o-kanban-move");
    if (!form) return;
    event.preventDefault();
    var value = form.querySelector("select").value;
    var column = Array.prototype.find.call(board.querySelectorAll(".o-kanban-column"), function (c) {
      return c.dataset.value === value;
    });
    if (column) move(form.closest(".o-kanban-card"), column, form.querySelector("select"));
  });

  function move(card, column, focus) {
    if (card.closest(".o-kanban-column") === column) return;
    var body = new URLSearchParams({
      csrf_token: token, record_id: card.dataset.id, field: board.dataset.field,
      value: column.dataset.value
    });
    fetch(board.dataset.moveUrl, {method: "POST", body: body, credentials: "same-origin",
                                  headers: {"Content-Type": "application/x-www-form-urlencoded"}})
      .then(function (response) {
        if (response.ok) {
          message.hidden = true;
          var from = card.closest(".o-kanban-column");
          column.querySelector(".o-kanban-cards").appendChild(card);
          var select = card.querySelector(".o-kanban-move select");
          if (select) select.value = column.dataset.value;
          if (focus) focus.focus();
          var amount = parseFloat(card.dataset.sum || "0") || 0;
          [[from, -1], [column, 1]].forEach(function (pair) {
            var count = pair[0].querySelector(".o-kanban-count");
            var total = (parseInt(count.textContent, 10) || 0) + pair[1];
            count.textContent = String(total);
            count.setAttribute("aria-label", total + " records");
            var sum = pair[0].querySelector(".o-kanban-sum-value");
            if (sum) {
              var value = (parseFloat(sum.dataset.value || "0") || 0) + pair[1] * amount;
              sum.dataset.value = String(value);
              sum.textContent = value.toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2});
            }
          });
          return null;
        }
        return response.text().then(function (text) {
          message.textContent = text || "This card cannot be moved there.";
          message.hidden = false;
        });
      });
  }
})();
