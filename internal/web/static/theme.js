// Runs before first paint (loaded without defer) so a saved theme never flashes the wrong colours.
(function () {
  try {
    var t = localStorage.getItem("ntatlas-theme");
    if (t === "light" || t === "dark") document.documentElement.dataset.theme = t;
  } catch (e) { /* storage may be disabled; the system theme applies */ }
})();
