// Passkeys (WebAuthn) for staff: add one on the account page (#passkey-add), or use one at the second
// sign-in step (#passkey-sign-in). Buttons stay hidden where the browser has no WebAuthn; the TOTP code
// always remains. Options come from the server as JSON with base64url fields, converted here both ways.
(function () {
  'use strict';
  var addButton = document.getElementById('passkey-add');
  var signInButton = document.getElementById('passkey-sign-in');
  var errorBox = document.getElementById('passkey-error');
  var button = addButton || signInButton;
  if (!button) return;
  if (!window.PublicKeyCredential || !navigator.credentials || !window.fetch) return;
  button.hidden = false;

  function fromB64url(value) {
    var b64 = value.replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    var binary = window.atob(b64);
    var bytes = new window.Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toB64url(buffer) {
    var bytes = new window.Uint8Array(buffer);
    var binary = '';
    for (var i = 0; i < bytes.length; i += 1) binary += String.fromCharCode(bytes[i]);
    return window.btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function showError(message) {
    if (!errorBox) return;
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function post(url, body) {
    return window
      .fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'x-csrf-token': button.getAttribute('data-csrf'),
        },
        body: JSON.stringify(body || {}),
      })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      });
  }

  function credentialJson(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    }
    if (r.authenticatorData) response.authenticatorData = toB64url(r.authenticatorData);
    if (r.signature) response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
    return {
      id: credential.id,
      rawId: toB64url(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults
        ? credential.getClientExtensionResults()
        : {},
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    };
  }

  function localePrefix() {
    return /^\/en(\/|$)/.test(location.pathname) ? '/en' : '';
  }

  function add() {
    post('/api/staff/passkeys/options')
      .then(function (options) {
        options.challenge = fromB64url(options.challenge);
        options.user.id = fromB64url(options.user.id);
        (options.excludeCredentials || []).forEach(function (c) {
          c.id = fromB64url(c.id);
        });
        return navigator.credentials.create({ publicKey: options });
      })
      .then(function (credential) {
        return post('/api/staff/passkeys', { credential: credentialJson(credential) });
      })
      .then(function () {
        location.replace(localePrefix() + '/staff/account?saved=1');
      })
      .catch(function () {
        showError(button.getAttribute('data-failed'));
      });
  }

  function signIn() {
    post('/api/staff/sign-in/passkey/options')
      .then(function (options) {
        options.challenge = fromB64url(options.challenge);
        (options.allowCredentials || []).forEach(function (c) {
          c.id = fromB64url(c.id);
        });
        return navigator.credentials.get({ publicKey: options });
      })
      .then(function (credential) {
        return post('/api/staff/sign-in/passkey', { credential: credentialJson(credential) });
      })
      .then(function (result) {
        location.replace(result.next);
      })
      .catch(function () {
        showError(button.getAttribute('data-failed'));
      });
  }

  button.addEventListener('click', addButton ? add : signIn);
})();
