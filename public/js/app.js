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

// Province → city → district: refill the next list when one changes.
async function fillRegions(form, changed) {
  const province = form.querySelector('select[data-region="province"]');
  const city = form.querySelector('select[data-region="city"]');
  const district = form.querySelector('select[data-region="district"]');
  const params = new URLSearchParams({ province: province.value, city: changed === 'province' || !city ? '' : city.value });
  const res = await fetch(`/customers/regions?${params}`, { headers: { accept: 'application/json' } });
  if (!res.ok) return;
  const { cities, districts } = await res.json();
  const refill = (select, values) => {
    if (!select) return;
    const blank = select.options[0];
    select.replaceChildren(blank, ...values.map((v) => new Option(v, v)));
  };
  if (changed === 'province') refill(city, cities);
  refill(district, changed === 'province' ? [] : districts);
}

document.addEventListener('change', (event) => {
  const role = event.target.getAttribute?.('data-region');
  if (role === 'province' || role === 'city') void fillRegions(event.target.form, role);
});

// Fields for one kind of customer (a person's birthday) show only while that kind is chosen.
function showFieldsFor(select) {
  for (const field of select.form.querySelectorAll('[data-for-kind]')) {
    field.hidden = field.getAttribute('data-for-kind') !== select.value;
  }
}
for (const select of document.querySelectorAll('select[name="kind"]')) {
  if (select.form?.querySelector('[data-for-kind]')) showFieldsFor(select);
}
document.addEventListener('change', (event) => {
  if (event.target.matches?.('select[name="kind"]') && event.target.form) showFieldsFor(event.target);
});
