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

// A create form's one-time token (common/once-only.ts) belongs to its page in the history: when the
// user goes Back to the form, the browser may fetch the page again (with a new token) and restore
// what was typed, so the token the page first had is put back from the history entry. Save pressed
// again then sends the same token, and the server answers with what the first Save created.
for (const input of document.querySelectorAll('input[data-once]')) {
  const form = input.form?.getAttribute('action') ?? '';
  const state = history.state && typeof history.state === 'object' ? history.state : {};
  const kept = state.once?.[form];
  if (kept) input.value = kept;
  else history.replaceState({ ...state, once: { ...state.once, [form]: input.value } }, '');
}

// Follow-ups typed with no connection wait on this phone (follow-up-form.js keeps them) and are sent
// here as soon as the connection returns, on whatever page is open. Each carries its form's one-time
// token, so a draft sent twice (the answer lost on the way) still creates one follow-up. A draft the
// server refuses (a session that ended, a field to correct) stays, with a link to open it in its form.
(() => {
  const DRAFTS = 'kehu.drafts';

  function readDrafts() {
    try {
      const drafts = JSON.parse(localStorage.getItem(DRAFTS) || '[]');
      return Array.isArray(drafts) ? drafts : [];
    } catch {
      return [];
    }
  }

  function writeDrafts(drafts) {
    if (drafts.length) localStorage.setItem(DRAFTS, JSON.stringify(drafts));
    else localStorage.removeItem(DRAFTS);
  }

  // The follow-up form (follow-up-form.js, which runs after this file) keeps its drafts through these.
  window.kehuDrafts = { read: readDrafts, write: writeDrafts };

  function draftNotice(type, text, link) {
    const anchor = document.querySelector('main') ?? document.body;
    const box = document.createElement('div');
    box.className = `flash flash-${type}`;
    box.setAttribute('role', 'status');
    box.setAttribute('data-draft-notice', '');
    box.textContent = text;
    if (link) {
      box.append(' ');
      const a = document.createElement('a');
      a.href = link.href;
      a.textContent = link.text;
      box.append(a);
    }
    for (const old of document.querySelectorAll('[data-draft-notice]')) old.remove();
    anchor.prepend(box);
  }

  let sendingDrafts = false;
  async function sendDrafts() {
    if (sendingDrafts || !navigator.onLine || !readDrafts().length) return;
    sendingDrafts = true;
    try {
      for (const draft of readDrafts().filter((d) => !d.refused)) {
        let res;
        try {
          res = await fetch(draft.action, {
            method: 'POST',
            body: new URLSearchParams(draft.fields),
            credentials: 'same-origin',
          });
        } catch {
          return; // Still no connection: the next 'online' tries again.
        }
        const rest = readDrafts().filter((d) => d.id !== draft.id);
        // Saved (or saved before): the form's 303 led to the customer's page.
        if (res.ok && res.redirected) {
          writeDrafts(rest);
          draftNotice('success', draft.texts.sent.replace('{name}', draft.label));
        } else writeDrafts([...rest, { ...draft, refused: true }]);
      }
    } finally {
      sendingDrafts = false;
    }
    const refused = readDrafts().filter((d) => d.refused);
    if (refused.length)
      draftNotice('error', refused[0].texts.refused.replace('{name}', refused[0].label), {
        href: `${refused[0].page}#draft-${refused[0].id}`,
        text: refused[0].label,
      });
  }

  window.addEventListener('online', () => void sendDrafts());
  void sendDrafts();
})();
