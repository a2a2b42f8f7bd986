// Shows the error note after a refused token (/dashboard/login?error=1). The form itself works without JS.
'use strict';
(function () {
  if (new URLSearchParams(window.location.search).get('error') === '1') {
    const note = document.getElementById('login-error');
    if (note) note.hidden = false;
  }
})();
