// "Select all" for the quarantine and held-mail lists (no inline script: CSP).
(function () {
  'use strict';
  var all = document.getElementById('select-all');
  if (!all) {
    return;
  }
  all.addEventListener('change', function () {
    document.querySelectorAll('input.select').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
