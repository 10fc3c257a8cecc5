// Progressive enhancement only: every page works without this file.
document.documentElement.classList.add('js');

document.addEventListener('change', (event) => {
  const form = event.target.closest('form[data-autosubmit]');
  if (form) form.submit();
});

document.addEventListener('submit', (event) => {
  const message = event.target.getAttribute('data-confirm');
  if (message && !window.confirm(message)) event.preventDefault();
});
