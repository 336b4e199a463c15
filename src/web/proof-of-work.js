// Proof of work for the help form (see src/platform/proof-of-work.ts): on submit, find a nonce such that
// SHA-256 of "<challenge>:<nonce>" begins with `bits` zero bits, put that string in the form's `proof` field and
// send. A fraction of a second on a phone; the page stays responsive (work in short slices). If anything goes
// wrong the form is sent without a proof: the server still accepts it within a smaller per-network budget.
// ES5, no dependencies, nothing from another origin.
(function (root) {
  'use strict';
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];
  var INITIAL = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ];
  var W = new Array(64);

  // One SHA-256 compression of the 16 words m (from offset) into state h (a new array is returned).
  function compress(h, m, offset) {
    var i, x, y;
    for (i = 0; i < 16; i++) W[i] = m[offset + i] | 0;
    for (i = 16; i < 64; i++) {
      x = W[i - 15];
      y = W[i - 2];
      W[i] =
        (W[i - 16] +
          (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) +
          W[i - 7] +
          (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) |
        0;
    }
    var a = h[0],
      b = h[1],
      c = h[2],
      d = h[3],
      e = h[4],
      f = h[5],
      g = h[6],
      k = h[7],
      t1,
      t2;
    for (i = 0; i < 64; i++) {
      t1 =
        (k +
          (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
          ((e & f) ^ (~e & g)) +
          K[i] +
          W[i]) |
        0;
      t2 =
        ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
          ((a & b) ^ (a & c) ^ (b & c))) |
        0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    return [
      (h[0] + a) | 0,
      (h[1] + b) | 0,
      (h[2] + c) | 0,
      (h[3] + d) | 0,
      (h[4] + e) | 0,
      (h[5] + f) | 0,
      (h[6] + g) | 0,
      (h[7] + k) | 0,
    ];
  }

  // Words of an ASCII string placed at byte position `start` of a zeroed word array.
  function put(words, text, start) {
    for (var i = 0; i < text.length; i++) {
      var at = start + i;
      words[at >> 2] |= (text.charCodeAt(i) & 0xff) << (24 - (at & 3) * 8);
    }
  }

  // Search nonces from 0 until SHA-256("<challenge>:<nonce>") starts with `bits` zero bits. `done(proof)` is
  // called with the proof string; the work runs in slices of ~30 ms so the page keeps answering.
  function solve(challenge, bits, done) {
    var prefix = challenge + ':';
    var whole = Math.floor(prefix.length / 64) * 64;
    var state = INITIAL;
    var head = [],
      i;
    for (i = 0; i < whole / 4; i++) head.push(0);
    put(head, prefix.slice(0, whole), 0);
    for (i = 0; i < whole; i += 64) state = compress(state, head, i / 4);
    var rest = prefix.slice(whole);
    var nonce = 0;
    var tail = new Array(32);
    function attempt(n) {
      var text = rest + n;
      var blocks = text.length + 9 > 64 ? 2 : 1;
      for (var j = 0; j < blocks * 16; j++) tail[j] = 0;
      put(tail, text, 0);
      tail[text.length >> 2] |= 0x80 << (24 - (text.length & 3) * 8);
      var bitLength = (whole + text.length) * 8;
      tail[blocks * 16 - 1] = bitLength;
      var h = compress(state, tail, 0);
      if (blocks === 2) h = compress(h, tail, 16);
      return bits === 0 || h[0] >>> (32 - bits) === 0;
    }
    function slice() {
      var until = Date.now() + 30;
      while (Date.now() < until) {
        for (var step = 0; step < 512; step++, nonce++) {
          if (attempt(nonce)) return done(prefix + nonce);
        }
      }
      setTimeout(slice, 0);
    }
    slice();
  }

  root.AnxinProof = { solve: solve };

  if (typeof document === 'undefined') return;
  var field = document.querySelector('input[name="proofChallenge"]');
  var form = field && field.form;
  if (!form) return;
  var proof = form.querySelector('input[name="proof"]');
  var loadedAt = Date.now();
  var ttl = Number(field.getAttribute('data-ttl')) * 1000;
  var busy = false;

  function send(value) {
    if (value) proof.value = value;
    form.submit();
  }

  function fresh(callback) {
    // A form open for hours: ask for a new challenge rather than send an expired one.
    if (Date.now() - loadedAt < ttl - 10 * 60 * 1000)
      return callback(field.value, Number(field.getAttribute('data-bits')));
    var request = new window.XMLHttpRequest();
    request.open('GET', field.getAttribute('data-renew'));
    request.onload = function () {
      try {
        var body = JSON.parse(request.responseText);
        callback(body.challenge, body.bits);
      } catch (_e) {
        send('');
      }
    };
    request.onerror = function () {
      send('');
    };
    request.send();
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    var button = form.querySelector('button[type="submit"]');
    if (button) {
      button.disabled = true;
      button.textContent = field.getAttribute('data-sending');
    }
    try {
      fresh(function (challenge, bits) {
        solve(challenge, bits, send);
      });
    } catch (_e) {
      send('');
    }
  });
})(typeof window !== 'undefined' ? window : this);
