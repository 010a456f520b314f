// After an htmx swap has pushed a new address, the switch's links (rendered with the
// page first loaded) would lead back there: at the click, they take the address bar's
// page instead, with its query. Without JavaScript every page is whole and its links right.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-language-switch]");
  if (!link) return;
  var url = new URL(window.location.href);
  url.searchParams.set("lang", link.getAttribute("hreflang"));
  link.href = url.pathname + url.search;
});
