// Dev mode only: reload the page when the server reports that content changed.
const es = new EventSource("/_dev/events");
es.addEventListener("reload", () => location.reload());
