// The sandbox wallet page's buttons: each POSTs the payer action to the
// control API and shows the resulting state. Text only (no innerHTML).
'use strict';
(function () {
  var root = document.querySelector('main[data-control]');
  if (!root) return;
  var stateEl = document.getElementById('state');
  var message = document.getElementById('message');
  var buttons = Array.prototype.slice.call(root.querySelectorAll('button[data-action]'));
  var finalStates = ['paid', 'failed', 'closed', 'expired', 'reverted', 'refunded'];

  function label(state) {
    return root.getAttribute('data-label-' + state) || state;
  }

  function setDisabled(disabled) {
    buttons.forEach(function (b) { b.disabled = disabled; });
  }

  function act(action) {
    setDisabled(true);
    fetch(root.getAttribute('data-control') + action, { method: 'POST', headers: { Accept: 'application/json' } })
      .then(function (res) {
        return res.json().then(function (body) { return { status: res.status, body: body || {} }; });
      })
      .then(function (r) {
        if (r.body.state) stateEl.textContent = label(r.body.state);
        if (r.body.ok) {
          message.textContent = label('done');
        } else {
          var err = r.body.error;
          message.textContent = (err && (err.message || err)) || ('HTTP ' + r.status);
        }
        setDisabled(finalStates.indexOf(r.body.state) >= 0);
      })
      .catch(function (e) {
        message.textContent = String(e);
        setDisabled(false);
      });
  }

  buttons.forEach(function (b) {
    b.addEventListener('click', function () { act(b.getAttribute('data-action')); });
  });
})();
