// The emulator's drop-in for Pluggy Connect's CDN script: `window.PluggyConnect`, with the
// CDN build's constructor props and methods (init, show, hide, destroy). It renders the
// emulator's Connect app (/connect) in an iframe overlay, hands it the props by postMessage,
// and relays the app's callbacks (onOpen, onClose, onSuccess, onError, onEvent) back to the
// props' handlers. Messages are accepted from the emulator's origin and the iframe only.
(function () {
  'use strict';

  var script = document.currentScript;
  var base = script && script.src ? new URL(script.src) : new URL(location.href);
  var EMULATOR_ORIGIN = base.origin;
  var CALLBACKS = ['onOpen', 'onClose', 'onSuccess', 'onError', 'onEvent', 'onHide'];

  function PluggyConnect(props) {
    if (!(this instanceof PluggyConnect)) { throw new TypeError("Class constructor PluggyConnect cannot be invoked without 'new'"); }
    if (!props || typeof props.connectToken !== 'string' || props.connectToken === '') {
      throw new Error('PluggyConnect: connectToken is required');
    }
    this.props = props;
    this.overlay = null;
    this.frame = null;
    this.listener = null;
  }

  // The props the app gets: everything but functions (which cannot cross postMessage).
  function plainProps(props) {
    var out = {};
    Object.keys(props).forEach(function (k) {
      var v = props[k];
      if (typeof v !== 'function' && k !== 'url') { out[k] = v; }
    });
    return out;
  }

  PluggyConnect.prototype.call = function (name, payload) {
    var f = this.props[name];
    if (typeof f !== 'function') { return; }
    try {
      var r = payload === undefined ? f() : f(payload);
      if (r && typeof r.catch === 'function') { r.catch(function () {}); }
    } catch (e) {
      setTimeout(function () { throw e; });
    }
  };

  PluggyConnect.prototype.init = function (containerElement) {
    var self = this;
    if (self.overlay) { return self.show(); }
    return new Promise(function (resolve) {
      var overlay = document.createElement('div');
      overlay.setAttribute('data-pluggy-connect', 'overlay');
      overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.45);display:flex;align-items:center;justify-content:center;';
      var frame = document.createElement('iframe');
      frame.setAttribute('title', 'Pluggy Connect');
      frame.setAttribute('data-pluggy-connect', 'frame');
      frame.style.cssText = 'width:min(100vw,30rem);height:min(100vh,42rem);border:0;border-radius:.5rem;background:#fff;';
      frame.src = EMULATOR_ORIGIN + '/connect?embed=dropin';
      self.listener = function (e) {
        if (e.origin !== EMULATOR_ORIGIN || e.source !== frame.contentWindow) { return; }
        var d = e.data;
        if (!d || d.source !== 'pluggy-emulator-connect') { return; }
        if (d.type === 'ready') {
          frame.contentWindow.postMessage(
            { source: 'pluggy-emulator-dropin', type: 'props', props: plainProps(self.props) },
            EMULATOR_ORIGIN
          );
          resolve();
          return;
        }
        if (CALLBACKS.indexOf(d.callback) < 0) { return; }
        if (d.callback === 'onClose') {
          self.destroy();
        }
        self.call(d.callback, d.payload);
      };
      window.addEventListener('message', self.listener);
      overlay.appendChild(frame);
      (containerElement || document.body || document.documentElement).appendChild(overlay);
      self.overlay = overlay;
      self.frame = frame;
    });
  };

  PluggyConnect.prototype.show = function () {
    if (this.overlay) { this.overlay.style.display = 'flex'; }
    return Promise.resolve();
  };

  PluggyConnect.prototype.hide = function () {
    if (this.overlay) { this.overlay.style.display = 'none'; }
    return Promise.resolve();
  };

  PluggyConnect.prototype.destroy = function () {
    if (this.listener) { window.removeEventListener('message', this.listener); this.listener = null; }
    if (this.overlay && this.overlay.parentNode) { this.overlay.parentNode.removeChild(this.overlay); }
    this.overlay = null;
    this.frame = null;
    return Promise.resolve();
  };

  window.PluggyConnect = PluggyConnect;
}());
