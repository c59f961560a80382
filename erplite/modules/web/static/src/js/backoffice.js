/* Progressive enhancement of the backoffice pages (they work without it): clickable rows,
   notebook tabs, many2one/many2many autocomplete, one2many "Add a line", button confirmations,
   a warning before leaving unsaved changes, grouped lists unfolding, the form's onchange (the
   values the server computes as the user types). htmx does the fetching. */
(function () {
  "use strict";

  function onReady(root) {
    root.querySelectorAll("tr.o-row[data-href]").forEach(function (row) {
      if (row.dataset.bound) return;
      row.dataset.bound = "1";
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, button, input, label")) return;
        window.location.href = row.dataset.href;
      });
    });
    root.querySelectorAll(".o-notebook").forEach(function (book) {
      book.querySelectorAll(".o-tab").forEach(function (tab) {
        tab.addEventListener("click", function () {
          book.querySelectorAll(".o-tab").forEach(function (t) { t.setAttribute("aria-selected", t === tab ? "true" : "false"); });
          book.querySelectorAll(".o-page").forEach(function (p) { p.hidden = p.dataset.tab !== tab.dataset.tab; });
        });
      });
    });
    root.querySelectorAll(".o-autocomplete").forEach(bindAutocomplete);
    root.querySelectorAll("dialog.o-dialog").forEach(openDialog);
    if (root.matches && root.matches("dialog.o-dialog")) openDialog(root);
  }

  // -- dialogs (ui/dialog.py): drawn open by the server, made modal here; Escape closes ----
  function openDialog(dialog) {
    if (dialog.dataset.bound) return;
    dialog.dataset.bound = "1";
    if (typeof dialog.showModal === "function") {
      if (dialog.open) dialog.close();
      dialog.showModal();
    }
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();
      var overlay = dialog.closest("#o-dialog");
      if (overlay && overlay.dataset.select) { overlay.remove(); creating = null; return; }
      window.location.href = dialog.dataset.closeUrl;
    });
    var first = dialog.querySelector(".o-dialog-body input:not([type=hidden]), .o-dialog-body select, .o-dialog-body textarea");
    if (first) first.focus();
  }

  // -- notifications: closed by their button, the non-sticky ones after a while ------------
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".o-notification-close");
    if (close) close.closest(".o-notification").remove();
  });
  function closeLater(root) {
    root.querySelectorAll(".o-notification[data-autoclose]").forEach(function (note) {
      setTimeout(function () { note.remove(); }, 8000);
    });
  }

  // -- autocomplete (name_search through /web/autocomplete/<model>) -----------------------
  // a record chosen (or just created) for a many2one (its id and text) or a many2many (a tag)
  function setChoice(input, id, name) {
    var box = input.parentElement;
    if (input.dataset.tags) {
      var tags = box.querySelector(".o-tags");
      if (!tags.querySelector('input[value="' + id + '"]')) {
        var label = document.createElement("label");
        label.className = "o-tag";
        var check = document.createElement("input");
        check.type = "checkbox"; check.name = box.dataset.tagsName; check.value = String(id); check.checked = true;
        label.appendChild(check);
        label.appendChild(document.createTextNode(" " + name));
        tags.appendChild(label);
        check.dispatchEvent(new Event("change", {bubbles: true}));
      }
      input.value = "";
    } else {
      var hidden = box.querySelector(".o-m2o-value");
      hidden.value = String(id);
      input.value = name;
      hidden.dispatchEvent(new Event("change", {bubbles: true}));
    }
    markDirty(input);
  }
  function csrfToken() {
    var token = document.querySelector('input[name="csrf_token"]');
    return token ? token.value : "";
  }
  // Create "<typed>": name_create as the user, then the new record is the field's value
  function quickCreate(input, name) {
    var body = new URLSearchParams({csrf_token: csrfToken(), name: name});
    fetch(input.dataset.url + "/name_create", {method: "POST", body: body, credentials: "same-origin"})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.error) { window.alert(answer.error); return; }
        setChoice(input, answer.id, answer.display_name);
      });
  }
  // Create and edit...: the model's form in a dialog (its name filled in); once saved there
  // (controllers/dialog.py answers the event erplite:created) the new record is set here
  var creating = null;
  function createAndEdit(input, name) {
    var origin = window.location.pathname + window.location.search;
    var url = input.dataset.url + "/create_dialog?name=" + encodeURIComponent(name) + "&origin=" + encodeURIComponent(origin);
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      if (!response.ok) throw new Error("The form of the new record cannot open (" + response.status + ").");
      return response.text();
    }).then(function (html) {
      var old = document.getElementById("o-dialog");
      if (old) old.remove();
      document.body.insertAdjacentHTML("beforeend", html);
      var overlay = document.getElementById("o-dialog");
      overlay.dataset.select = "1";
      creating = input;
      htmx.process(overlay);
      onReady(overlay);
    }).catch(function (error) { window.alert(error.message); });
  }
  document.addEventListener("erplite:created", function (event) {
    var overlay = document.getElementById("o-dialog");
    if (overlay && overlay.dataset.select) overlay.remove();
    if (creating) { setChoice(creating, event.detail.id, event.detail.display_name); creating.focus(); }
    creating = null;
  });
  // closing a "Create and edit..." dialog keeps the page as it is
  document.addEventListener("click", function (event) {
    var close = event.target.closest(".o-dialog-cancel, .o-dialog-close");
    var overlay = close && close.closest("#o-dialog");
    if (!overlay || !overlay.dataset.select) return;
    event.preventDefault();
    overlay.remove();
    if (creating) creating.focus();
    creating = null;
  }, true);
  function bindAutocomplete(input) {
    if (input.dataset.bound) return;
    input.dataset.bound = "1";
    var box = input.parentElement;
    var list = box.querySelector(".o-suggestions");
    var timer = null;
    function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); }
    function choose(item) {
      if (!item) return;
      if (item.dataset.create === "quick") { quickCreate(input, item.dataset.name); close(); return; }
      if (item.dataset.create === "edit") { createAndEdit(input, item.dataset.name); close(); return; }
      if (!item.dataset.id) return;
      setChoice(input, item.dataset.id, item.textContent);
      close();
    }
    function search() {
      htmx.ajax("GET", input.dataset.url + "?q=" + encodeURIComponent(input.value),
                {target: list, swap: "innerHTML"}).then(function () {
        list.hidden = false; input.setAttribute("aria-expanded", "true");
      });
    }
    input.addEventListener("input", function () {
      if (!input.dataset.tags) box.querySelector(".o-m2o-value").value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("focus", function () { if (!input.value) { clearTimeout(timer); timer = setTimeout(search, 50); } });
    input.addEventListener("keydown", function (event) {
      var items = Array.prototype.slice.call(list.querySelectorAll("li[data-id]"));
      var active = list.querySelector("li.o-active");
      var index = items.indexOf(active);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) { search(); return; }
        if (active) active.classList.remove("o-active");
        index = event.key === "ArrowDown" ? Math.min(index + 1, items.length - 1) : Math.max(index - 1, 0);
        if (items[index]) items[index].classList.add("o-active");
      } else if (event.key === "Enter" && !list.hidden) {
        event.preventDefault();
        choose(active || items[0]);
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
      choose(event.target.closest("li[data-id]"));
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // -- unsaved changes ------------------------------------------------------------------------
  var dirty = false;
  function markDirty(el) { if (el.closest("form[data-unsaved-warning]")) dirty = true; }
  document.addEventListener("input", function (event) { markDirty(event.target); });
  document.addEventListener("change", function (event) { markDirty(event.target); });
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.dataset.confirm && !window.confirm(submitter.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    dirty = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  // -- one2many: Add a line ------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var add = event.target.closest(".o-add-line");
    if (add) {
      var sub = add.closest(".o-sublist");
      var index = parseInt(add.dataset.nextIndex, 10);
      add.dataset.nextIndex = String(index + 1);
      var html = sub.querySelector(".o-line-template").innerHTML.split("__INDEX__").join(String(index));
      var body = sub.querySelector("tbody");
      body.insertAdjacentHTML("beforeend", html);
      var row = body.lastElementChild;
      // its cells of columns an onchange showed or hid since the page was drawn
      row.querySelectorAll("td[data-mod]").forEach(function (cell) {
        var head = sub.querySelector('th[data-mod="' + cell.dataset.mod + '"]');
        if (head) cell.hidden = head.hidden;
      });
      onReady(row);
      var first = row.querySelector("input[type=text]");
      if (first) first.focus();
      dirty = true;
    }
    var toggle = event.target.closest(".o-group-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", open ? "false" : "true");
      var rows = document.querySelector(toggle.getAttribute("hx-target"));
      if (open) { rows.hidden = true; event.stopImmediatePropagation(); event.preventDefault(); }
      else { rows.hidden = false; }
    }
  }, true);

  // -- the form's onchange (controllers/form_page.py, ui/form_onchange.py) --------------------
  // htmx posts the form on "input"/"change"; the name of the input that changed goes along,
  // typing in an autocomplete box does not count (its choice does, through its hidden id).
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form.dataset || !form.dataset.onchange) return;
    var trigger = event.detail.triggeringEvent;
    var target = trigger && trigger.target;
    if (!target || !target.name || target.classList.contains("o-autocomplete") || target.name === "csrf_token") {
      event.preventDefault();
      return;
    }
    event.detail.parameters["onchange_field"] = target.name;
    // the files of binary widgets go with the save only, never with each onchange
    form.querySelectorAll("input[type=file]").forEach(function (input) {
      delete event.detail.parameters[input.name];
    });
  });

  function setValue(form, name, shown) {
    var el = form.querySelector('[name="' + name + '"]:not([type=hidden][value="0"])') ||
             form.querySelector('[data-name="' + name + '"]') ||
             form.querySelector("#" + CSS.escape("f-" + name) + ", #" + CSS.escape("f-d-" + name));
    if (!el) return;
    if (el.type === "radio") {  // the priority widget
      form.querySelectorAll('input[type=radio][name="' + name + '"]').forEach(function (radio) {
        radio.checked = radio.value === shown.text;
      });
      paintPriority(el.closest(".o-priority"));
    } else if (el.classList.contains("o-m2o-value")) {
      var display = el.parentElement.querySelector(".o-autocomplete");
      if (display === document.activeElement) return;
      el.value = shown.text;
      display.value = shown.label;
    } else if (el.type === "checkbox") {
      el.checked = !!shown.text;
    } else if (el.matches("input, select, textarea")) {
      if (el !== document.activeElement && el.value !== shown.text) el.value = shown.text;
    } else {
      el.textContent = shown.label;
    }
  }

  // a many2many's tags as the onchange answers them ([[id, name], ...])
  function setTags(form, name, tags) {
    var box = form.querySelector('.o-tags-input[data-tags-name="' + name + '"] .o-tags');
    if (!box) return;
    box.textContent = "";
    tags.forEach(function (tag) {
      var label = document.createElement("label");
      label.className = "o-tag";
      var check = document.createElement("input");
      check.type = "checkbox"; check.name = name; check.value = String(tag[0]); check.checked = true;
      label.appendChild(check);
      label.appendChild(document.createTextNode(" " + tag[1]));
      box.appendChild(label);
    });
  }

  // invisible / readonly / required of a node whose attributes are expressions (data-mod)
  function applyModifiers(form, key, mods) {
    // a button the page drew invisible is not in it (only its markup): put in when shown
    form.querySelectorAll('.o-button-slot[data-mod="' + key + '"]').forEach(function (slot) {
      if (mods.invisible) return;
      var holder = document.createElement("div");
      holder.innerHTML = slot.dataset.html;
      var shown = holder.firstElementChild;
      if (shown) slot.replaceWith(shown); else slot.remove();
    });
    form.querySelectorAll('[data-mod="' + key + '"]').forEach(function (el) {
      if (el.classList.contains("o-page")) {
        if (mods.invisible) el.hidden = true;
        return;
      }
      el.hidden = !!mods.invisible;
    });
    form.querySelectorAll('fieldset[data-readonly="' + key + '"]').forEach(function (set) {
      set.disabled = !!mods.readonly;
    });
    form.querySelectorAll('[data-mod="' + key + '"]').forEach(function (el) {
      var label = el.querySelector(".o-field-label");
      if (label) label.classList.toggle("o-required", !!mods.required && !mods.readonly);
      el.querySelectorAll("input:not([type=hidden]):not([type=checkbox]), select, textarea").forEach(function (input) {
        input.required = !!mods.required && !mods.readonly;
        if (input.required) input.setAttribute("aria-required", "true"); else input.removeAttribute("aria-required");
      });
    });
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (!form.dataset || !form.dataset.onchange || !event.detail.xhr) return;
    var answer;
    try { answer = JSON.parse(event.detail.xhr.responseText); } catch (e) { return; }
    Object.keys(answer.fields || {}).forEach(function (name) { setValue(form, name, answer.fields[name]); });
    Object.keys(answer.lines || {}).forEach(function (name) {
      var rows = answer.lines[name];
      Object.keys(rows).forEach(function (row) {
        Object.keys(rows[row]).forEach(function (column) {
          setValue(form, name + "." + row + "." + column, rows[row][column]);
        });
      });
    });
    Object.keys(answer.tags || {}).forEach(function (name) { setTags(form, name, answer.tags[name]); });
    // a sub-list whose lines the onchange replaced (lines proposed by the server): drawn again
    Object.keys(answer.sublists || {}).forEach(function (name) {
      var sub = form.querySelector('.o-sublist[data-name="' + name + '"]');
      if (!sub) return;
      var body = sub.querySelector("tbody");
      body.innerHTML = answer.sublists[name].html;
      var add = sub.querySelector(".o-add-line");
      if (add) add.dataset.nextIndex = String(answer.sublists[name].count);
      body.querySelectorAll("td[data-mod]").forEach(function (cell) {
        var head = sub.querySelector('th[data-mod="' + cell.dataset.mod + '"]');
        if (head) cell.hidden = head.hidden;
      });
      onReady(body);
    });
    Object.keys(answer.modifiers || {}).forEach(function (key) { applyModifiers(form, key, answer.modifiers[key]); });
    var box = form.querySelector(".o-onchange-warning") || document.getElementById("o-onchange-warning");
    if (box) {
      var warning = answer.warning;
      box.hidden = !warning;
      box.classList.toggle("o-alert", !!warning);
      box.classList.toggle("o-alert-warning", !!warning);
      box.textContent = warning ? [warning.title, warning.message].filter(Boolean).join(": ") : "";
    }
    form.dispatchEvent(new CustomEvent("erplite:onchange", {bubbles: true}));
  });

  // -- binary: the filename field (filename="...") gets the chosen file's name, as in Odoo ----
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-filename-field]") || !input.files.length) return;
    var named = input.form && input.form.querySelector('[name="' + input.dataset.filenameField + '"]');
    if (named && named.matches("input[type=text], textarea")) named.value = input.files[0].name;
  }, true);  // before the form's onchange reads the inputs

  // -- priority: stars lit up to the chosen one; clicking the lit last star clears it -------
  function paintPriority(box) {
    if (!box) return;
    var checked = box.querySelector("input[type=radio]:checked");
    var rank = checked ? parseInt(checked.dataset.rank, 10) : 0;
    box.querySelectorAll("input[type=radio]").forEach(function (radio) {
      var star = radio.closest(".o-priority-star");
      if (star) star.classList.toggle("o-on", parseInt(radio.dataset.rank, 10) <= rank);
    });
  }
  document.addEventListener("click", function (event) {
    var star = event.target.closest(".o-priority-star");
    if (!star || event.target.matches("input")) return;
    var radio = star.querySelector("input[type=radio]");
    if (!radio || radio.disabled) return;
    event.preventDefault();
    var box = star.closest(".o-priority");
    var target = radio.checked ? box.querySelector('input[type=radio][data-rank="0"]') : radio;
    target.checked = true;
    paintPriority(box);
    target.dispatchEvent(new Event("input", {bubbles: true}));
    target.dispatchEvent(new Event("change", {bubbles: true}));
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches(".o-priority input[type=radio]")) paintPriority(event.target.closest(".o-priority"));
  });

  // -- handle: drag a row (or Arrow keys on its handle) to reorder ---------------------------
  // A one2many's lines get their sequence inputs renumbered (saved with the form); a list's
  // rows are sent to /web/dataset/resequence, which writes the sequences at once.
  var dragged = null;
  function rowsOf(body) { return Array.prototype.slice.call(body.children).filter(function (r) { return r.tagName === "TR"; }); }
  function afterMove(row) {
    var body = row.parentElement;
    if (row.classList.contains("o-line")) {
      var inputs = rowsOf(body).map(function (r) { return r.querySelector("input.o-sequence"); }).filter(Boolean);
      var values = inputs.map(function (i) { return parseInt(i.value, 10); }).filter(function (v) { return !isNaN(v); });
      values.sort(function (a, b) { return a - b; });
      var distinct = values.length === inputs.length && values.every(function (v, k) { return k === 0 || v > values[k - 1]; });
      var start = values.length ? values[0] : 1;
      inputs.forEach(function (input, k) {
        input.value = String(distinct ? values[k] : start + k);
        input.dispatchEvent(new Event("change", {bubbles: true}));
      });
      dirty = true;
      return;
    }
    var table = row.closest("table[data-resequence]");
    if (!table) return;
    var ids = rowsOf(body).map(function (r) { var c = r.querySelector("input.o-select"); return c && parseInt(c.value, 10); }).filter(Boolean);
    var token = document.querySelector('input[name="csrf_token"]');
    fetch(table.dataset.resequence, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": token ? token.value : ""},
      body: JSON.stringify({jsonrpc: "2.0", method: "call", params: {model: table.dataset.model, ids: ids, field: table.dataset.handle}})
    }).then(function (response) { return response.json(); }).then(function (answer) {
      table.dispatchEvent(new CustomEvent("erplite:resequenced", {bubbles: true, detail: answer}));
      if (answer.error) window.alert((answer.error.data && answer.error.data.message) || answer.error.message);
    });
  }
  document.addEventListener("dragstart", function (event) {
    var handle = event.target.closest && event.target.closest(".o-handle");
    if (!handle) return;
    dragged = handle.closest("tr");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", "row");
  });
  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var over = event.target.closest && event.target.closest("tr");
    if (!over || over === dragged || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    var box = over.getBoundingClientRect();
    over.parentElement.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
  });
  document.addEventListener("drop", function (event) { if (dragged) event.preventDefault(); });
  document.addEventListener("dragend", function () {
    if (!dragged) return;
    var row = dragged;
    dragged = null;
    afterMove(row);
  });
  document.addEventListener("keydown", function (event) {
    var handle = event.target.closest && event.target.closest(".o-handle");
    if (!handle || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    event.preventDefault();
    var row = handle.closest("tr");
    var other = event.key === "ArrowUp" ? row.previousElementSibling : row.nextElementSibling;
    if (!other) return;
    row.parentElement.insertBefore(row, event.key === "ArrowUp" ? other : other.nextSibling);
    handle.focus();
    afterMove(row);
  });

  document.addEventListener("DOMContentLoaded", function () { onReady(document); closeLater(document); });
  document.addEventListener("htmx:afterSettle", function (event) { onReady(event.target); });
})();
