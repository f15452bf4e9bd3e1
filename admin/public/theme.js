// Applies the saved theme before the first paint. A file, not an inline
// <script>: the CSP on /_/ runs scripts from the dashboard's origin only.
try { var t = localStorage.getItem('basalt_theme'); if (t) document.documentElement.dataset.theme = t; } catch (e) {}
