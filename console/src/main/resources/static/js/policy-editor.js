// Policy editor: a click on an error puts the cursor at its line and column in the text area.
// Loaded from the page (no inline script: the content security policy forbids it).
(function () {
  'use strict';
  var text = document.getElementById('policy-text');
  if (!text) {
    return;
  }
  function offsetOf(line, column) {
    var lines = text.value.split('\n');
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) {
      offset += lines[i].length + 1;
    }
    var here = lines[Math.min(line, lines.length) - 1] || '';
    return offset + Math.min(Math.max(column - 1, 0), here.length);
  }
  document.querySelectorAll('a.goto').forEach(function (link) {
    link.addEventListener('click', function (event) {
      event.preventDefault();
      var at = offsetOf(parseInt(link.dataset.line, 10), parseInt(link.dataset.column, 10));
      text.focus();
      text.setSelectionRange(at, at);
      var lineHeight = text.scrollHeight / Math.max(text.value.split('\n').length, 1);
      text.scrollTop = Math.max(0, (parseInt(link.dataset.line, 10) - 3) * lineHeight);
    });
  });
}());
