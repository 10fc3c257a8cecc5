// The ticket page's canned replies (常用回复): with JavaScript, choosing one puts its text into the
// reply at once; without it, the "Insert" button asks the server to do the same.
for (const select of document.querySelectorAll('select[data-canned-target]')) {
  const target = document.getElementById(select.getAttribute('data-canned-target'));
  const button = select.form.querySelector('[data-canned-insert]');
  if (!target) continue;
  if (button) button.hidden = true;
  select.addEventListener('change', () => {
    const option = select.selectedOptions[0];
    const text = option && option.getAttribute('data-body');
    if (!text) return;
    target.value = target.value.trim() ? `${target.value.trimEnd()}\n\n${text}` : text;
    select.value = '';
    target.focus();
  });
}
