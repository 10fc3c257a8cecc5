// The quote form's "add line" without a round trip: a new empty row after the last, numbered on.
// Without this file the button posts the form, which comes back with one more row.
const table = document.querySelector('[data-quote-lines] tbody');
const button = document.querySelector('[data-add-line]');
if (table && button) {
  button.addEventListener('click', (event) => {
    const last = table.querySelector('tr[data-line]:last-of-type');
    if (!last) return;
    event.preventDefault();
    const index = table.querySelectorAll('tr[data-line]').length;
    const row = last.cloneNode(true);
    row.querySelector('td:first-child').textContent = String(index + 1);
    for (const cell of row.querySelectorAll('td.has-error')) cell.classList.remove('has-error');
    for (const errors of row.querySelectorAll('.errors')) errors.remove();
    for (const input of row.querySelectorAll('input')) {
      input.value = '';
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
      input.name = input.name.replace(/^lines\[\d+\]/, `lines[${index}]`);
    }
    table.append(row);
    row.querySelector('input')?.focus();
  });
}
