// Records every Pluggy Connect callback, in order, for the test to read (window.__calls).
window.__calls = [];
window.__record = function (name) {
  return function (payload) {
    let copy;
    try {
      copy = payload === undefined ? null : JSON.parse(JSON.stringify(payload));
    } catch (e) {
      copy = { unserializable: String(e) };
    }
    window.__calls.push({ name: name, payload: copy });
  };
};
window.__props = function () {
  const q = new URLSearchParams(location.search);
  const props = {
    connectToken: q.get('connectToken'),
    includeSandbox: true,
    onOpen: window.__record('onOpen'),
    onClose: window.__record('onClose'),
    onSuccess: window.__record('onSuccess'),
    onError: window.__record('onError'),
    onEvent: window.__record('onEvent'),
  };
  if (q.get('updateItem')) props.updateItem = q.get('updateItem');
  return props;
};
