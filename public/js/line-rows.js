// A lines form's "add line" (quotes, contracts) without a round trip: a new empty row after the last,
// numbered on. Without this file the button posts the form, which comes back with more rows.
const table = document.querySelector('[data-lines] tbody');
const button = document.querySelector('[data-add-line]');
if (table && button) {
  button.addEventListener('click', (event) => {
    const rows = table.querySelectorAll('tr');
    const last = rows[rows.length - 1];
    if (!last) return;
    event.preventDefault();
    const index = rows.length;
    const row = last.cloneNode(true);
    row.querySelector('td:first-child').textContent = String(index + 1);
    for (const cell of row.querySelectorAll('td.has-error')) cell.classList.remove('has-error');
    for (const errors of row.querySelectorAll('.errors, .error')) errors.remove();
    for (const input of row.querySelectorAll('input')) {
      input.value = '';
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      input.name = input.name.replace(/^lines\[\d+\]/, `lines[${index}]`);
      const label = input.getAttribute('aria-label');
      if (label) input.setAttribute('aria-label', label.replace(/\d+$/, String(index + 1)));
    }
    table.append(row);
    row.querySelector('input')?.focus();
  });
}
