// The time left to pay an order (orders/detail.html): a file, not an inline script,
// because the Content-Security-Policy allows scripts from 'self' only.
(function () {
  var el = document.querySelector(".countdown");
  if (!el) return;
  var deadline = Date.parse(el.dataset.expires);
  function tick() {
    // Rounded up: "time is up" only once the deadline has passed, never a second early.
    var left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    if (left > 0) { setTimeout(tick, 1000); } else { el.textContent = "time is up"; }
  }
  tick();
})();
