// Less typing on the return form. Everything here is a shortcut: the form works without it.
// - Typing "n/a" in a figure's box opens its "not available because" box, the next tab stop.
// - "Copy last month's figures" fills only the blank boxes from last month, for the person to check.
// - Pasting a column of figures (from a spreadsheet) into a box fills it and the boxes below.
(function () {
  "use strict";
  var form = document.getElementById("return-form");
  if (!form) {
    return;
  }
  var NOT_AVAILABLE = ["n/a", "na", "not available"];
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.count-input"));
  var status = document.getElementById("entry-status");

  function say(text) {
    if (status) {
      // Cleared first so that the same words twice are announced twice.
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function reasonBox(input) {
    return document.getElementById(input.name + "-reason-box");
  }

  function showReasonIfAsked(input) {
    var box = reasonBox(input);
    if (box && NOT_AVAILABLE.indexOf(input.value.trim().toLowerCase()) !== -1) {
      box.hidden = false;
    }
  }

  inputs.forEach(function (input) {
    input.addEventListener("input", function () { showReasonIfAsked(input); });
  });

  var copy = document.getElementById("copy-last-month");
  if (copy && inputs.some(function (input) { return input.hasAttribute("data-last-month"); })) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var filled = 0;
      inputs.forEach(function (input) {
        var last = input.getAttribute("data-last-month");
        if (last !== null && input.value.trim() === "") {
          input.value = last;
          filled += 1;
        }
      });
      say(filled ? "Copied last month's figure into " + filled + " blank box" + (filled === 1 ? "" : "es") +
        ". Check each one before you save." : "No blank box had a figure from last month to copy.");
    });
  }

  var pasteHint = document.getElementById("paste-hint");
  if (pasteHint) {
    pasteHint.hidden = false;
  }

  function cells(text) {
    // One figure per line; a row copied across takes its first cell. Trailing blank lines are dropped.
    var lines = text.replace(/\r\n?/g, "\n").split("\n").map(function (line) {
      return line.split("\t")[0].trim();
    });
    while (lines.length && lines[lines.length - 1] === "") {
      lines.pop();
    }
    return lines;
  }

  inputs.forEach(function (input, index) {
    input.addEventListener("paste", function (event) {
      var data = event.clipboardData || window.clipboardData;
      if (!data) {
        return;
      }
      var values = cells(data.getData("text"));
      if (values.length < 2) {
        return; // one figure: the browser pastes it as usual
      }
      event.preventDefault();
      var targets = inputs.slice(index, index + values.length);
      targets.forEach(function (target, offset) {
        target.value = values[offset];
        showReasonIfAsked(target);
      });
      var dropped = values.length - targets.length;
      say("Pasted " + targets.length + " figures, from " + input.name + " down." +
        (dropped > 0 ? " " + dropped + " more did not fit and were left out." : ""));
    });
  });
})();
