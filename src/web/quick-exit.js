// Quick exit: the button and the Esc key leave at once. Storage is cleared, the current history entry is
// replaced (so Back does not return here), and the server's /exit clears cookies and site data.
(function () {
  'use strict';
  function leave(event) {
    if (event) event.preventDefault();
    try {
      sessionStorage.clear();
    } catch (_e) {
      /* storage may be disabled */
    }
    try {
      localStorage.clear();
    } catch (_e) {
      /* storage may be disabled */
    }
    document.body.style.display = 'none';
    location.replace('/exit');
  }
  var button = document.getElementById('quick-exit');
  if (button) button.addEventListener('click', leave);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' || event.key === 'Esc') leave(event);
  });
})();
