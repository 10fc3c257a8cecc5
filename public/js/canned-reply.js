// The ticket page's canned replies (常用回复): with JavaScript, choosing one puts its text into the
// reply at once (the "Insert" button is then hidden by .js-hide); without it, that button asks the
// server to do the same.
for (const select of document.querySelectorAll('select[data-canned-target]')) {
  const target = document.getElementById(select.getAttribute('data-canned-target'));
  if (!target) continue;
  select.addEventListener('change', () => {
    const option = select.selectedOptions[0];
    const text = option && option.getAttribute('data-body');
    if (!text) return;
    target.value = target.value.trim() ? `${target.value.trimEnd()}\n\n${text}` : text;
    select.value = '';
    target.focus();
  });
}
