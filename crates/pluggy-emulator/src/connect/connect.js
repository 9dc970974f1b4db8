// The emulator's Connect app: plain JS, no framework, no build step. It runs the Connect
// flow against the emulator's own API with only the connect token (X-API-KEY), and reports
// what Pluggy Connect reports: onOpen, onClose, onSuccess({item}), onError({message, data?}),
// onEvent({event, timestamp, ...}). Wire data only ever reaches the page through textContent
// and attribute values, never as markup.
(function () {
  'use strict';

  var root = document.getElementById('app');
  var query = new URLSearchParams(location.search);
  var mode = 'standalone';
  var props = {};
  var parentOrigin = null;
  var token = '';
  var connectors = [];
  var connector = null;
  var item = null;
  var finished = false;
  var pollTimer = null;
  var lastPromptAt = null;

  // Every callback, in order, for a person or a test looking at the page itself.
  var record = [];
  window.pluggyEmulatorCallbacks = record;

  function emit(name, payload) {
    record.push({ name: name, payload: payload });
    if (mode === 'zoid') {
      // pluggy-connect-sdk itself calls onOpen and onClose, on zoid's DISPLAY and CLOSE
      // events: the child reports the others only, so that each reaches the page once.
      if (name === 'onOpen' || name === 'onClose') { return; }
      var f = window.xprops && window.xprops[name + 'Prop'];
      if (typeof f === 'function') {
        try {
          var r = payload === undefined ? f() : f(payload);
          if (r && typeof r.catch === 'function') { r.catch(function () {}); }
        } catch (e) { /* the embedding page's handler failed: not ours to report */ }
      }
    } else if (mode === 'dropin' && parentOrigin) {
      window.parent.postMessage(
        { source: 'pluggy-emulator-connect', callback: name, payload: payload },
        parentOrigin
      );
    }
  }

  function event(name, extra) {
    var p = { event: name, timestamp: Date.now() };
    if (extra) { Object.keys(extra).forEach(function (k) { p[k] = extra[k]; }); }
    emit('onEvent', p);
  }

  // --- DOM helpers -------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== false) {
          e.setAttribute(k, String(attrs[k]));
        }
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }

  function screen(state, title, children) {
    root.replaceChildren();
    root.setAttribute('data-state', state);
    var close = el('button', { type: 'button', 'class': 'close', 'data-action': 'close', 'aria-label': 'Close' }, ['×']);
    close.addEventListener('click', closeWidget);
    root.appendChild(close);
    root.appendChild(el('h1', null, [title]));
    children.forEach(function (c) { if (c) { root.appendChild(c); } });
  }

  function closeWidget() {
    stopPolling();
    emit('onClose');
    if (mode === 'zoid' && window.xprops && typeof window.xprops.close === 'function') {
      // zoid's close: the SDK then calls the page's onClose.
      var closing = window.xprops.close();
      if (closing && typeof closing.catch === 'function') { closing.catch(function () {}); }
    }
    if (mode === 'standalone') {
      screen('closed', 'Closed', [el('p', { 'class': 'muted' }, ['You can close this tab.'])]);
    }
  }

  // --- API -----------------------------------------------------------------------------------

  function api(method, path, body) {
    var init = { method: method, headers: { 'X-API-KEY': token, 'Accept': 'application/json' } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!res.ok) {
          var message = data && typeof data.message === 'string' ? data.message : 'Request failed with status ' + res.status;
          throw { message: message, status: res.status, body: data };
        }
        return data;
      });
    }, function () {
      throw { message: 'Could not reach the emulator' };
    });
  }

  function fail(err, failedItem) {
    if (finished) { return; }
    finished = true;
    stopPolling();
    var message = (err && typeof err.message === 'string') ? err.message : String(err);
    var payload = { message: message };
    if (failedItem) { payload.data = { item: failedItem }; }
    screen('error', 'Something went wrong', [
      el('p', { 'class': 'status', 'data-role': 'message' }, [message]),
      failedItem && failedItem.error && failedItem.error.code
        ? el('p', { 'class': 'muted', 'data-role': 'code' }, [String(failedItem.error.code)])
        : null
    ]);
    emit('onError', payload);
  }

  // --- props ---------------------------------------------------------------------------------

  function list(v) {
    if (Array.isArray(v)) { return v; }
    if (typeof v === 'string' && v !== '') { return v.split(',').map(function (s) { return s.trim(); }).filter(Boolean); }
    return null;
  }

  function flag(v) { return v === true || v === 'true' || v === '1' || v === ''; }

  function fromQuery() {
    var p = {};
    ['connectToken', 'updateItem', 'selectedConnectorId', 'language', 'theme'].forEach(function (k) {
      if (query.has(k)) { p[k] = query.get(k); }
    });
    ['includeSandbox', 'connectorSortAlphabetically'].forEach(function (k) {
      if (query.has(k)) { p[k] = flag(query.get(k)); }
    });
    ['connectorTypes', 'connectorIds', 'countries', 'products'].forEach(function (k) {
      if (query.has(k)) { p[k] = list(query.getAll(k).join(',')); }
    });
    return p;
  }

  // --- flow ----------------------------------------------------------------------------------

  function begin() {
    token = typeof props.connectToken === 'string' ? props.connectToken : '';
    emit('onOpen');
    if (!token) {
      fail({ message: 'A connect token is required (connectToken)' });
      return;
    }
    var load = props.updateItem
      ? api('GET', '/items/' + encodeURIComponent(props.updateItem)).then(function (it) {
          item = it;
          return api('GET', '/connectors/' + encodeURIComponent(it.connector.id)).then(function (c) { connector = c; });
        })
      : loadConnectors();
    load.then(terms, function (e) { fail(e); });
  }

  function loadConnectors() {
    var q = new URLSearchParams();
    if (flag(props.includeSandbox)) { q.set('sandbox', 'true'); }
    var types = list(props.connectorTypes);
    if (types && types.length) { q.set('types', types.join(',')); }
    var countries = list(props.countries);
    if (countries && countries.length) { q.set('countries', countries.join(',')); }
    var s = q.toString();
    return api('GET', '/connectors' + (s ? '?' + s : '')).then(function (page) {
      var found = (page && Array.isArray(page.results)) ? page.results : [];
      var ids = list(props.connectorIds);
      if (ids && ids.length) {
        var wanted = ids.map(String);
        found = found.filter(function (c) { return wanted.indexOf(String(c.id)) >= 0; });
      }
      if (flag(props.connectorSortAlphabetically)) {
        found = found.slice().sort(function (a, b) { return String(a.name).localeCompare(String(b.name)); });
      }
      connectors = found;
    });
  }

  function terms() {
    var form = el('form', { novalidate: true }, [
      el('p', null, ['This emulated Connect asks for your consent to share your financial data with this application, as Pluggy Connect does. No data leaves this machine.']),
      el('div', { 'class': 'actions' }, [el('button', { type: 'submit' }, ['Continue'])])
    ]);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      event('SUBMITTED_CONSENT');
      afterTerms();
    });
    screen('terms', 'Pluggy emulator', [form]);
  }

  function afterTerms() {
    if (props.updateItem) {
      credentialsForm();
      return;
    }
    var selected = props.selectedConnectorId;
    if (selected !== undefined && selected !== null && selected !== '') {
      var c = connectors.filter(function (x) { return String(x.id) === String(selected); })[0];
      if (c) { select(c); return; }
    }
    connectorList();
  }

  function connectorList() {
    var items = connectors.map(function (c) {
      var b = el('button', { type: 'button', 'data-connector-id': c.id }, [String(c.name)]);
      b.addEventListener('click', function () { select(c); });
      return el('li', null, [b]);
    });
    screen('connectors', 'Choose your institution', [
      items.length ? el('ul', { 'class': 'connectors' }, items) : el('p', { 'class': 'status' }, ['No institution matches.'])
    ]);
  }

  function select(c) {
    connector = c;
    event('SELECTED_INSTITUTION', { connector: c });
    credentialsForm();
  }

  // One input (or select) per credential; returns {node, check} where check() answers the
  // value or null after showing the credential's validation message.
  function field(cred) {
    var name = String(cred.name);
    var input;
    if (cred.type === 'select' && Array.isArray(cred.options)) {
      input = el('select', { name: name, id: 'f-' + name }, cred.options.map(function (o) {
        return el('option', { value: o.value }, [String(o.label !== undefined ? o.label : o.value)]);
      }));
    } else {
      input = el('input', {
        name: name,
        id: 'f-' + name,
        type: cred.type === 'password' ? 'password' : 'text',
        inputmode: cred.type === 'number' ? 'numeric' : null,
        placeholder: cred.placeholder || null,
        autocomplete: 'off'
      });
    }
    var error = el('div', { 'class': 'field-error', 'data-error-for': name }, []);
    var node = el('div', { 'class': 'field' }, [
      el('label', { 'for': 'f-' + name }, [String(cred.label || name)]),
      input,
      error
    ]);
    function check() {
      var value = input.value;
      var message = null;
      if (value === '' && !cred.optional) {
        message = cred.validationMessage || ('Please fill in ' + (cred.label || name));
      } else if (value !== '' && cred.validation) {
        var re = null;
        try { re = new RegExp(cred.validation); } catch (e) { re = null; }
        if (re && !re.test(value)) { message = cred.validationMessage || 'Invalid value'; }
      }
      error.textContent = message || '';
      input.setAttribute('aria-invalid', message ? 'true' : 'false');
      return message ? null : value;
    }
    return { node: node, check: check, name: name };
  }

  function credentialForm(state, title, creds, onValues, intro) {
    var fields = creds.map(field);
    var form = el('form', { novalidate: true }, [intro || null].concat(fields.map(function (f) { return f.node; }), [
      el('div', { 'class': 'actions' }, [el('button', { type: 'submit' }, ['Continue'])])
    ]));
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var values = {};
      var ok = true;
      fields.forEach(function (f) {
        var v = f.check();
        if (v === null) { ok = false; } else if (v !== '') { values[f.name] = v; }
      });
      if (ok) { onValues(values); }
    });
    screen(state, title, [form]);
    var first = form.querySelector('input, select');
    if (first) { first.focus(); }
  }

  function credentialsForm() {
    var creds = Array.isArray(connector.credentials) ? connector.credentials : [];
    var login = creds.filter(function (c) { return !c.mfa; });
    var mfa = creds.filter(function (c) { return c.mfa; });
    credentialForm('credentials', String(connector.name), login, function (values) {
      event('SUBMITTED_LOGIN');
      if (mfa.length) {
        // One-step MFA: the token goes with the other credentials.
        credentialForm('mfa', 'Security code', mfa, function (more) {
          event('SUBMITTED_MFA');
          Object.keys(more).forEach(function (k) { values[k] = more[k]; });
          submitItem(values);
        });
      } else {
        submitItem(values);
      }
    });
  }

  function submitItem(parameters) {
    syncing('Connecting…');
    var call = props.updateItem
      ? api('PATCH', '/items/' + encodeURIComponent(props.updateItem), { parameters: parameters })
      : api('POST', '/items', itemBody(parameters));
    call.then(function (it) {
      item = it;
      event('ITEM_RESPONSE', { item: it });
      poll();
    }, function (e) { fail(e, item); });
  }

  function itemBody(parameters) {
    var body = { connectorId: connector.id, parameters: parameters };
    var products = list(props.products);
    if (products && products.length) { body.products = products; }
    return body;
  }

  function syncing(text) {
    screen('syncing', 'Connecting to ' + String(connector ? connector.name : 'your institution'), [
      el('p', { 'class': 'status', 'data-role': 'progress' }, [text])
    ]);
  }

  function stopPolling() {
    if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
  }

  var loginReported = false;
  var mfaAnswered = false;
  var mfaReported = false;
  var stepReported = false;

  function poll() {
    stopPolling();
    if (finished) { return; }
    handle(item);
    if (finished || root.getAttribute('data-state') === 'mfa') { return; }
    pollTimer = setTimeout(function () {
      pollTimer = null;
      api('GET', '/items/' + encodeURIComponent(item.id)).then(function (it) {
        item = it;
        poll();
      }, function (e) { fail(e, item); });
    }, 500);
  }

  var PAST_LOGIN = ['ACCOUNTS_IN_PROGRESS', 'CREDITCARDS_IN_PROGRESS', 'TRANSACTIONS_IN_PROGRESS',
    'INVESTMENTS_IN_PROGRESS', 'INVESTMENT_TRANSACTIONS_IN_PROGRESS', 'IDENTITY_IN_PROGRESS',
    'PAYMENT_DATA_IN_PROGRESS', 'LOANS_IN_PROGRESS', 'MERGING', 'SUCCESS', 'PARTIAL_SUCCESS'];

  // The login events: LOGIN_SUCCESS once the credentials are accepted (at the two-step
  // prompt, or when the sync moves past the login), LOGIN_MFA_SUCCESS once a two-step answer
  // is accepted, LOGIN_STEP_COMPLETED when the sync moves past the whole login step.
  function loginEvents(it) {
    var exec = it.executionStatus;
    var waiting = it.status === 'WAITING_USER_INPUT';
    var past = PAST_LOGIN.indexOf(exec) >= 0;
    if (!loginReported && (waiting || past)) {
      loginReported = true;
      event('LOGIN_SUCCESS', { item: it });
    }
    if (past && mfaAnswered && !mfaReported) {
      mfaReported = true;
      event('LOGIN_MFA_SUCCESS', { item: it });
    }
    if (past && !stepReported) {
      stepReported = true;
      event('LOGIN_STEP_COMPLETED', { item: it });
    }
  }

  function handle(it) {
    var status = it.status;
    var exec = it.executionStatus;
    loginEvents(it);
    if (status === 'UPDATED' || (status === 'OUTDATED' && exec === 'PARTIAL_SUCCESS')) {
      succeed(it);
    } else if (status === 'LOGIN_ERROR' || status === 'OUTDATED') {
      var message = it.error && it.error.message ? it.error.message : 'The connection failed (' + exec + ')';
      fail({ message: message }, it);
    } else if (status === 'WAITING_USER_INPUT' && it.parameter && it.parameter.name) {
      var promptId = String(it.parameter.name) + '@' + String(it.parameter.expiresAt || it.updatedAt);
      if (promptId !== lastPromptAt) {
        lastPromptAt = promptId;
        mfaPrompt(it.parameter);
      }
    } else {
      syncing(progressText(exec));
    }
  }

  function progressText(exec) {
    switch (exec) {
      case 'CREATING': case 'CREATED': return 'Starting…';
      case 'LOGIN_IN_PROGRESS': return 'Logging in…';
      case 'LOGIN_MFA_IN_PROGRESS': return 'Checking the security code…';
      default: return 'Collecting your data… (' + String(exec || 'in progress') + ')';
    }
  }

  function mfaPrompt(parameter) {
    var intro = parameter.instructions ? el('p', { 'class': 'muted' }, [String(parameter.instructions)]) : null;
    credentialForm('mfa', String(parameter.label || 'Security code'), [parameter], function (values) {
      event('SUBMITTED_MFA');
      mfaAnswered = true;
      syncing('Checking the security code…');
      api('POST', '/items/' + encodeURIComponent(item.id) + '/mfa', values).then(function (it) {
        item = it;
        event('ITEM_RESPONSE', { item: it });
        poll();
      }, function (e) { fail(e, item); });
    }, intro);
  }

  function succeed(it) {
    if (finished) { return; }
    finished = true;
    stopPolling();
    screen('success', 'Connected', [
      el('p', { 'class': 'status', 'data-role': 'message' }, [String(connector ? connector.name : 'Your account') + ' is connected.']),
      el('p', { 'class': 'muted', 'data-role': 'item-id' }, [String(it.id)])
    ]);
    emit('onSuccess', { item: it });
  }

  // --- start ---------------------------------------------------------------------------------

  function start() {
    if (window.zoid && typeof window.zoid.create === 'function') {
      try {
        window.zoid.create({ tag: 'pluggy-connect-widget', url: location.href });
      } catch (e) { /* not a zoid child: standalone below */ }
    }
    if (window.xprops) {
      mode = 'zoid';
      props = window.xprops;
      begin();
      return;
    }
    if (query.get('embed') === 'dropin' && window.parent !== window) {
      mode = 'dropin';
      window.addEventListener('message', function onProps(e) {
        if (e.source !== window.parent || !e.data || e.data.source !== 'pluggy-emulator-dropin' || e.data.type !== 'props') { return; }
        window.removeEventListener('message', onProps);
        parentOrigin = e.origin;
        props = e.data.props || {};
        begin();
      });
      // Only a signal, with no data: the props come back from the embedding page.
      window.parent.postMessage({ source: 'pluggy-emulator-connect', type: 'ready' }, '*');
      return;
    }
    props = fromQuery();
    begin();
  }

  start();
}());
