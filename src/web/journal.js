// Her journal: files go up with tus (resumable: a dropped connection continues where it stopped), with a
// progress bar showing bytes and time left. Nothing is kept on the phone: no resume fingerprints in storage,
// and the page is replaced (not pushed) when the upload is done. Without JavaScript (or without tus) the form
// posts the file as multipart instead, into the same encrypted pipeline.
(function () {
  'use strict';
  var tus = window.tus;
  if (!tus || !tus.Upload || !tus.isSupported) return;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB';
    if (n < 1024 * 1024 * 1024) return (n / 1024 / 1024).toFixed(1) + ' MB';
    return (n / 1024 / 1024 / 1024).toFixed(2) + ' GB';
  }

  function duration(seconds, units) {
    if (seconds < 60) return Math.max(1, Math.round(seconds)) + ' ' + units.s;
    if (seconds < 3600) return Math.round(seconds / 60) + ' ' + units.m;
    return (seconds / 3600).toFixed(1) + ' ' + units.h;
  }

  function messageOf(error) {
    var response = error && error.originalResponse;
    if (response) {
      try {
        var body = JSON.parse(response.getBody());
        if (body && body.error && body.error.message) return body.error.message;
      } catch (_e) {
        /* not JSON */
      }
    }
    return '';
  }

  var forms = document.querySelectorAll('form[data-tus-grant]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (event) {
      var input = form.querySelector('input[type=file]');
      var file = input && input.files && input.files[0];
      if (!file) return; // the server explains what is missing
      event.preventDefault();
      var d = form.dataset;
      var units = { s: d.unitS, m: d.unitM, h: d.unitH };
      var status = form.querySelector('[data-upload-status]');
      var bar = form.querySelector('progress');
      var button = form.querySelector('button[type=submit]');
      var started = Date.now();
      if (button) button.disabled = true;
      // A message from an earlier attempt no longer applies.
      Array.prototype.forEach.call(form.querySelectorAll('.field-error'), function (el) {
        el.parentNode.removeChild(el);
      });
      input.removeAttribute('aria-invalid');
      if (bar) {
        bar.hidden = false;
        bar.max = file.size || 1;
        bar.value = 0;
      }
      var sha = '';
      var upload = new tus.Upload(file, {
        endpoint: d.tusEndpoint,
        chunkSize: 8 * 1024 * 1024,
        retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000],
        storeFingerprintForResuming: false,
        removeFingerprintOnSuccess: true,
        headers: { 'Anxin-Upload-Grant': d.tusGrant, 'Accept-Language': d.locale },
        metadata: {
          filename: file.name,
          filetype: file.type || '',
          evidenceType: d.evidenceType,
          incidentDate: d.incidentDate,
          description: '',
        },
        onProgress: function (sent, total) {
          if (bar) bar.value = sent;
          var elapsed = (Date.now() - started) / 1000;
          var text = format(d.textProgress, { sent: bytes(sent), total: bytes(total) });
          if (sent > 0 && sent < total && elapsed > 0.5) {
            text += format(d.textTimeLeft, { time: duration(((total - sent) * elapsed) / sent, units) });
          }
          if (sent === total) text = d.textChecking;
          if (status) status.textContent = text;
        },
        onShouldRetry: function (error) {
          // Network failures and server trouble are retried (resuming at the stored offset); refusals are not.
          var response = error && error.originalResponse;
          var code = response ? response.getStatus() : 0;
          var retry = code === 0 || code === 409 || code === 423 || (code >= 500 && code !== 503);
          if (retry && status) status.textContent = d.textPaused;
          return retry;
        },
        onAfterResponse: function (_req, res) {
          var value = res.getHeader('Anxin-Evidence-Sha256');
          if (value) sha = value;
        },
        onSuccess: function () {
          if (status) status.textContent = format(d.textDone, { sha: sha.slice(0, 12) });
          location.replace(d.doneHref);
        },
        onError: function (error) {
          if (button) button.disabled = false;
          if (bar) bar.hidden = true;
          if (status)
            status.textContent = format(d.textFailed, { message: messageOf(error) || d.textFailedGeneric });
        },
      });
      upload.start();
    });
  });
})();
