// Quick exit: the button (and the Esc key, on a computer) leaves at once. Storage is cleared, the current history
// entry is replaced (so Back does not return here), and the server's /exit clears cookies and site data.
//
// One history entry: where this script runs, moving between survivor pages replaces the current entry instead of
// adding one (links and search forms through location.replace; forms marked `data-replace`, which answer with a
// redirect (post-redirect-get), are sent in the background and the page they lead to is opened with
// location.replace; a problem page is shown in place). So after quick exit, Back reaches whatever she had open
// before Anxin, never an Anxin page. Other posted forms, and everything without JavaScript, work as usual.
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

  var origin = location.protocol + '//' + location.host;

  /** A same-site page address this script may open in place of the current entry, or null. */
  function sameSitePage(href) {
    if (!href || href.indexOf(origin + '/') !== 0) return null;
    var path = href.slice(origin.length);
    // Staff pages, the API, files and the exit itself are left to the browser.
    if (/^\/(en\/)?(staff|desk|orders|api|assets|exit)(\/|$|\?)/.test(path)) return null;
    return href;
  }

  document.addEventListener('click', function (event) {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    var node = event.target;
    while (node && node.nodeName !== 'A') node = node.parentNode;
    if (
      !node ||
      node.id === 'quick-exit' ||
      node.hasAttribute('download') ||
      (node.target && node.target !== '_self')
    )
      return;
    var href = node.href;
    if (href && href.split('#')[0] === location.href.split('#')[0] && href.indexOf('#') >= 0) return; // in-page link
    var page = sameSitePage(href);
    if (!page) return;
    event.preventDefault();
    location.replace(page);
  });

  /** Show a page the server answered in place of this one (same history entry). */
  function showInPlace(html) {
    document.open();
    document.write(html);
    document.close();
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.nodeName !== 'FORM' || form.hasAttribute('data-own-history'))
      return;
    if (!window.FormData || !window.XMLHttpRequest) return;
    var action = sameSitePage(form.action);
    var get = (form.method || 'get').toLowerCase() === 'get';
    if (!action || (!get && !form.hasAttribute('data-replace'))) return;
    var data = new FormData(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    var pairs = [];
    data.forEach(function (value, name) {
      if (typeof value === 'string') pairs.push(encodeURIComponent(name) + '=' + encodeURIComponent(value));
    });
    var body = pairs.join('&').replace(/%20/g, '+');
    event.preventDefault();
    if (get) {
      location.replace(action.split('?')[0] + (body ? '?' + body : ''));
      return;
    }
    var request = new window.XMLHttpRequest();
    request.open('POST', action);
    request.setRequestHeader('content-type', 'application/x-www-form-urlencoded');
    request.setRequestHeader('accept', 'text/html');
    request.onload = function () {
      var landed = request.responseURL;
      // Post-redirect-get: the server sent her on to a page; open it in place of this one.
      if (landed && landed.split('#')[0] !== action && sameSitePage(landed)) {
        location.replace(landed);
        return;
      }
      if (landed && !sameSitePage(landed)) {
        location.replace(landed);
        return;
      }
      showInPlace(request.responseText);
    };
    request.onerror = function () {
      // The network failed: send the form the ordinary way, so nothing she wrote is lost.
      form.setAttribute('data-own-history', '1');
      form.submit();
    };
    request.send(body);
  });
})();
