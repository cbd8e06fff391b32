// The dossier page: "Hủy" in an action's confirmation closes the action and clears what was
// typed, without reloading. Without JavaScript the link reloads the page, which cancels too.
document.addEventListener("click", (event) => {
  const cancel = event.target.closest("[data-cancel]");
  const action = cancel && cancel.closest("details");
  if (!action) return;
  event.preventDefault();
  const form = action.querySelector("form");
  if (form) form.reset();
  action.open = false;
  action.querySelector("summary").focus();
});
