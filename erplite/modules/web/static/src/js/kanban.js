/* Kanban: drag a card to another column to write the column's value into the card's group
   field (POST .../kanban/move, as the user). A refusal is shown and the card stays. */
(function () {
  "use strict";
  var board = document.querySelector(".o-kanban");
  if (!board || !board.dataset.field) return;
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
          [from, column].forEach(function (c) {
            c.querySelector(".o-kanban-count").textContent = String(c.querySelectorAll(".o-kanban-card").length);
          });
          return null;
        }
        return response.text().then(function (text) {
          message.textContent = text || "This card cannot be moved there.";
          message.hidden = false;
        });
      });
  });
})();
