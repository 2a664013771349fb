// The demo shop's own script, as a real shop would write it: it tells Parley who is signed in, with the
// hash the shop's server computed (identity verification), or resets the widget after signing out.
window.Parley = window.Parley || function () { (Parley.q = Parley.q || []).push(arguments); };
(function (data) {
  if ("reset" in data) Parley("reset");
  else Parley("identify", { user_id: data.userId, name: data.name, email: data.email, user_hash: data.userHash });
})(document.currentScript.dataset);
