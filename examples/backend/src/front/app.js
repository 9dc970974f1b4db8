// The quickstart's front end: a connect token from the backend, Pluggy Connect, and what the
// backend read with its API key once the webhook linked the item to the user. Everything from
// the network is written with textContent, never as HTML.
'use strict';

(function () {
  var $ = function (id) { return document.getElementById(id); };
  var statusLine = $('status');

  function say(text, state) {
    statusLine.textContent = text;
    statusLine.setAttribute('data-state', state || 'idle');
  }

  function user() {
    return $('user').value.trim();
  }

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function api(method, path, body) {
    var init = { method: method, headers: { 'x-user-id': user() } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          throw new Error(json.error || ('HTTP ' + response.status));
        }
        return json;
      });
    });
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function showItem(item) {
    var details = $('item-details');
    details.replaceChildren();
    var rows = [
      ['id', item.id],
      ['status', item.status],
      ['connector', item.connector && item.connector.name],
      ['clientUserId', item.clientUserId]
    ];
    rows.forEach(function (row) {
      details.appendChild(el('dt', row[0]));
      details.appendChild(el('dd', row[1] === undefined ? '' : row[1]));
    });
    $('item').hidden = false;
  }

  // The webhook reaches the backend a moment after onSuccess: wait until it lists the item.
  function waitForLink(itemId) {
    var deadline = Date.now() + 60000;
    function attempt() {
      return api('GET', '/items').then(function (answer) {
        var linked = (answer.items || []).some(function (record) {
          return record.itemId === itemId;
        });
        if (linked) { return true; }
        if (Date.now() > deadline) {
          throw new Error('the webhook did not reach the backend in time');
        }
        return sleep(500).then(attempt);
      });
    }
    return attempt();
  }

  function showAccounts(itemId) {
    say('Reading the accounts…', 'loading');
    var list = $('account-list');
    list.replaceChildren();
    $('accounts').hidden = false;
    return api('GET', '/items/' + encodeURIComponent(itemId) + '/accounts').then(function (answer) {
      var accounts = answer.accounts || [];
      return accounts.reduce(function (done, account) {
        return done.then(function () {
          var section = el('section');
          section.setAttribute('data-account-id', account.id);
          section.appendChild(el('h3', account.name + ' (' + account.type + ' ' + account.number + ')'));
          section.appendChild(el('p', 'Balance: ' + account.balance + ' ' + account.currencyCode));
          list.appendChild(section);
          return api('GET', '/accounts/' + encodeURIComponent(account.id) + '/transactions')
            .then(function (tx) {
              var table = el('table');
              var head = el('tr');
              ['date', 'description', 'amount'].forEach(function (h) { head.appendChild(el('th', h)); });
              table.appendChild(head);
              (tx.transactions || []).forEach(function (t) {
                var row = el('tr');
                row.appendChild(el('td', String(t.date).slice(0, 10)));
                row.appendChild(el('td', t.description));
                row.appendChild(el('td', t.amount + ' ' + t.currencyCode));
                table.appendChild(row);
              });
              section.appendChild(el('p', (tx.transactions || []).length + ' transactions' +
                (tx.truncated ? ' (the first ones only)' : '')));
              section.appendChild(table);
            });
        });
      }, Promise.resolve()).then(function () {
        say(accounts.length + ' accounts read by the backend.', 'done');
      });
    });
  }

  function failed(error) {
    say('Error: ' + (error && error.message ? error.message : String(error)), 'error');
  }

  function connect() {
    say('Asking the backend for a connect token…', 'loading');
    api('POST', '/connect-token').then(function (answer) {
      var widget = new window.PluggyConnect({
        connectToken: answer.accessToken,
        includeSandbox: true,
        onSuccess: function (data) {
          var item = data && data.item;
          if (!item) { return failed(new Error('onSuccess without an item')); }
          showItem(item);
          say('Connected. Waiting for the webhook to reach the backend…', 'waiting');
          waitForLink(item.id).then(function () { return showAccounts(item.id); }).catch(failed);
        },
        onError: function (error) {
          failed(new Error((error && error.message) || 'Pluggy Connect failed'));
        },
        onClose: function () {
          if (statusLine.getAttribute('data-state') === 'connecting') { say('Closed.', 'idle'); }
        }
      });
      say('Pluggy Connect is open.', 'connecting');
      return widget.init();
    }).catch(failed);
  }

  function mine() {
    api('GET', '/items').then(function (answer) {
      var list = $('item-list');
      list.replaceChildren();
      (answer.items || []).forEach(function (record) {
        var entry = el('li', record.itemId + ' — ' + (record.connector || '?') + ' — ' + record.status + ' ');
        var show = el('button', 'Accounts');
        show.type = 'button';
        show.addEventListener('click', function () { showAccounts(record.itemId).catch(failed); });
        entry.appendChild(show);
        list.appendChild(entry);
      });
      if (!(answer.items || []).length) { list.appendChild(el('li', 'No items yet.')); }
      $('items').hidden = false;
    }).catch(failed);
  }

  $('connect').addEventListener('click', connect);
  $('mine').addEventListener('click', mine);

  // The backend says where Pluggy Connect's script lives (an emulator, or Pluggy's CDN).
  fetch('/config').then(function (r) { return r.json(); }).then(function (config) {
    var script = document.createElement('script');
    script.src = config.widgetScript;
    script.onload = function () {
      $('connect').disabled = false;
      say('Ready.', 'idle');
    };
    script.onerror = function () { failed(new Error('cannot load ' + config.widgetScript)); };
    document.head.appendChild(script);
  }).catch(failed);
}());
